/**
 * Cross-environment drift for one action or the whole tenant. The tenant is read in one `GET /snapshot`
 * when the server advertises it, else with `expand=environments` at pageSize 100, so N actions cost ⌈N/100⌉ list requests plus a constant (the
 * environment list); masked values compare by fingerprint only (diffEnvironments).
 */
import type { Action } from "../domain/action-schema.js";
import { type DriftEntry, type DriftSummary, diffEnvironments, summarizeDrift } from "../domain/drift.js";
import type { StoredOverride } from "../domain/overrides.js";
import { NotFoundError } from "../errors.js";
import type { WorkflowContext } from "./operation.js";
import { listEnvironments } from "./overrides.js";

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
  summary: DriftSummary & { actions: number; drifting: number };
}

type ExpandedAction = Action & {
  environments?: Record<string, { version: number; variables: StoredOverride[] }>;
};

const PAGE_SIZE = 100;

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
  // The whole tenant from one snapshot when the server has it: its header lists the environments too.
  const snapshot =
    ref === undefined && (await ctx.client.snapshot.available())
      ? await ctx.client.snapshot.read()
      : undefined;
  const envs = snapshot?.environments ?? (await listEnvironments(ctx));
  for (const id of [baseline, target])
    if (!envs.some((e) => e.id === id))
      throw new NotFoundError(
        `Environment '${id}' is unknown; known environments: ${envs.map((e) => e.id).join(", ")}.`,
        { slug: "not-found", status: 404 },
      );
  const actions: ExpandedAction[] = [];
  if (snapshot !== undefined) {
    for (const line of snapshot.actions)
      actions.push({
        ...(line.action as unknown as Action),
        environments: line.overrides as unknown as ExpandedAction["environments"],
      });
  } else if (ref !== undefined) {
    const action = await ctx.client.actions.resolve(ref);
    // One list request by exact name brings the action with its environments embedded.
    for await (const a of ctx.client.actions.list<ExpandedAction>({
      name: action.name,
      expand: ["environments"],
    }))
      if (a.id === action.id) actions.push(a);
  } else {
    for await (const a of ctx.client.actions.list<ExpandedAction>({
      expand: ["environments"],
      pageSize: PAGE_SIZE,
    }))
      actions.push(a);
  }
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
  total.total = results.reduce((n, r) => n + r.summary.total, 0);
  return {
    baseline,
    target,
    actions: results,
    summary: {
      ...total,
      actions: results.length,
      drifting: results.filter((r) => r.entries.length > 0).length,
    },
  };
}
