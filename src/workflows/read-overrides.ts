/**
 * Reads actions with their overrides in every environment, for drift and promotion. The whole tenant
 * comes from one `GET /snapshot` when the server advertises it (its header lists the environments too),
 * else from `expand=environments` lists at pageSize 100: N actions cost ⌈N/100⌉ requests. Named actions
 * cost one resolve and one list by exact name each.
 */
import type { Environment } from "../client/resources/environments.js";
import type { Action } from "../domain/action-schema.js";
import type { StoredOverride } from "../domain/overrides.js";
import type { WorkflowContext } from "./operation.js";

export type ActionWithOverrides = Action & {
  environments?: Record<string, { version: number; variables: StoredOverride[] }>;
};

export interface OverridesRead {
  actions: ActionWithOverrides[];
  /** The environments, when the read brought them (a snapshot); else the caller lists them. */
  environments?: Environment[];
}

const PAGE_SIZE = 100;

/** Every action when `refs` is absent or empty; else those actions, each once, in the order named. */
export async function readActionsWithOverrides(
  ctx: WorkflowContext,
  refs?: readonly string[],
): Promise<OverridesRead> {
  const actions: ActionWithOverrides[] = [];
  if (refs === undefined || refs.length === 0) {
    if (await ctx.client.snapshot.available()) {
      const snapshot = await ctx.client.snapshot.read();
      for (const line of snapshot.actions)
        actions.push({
          ...(line.action as unknown as Action),
          environments: line.overrides as unknown as ActionWithOverrides["environments"],
        });
      return {
        actions,
        environments: [...snapshot.environments].sort((a, b) => a.order - b.order),
      };
    }
    for await (const a of ctx.client.actions.list<ActionWithOverrides>({
      expand: ["environments"],
      pageSize: PAGE_SIZE,
    }))
      actions.push(a);
    return { actions };
  }
  const seen = new Set<string>();
  for (const ref of refs) {
    const action = await ctx.client.actions.resolve(ref);
    if (seen.has(action.id)) continue;
    seen.add(action.id);
    // One list request by exact name brings the action with its environments embedded.
    for await (const a of ctx.client.actions.list<ActionWithOverrides>({
      name: action.name,
      expand: ["environments"],
    }))
      if (a.id === action.id) actions.push(a);
  }
  return { actions };
}
