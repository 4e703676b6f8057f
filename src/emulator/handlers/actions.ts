/**
 * The operations on a tenant's actions, over the Store. Synchronous, so a POST runs inside
 * the idempotency transaction. Rules: validateActionPayload (the same messages as the SDK), names
 * unique per tenant, dependencies existing, no cycle over the whole tenant graph, `locked`.
 */
import { randomUUID } from "node:crypto";
import { validateActionPayload } from "../../domain/action-rules.js";
import { type Action, type ActionInput, editableFieldsOf } from "../../domain/action-schema.js";
import { checkDependencies } from "../../domain/dependency-graph.js";
import { issue } from "../../domain/validation-result.js";
import { applyMergePatch } from "../merge-patch.js";
import { type ApiResponse, ProblemError, problemFromIssues } from "../problem.js";
import type { Store, StoredAction } from "../store/store.js";
import { checkVersion, etagOf, type Precondition } from "../versioning.js";
import { requireAction } from "./require-action.js";

export const ACTIONS_PATH = "/api/v2/dataactions";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The stored resource built from a validated payload; `null` header values are dropped. */
function buildAction(
  id: string,
  input: ActionInput,
  version: number,
  created: number,
  modified: number,
): Action {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.config?.headers ?? {}))
    if (value !== null) headers[name] = value;
  return {
    id,
    name: input.name,
    description: input.description ?? "",
    type: input.type,
    enabled: input.enabled ?? true,
    trigger: input.trigger ?? { type: "MANUAL" },
    script: input.script ?? null,
    config: {
      request: input.config?.request ?? null,
      headers,
      dateProcessing: input.config?.dateProcessing ?? null,
    },
    dependencies: input.dependencies ?? [],
    locked: input.locked ?? false,
    version,
    createdTimestamp: created,
    modifiedTimestamp: modified,
  };
}

function toStored(tenantId: string, action: Action): StoredAction {
  return {
    tenantId,
    id: action.id,
    name: action.name,
    version: action.version,
    createdTimestamp: action.createdTimestamp,
    modifiedTimestamp: action.modifiedTimestamp,
    locked: action.locked,
    dependencies: action.dependencies,
    doc: JSON.stringify(action),
  };
}

function actionResponse(
  status: number,
  stored: StoredAction,
  extra: Record<string, string> = {},
): ApiResponse {
  return { status, headers: { etag: etagOf(stored.version), ...extra }, rawJson: stored.doc };
}

/**
 * GET answers made once per stored row: the store hands out the same frozen row while the action is
 * unchanged (its read cache), and a new row object after any write, here or by another replica, so an
 * answer keyed by the row can never outlive the version it shows. A row that is not frozen (read in a
 * transaction, or with sealed header values opened for this read) is answered afresh. Bench B4: the
 * body's bytes, ETag and headers object were made on every GET before.
 */
const getAnswers = new WeakMap<StoredAction, ApiResponse>();

function getAnswer(stored: StoredAction): ApiResponse {
  const kept = getAnswers.get(stored);
  if (kept !== undefined) return kept;
  const answer = actionResponse(200, stored);
  answer.bytes = Buffer.from(stored.doc);
  Object.freeze(answer.headers);
  if (Object.isFrozen(stored)) getAnswers.set(stored, Object.freeze(answer));
  return answer;
}

/** The payload without `version` (a concurrency token, not a field), validated. */
function validated(payload: unknown): ActionInput {
  const result = validateActionPayload(payload);
  if (!result.ok) throw problemFromIssues(result.issues, "The action");
  const { version: _version, ...input } = payload as ActionInput;
  return input;
}

export interface ActionHandlerOptions {
  /**
   * Leave the dependency rules (dependencies existing, cycles, dependents of a deleted or renamed
   * action) to the caller, who checks them once on the resulting graph (a changeset); names stay checked.
   */
  deferGraph?: boolean;
}

export class ActionHandlers {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly options: ActionHandlerOptions = {},
  ) {}

  find(tenantId: string, id: string): StoredAction {
    return requireAction(this.store, tenantId, id);
  }

  get(tenantId: string, id: string): ApiResponse {
    return getAnswer(this.find(tenantId, id));
  }

  create(tenantId: string, body: unknown): ApiResponse {
    const stored = this.createStored(tenantId, body);
    return actionResponse(201, stored, { location: `${ACTIONS_PATH}/${stored.id}` });
  }

  /** Creates the action; answers it as stored. */
  createStored(tenantId: string, body: unknown): StoredAction {
    const input = validated(body);
    this.checkGraph(tenantId, input, undefined);
    const now = this.clock();
    const stored = toStored(tenantId, buildAction(randomUUID(), input, 1, now, now));
    this.store.actions.insert(stored);
    return stored;
  }

  replace(pre: Precondition, tenantId: string, id: string, body: unknown): ApiResponse {
    return actionResponse(200, this.replaceStored(pre, this.find(tenantId, id), body));
  }

  /** PUT semantics on `current`; answers the action as stored (itself when nothing changed). */
  replaceStored(pre: Precondition, current: StoredAction, body: unknown): StoredAction {
    if (!isObject(body)) return this.write(pre, current, body, undefined);
    return this.write(pre, current, body, body.version);
  }

  patch(pre: Precondition, tenantId: string, id: string, patch: unknown): ApiResponse {
    return actionResponse(200, this.patchStored(pre, this.find(tenantId, id), patch));
  }

  /** Merge-patch semantics on `current`; answers the action as stored. */
  patchStored(pre: Precondition, current: StoredAction, patch: unknown): StoredAction {
    if (!isObject(patch))
      throw new ProblemError(
        "validation-failed",
        "A merge patch (RFC 7396) must be a JSON object of the fields to change.",
        {
          issues: [issue("", "validation-failed", "the patch must be a JSON object")],
        },
      );
    const editable = editableFieldsOf(JSON.parse(current.doc) as Action);
    return this.write(pre, current, applyMergePatch(editable, patch), patch.version);
  }

  remove(pre: Precondition, tenantId: string, id: string): ApiResponse {
    this.removeStored(pre, this.find(tenantId, id), undefined);
    return { status: 204 };
  }

  /** Deletes `current` (`bodyVersion`: a changeset operation's `version`). */
  removeStored(pre: Precondition, current: StoredAction, bodyVersion: unknown): void {
    const tenantId = current.tenantId;
    checkVersion(pre, bodyVersion, current.version, `action ${current.name}`);
    if (current.locked) throw locked(current.name);
    const dependents = this.options.deferGraph ? [] : this.store.actions.dependentsOf(tenantId, current.name);
    if (dependents.length > 0)
      throw new ProblemError(
        "has-dependents",
        `Action ${current.name} cannot be deleted: ${dependents.join(", ")} depend${dependents.length === 1 ? "s" : ""} on it; remove it from their dependencies first.`,
      );
    this.store.actions.delete(tenantId, current.id);
  }

  private write(
    pre: Precondition,
    current: StoredAction,
    payload: unknown,
    bodyVersion: unknown,
  ): StoredAction {
    checkVersion(pre, bodyVersion, current.version, `action ${current.name}`);
    const before = JSON.parse(current.doc) as Action;
    const wasLocked = current.locked;
    if (wasLocked && !(isObject(payload) && payload.locked === false)) throw locked(current.name);
    const input = validated(payload);
    const next = buildAction(
      current.id,
      input,
      current.version,
      current.createdTimestamp,
      current.modifiedTimestamp,
    );
    const unchanged = JSON.stringify(next) === current.doc;
    if (unchanged) return current;
    if (wasLocked && JSON.stringify({ ...next, locked: true }) !== JSON.stringify(before))
      throw new ProblemError(
        "action-locked",
        `Action ${current.name} is locked: unlock it alone first ({"locked": false}), then make other changes.`,
      );
    this.checkGraph(current.tenantId, input, current);
    next.version = current.version + 1;
    next.modifiedTimestamp = Math.max(this.clock(), current.modifiedTimestamp);
    const stored = toStored(current.tenantId, next);
    this.store.transaction(() => this.store.actions.update(stored));
    return stored;
  }

  /** Name unique, rename without dependents, dependencies existing, no cycle in the tenant graph. */
  private checkGraph(tenantId: string, input: ActionInput, current: StoredAction | undefined): void {
    const other = this.store.actions.getByName(tenantId, input.name);
    if (other && other.id !== current?.id)
      throw new ProblemError(
        "name-conflict",
        other.name === input.name
          ? `An action named ${input.name} already exists in this tenant (id ${other.id}); choose another name or update that action.`
          : `The name ${input.name} is taken: action ${other.name} (id ${other.id}) differs only in case, and names are unique in a tenant without regard to case; choose another name or update ${other.name}.`,
      );
    if (this.options.deferGraph) return;
    if (current && current.name !== input.name) {
      const dependents = this.store.actions.dependentsOf(tenantId, current.name);
      if (dependents.length > 0)
        throw new ProblemError(
          "has-dependents",
          `Action ${current.name} cannot be renamed: ${dependents.join(", ")} depend${dependents.length === 1 ? "s" : ""} on it by name; update them first.`,
        );
    }
    const deps = input.dependencies ?? [];
    if (deps.length === 0) return;
    const graph = this.store.actions.graph(tenantId);
    if (current) delete graph[current.name];
    const issues = checkDependencies(graph, input.name, deps);
    if (issues.length === 0) return;
    // A cycle is its own problem type, unknown names are a 400 listing each one.
    if (issues[0]!.code === "dependency-cycle")
      throw new ProblemError("dependency-cycle", issues[0]!.message, { issues });
    throw problemFromIssues(issues, "The dependencies");
  }
}

function locked(name: string): ProblemError {
  return new ProblemError(
    "action-locked",
    `Action ${name} is locked; unlock it first with PATCH {"locked": false}.`,
  );
}
