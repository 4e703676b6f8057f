/** `cxda overrides set | unset`. */
import { applyOverrides, type OverridesWriteResult, unsetOverrides } from "../../../workflows/overrides.js";
import type { Handler } from "../../command.js";
import type { CommandContext } from "../../context.js";
import { driftTable } from "../../ui/drift-table.js";
import { readOverridesFile } from "./file.js";
import type { set, unset } from "./index.js";

function printWrite(ctx: CommandContext, result: OverridesWriteResult, what: string): void {
  if (ctx.out.json) {
    ctx.out.result({ ...result });
    return;
  }
  const names = what === "unset" ? result.removed : result.set;
  ctx.out.line(
    result.changed
      ? `${what} ${names.length} override${names.length === 1 ? "" : "s"} of ${result.action.name} in ${result.environmentId} (version ${result.version}): ${names.join(", ") || "-"}`
      : `${result.action.name} in ${result.environmentId} already had these overrides; nothing changed (version ${result.version})`,
  );
  if (result.build) {
    const errors = result.build.errors?.map((e) => `\n    ${e.path ?? ""} ${e.message}`).join("") ?? "";
    ctx.out.line(`  build ${result.build.id}: ${result.build.status}${errors}`);
  }
  if (result.drift) {
    if (result.drift.entries.length === 0) ctx.out.line(`  no drift from ${result.drift.baseline}`);
    else {
      ctx.out.line(`  drift from ${result.drift.baseline}:`);
      ctx.out.line(
        driftTable(ctx.out.colors, result.drift.entries, result.drift.baseline, result.environmentId),
      );
    }
  }
}

export const runSet: Handler<typeof set> = async (ctx, { args, options }) => {
  const variables = readOverridesFile(ctx, options.file);
  const result = await applyOverrides(await ctx.workflow(true), args.ref, options.env, variables, {
    replace: options.replace === true,
    wait: options.wait === true,
    ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
  });
  printWrite(ctx, result, "set");
  return result.build?.status === "FAILED" ? 1 : 0;
};

export const runUnset: Handler<typeof unset> = async (ctx, { args, options }) => {
  const result = await unsetOverrides(await ctx.workflow(true), args.ref, options.env, args.names);
  printWrite(ctx, result, "unset");
  return 0;
};
