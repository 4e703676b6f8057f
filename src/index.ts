/**
 * The public SDK (SPEC §11): the client, the emulator, the shared validators and workflows, the audit
 * and webhook helpers, and the typed errors.
 */

// Audit, redaction, webhooks
export { AuditLog, type AuditRecord, readAuditLog } from "./audit/audit-log.js";
export type { CxdaEvent, CxdaEventType, EventHandler } from "./audit/events.js";
export { OperationRecorder } from "./audit/recorder.js";
export { defaultRedactor, REDACTED, Redactor } from "./audit/redactor.js";
export { signWebhook, verifyWebhook, WebhookSender } from "./audit/webhooks.js";
export type {
  ApiResponse,
  ClientHooks,
  ClientMetrics,
  ClientOptions,
  CxdaClient,
  RequestOptions,
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
export { diffEnvironments, summarizeDrift } from "./domain/drift.js";
export { applyHeaderEdit, type HeaderEdit, validateHeaders } from "./domain/headers.js";
export { validateOverrides } from "./domain/overrides.js";
export { checkScriptSyntax } from "./domain/script-syntax.js";
export type { ValidationIssue, ValidationResult } from "./domain/validation-result.js";
export { type StoredVariable, type Variable, validateVariables } from "./domain/variables.js";
// Client
export { startEmulator } from "./emulator/server.js";
// Errors
export * from "./errors.js";
export {
  type ApplyOptions,
  type ApplyResult,
  type ApplyStepResult,
  applyPlan,
  checkSavedPlan,
} from "./project/apply.js";
export type { DesiredAction, DesiredState } from "./project/desired-state.js";
export { buildExport, type ExportedProject, exportProject } from "./project/export.js";
export { formatPlan } from "./project/format-plan.js";
export { type LiveState, normalizeLiveActions } from "./project/live-state.js";
export { computePlan, type Plan, type PlanChange, type PlanOptions, planHasChanges } from "./project/plan.js";
export { projectJsonSchema } from "./project/project-schema.js";
export { readLiveState } from "./project/read-live-state.js";
export {
  loadProject,
  type ProjectProblem,
  type ProjectValidation,
  validateProject,
} from "./project/validate-project.js";
export {
  type BoundWorkflows,
  type CxdaSdk,
  createSdk as createClient,
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
