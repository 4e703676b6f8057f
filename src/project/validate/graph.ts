/**
 * The dependency graph of the file: every dependency must be an action of the same file (a project is
 * a closed set, so a plan is reproducible offline), and the file has no cycle.
 */
import { findDependencyCycles, formatCycle } from "../../domain/dependency-graph.js";
import { didYouMean } from "../did-you-mean.js";
import { type CheckContext, isRecord, type Json } from "./context.js";

export function checkGraph(ctx: CheckContext, rawActions: Json): void {
  const names = Object.keys(rawActions);
  const known = new Set(names);
  const graph: Record<string, string[]> = {};
  const depsOf = (name: string): unknown[] => {
    const raw = rawActions[name];
    return isRecord(raw) && Array.isArray(raw.dependencies) ? raw.dependencies : [];
  };
  for (const name of names) {
    graph[name] = [];
    depsOf(name).forEach((dep, i) => {
      if (typeof dep !== "string") return;
      if (known.has(dep)) {
        if (dep !== name) graph[name]!.push(dep);
        return;
      }
      const path = ["actions", name, "dependencies", i];
      if (ctx.isUnusable(path)) return;
      ctx.report(
        path,
        "unknown-dependency",
        `action ${name}: dependency '${dep}' is not defined in this file${didYouMean(dep, names)}; every dependency must be an action under 'actions:' of the same file`,
      );
    });
  }
  for (const cycle of findDependencyCycles(graph)) {
    const [first, second] = cycle as [string, string];
    const index = depsOf(first).indexOf(second);
    ctx.report(
      index >= 0 ? ["actions", first, "dependencies", index] : ["actions", first],
      "dependency-cycle",
      `dependency cycle across the file: ${formatCycle(cycle)}; remove one of these dependencies`,
    );
  }
}
