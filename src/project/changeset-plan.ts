/**
 * A plan as one changeset (docs/api.md "Changesets"), pure: the operations that make the tenant match
 * the file, each with where it came from (the action, the resource, the place in the project file), the
 * split into batches for a staged changeset, and the way back from a refused operation's `errors[].path`
 * (`operations[i]…`) to the action and the line of the file.
 *
 * Per action, one `createAction` (carrying headers and date processing) or one `updateAction` merge patch
 * (core fields, headers and date processing together), then `putVariables`, then `putOverrides` per
 * environment; deletes last, dependents first — the plan's order. Later operations name the action, so
 * they work on one created earlier in the same changeset.
 */
import type { ChangesetOperation } from "../client/resources/changesets.js";
import { type ApplyStep, createSpecOf, dateProcessingOf, stepsOf } from "./apply-steps.js";
import type { DesiredAction, DesiredState } from "./desired-state.js";
import type { Plan } from "./plan.js";

/** Where an operation came from: the plan's steps it carries, and its place in the project file. */
export interface OperationOrigin {
  action: string;
  steps: ApplyStep[];
  /** The YAML path of the action in the project file (`["actions", name]`); absent for a delete. */
  filePath?: (string | number)[];
}

export interface ChangesetPlan {
  operations: ChangesetOperation[];
  origins: OperationOrigin[];
}

export function changesetOperations(desired: DesiredState, plan: Plan): ChangesetPlan {
  const byName = new Map(desired.actions.map((a) => [a.name, a]));
  const steps = stepsOf(plan);
  const operations: ChangesetOperation[] = [];
  const origins: OperationOrigin[] = [];
  const push = (op: ChangesetOperation, origin: OperationOrigin) => {
    operations.push(op);
    origins.push(origin);
  };

  // Actions in the order their first step appears (the plan's dependency order).
  const order: string[] = [];
  for (const step of steps)
    if (step.kind !== "delete" && !order.includes(step.action)) order.push(step.action);

  for (const name of order) {
    const want = byName.get(name);
    if (!want) continue;
    const mine = steps.filter((s) => s.action === name && s.kind !== "delete");
    const filePath = ["actions", name];
    const created = mine.find((s) => s.resource === "action" && s.kind === "create");
    if (created) {
      push({ op: "createAction", action: createSpecOf(want) }, { action: name, steps: [created], filePath });
    } else {
      const core = mine.filter(
        (s) => s.resource === "action" || s.resource === "headers" || s.resource === "dateProcessing",
      );
      if (core.length > 0) {
        push(
          { op: "updateAction", ref: name, patch: updatePatch(want, plan, core) },
          { action: name, steps: core, filePath },
        );
      }
    }
    const variables = mine.find((s) => s.resource === "variables");
    if (variables)
      push(
        {
          op: "putVariables",
          ref: name,
          variables: (want.variables ?? []).map((v) => ({
            name: v.name,
            type: v.type,
            value: v.value,
            encrypted: v.encrypted,
          })),
        },
        { action: name, steps: [variables], filePath: [...filePath, "variables"] },
      );
    for (const step of mine.filter((s) => s.resource === "overrides"))
      push(
        {
          op: "putOverrides",
          ref: name,
          environmentId: step.env!,
          variables: (want.overrides?.[step.env!] ?? []).map((o) => ({
            name: o.name,
            value: o.value,
            masked: o.masked,
            ...(o.description ? { description: o.description } : {}),
          })),
        },
        { action: name, steps: [step], filePath: [...filePath, "overrides", step.env!] },
      );
  }
  for (const step of steps.filter((s) => s.kind === "delete"))
    push({ op: "deleteAction", ref: step.action }, { action: step.action, steps: [step] });
  return { operations, origins };
}

/** One merge patch (RFC 7396) for the core fields, the headers and the date processing that changed. */
function updatePatch(want: DesiredAction, plan: Plan, steps: readonly ApplyStep[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  for (const step of steps) {
    if (step.resource === "action") {
      patch.type = want.type;
      patch.description = want.description;
      patch.script = want.script ? { language: "JavaScript", content: want.script.content } : null;
      patch.dependencies = [...want.dependencies];
      config.request = want.request;
    } else if (step.resource === "headers") {
      // A merge patch merges objects: a header the file dropped is removed by naming it with null.
      const headers: Record<string, string | null> = { ...want.headers };
      const change = plan.changes.find((c) => c.action === want.name && c.resource === "headers");
      for (const entry of change?.diff ?? [])
        if (entry.op === "remove" && entry.path.startsWith("headers.")) headers[entry.path.slice(8)] = null;
      config.headers = headers;
    } else if (step.resource === "dateProcessing") {
      config.dateProcessing = want.dateProcessing ? dateProcessingOf(want.dateProcessing) : null;
    }
  }
  if (Object.keys(config).length > 0) patch.config = config;
  return patch;
}

export interface BatchLimits {
  maxOperations: number;
  maxBytes: number;
}

/**
 * Consecutive slices of the operations, each within the limits (bytes as the JSON of the batch body,
 * with room for its envelope). One operation larger than the byte limit alone makes its own batch: the
 * server then names it.
 */
export function splitBatches(
  operations: readonly ChangesetOperation[],
  limits: BatchLimits,
): ChangesetOperation[][] {
  const envelope = 64;
  const batches: ChangesetOperation[][] = [];
  let current: ChangesetOperation[] = [];
  let bytes = envelope;
  for (const op of operations) {
    const size = Buffer.byteLength(JSON.stringify(op), "utf8") + 1;
    if (current.length > 0 && (current.length >= limits.maxOperations || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = envelope;
    }
    current.push(op);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Whether the whole changeset fits one request. */
export function fitsOneRequest(operations: readonly ChangesetOperation[], limits: BatchLimits): boolean {
  return splitBatches(operations, limits).length <= 1;
}

const OPERATION_PATH = /^operations\[(\d+)\](?:\.(.*))?$/;

export interface LocatedOperationError {
  index: number;
  origin: OperationOrigin;
  /** The rest of the path, inside the operation (`action.config.headers.X-Api-Key`). */
  rest: string;
  /** The YAML path in the project file the error points at, when the action is in the file. */
  filePath?: (string | number)[];
}

/**
 * An `errors[].path` of a refused changeset (`operations[i].…`) back to its origin. `offset` is added to
 * `i` when the server numbered the operations of one batch. Undefined for a path that names no
 * operation of this changeset.
 */
export function locateOperationError(
  path: string,
  origins: readonly OperationOrigin[],
  offset = 0,
): LocatedOperationError | undefined {
  const match = OPERATION_PATH.exec(path);
  if (!match) return undefined;
  const index = Number(match[1]) + offset;
  const origin = origins[index];
  if (!origin) return undefined;
  const rest = match[2] ?? "";
  const located: LocatedOperationError = { index, origin, rest };
  if (origin.filePath) located.filePath = [...origin.filePath, ...fileSubPath(origin, rest)];
  return located;
}

/** The path inside the action's entry of the project file for a path inside the operation. */
function fileSubPath(origin: OperationOrigin, rest: string): (string | number)[] {
  const parts = rest.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
  const segments = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const inVariables = origin.filePath?.at(-1) === "variables" || origin.filePath?.at(-2) === "overrides";
  if (inVariables) {
    // operations[i].variables[k].value → the k-th entry of the list in the file.
    return segments[0] === "variables" && typeof segments[1] === "number" ? [segments[1]] : [];
  }
  // operations[i].action.… or operations[i].patch.…: config.headers.X → headers.X, config.request → request.
  const inner = segments[0] === "action" || segments[0] === "patch" ? segments.slice(1) : [];
  if (inner[0] === "config" && typeof inner[1] === "string") return inner.slice(1, 3);
  if (typeof inner[0] === "string") return [inner[0]];
  return [];
}
