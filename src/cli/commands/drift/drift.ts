import { diffTenant } from "../../../workflows/drift.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import { driftTable } from "../../ui/drift-table.js";
import type { spec } from "./index.js";

export const run: Handler<typeof spec> = async (ctx, { args, options }) => {
  const { baseline, target } = options;
  const report = await diffTenant({ client: await ctx.client() }, baseline, target, args.ref);
  const drifting = report.summary.count > 0;
  const code = drifting && options.detailedExitcode === true ? EXIT.changes : EXIT.ok;
  if (ctx.out.json) {
    ctx.out.result({ drift: drifting, ...report });
    return code;
  }
  const c = ctx.out.colors;
  for (const action of report.actions) {
    if (action.entries.length === 0) continue;
    ctx.out.line(c.bold(action.action.name));
    ctx.out.line(driftTable(ctx.out.colors, action.entries, baseline, target));
    ctx.out.line();
  }
  const s = report.summary;
  ctx.out.line(
    drifting
      ? `${s.count} difference${s.count === 1 ? "" : "s"} in ${s.driftingCount} of ${s.actionCount} action${s.actionCount === 1 ? "" : "s"} between ${baseline} and ${target} ` +
          `(value ${s.value_mismatch}, masked ${s.masked_mismatch}, only in ${target} ${s.only_in_target}, only in ${baseline} ${s.only_in_baseline})`
      : `no drift between ${baseline} and ${target} in ${s.actionCount} action${s.actionCount === 1 ? "" : "s"}`,
  );
  return code;
};
