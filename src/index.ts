/**
 * The `cxda` entry point: the SDK client, the shared validators, the audit and webhook helpers and the
 * typed errors. It loads no server: the emulator is `cxda/emulator` and declarative projects (validate,
 * plan, apply, export) are `cxda/project` (docs/sdk.md).
 */
import type { EmulatorOptions, RunningEmulator } from "./emulator/server.js";

// Audit, redaction, webhooks
export { AuditLog, type AuditRecord, readAuditLog } from "./audit/audit-log.js";
export type { CxdaEvent, CxdaEventType, EventHandler } from "./audit/events.js";
export { OperationRecorder } from "./audit/recorder.js";
export { defaultRedactor, REDACTED, Redactor } from "./audit/redactor.js";
export { signWebhook, verifyWebhook, WebhookSender } from "./audit/webhooks.js";
// The human form of a plan (what `cxda plan` prints); pure, it loads nothing else.
export { formatPlan } from "./cli/ui/format-plan.js";
export type {
  ActionRevisionSummary,
  ApiResponse,
  ChangesetInput,
  ChangesetOperation,
  ChangesetOperationResult,
  ChangesetResult,
  ClientHooks,
  ClientMetrics,
  ClientOptions,
  CxdaClient,
  Deployment,
  DeploymentCounts,
  DeploymentResource,
  DeploymentSummary,
  OpenChangeset,
  RequestOptions,
  RollbackOptions,
  RollbackResult,
  Snapshot,
  SnapshotAction,
} from "./client/types.js";
// Pure rules shared by the SDK and the emulator
export { validateActionPayload } from "./domain/action-rules.js";
export type { Action, ActionInput, ActionType } from "./domain/action-schema.js";
export {
  buildDateProcessing,
  computeDateTime,
  type DateProcessing,
  type DateTimeInput,
  type DateTimeResult,
  explainDateTime,
  validateDateProcessing,
} from "./domain/datetime.js";
export { findDependencyCycles, formatCycle, topologicalOrder } from "./domain/dependency-graph.js";
export { type DriftEntry, type DriftKind, diffEnvironments, summarizeDrift } from "./domain/drift.js";
export {
  type EffectiveVariable,
  resolveEffectiveVariables,
  type VariableSource,
} from "./domain/effective-variables.js";
export { applyHeaderEdit, type HeaderEdit, validateHeaders } from "./domain/headers.js";
export { validateOverrides } from "./domain/overrides.js";
export { checkScriptSyntax } from "./domain/script-syntax.js";
export type { ValidationIssue, ValidationResult } from "./domain/validation-result.js";
export { type StoredVariable, type Variable, validateVariables } from "./domain/variables.js";
// Errors
export * from "./errors.js";
export {
  type BoundWorkflows,
  type CxdaSdk,
  createSdk as createClient,
  type DeprecatedWorkflows,
  type SdkGroups,
  type SdkOptions,
} from "./sdk/create-sdk.js";
export type {
  Build,
  BuildError,
  BuildStatus,
  TriggerBuildOptions,
  WaitOptions,
} from "./workflows/builds.js";
export type {
  CreateActionOptions,
  CreateActionResult,
  CreateActionSpec,
  TestRunError,
} from "./workflows/create-action.js";
export type { ApplyDateProcessingResult, DateProcessingFields } from "./workflows/datetime.js";
export type { ActionDrift, DriftReport } from "./workflows/drift.js";
export type { HeaderEditOptions, HeaderEditResult, HeadersSyncEvent } from "./workflows/headers.js";
export type {
  ApplyOverridesOptions,
  Environment,
  OverrideSet,
  OverridesWriteResult,
  ResolvedVariable,
} from "./workflows/overrides.js";
export type {
  TestActionOptions,
  TestActionResult,
  TestRunResult,
  TestRunStatus,
} from "./workflows/test-action.js";
export type {
  ActionVariables,
  GlobalVariables,
  ReencryptResult,
  RegisterVariablesResult,
  RotationCheckResult,
  StaleSecret,
  VariableInput,
  VariableMetrics,
} from "./workflows/variables.js";

export type { EmulatorOptions, RunningEmulator };

/**
 * Starts the emulator, loading it on first call (fastify and the native SQLite module are not loaded by
 * importing `cxda`). Prefer `import { startEmulator } from "cxda/emulator"`.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await import("./emulator/server.js");
  return emulator.startEmulator(options);
}
