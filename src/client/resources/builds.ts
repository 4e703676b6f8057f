/** Builds of an action for an environment, `/dataactions/{id}/builds`. */
import type { ApiResponse, Requester } from "../request-types.js";
import { actionPath } from "./actions.js";

export type BuildStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";

export interface BuildError {
  code: string;
  message: string;
  path?: string;
}

export interface Build {
  id: string;
  actionId: string;
  environmentId: string;
  status: BuildStatus;
  trigger?: "manual" | "overrides";
  createdTimestamp?: number;
  startedTimestamp?: number;
  finishedTimestamp?: number;
  errors?: BuildError[];
  snapshot?: {
    actionVersion: number;
    actionName: string;
    overridesVersion: number;
    variables: { name: string; source: string; masked: boolean; fingerprint?: string }[];
    contentHash: string;
  };
}

export interface BuildsResource {
  /** Queues a build (dataactions:admin). */
  create(actionId: string, body: { environmentId: string }): Promise<ApiResponse<Build>>;
  get(actionId: string, buildId: string): Promise<ApiResponse<Build>>;
  /** An action's builds, newest first (all pages), optionally of one environment. */
  list(actionId: string, params?: { environmentId?: string }): AsyncIterable<Build>;
}

export function buildsResource(client: Requester): BuildsResource {
  const path = (actionId: string) => `${actionPath(actionId)}/builds`;
  return {
    create: (actionId, body) => client.request<Build>("POST", path(actionId), { body }),
    get: (actionId, buildId) =>
      client.request<Build>("GET", `${path(actionId)}/${encodeURIComponent(buildId)}`),
    list: (actionId, params = {}) =>
      client.paginate<Build>(path(actionId), { environmentId: params.environmentId }),
  };
}
