/**
 * The human form of a plan: a colored diff per action and environment, then the summary line
 * "Plan: 2 to create, 1 to update, 0 to delete." Secret values are already `***` in the plan.
 */

import type { DiffEntry, Plan, PlanChange } from "../../project/plan.js";
import type { Colors } from "../output.js";

const SYMBOL = { create: "+", update: "~", delete: "-", "no-op": "=" } as const;

export function formatPlan(plan: Plan, colors: Colors): string {
  const paint = {
    create: colors.green,
    update: colors.yellow,
    delete: colors.red,
    "no-op": colors.dim,
  } as const;
  const lines: string[] = [];
  for (const change of plan.changes) {
    const color = paint[change.kind];
    if (change.kind === "no-op") {
      lines.push(color(`${SYMBOL["no-op"]} ${change.action}: ${change.reason}`));
      continue;
    }
    lines.push(
      `${color(`${SYMBOL[change.kind]} ${change.action}`)} ${colors.bold(title(change))}  ${colors.dim(`(${change.reason})`)}`,
    );
    for (const entry of change.diff) {
      if (entry.unifiedDiff !== undefined) {
        lines.push(`    ${paint.update(`~ ${entry.path}: ${diffCounts(entry.unifiedDiff)}`)}`);
        lines.push(...formatUnifiedDiff(entry.unifiedDiff, colors).map((l) => `        ${l}`));
        continue;
      }
      const line = diffLine(entry);
      if (line !== undefined)
        lines.push(
          `    ${paint[entry.op === "add" ? "create" : entry.op === "remove" ? "delete" : "update"](line)}`,
        );
    }
  }
  if (lines.length > 0) lines.push("");
  if (!plan.changes.some((c) => c.kind !== "no-op")) lines.push("No changes: the tenant matches the file.");
  lines.push(summaryLine(plan));
  return lines.join("\n");
}

/**
 * A unified diff's lines painted as git paints them: file headers bold, hunk headers cyan, added
 * lines green, removed lines red, context as is (no colour at all under NO_COLOR or a pipe).
 */
export function formatUnifiedDiff(unifiedDiff: string, colors: Colors): string[] {
  let inHunk = false;
  return unifiedDiff
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => {
      if (line.startsWith("@@")) {
        inHunk = true;
        return colors.cyan(line);
      }
      // Before the first hunk: the `---`/`+++` file headers (a removed `-- x` line is body, not header).
      if (!inHunk) return colors.bold(line);
      if (line.startsWith("+")) return colors.green(line);
      if (line.startsWith("-")) return colors.red(line);
      if (line.startsWith("\\")) return colors.dim(line);
      return line;
    });
}

/** "+3 −1 lines" from a unified diff's hunks. */
function diffCounts(unifiedDiff: string): string {
  const body = unifiedDiff.split("\n").slice(unifiedDiff.split("\n").findIndex((l) => l.startsWith("@@")));
  const added = body.filter((l) => l.startsWith("+")).length;
  const removed = body.filter((l) => l.startsWith("-")).length;
  return `+${added} −${removed} line${added + removed === 1 ? "" : "s"}`;
}

/** "Plan: 2 to create, 1 to update, 0 to delete." */
export function summaryLine(plan: Plan): string {
  const { create, update, delete: deleted } = plan.summary;
  return `Plan: ${create} to create, ${update} to update, ${deleted} to delete.`;
}

function title(change: PlanChange): string {
  const what = change.resource === "overrides" ? `overrides in ${change.env}` : change.resource;
  return `${change.kind} ${what}`;
}

function diffLine(entry: DiffEntry): string | undefined {
  if (entry.path === "") return undefined;
  switch (entry.op) {
    case "add":
      return `+ ${entry.path}: ${show(entry.after, entry.sources)}`;
    case "remove":
      return `- ${entry.path}: ${show(entry.before)}`;
    case "change":
      return `~ ${entry.path}: ${show(entry.before)} → ${show(entry.after, entry.sources)}`;
  }
}

/** A value as the plan prints it; one a placeholder gave reads `"eu-west-1" (from ${env:REGION})`. */
function show(value: unknown, sources: Readonly<Record<string, string>> = {}): string {
  const from = sources[""] === undefined ? "" : ` (from ${sources[""]})`;
  if (value === undefined || value === null) return "(none)";
  if (value === "***") return "***";
  if (typeof value === "string") return `${JSON.stringify(value)}${from}`;
  if (Array.isArray(value)) return `[${value.map((v) => show(v)).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${show(v, sources[k] === undefined ? {} : { "": sources[k] })}`)
      .join(", ")}}`;
  }
  return `${String(value)}${from}`;
}
