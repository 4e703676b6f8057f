import type { Build } from "../../../workflows/builds.js";
import type { CommandContext } from "../../context.js";
import { EXIT } from "../../exit-codes.js";

/** Prints a build; its exit code: 1 when it FAILED. */
export function reportBuild(ctx: CommandContext, build: Build): number {
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
