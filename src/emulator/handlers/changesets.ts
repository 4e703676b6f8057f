/**
 * Changesets (docs/emulator.md "Changesets, deployments and history"): a list of operations applied in
 * the caller's one transaction, each through the same handler code as the per-resource write it stands
 * for (ActionHandlers, VariableHandlers, OverrideHandlers), on the state the previous ones left. The
 * dependency rules are checked once, on the resulting graph. Any failure throws a problem whose
 * `errors[].path` starts `operations[i]`; the caller's transaction then rolls everything back.
 */
import { randomUUID } from "node:crypto";
import { findDependencyCycles, formatCycle } from "../../domain/dependency-graph.js";
import { issue, type ValidationIssue } from "../../domain/validation-result.js";
import type { EmulatorContext } from "../context.js";
import { ProblemError, problemFromIssues } from "../problem.js";
import type { StoredAction } from "../store/store.js";
import { NO_PRECONDITION } from "../versioning.js";
import { ActionHandlers } from "./actions.js";
import { OverrideHandlers } from "./overrides.js";
import { VariableHandlers } from "./variables.js";

export const CHANGESETS_PATH = "/api/v2/changesets";
/** At most this many operations per request (a staged changeset's batch included). */
export const MAX_OPERATIONS = 1000;
/** At most this many bytes per request body. */
export const MAX_CHANGESET_BYTES = 8 * 1024 * 1024;

export const OPERATION_KINDS = [
  "createAction",
  "updateAction",
  "deleteAction",
  "putVariables",
  "putOverrides",
  "putGlobalVariables",
  "promoteOverrides",
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

type Json = Record<string, unknown>;

/** An operation whose shape was checked (fields present, of the right JSON type). */
export interface Operation {
  op: OperationKind;
  ref?: string;
  version?: unknown;
  action?: Json;
  patch?: Json;
  variables?: unknown;
  environmentId?: string;
  from?: string;
  to?: string;
  names?: unknown;
}

const FIELDS: Record<OperationKind, readonly string[]> = {
  createAction: ["op", "action"],
  updateAction: ["op", "ref", "version", "action", "patch"],
  deleteAction: ["op", "ref", "version"],
  putVariables: ["op", "ref", "version", "variables"],
  putOverrides: ["op", "ref", "environmentId", "version", "variables"],
  putGlobalVariables: ["op", "version", "variables"],
  promoteOverrides: ["op", "ref", "from", "to", "names", "version"],
};

export type ChangesetScope = "dataactions:write" | "dataactions:delete" | "dataactions:admin";

const SCOPE: Record<OperationKind, ChangesetScope> = {
  createAction: "dataactions:write",
  updateAction: "dataactions:write",
  deleteAction: "dataactions:delete",
  putVariables: "dataactions:write",
  putOverrides: "dataactions:write",
  putGlobalVariables: "dataactions:admin",
  promoteOverrides: "dataactions:write",
};

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The scopes a list of operations needs (the union of each operation's). */
export function scopesOf(operations: readonly Operation[]): ChangesetScope[] {
  return [...new Set(operations.map((o) => SCOPE[o.op]))];
}

/**
 * The operations' shapes: every problem found (unknown kinds, missing or extra fields), each at
 * `<base>[i]…`. Count and size limits are the caller's.
 */
export function parseOperations(value: unknown, base = "operations"): Operation[] {
  if (!Array.isArray(value) || value.length === 0)
    throw problemFromIssues(
      [issue(base, "validation-failed", `${base} must be a non-empty array of operations`)],
      "The changeset",
    );
  const issues: ValidationIssue[] = [];
  const at = (i: number, field?: string) => `${base}[${i}]${field === undefined ? "" : `.${field}`}`;
  value.forEach((raw, i) => {
    if (!isObject(raw)) {
      issues.push(issue(at(i), "validation-failed", `${at(i)} must be an object {op, …}`));
      return;
    }
    const kind = raw.op;
    if (typeof kind !== "string" || !(OPERATION_KINDS as readonly string[]).includes(kind)) {
      issues.push(
        issue(
          at(i, "op"),
          "validation-failed",
          `${at(i, "op")}: unknown operation kind ${JSON.stringify(typeof kind === "string" ? kind.slice(0, 40) : (kind ?? null))}; use one of ${OPERATION_KINDS.join(", ")}`,
        ),
      );
      return;
    }
    const op = kind as OperationKind;
    for (const key of Object.keys(raw))
      if (!FIELDS[op].includes(key))
        issues.push(
          issue(
            at(i, key.slice(0, 40)),
            "validation-failed",
            `${at(i)} (${op}) has unknown field '${key.slice(0, 40)}'; it takes ${FIELDS[op].join(", ")}`,
          ),
        );
    const needs = (field: string, ok: boolean, what: string) => {
      if (!ok) issues.push(issue(at(i, field), "validation-failed", `${at(i, field)} (${op}): ${what}`));
    };
    if (FIELDS[op].includes("ref"))
      needs(
        "ref",
        typeof raw.ref === "string" && raw.ref !== "",
        "ref is required: the id or the name of the action",
      );
    if (op === "createAction")
      needs("action", isObject(raw.action), "action is required: the action to create");
    if (op === "updateAction")
      needs(
        "action",
        (isObject(raw.action) ? 1 : 0) + (isObject(raw.patch) ? 1 : 0) === 1,
        "give exactly one of action (the whole action, replacing it) or patch (a JSON merge patch)",
      );
    if (op === "putOverrides")
      needs(
        "environmentId",
        typeof raw.environmentId === "string" && raw.environmentId !== "",
        "environmentId is required: the environment whose overrides are replaced",
      );
    if (op === "promoteOverrides")
      for (const field of ["from", "to"])
        needs(
          field,
          typeof raw[field] === "string" && raw[field] !== "",
          `${field} is required: the environment to copy ${field === "from" ? "from" : "into"}`,
        );
    if (op === "putVariables" || op === "putOverrides" || op === "putGlobalVariables")
      needs("variables", Array.isArray(raw.variables), "variables is required: the whole set, an array");
  });
  if (issues.length > 0) throw problemFromIssues(issues, "The changeset");
  return value as Operation[];
}

export interface ChangesetResult {
  index: number;
  op: OperationKind;
  ref: string | null;
  id: string | null;
  version: number | null;
}

export interface CommitOutcome {
  body: { id: string; revision: number; deploymentId: string; results: ChangesetResult[] };
  /** (action, environment) pairs whose overrides changed in a `buildOnChange` environment. */
  builds: { actionId: string; environmentId: string }[];
}

export interface CommitRequest {
  tenantId: string;
  operations: readonly Operation[];
  id?: string;
  baseRevision?: number | undefined;
  description?: string | undefined;
  /** Where each operation came from, for messages (a staged batch); default `operations[i]`. */
  label?: (index: number) => string;
}

/** The path prefix of an issue the handler reported for operation `op`, relative to what it was given. */
function fieldOf(op: Operation, issuePath: string): string {
  if (issuePath === "version" || issuePath === "") return issuePath;
  if (op.op === "createAction" || op.op === "updateAction")
    return `${op.patch ? "patch" : "action"}.${issuePath}`;
  if (op.op === "promoteOverrides" && issuePath.startsWith("fromEnvironmentId"))
    return `from${issuePath.slice("fromEnvironmentId".length)}`;
  return issuePath;
}

/** `error` raised by operation `index`, re-addressed to it. */
function atOperation(error: unknown, index: number, op: Operation, label: string): never {
  if (!(error instanceof ProblemError)) throw error;
  const prefix = `operations[${index}]`;
  const what = `${label} (${op.op}${op.ref === undefined ? "" : ` ${JSON.stringify(op.ref.slice(0, 64))}`})`;
  const issues: ValidationIssue[] =
    error.issues.length > 0
      ? error.issues.map((i) => {
          const field = fieldOf(op, i.path);
          const { segments: _segments, ...rest } = i;
          return { ...rest, path: field === "" ? prefix : `${prefix}.${field}` };
        })
      : [
          {
            path: error.slug === "version-conflict" ? `${prefix}.version` : prefix,
            code: error.slug,
            message: `${what}: ${error.message}`,
          },
        ];
  throw new ProblemError(error.slug, `${what}: ${error.message} Nothing was applied.`, {
    status: error.status,
    issues,
    headers: error.headers,
  });
}

export class ChangesetEngine {
  private readonly actions: ActionHandlers;
  private readonly variables: VariableHandlers;

  constructor(private readonly ctx: EmulatorContext) {
    this.actions = new ActionHandlers(ctx.store, ctx.clock, { deferGraph: true });
    this.variables = new VariableHandlers(ctx);
  }

  /** Applies the operations; call inside a transaction (all or nothing is the caller's transaction's). */
  commit(request: CommitRequest): CommitOutcome {
    const { tenantId, operations } = request;
    const store = this.ctx.store;
    const label = request.label ?? ((i: number) => `operations[${i}]`);
    if (request.baseRevision !== undefined) {
      const current = store.revision(tenantId);
      if (current !== request.baseRevision)
        throw new ProblemError(
          "precondition-failed",
          `baseRevision is ${request.baseRevision}, but the tenant is at revision ${current}: it changed since you read it; read it again (plan again), then send the changeset with the new revision.`,
          { issues: [issue("baseRevision", "precondition-failed", `the tenant is at revision ${current}`)] },
        );
    }
    const id = request.id ?? randomUUID();
    const deploymentId = store.journal.deployment({
      tenantId,
      changesetId: id,
      ...(request.description === undefined ? {} : { description: request.description }),
    });
    const builds = new Map<string, { actionId: string; environmentId: string }>();
    const overrides = new OverrideHandlers(this.ctx, (_tenant, action, environmentId, trigger) => {
      builds.set(`${action.id}\u0000${environmentId}`, { actionId: action.id, environmentId });
      return { id: "", actionId: action.id, environmentId, status: "QUEUED", trigger, createdTimestamp: 0 };
    });
    // Action id → the last operation that wrote it; removed (deleted or renamed-away) name → operation.
    const written = new Map<string, number>();
    const removed = new Map<string, number>();
    const createdLater = new Map<string, number>();
    operations.forEach((op, i) => {
      if (op.op === "createAction" && typeof op.action?.name === "string")
        if (!createdLater.has(op.action.name.toLowerCase()))
          createdLater.set(op.action.name.toLowerCase(), i);
    });

    const results: ChangesetResult[] = [];
    operations.forEach((op, index) => {
      try {
        results.push(this.apply(tenantId, op, index, { written, removed, createdLater, overrides }));
      } catch (error) {
        atOperation(error, index, op, label(index));
      }
    });
    this.checkGraph(tenantId, operations, written, removed, label);
    return {
      body: { id, revision: store.revision(tenantId), deploymentId, results },
      builds: [...builds.values()],
    };
  }

  private resolve(
    tenantId: string,
    ref: string,
    index: number,
    createdLater: Map<string, number>,
  ): StoredAction {
    const store = this.ctx.store;
    const found = store.actions.get(tenantId, ref) ?? store.actions.getByName(tenantId, ref);
    if (found) return found;
    const later = createdLater.get(ref.toLowerCase());
    const message =
      later !== undefined && later > index
        ? `ref ${JSON.stringify(ref.slice(0, 64))} names the action operations[${later}] creates, later in this changeset; move this operation after operations[${later}]`
        : `ref ${JSON.stringify(ref.slice(0, 64))}: no action with this id or name exists in this tenant, nor is one created earlier in this changeset; create it first (createAction before this operation) or fix the ref`;
    throw new ProblemError("validation-failed", `${message}.`, {
      issues: [{ path: "ref", code: "unknown-reference", message }],
    });
  }

  private apply(
    tenantId: string,
    op: Operation,
    index: number,
    state: {
      written: Map<string, number>;
      removed: Map<string, number>;
      createdLater: Map<string, number>;
      overrides: OverrideHandlers;
    },
  ): ChangesetResult {
    const base = { index, op: op.op, ref: op.ref ?? null };
    const withVersion = (body: Json): Json =>
      op.version === undefined ? body : { ...body, version: op.version };
    switch (op.op) {
      case "createAction": {
        const stored = this.actions.createStored(tenantId, op.action);
        state.written.set(stored.id, index);
        return { ...base, ref: stored.name, id: stored.id, version: stored.version };
      }
      case "updateAction": {
        const current = this.resolve(tenantId, op.ref!, index, state.createdLater);
        const stored = op.patch
          ? this.actions.patchStored(NO_PRECONDITION, current, withVersion(op.patch))
          : this.actions.replaceStored(NO_PRECONDITION, current, withVersion(op.action!));
        if (stored !== current) state.written.set(stored.id, index);
        if (stored.name !== current.name) state.removed.set(current.name, index);
        return { ...base, id: stored.id, version: stored.version };
      }
      case "deleteAction": {
        const current = this.resolve(tenantId, op.ref!, index, state.createdLater);
        this.actions.removeStored(NO_PRECONDITION, current, op.version);
        state.written.delete(current.id);
        state.removed.set(current.name, index);
        return { ...base, id: current.id, version: null };
      }
      case "putVariables": {
        const current = this.resolve(tenantId, op.ref!, index, state.createdLater);
        const response = this.variables.putAction(
          NO_PRECONDITION,
          tenantId,
          current.id,
          withVersion({ variables: op.variables }),
        );
        return { ...base, id: current.id, version: (response.body as { version: number }).version };
      }
      case "putOverrides": {
        const current = this.resolve(tenantId, op.ref!, index, state.createdLater);
        const response = state.overrides.put(
          NO_PRECONDITION,
          tenantId,
          current.id,
          op.environmentId!,
          withVersion({ variables: op.variables }),
        );
        return { ...base, id: current.id, version: (response.body as { version: number }).version };
      }
      case "promoteOverrides": {
        const current = this.resolve(tenantId, op.ref!, index, state.createdLater);
        const response = state.overrides.promote(NO_PRECONDITION, tenantId, current.id, op.to!, {
          fromEnvironmentId: op.from,
          ...(op.names === undefined ? {} : { names: op.names }),
          ...(op.version === undefined ? {} : { version: op.version }),
        });
        return { ...base, id: current.id, version: (response.body as { version: number }).version };
      }
      case "putGlobalVariables": {
        const response = this.variables.putGlobal(
          NO_PRECONDITION,
          tenantId,
          withVersion({ variables: op.variables }),
        );
        return { ...base, id: null, version: (response.body as { version: number }).version };
      }
    }
  }

  /**
   * The dependency rules on the resulting graph, once: every dependency of a written action exists, no
   * removed name is still depended on, no cycle. Each problem is placed at the operation that caused it.
   */
  private checkGraph(
    tenantId: string,
    operations: readonly Operation[],
    written: Map<string, number>,
    removed: Map<string, number>,
    label: (index: number) => string,
  ): void {
    if (written.size === 0 && removed.size === 0) return;
    const store = this.ctx.store;
    const graph = store.actions.graph(tenantId);
    const writerOf = new Map<string, number>();
    for (const [id, index] of written) {
      const action = store.actions.get(tenantId, id);
      if (action) writerOf.set(action.name, index);
    }
    const dependents: ValidationIssue[] = [];
    const unknown: ValidationIssue[] = [];
    const depsPath = (index: number, k: number) => {
      const op = operations[index]!;
      const field = op.op === "updateAction" && op.patch ? "patch" : "action";
      return `operations[${index}].${field}.dependencies[${k}]`;
    };
    let hasDependents: string | undefined;
    for (const [name, deps] of Object.entries(graph)) {
      const writer = writerOf.get(name);
      deps.forEach((dep, k) => {
        if (Object.hasOwn(graph, dep) || dep === name) return;
        const removedAt = removed.get(dep);
        if (removedAt !== undefined && (writer === undefined || writer < removedAt)) {
          const message = `${label(removedAt)} (${operations[removedAt]!.op}) removes action ${dep}, but ${name} depends on it by name; remove ${dep} from ${name}'s dependencies first (an updateAction earlier in the changeset)`;
          hasDependents ??= message;
          dependents.push(issue(`operations[${removedAt}]`, "has-dependents", message));
        } else if (writer !== undefined) {
          unknown.push(
            issue(
              depsPath(writer, k),
              "unknown-dependency",
              `${label(writer)}: dependencies[${k}]: no action named ${JSON.stringify(dep)} exists in this tenant after this changeset; create it (createAction) or remove it`,
            ),
          );
        }
      });
    }
    if (dependents.length > 0)
      throw new ProblemError("has-dependents", `${hasDependents}. Nothing was applied.`, {
        issues: dependents,
      });
    if (unknown.length > 0) {
      const problem = problemFromIssues(unknown, "The changeset's dependencies");
      throw new ProblemError(problem.slug, `${problem.message} Nothing was applied.`, {
        status: problem.status,
        issues: unknown,
      });
    }
    if (written.size === 0) return;
    const cycles = findDependencyCycles(graph);
    if (cycles.length === 0) return;
    const issues = cycles.map((cycle) => {
      const owner = Math.max(...cycle.map((name) => writerOf.get(name) ?? -1));
      const at = owner < 0 ? "operations" : `operations[${owner}]`;
      return issue(
        owner < 0 ? at : `${at}.${operations[owner]!.patch ? "patch" : "action"}.dependencies`,
        "dependency-cycle",
        `${owner < 0 ? "the changeset" : label(owner)} would close the cycle ${formatCycle(cycle)}; remove one of its dependencies`,
      );
    });
    throw new ProblemError("dependency-cycle", `${issues[0]!.message}. Nothing was applied.`, { issues });
  }
}
