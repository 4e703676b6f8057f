/**
 * Cross-environment drift for one action or the whole tenant, read by readActionsWithOverrides (one
 * snapshot, or ⌈N/100⌉ list requests plus the environment list); masked values compare by fingerprint
 * only (diffEnvironments).
 */
import { type DriftEntry, type DriftSummary, diffEnvironments, summarizeDrift } from "../domain/drift.js";
import { NotFoundError } from "../errors.js";
import type { WorkflowContext } from "./operation.js";
import { listEnvironments } from "./overrides.js";
import { readActionsWithOverrides } from "./read-overrides.js";

export interface ActionDrift {
  action: { id: string; name: string };
  entries: DriftEntry[];
  summary: DriftSummary;
}

export interface DriftReport {
  baseline: string;
  target: string;
  /** Every action compared, drifting or not, by name. */
  actions: ActionDrift[];
  /** Totals over every action. */
  summary: DriftSummary & { actionCount: number; driftingCount: number };
}

function emptySummary(): DriftSummary {
  return summarizeDrift([]);
}

/** Compares the overrides of `baseline` and `target` for one action (`ref`) or every action of the tenant. */
export async function diffTenant(
  ctx: WorkflowContext,
  baseline: string,
  target: string,
  ref?: string,
): Promise<DriftReport> {
  const read = await readActionsWithOverrides(ctx, ref === undefined ? undefined : [ref]);
  const envs = read.environments ?? (await listEnvironments(ctx));
  for (const id of [baseline, target])
    if (!envs.some((e) => e.id === id))
      throw new NotFoundError(
        `Environment '${id}' is unknown; known environments: ${envs.map((e) => e.id).join(", ")}.`,
        { slug: "not-found", status: 404 },
      );
  const actions = read.actions;
  const results: ActionDrift[] = actions
    .map((a) => {
      const entries = diffEnvironments(
        a.environments?.[baseline]?.variables ?? [],
        a.environments?.[target]?.variables ?? [],
      );
      return { action: { id: a.id, name: a.name }, entries, summary: summarizeDrift(entries) };
    })
    .sort((x, y) => (x.action.name < y.action.name ? -1 : x.action.name > y.action.name ? 1 : 0));
  const total = emptySummary();
  for (const r of results)
    for (const kind of ["value_mismatch", "masked_mismatch", "only_in_target", "only_in_baseline"] as const)
      total[kind] += r.summary[kind];
  total.count = results.reduce((n, r) => n + r.summary.count, 0);
  return {
    baseline,
    target,
    actions: results,
    summary: {
      ...total,
      actionCount: results.length,
      driftingCount: results.filter((r) => r.entries.length > 0).length,
    },
  };
}
