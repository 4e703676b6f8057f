import type { DriftEntry } from "../../domain/drift.js";
import { type Colors, formatTable } from "../output.js";

/** One row per drifting variable: NAME, DRIFT kind, the value in each environment. */
export function driftTable(c: Colors, entries: DriftEntry[], baseline: string, target: string): string {
  return formatTable(
    ["NAME", "DRIFT", baseline.toUpperCase(), target.toUpperCase()],
    entries.map((e) => [
      e.name,
      e.kind === "only_in_baseline" || e.kind === "only_in_target" ? c.yellow(e.kind) : c.red(e.kind),
      e.baseline ?? c.dim("(absent)"),
      e.target ?? c.dim("(absent)"),
    ]),
    c,
  );
}
