/**
 * Reads a whole tenant for the planner. When the server advertises `snapshot` (`GET /api/v2`), one
 * `GET /snapshot` (docs/api.md) brings every action with its variables and overrides. Otherwise:
 * `GET /dataactions?expand=variables,environments&pageSize=100`
 * with complete pagination, ⌈N/100⌉ requests for N actions. A server that does not offer
 * an expansion answers 400 on the first page; the read then drops that expansion (one request more)
 * and says so, and the planner treats the sub-resource as not read rather than as empty.
 */
import type { CxdaClient, Snapshot } from "../client/types.js";
import { ValidationError } from "../errors.js";
import { type LiveState, normalizeLiveActions } from "./live-state.js";

export const LIVE_PAGE_SIZE = 100;

const ATTEMPTS: { expand: string[] | undefined; variables: boolean; overrides: boolean }[] = [
  { expand: ["variables", "environments"], variables: true, overrides: true },
  { expand: ["variables"], variables: true, overrides: false },
  { expand: ["environments"], variables: false, overrides: true },
  { expand: undefined, variables: false, overrides: false },
];

export interface LiveRead {
  live: LiveState;
  /** What could not be read, for the user (e.g. an expansion the server does not offer). */
  notes: string[];
}

/** The snapshot's lines as the list read's resources: the action with its sub-resources embedded. */
export function snapshotResources(snapshot: Snapshot): Record<string, unknown>[] {
  return snapshot.actions.map((a) => ({ ...a.action, variables: a.variables, environments: a.overrides }));
}

export async function readLiveState(
  client: Pick<CxdaClient, "actions"> & Partial<Pick<CxdaClient, "snapshot">>,
): Promise<LiveRead> {
  if (client.snapshot && (await client.snapshot.available())) {
    const snapshot = await client.snapshot.read();
    const live = normalizeLiveActions(snapshotResources(snapshot), { variables: true, overrides: true });
    return { live: { ...live, revision: snapshot.revision }, notes: [] };
  }
  let last: unknown;
  for (const attempt of ATTEMPTS) {
    try {
      const resources: unknown[] = [];
      for await (const item of client.actions.list<unknown>({
        ...(attempt.expand === undefined ? {} : { expand: attempt.expand }),
        pageSize: LIVE_PAGE_SIZE,
      })) {
        resources.push(item);
      }
      const notes: string[] = [];
      if (!attempt.variables)
        notes.push("the server does not expand variables: live variables were not read");
      if (!attempt.overrides)
        notes.push("the server does not expand environments: live overrides were not read");
      const expanded = { variables: attempt.variables, overrides: attempt.overrides };
      return { live: normalizeLiveActions(resources, expanded), notes };
    } catch (error) {
      if (!(error instanceof ValidationError) || !mentionsExpand(error)) throw error;
      last = error;
    }
  }
  throw last;
}

function mentionsExpand(error: ValidationError): boolean {
  return /expand/i.test(error.message) || error.issues.some((i) => i.path === "expand");
}
