/**
 * Per-environment overrides of an action, `/dataactions/{id}/environments/{envId}/variables`:
 * read, replace (PUT) or upsert by name (PATCH), each write with `If-Match` the version read.
 */
import type { OverrideVariable, StoredOverride } from "../../domain/overrides.js";
import type { ApiResponse, Requester } from "../request-types.js";
import { actionPath } from "./actions.js";
import type { BuildStatus } from "./builds.js";

/** What `GET …/environments/{envId}/variables` returns. */
export interface OverrideSet {
  actionId: string;
  environmentId: string;
  version: number;
  variables: StoredOverride[];
}

/** A write's answer: the set as stored, and the build a buildOnChange environment started. */
export type WrittenOverrideSet = OverrideSet & { build?: { id: string; status: BuildStatus } };

/** A PATCH body: upsert `variables` by name, delete the names in `remove`. */
export interface OverridesPatch {
  variables: readonly OverrideVariable[];
  remove?: readonly string[];
}

/** A promote body: copy `names` (every one when absent) of `fromEnvironmentId` into the path's environment. */
export interface OverridesPromotion {
  fromEnvironmentId: string;
  names?: readonly string[];
  /** The target set's version as read: a stale one answers 409. */
  version?: number;
}

export interface OverridesResource {
  get(actionId: string, environmentId: string): Promise<ApiResponse<OverrideSet>>;
  replace(
    actionId: string,
    environmentId: string,
    body: { variables: readonly OverrideVariable[] },
    options: { version: number },
  ): Promise<ApiResponse<WrittenOverrideSet>>;
  patch(
    actionId: string,
    environmentId: string,
    body: OverridesPatch,
    options: { version: number },
  ): Promise<ApiResponse<WrittenOverrideSet>>;
  /** Server-side copy from another environment, masked values included (they never leave the server). */
  promote(
    actionId: string,
    environmentId: string,
    body: OverridesPromotion,
    options?: { idempotencyKey?: string },
  ): Promise<ApiResponse<WrittenOverrideSet>>;
}

export function overridesResource(client: Requester): OverridesResource {
  const path = (actionId: string, environmentId: string) =>
    `${actionPath(actionId)}/environments/${encodeURIComponent(environmentId)}/variables`;
  return {
    get: (actionId, environmentId) => client.request<OverrideSet>("GET", path(actionId, environmentId)),
    replace: (actionId, environmentId, body, options) =>
      client.request<WrittenOverrideSet>("PUT", path(actionId, environmentId), {
        ifMatch: options.version,
        body,
      }),
    patch: (actionId, environmentId, body, options) =>
      client.request<WrittenOverrideSet>("PATCH", path(actionId, environmentId), {
        ifMatch: options.version,
        body,
      }),
    promote: (actionId, environmentId, body, options = {}) =>
      client.request<WrittenOverrideSet>("POST", `${path(actionId, environmentId)}/promote`, {
        body,
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      }),
  };
}
