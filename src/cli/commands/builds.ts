/** `cxda builds trigger|status` (SPEC §6.5, §12): a FAILED build exits 1 with its errors. */
import { type Build, getBuild, triggerBuild } from "../../workflows/builds.js";
import type { CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import type { CommandHandler } from "../program.js";

function report(ctx: CommandContext, build: Build): number {
  const failed = build.status === "FAILED";
  if (ctx.out.json) ctx.out.result({ build });
  else {
    const c = ctx.out.colors;
    const status =
      build.status === "SUCCEEDED"
        ? c.green(build.status)
        : failed
          ? c.red(build.status)
          : c.yellow(build.status);
    ctx.out.line(
      `build ${build.id} of ${build.snapshot?.actionName ?? build.actionId} for ${build.environmentId}: ${status}`,
    );
    if (build.snapshot)
      ctx.out.line(
        `  snapshot ${build.snapshot.contentHash} (action version ${build.snapshot.actionVersion}, ${build.snapshot.variables.length} variable${build.snapshot.variables.length === 1 ? "" : "s"})`,
      );
    for (const e of build.errors ?? [])
      ctx.out.line(`  ${c.red("✘")} ${e.path ? `${e.path}: ` : ""}${e.message}`);
  }
  if (failed)
    ctx.out.error(
      `build ${build.id} failed with ${build.errors?.length ?? 0} error${build.errors?.length === 1 ? "" : "s"}`,
    );
  return failed ? EXIT.failed : EXIT.ok;
}

export const buildsTrigger: CommandHandler = async (ctx, args, options) => {
  const build = await triggerBuild(
    { client: await ctx.client(), recorder: await ctx.recorder() },
    args[0]!,
    String(options.env),
    { wait: options.wait === true },
  );
  return report(ctx, build);
};

export const buildsStatus: CommandHandler = async (ctx, args) => {
  const build = await getBuild({ client: await ctx.client() }, args[0]!, args[1]!);
  return report(ctx, build);
};
