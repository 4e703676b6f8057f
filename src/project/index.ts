/**
 * The `cxda/project` entry point: declarative projects (`cxda.yaml`) — validate, plan, apply, export.
 */
export {
  type ApplyOptions,
  type ApplyResult,
  type ApplyStepResult,
  applyPlan,
  checkSavedPlan,
} from "./apply.js";
export type { DesiredAction, DesiredState } from "./desired-state.js";
export { buildExport, type ExportedProject, exportProject } from "./export.js";
export { type LiveState, normalizeLiveActions } from "./live-state.js";
export { computePlan, type Plan, type PlanChange, type PlanOptions, planHasChanges } from "./plan.js";
export { projectJsonSchema } from "./project-schema.js";
export { readLiveState } from "./read-live-state.js";
export {
  loadProject,
  type ProjectProblem,
  type ProjectValidation,
  validateProject,
} from "./validate-project.js";
