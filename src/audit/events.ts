/**
 * Events emitted after a successful mutating operation (issue 3 part 3). The same events go
 * to the SDK's `onEvent` hook and to the signed webhook. Data carries ids, names, counts, latency and
 * test status only — never a secret value (header values and variable values are never included).
 */

type ActionRef = {
  actionId: string;
  actionName?: string;
  latencyMs: number;
};

export type ActionCreatedData = ActionRef & {
  version?: number;
  dependencies?: string[];
  /** Status of the test run after creation, when one was requested. */
  testStatus?: "SUCCESS" | "FAILURE" | "TIMEOUT";
  testDurationMs?: number;
};

export type HeadersUpdatedData = ActionRef & {
  version?: number;
  /** Header names only (values may be credentials; docs/secrets.md). */
  set: string[];
  removed: string[];
  headerCount: number;
  totalBytes?: number;
};

export type VariablesUpdatedData = ActionRef & {
  version?: number;
  scope: "action" | "global";
  names: string[];
  count: number;
  encryptedCount: number;
};

export type OverridesAppliedData = ActionRef & {
  environmentId: string;
  version?: number;
  names: string[];
  removed?: string[];
  count: number;
  maskedCount: number;
  /** Id of the build this write triggered (environments with buildOnChange). */
  buildId?: string;
  /** Differences from the baseline environment after the write, when one was given. */
  driftCount?: number;
};

export type OverridesPromotedData = ActionRef & {
  fromEnvironmentId: string;
  environmentId: string;
  version?: number;
  /** Names copied from the source environment (values never: masked ones were copied sealed). */
  names: string[];
  removed?: string[];
  count: number;
  maskedCount: number;
  buildId?: string;
};

export type BuildTriggeredData = ActionRef & {
  environmentId: string;
  buildId: string;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";
};

export type DateTimeAppliedData = ActionRef & {
  version?: number;
  timezone: string;
  operation: "ADD_OFFSET" | "SUBTRACT_OFFSET";
  offsetMinutes: number;
  precision: number;
  computedValue: string;
  computedUtc: string;
};

export type ActionUpdatedData = ActionRef & {
  version?: number;
  /** Top-level fields the update sent (names only). */
  fields: string[];
};

export type ActionDeletedData = ActionRef & {
  /** The version that was deleted. */
  version?: number;
};

export type VariablesReencryptedData = {
  scope: "action" | "global";
  actionId?: string;
  actionName?: string;
  latencyMs: number;
  version?: number;
  activeKeyId: string;
  /** Names of the secrets moved to the active key. */
  names: string[];
  count: number;
};

export type KeysRotatedData = {
  latencyMs: number;
  activeKeyId: string;
  previousKeyId: string;
};

/** A changeset committed (a whole `cxda apply`): ids, counts and action names, never a value. */
export type DeploymentAppliedData = {
  deploymentId: string;
  changesetId: string;
  revision: number;
  description?: string;
  counts: { created: number; updated: number; deleted: number };
  operations: number;
  batches: number;
  /** Names of the actions the changeset touched. */
  actions: string[];
  latencyMs: number;
};

/** A deployment rolled back, or one action restored to a past revision: what was restored, by name. */
export type DeploymentRolledBackData = {
  /** The deployment undone (absent for `cxda rollback <ref> --to-version N`). */
  deploymentId?: string;
  /** The deployment the rollback itself committed. */
  rollbackDeploymentId: string;
  revision: number;
  force: boolean;
  /** For one action restored to a version. */
  actionId?: string;
  actionName?: string;
  toVersion?: number;
  /** Names of the actions restored. */
  actions: string[];
  latencyMs: number;
};

export type CxdaEventDataMap = {
  "action.created": ActionCreatedData;
  "action.updated": ActionUpdatedData;
  "action.deleted": ActionDeletedData;
  "headers.updated": HeadersUpdatedData;
  "variables.updated": VariablesUpdatedData;
  "overrides.applied": OverridesAppliedData;
  "overrides.promoted": OverridesPromotedData;
  "build.triggered": BuildTriggeredData;
  "datetime.applied": DateTimeAppliedData;
  "variables.reencrypted": VariablesReencryptedData;
  "keys.rotated": KeysRotatedData;
  "deployment.applied": DeploymentAppliedData;
  "deployment.rolled_back": DeploymentRolledBackData;
};

export type CxdaEventType = keyof CxdaEventDataMap;

export const EVENT_TYPES: readonly CxdaEventType[] = [
  "action.created",
  "action.updated",
  "action.deleted",
  "headers.updated",
  "variables.updated",
  "overrides.applied",
  "overrides.promoted",
  "build.triggered",
  "datetime.applied",
  "variables.reencrypted",
  "keys.rotated",
  "deployment.applied",
  "deployment.rolled_back",
];

/** A discriminated union: `switch (e.type)` narrows `e.data` (type aliases, so data is a Record<string, unknown>). */
export type CxdaEvent = {
  [K in CxdaEventType]: { type: K; timestamp: string; data: CxdaEventDataMap[K] };
}[CxdaEventType];

/** What a workflow hands to the recorder: the event without its timestamp. */
export type CxdaEventInput = {
  [K in CxdaEventType]: { type: K; data: CxdaEventDataMap[K] };
}[CxdaEventType];

export type EventHandler = (event: CxdaEvent) => void | Promise<void>;

export function isEventType(value: unknown): value is CxdaEventType {
  return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}

/** Builds an event with an ISO 8601 UTC timestamp (ms). */
export function makeEvent(input: CxdaEventInput, at: Date = new Date()): CxdaEvent {
  return { type: input.type, timestamp: at.toISOString(), data: input.data } as CxdaEvent;
}
