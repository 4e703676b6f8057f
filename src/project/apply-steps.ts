/**
 * The steps of a plan as `cxda apply` writes and reports them, and the bodies both apply paths (one
 * changeset, or a request per resource) send for an action: shared by apply.ts and apply-changeset.ts.
 */
import type { CreateActionSpec } from "../workflows/create-action.js";
import { prepare } from "../workflows/datetime.js";
import type { DesiredAction, DesiredDateProcessing } from "./desired-state.js";
import type { Plan, PlanChange, PlanResource } from "./plan.js";

export type StepKind = "create" | "update" | "delete";
export type StepOutcome = "applied" | "failed" | "skipped";

/** One write of the plan: an action's create, core update or delete, or one of its sub-resources. */
export interface ApplyStep {
  kind: StepKind;
  action: string;
  resource: PlanResource;
  /** For overrides: the environment id. */
  env?: string;
}

export interface ApplyStepResult extends ApplyStep {
  outcome: StepOutcome;
  /** Why it failed or was not attempted (secrets redacted by the caller's printer). */
  reason?: string;
  /** For a failure: where the resource is now. One request per write, so a refused write leaves the old state. */
  state?: "old" | "unknown";
  /** A create answered from an earlier run's Idempotency-Key (a resumed apply). */
  replayed?: boolean;
  /** Every HTTP status / problem slug of the failure, when the server answered. */
  status?: number;
  slug?: string;
}

export interface ApplyCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface ApplyResult {
  ok: boolean;
  applied: ApplyCounts;
  /** Failed and skipped steps, in plan order. */
  failures: ApplyStepResult[];
  /** Every step, in plan order. */
  steps: ApplyStepResult[];
  /** How it was written: one changeset (all or nothing), or a request per resource. */
  via: "changeset" | "per-resource";
  /** The changeset path, once committed: the deployment that records it and the tenant revision after it. */
  deploymentId?: string;
  revision?: number;
  changesetId?: string;
  /** Requests the operations were sent in (1 unless staged). */
  batches?: number;
  /** The changeset path, when refused: every error the server named, mapped back to the plan. */
  errors?: ApplyOperationError[];
}

/** A refused operation of a changeset, with the action and the place in the project file it came from. */
export interface ApplyOperationError {
  /** The server's path, `operations[i]…`. */
  path: string;
  index?: number;
  action?: string;
  /** The plan's steps the operation carried ("update crm_lookup headers"). */
  operation?: string;
  /** Where in the project file, as a YAML path (the CLI turns it into FILE:LINE:COLUMN). */
  filePath?: (string | number)[];
  code: string;
  message: string;
}

export interface ApplyOptions {
  /** Writes in flight at once (default 8); the client's pacer still decides when each is sent. */
  concurrency?: number;
  /** Called when a step starts and when it ends (progress display). */
  onStart?: (step: ApplyStep) => void;
  onDone?: (result: ApplyStepResult, progress: { done: number; total: number }) => void;
  /**
   * `auto` (the default): one changeset when the server advertises `changesets`, else a request per
   * resource. `per-resource` forces the old path.
   */
  via?: "auto" | "changeset" | "per-resource";
  /** Changeset path: called after each batch is sent (`sequence` from 1), then at the commit. */
  onBatch?: (batch: {
    sequence: number;
    total: number;
    operations: number;
    stage: "sent" | "committed";
  }) => void;
  /** Changeset path: the per-request limits (default 1 000 operations, 8 MiB). */
  batchLimits?: { maxOperations: number; maxBytes: number };
  /** Changeset path: the deployment's description. */
  description?: string;
}

/** The steps of a plan: every change that is not a no-op, in plan order. */
export function stepsOf(plan: Plan): ApplyStep[] {
  return plan.changes
    .filter((c): c is PlanChange & { kind: StepKind } => c.kind !== "no-op")
    .map((c) => ({
      kind: c.kind,
      action: c.action,
      resource: c.resource,
      ...(c.env !== undefined ? { env: c.env } : {}),
    }));
}

/** "create crm_lookup", "update crm_lookup overrides in prod". */
export function describeStep(step: ApplyStep): string {
  const what =
    step.resource === "action"
      ? ""
      : step.resource === "overrides"
        ? ` overrides in ${step.env}`
        : ` ${step.resource}`;
  return `${step.kind} ${step.action}${what}`;
}

/** The POST body of a new action: one request carries its headers and date processing (issue 9). */
export function createSpecOf(want: DesiredAction): CreateActionSpec {
  const config: Record<string, unknown> = {};
  if (want.request) config.request = want.request;
  if (Object.keys(want.headers).length > 0) config.headers = { ...want.headers };
  if (want.dateProcessing) config.dateProcessing = dateProcessingOf(want.dateProcessing);
  return {
    name: want.name,
    type: want.type,
    description: want.description,
    ...(want.script ? { script: { language: "JavaScript", content: want.script.content } } : {}),
    ...(Object.keys(config).length > 0 ? { config } : {}),
    dependencies: [...want.dependencies],
  } as CreateActionSpec;
}

/** The project's date processing as the datetime workflow takes it: the inputs, then the fields. */
export function dateProcessingArgs(d: DesiredDateProcessing) {
  return [
    {
      sourceTimestamp: d.sourceTimestamp,
      timezone: d.timezone,
      operation: d.operation,
      offsetMinutes: d.offsetMinutes,
      precision: d.precision,
    },
    { sourceField: d.sourceField, targetField: d.targetField },
  ] as const;
}

/** The value to write: the inputs plus computedValue/computedUtc, computed offline now. */
export function dateProcessingOf(d: DesiredDateProcessing) {
  return prepare(...dateProcessingArgs(d));
}
