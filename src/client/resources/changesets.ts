/**
 * `/changesets` (docs/api.md "Changesets"): a list of operations applied in one transaction, either in
 * one request (≤ 1 000 operations and 8 MiB) or staged — opened, filled batch by batch, then committed.
 * A batch's Idempotency-Key is derived from the changeset and its sequence number, and the commit's from
 * the changeset, so a retry (or a resumed run that knows the changeset id) replays instead of repeating.
 */
import type { ActionInput } from "../../domain/action-schema.js";
import type { OverrideVariable } from "../../domain/overrides.js";
import type { CapabilitiesReader } from "../capabilities.js";
import type { ApiResponse, Requester } from "../request-types.js";
import type { VariableInput } from "./variables.js";

/** At most this many operations in one request (413 `changeset-too-large` above). */
export const CHANGESET_MAX_OPERATIONS = 1_000;
/** At most this many bytes of JSON body in one request. */
export const CHANGESET_MAX_BYTES = 8 * 1024 * 1024;

/** `ref` is an action's id or name; a name may be one created earlier in the same changeset. */
export type ChangesetOperation =
  | { op: "createAction"; action: ActionInput | Record<string, unknown> }
  | {
      op: "updateAction";
      ref: string;
      version?: number;
      /** The whole action (replace), or `patch` (a merge patch): one of the two. */
      action?: ActionInput | Record<string, unknown>;
      patch?: Record<string, unknown>;
    }
  | { op: "deleteAction"; ref: string; version?: number }
  | { op: "putVariables"; ref: string; version?: number; variables: readonly VariableInput[] }
  | {
      op: "putOverrides";
      ref: string;
      environmentId: string;
      version?: number;
      variables: readonly OverrideVariable[];
    }
  | { op: "putGlobalVariables"; version?: number; variables: readonly VariableInput[] };

export interface ChangesetInput {
  /** The tenant revision the operations were planned at: another one answers 412. */
  baseRevision?: number;
  description?: string;
  operations: readonly ChangesetOperation[];
}

export interface ChangesetOperationResult {
  index: number;
  op: ChangesetOperation["op"];
  ref?: string;
  id?: string;
  version?: number;
}

/** A committed changeset. */
export interface ChangesetResult {
  id: string;
  revision: number;
  deploymentId: string;
  results: ChangesetOperationResult[];
}

/** A staged changeset, open for batches. */
export interface OpenChangeset {
  id: string;
  status: "OPEN";
  expiresTimestamp: number;
}

export interface ChangesetsResource {
  /** True when the server advertises `changesets`. */
  available(): Promise<boolean>;
  /** One request, one transaction; `idempotencyKey` is reused by every retry (a random one by default). */
  create(input: ChangesetInput, options?: { idempotencyKey?: string }): Promise<ApiResponse<ChangesetResult>>;
  /** Opens a staged changeset (it expires after an hour unless committed). */
  open(
    input: { baseRevision?: number; description?: string },
    options?: { idempotencyKey?: string },
  ): Promise<ApiResponse<OpenChangeset>>;
  /** Appends batch `sequence` (from 1); the same sequence with the same operations is a replay. */
  appendBatch(
    id: string,
    sequence: number,
    operations: readonly ChangesetOperation[],
  ): Promise<ApiResponse<unknown>>;
  /** Applies every batch in one transaction. */
  commit(id: string): Promise<ApiResponse<ChangesetResult>>;
}

const PATH = "/changesets";

export function changesetPath(id: string): string {
  return `${PATH}/${encodeURIComponent(id)}`;
}

/** The stable Idempotency-Key of batch `sequence` of changeset `id` (≤ 255 visible characters). */
export function batchIdempotencyKey(id: string, sequence: number): string {
  return `cxda-changeset-${id}-batch-${sequence}`.slice(0, 255);
}

export function changesetsResource(client: Requester, capabilities: CapabilitiesReader): ChangesetsResource {
  const keyed = (options: { idempotencyKey?: string } = {}) =>
    options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey };
  return {
    available: () => capabilities.has("changesets"),
    create: (input, options) =>
      client.request<ChangesetResult>("POST", PATH, { body: input, ...keyed(options) }),
    open: (input, options) =>
      client.request<OpenChangeset>("POST", PATH, { body: { ...input, staged: true }, ...keyed(options) }),
    appendBatch: (id, sequence, operations) =>
      client.request<unknown>("POST", `${changesetPath(id)}/batches`, {
        body: { sequence, operations },
        idempotencyKey: batchIdempotencyKey(id, sequence),
      }),
    commit: (id) =>
      client.request<ChangesetResult>("POST", `${changesetPath(id)}/commit`, {
        body: {},
        idempotencyKey: `cxda-changeset-${id}-commit`.slice(0, 255),
      }),
  };
}
