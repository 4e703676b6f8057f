/** `cxda drift [<ref>] --baseline E --target E [--detailed-exitcode]` (SPEC §6.4, §12). */
import { diffTenant } from "../../workflows/drift.js";
import { EXIT } from "../exit-codes.js";
import type { CommandHandler } from "../program.js";
import { driftTable } from "./overrides.js";

export const drift: CommandHandler = async (ctx, args, options) => {
  const baseline = String(options.baseline);
  const target = String(options.target);
  const report = await diffTenant({ client: await ctx.client() }, baseline, target, args[0]);
  const drifting = report.summary.total > 0;
  const code = drifting && options.detailedExitcode === true ? EXIT.changes : EXIT.ok;
  if (ctx.out.json) {
    ctx.out.result({ drift: drifting, ...report });
    return code;
  }
  const c = ctx.out.colors;
  for (const action of report.actions) {
    if (action.entries.length === 0) continue;
    ctx.out.line(c.bold(action.action.name));
    ctx.out.line(driftTable(ctx, action.entries, baseline, target));
    ctx.out.line();
  }
  const s = report.summary;
  ctx.out.line(
    drifting
      ? `${s.total} difference${s.total === 1 ? "" : "s"} in ${s.drifting} of ${s.actions} action${s.actions === 1 ? "" : "s"} between ${baseline} and ${target} ` +
          `(value ${s.value_mismatch}, masked ${s.masked_mismatch}, only in ${target} ${s.only_in_target}, only in ${baseline} ${s.only_in_baseline})`
      : `no drift between ${baseline} and ${target} in ${s.actions} action${s.actions === 1 ? "" : "s"}`,
  );
  return code;
};
