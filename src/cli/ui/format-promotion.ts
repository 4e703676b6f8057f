/**
 * The human form of a promotion plan, in the form of `cxda plan`: per action a `~` line, then one
 * `+`/`~`/`-` line per override name, and a summary line. Masked values are `***`, compared by
 * fingerprint; what is kept or protected is said, dimmed, so the reader knows why it stays.
 */
import type { PromotionEntry } from "../../domain/promotion.js";
import type { PromotionPlanReport } from "../../workflows/promote.js";
import type { Colors } from "../output.js";

function shown(value: string | undefined, masked: boolean): string {
  if (value === undefined) return "(none)";
  return masked || value === "***" ? "***" : JSON.stringify(value);
}

function entryLine(entry: PromotionEntry, plan: PromotionPlanReport, colors: Colors): string {
  const fingerprint = entry.masked ? " (masked, compared by fingerprint)" : "";
  switch (entry.step) {
    case "add":
      return colors.green(`+ ${entry.name}: ${shown(entry.from, entry.masked)}${fingerprint}`);
    case "update":
      return colors.yellow(
        `~ ${entry.name}: ${shown(entry.to, entry.masked)} → ${shown(entry.from, entry.masked)}${fingerprint}`,
      );
    case "remove":
      return colors.red(`- ${entry.name}: ${shown(entry.to, entry.masked)} (only in ${plan.to}; --prune)`);
    case "keep":
      return colors.dim(`= ${entry.name}: kept, only in ${plan.to} (add --prune to remove it)`);
    case "protected":
      return colors.dim(`= ${entry.name}: not promoted, marked promote: false (environment-specific)`);
  }
}

export function formatPromotion(plan: PromotionPlanReport, colors: Colors): string {
  const lines: string[] = [];
  for (const action of plan.actions) {
    if (action.entries.length === 0) continue;
    const changes = action.copy.length + action.remove.length > 0;
    const head = `${changes ? "~" : "="} ${action.action.name}`;
    lines.push(
      `${changes ? colors.yellow(head) : colors.dim(head)} ${colors.bold(`promote overrides into ${plan.to}`)}  ${colors.dim(`(from ${plan.from})`)}`,
    );
    for (const entry of action.entries) lines.push(`    ${entryLine(entry, plan, colors)}`);
  }
  if (lines.length > 0) lines.push("");
  const s = plan.summary;
  if (s.add + s.update + s.remove === 0)
    lines.push(
      `No changes: ${plan.to} already has what ${plan.from} has in ${s.actions} action${s.actions === 1 ? "" : "s"}.`,
    );
  lines.push(
    `Plan: ${s.add + s.update} to promote (${s.add} new, ${s.update} changed), ${s.remove} to remove, in ${s.changing} of ${s.actions} action${s.actions === 1 ? "" : "s"}.`,
  );
  return lines.join("\n");
}
