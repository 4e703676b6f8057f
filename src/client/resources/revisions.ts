/**
 * An action's history, `/dataactions/{id}/revisions` (docs/api.md "Revisions"): one entry per version,
 * newest first, and the action as it was at a version (credential headers masked as in every read).
 */
import type { Action } from "../../domain/action-schema.js";
import type { CapabilitiesReader } from "../capabilities.js";
import type { ApiResponse, Requester } from "../request-types.js";
import { actionPath } from "./actions.js";

export interface ActionRevisionSummary {
  version: number;
  /** Epoch milliseconds. */
  modifiedTimestamp: number;
  clientId: string;
  deploymentId: string | null;
}

export interface RevisionsResource {
  /** True when the server advertises `revisions`. */
  available(): Promise<boolean>;
  /** Every revision the server keeps (`actionId` is the id, not a name). */
  list(actionId: string, options?: { pageSize?: number }): AsyncIterable<ActionRevisionSummary>;
  /** The action as it was at `version`; an expired one answers 410 `revision-expired`. */
  get(actionId: string, version: number): Promise<ApiResponse<Action>>;
}

export function revisionsResource(client: Requester, capabilities: CapabilitiesReader): RevisionsResource {
  const path = (actionId: string) => `${actionPath(actionId)}/revisions`;
  return {
    available: () => capabilities.has("revisions"),
    list: (actionId, options = {}) =>
      client.paginate<ActionRevisionSummary>(
        path(actionId),
        {},
        options.pageSize === undefined ? {} : { pageSize: options.pageSize },
      ),
    get: (actionId, version) => client.request<Action>("GET", `${path(actionId)}/${version}`),
  };
}
