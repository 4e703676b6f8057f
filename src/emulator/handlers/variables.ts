/**
 * Action variables and global variables. A PUT replaces the whole set atomically after
 * validateVariables (the SDK's rules and messages); secrets are sealed under the tenant's active key,
 * bound to tenant, scope and name, and come back only as `value: null` with `keyId` and `fingerprint`.
 * A never-written set is the empty set at version 1. Synchronous, so POSTs run inside idempotency.
 */
import { issue, joinPath, type ValidationIssue } from "../../domain/validation-result.js";
import {
  type StoredVariable,
  type Variable,
  type VariableType,
  validateVariables,
} from "../../domain/variables.js";
import type { EmulatorContext } from "../context.js";
import { actionScope, GLOBAL_SCOPE, KeyringError } from "../crypto/index.js";
import type { Expander } from "../expand-registry.js";
import { type ApiResponse, ProblemError, problemFromIssues } from "../problem.js";
import type { StoredAction } from "../store/store.js";
import type { StoredVariableItem, VariableSet } from "../store/variables-repository.js";
import { checkVersion, etagOf, type Precondition } from "../versioning.js";
import { requireAction } from "./require-action.js";

export const GLOBAL_VARIABLES_PATH = "/api/v2/variables";

export type VariablesContext = Pick<EmulatorContext, "store" | "keyring" | "clock">;

type Level = "action" | "global";

const EMPTY_SET: VariableSet = { version: 1, modifiedTimestamp: 0, items: [] };
const BODY_FIELDS = new Set(["variables", "version"]);

/** What GET returns for a stored item: secrets as `value: null` with their key and fingerprint. */
export function presentItem(item: StoredVariableItem, scope: Level): StoredVariable {
  if (!item.encrypted)
    return { name: item.name, type: item.type, value: item.value ?? "", encrypted: false, scope };
  return {
    name: item.name,
    type: item.type,
    value: null,
    encrypted: true,
    scope,
    keyId: item.keyId ?? "",
    fingerprint: item.fingerprint ?? "",
  };
}

/** `expand=variables` on action lists: each action's GET body, read for the whole page in one query. */
export const expandVariables: Expander = (actions: StoredAction[], { store, tenantId }) => {
  const sets = store.variables.getActionSets(
    tenantId,
    actions.map((a) => a.id),
  );
  return actions.map((a) => actionBody(a.id, sets.get(a.id) ?? EMPTY_SET));
};

function actionBody(actionId: string, set: VariableSet) {
  return { actionId, version: set.version, variables: set.items.map((i) => presentItem(i, "action")) };
}

function globalBody(set: VariableSet) {
  return { version: set.version, variables: set.items.map((i) => presentItem(i, "global")) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Issues of the body's shape, then of every item (all at once), or the validated list. */
function validatedList(body: unknown, level: Level): Variable[] {
  if (!isObject(body))
    throw problemFromIssues(
      [issue("", "validation-failed", "the body must be a JSON object {variables: [...], version?}")],
      "The body",
    );
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body))
    if (!BODY_FIELDS.has(key))
      issues.push(
        issue(
          key,
          "validation-failed",
          `the body has unknown field '${key.slice(0, 40)}'; send only variables and version`,
        ),
      );
  const result = validateVariables(body.variables, { scope: level });
  issues.push(...result.issues);
  if (issues.length > 0) throw problemFromIssues(issues, "The variable list");
  return (body.variables as Record<string, unknown>[]).map((v) => ({
    name: v.name as string,
    type: v.type as VariableType,
    value: v.value as string,
    encrypted: v.encrypted === true,
    scope: level,
  }));
}

/** True when `next` says what is stored already (secrets compared by fingerprint): no write, no version bump. */
function sameContent(current: StoredVariableItem[], next: Variable[], fingerprints: (string | undefined)[]) {
  return (
    current.length === next.length &&
    next.every((v, i) => {
      const c = current[i]!;
      if (c.name !== v.name || c.type !== v.type || c.encrypted !== v.encrypted) return false;
      return v.encrypted ? c.fingerprint === fingerprints[i] : c.value === v.value;
    })
  );
}

function unreadable(name: string, error: KeyringError): ProblemError {
  return new ProblemError(
    "secret-unreadable",
    `The stored secret '${name}' cannot be decrypted (${error.code}): ${error.message}.`,
    { status: 500 },
  );
}

export class VariableHandlers {
  constructor(private readonly ctx: VariablesContext) {}

  private action(tenantId: string, id: string): StoredAction {
    return requireAction(this.ctx.store, tenantId, id);
  }

  getAction(tenantId: string, actionId: string): ApiResponse {
    this.action(tenantId, actionId);
    const set = this.ctx.store.variables.getActionSet(tenantId, actionId) ?? EMPTY_SET;
    return { status: 200, headers: { etag: etagOf(set.version) }, body: actionBody(actionId, set) };
  }

  putAction(pre: Precondition, tenantId: string, actionId: string, body: unknown): ApiResponse {
    const action = this.action(tenantId, actionId);
    const current = this.ctx.store.variables.getActionSet(tenantId, actionId) ?? EMPTY_SET;
    checkVersion(
      pre,
      isObject(body) ? body.version : undefined,
      current.version,
      `the variables of ${action.name}`,
    );
    if (action.locked)
      throw new ProblemError(
        "action-locked",
        `Action ${action.name} is locked; unlock it first with PATCH {"locked": false}, then set its variables.`,
      );
    const list = validatedList(body, "action");
    const next = this.write(tenantId, actionScope(actionId), current, list);
    if (next !== current)
      this.ctx.store.transaction(() => this.ctx.store.variables.putActionSet(tenantId, actionId, next));
    return { status: 200, headers: { etag: etagOf(next.version) }, body: actionBody(actionId, next) };
  }

  getGlobal(tenantId: string): ApiResponse {
    const set = this.ctx.store.variables.getGlobalSet(tenantId) ?? EMPTY_SET;
    return { status: 200, headers: { etag: etagOf(set.version) }, body: globalBody(set) };
  }

  putGlobal(pre: Precondition, tenantId: string, body: unknown): ApiResponse {
    const current = this.ctx.store.variables.getGlobalSet(tenantId) ?? EMPTY_SET;
    checkVersion(pre, isObject(body) ? body.version : undefined, current.version, "the global variables");
    const list = validatedList(body, "global");
    const next = this.write(tenantId, GLOBAL_SCOPE, current, list);
    if (next !== current)
      this.ctx.store.transaction(() => this.ctx.store.variables.putGlobalSet(tenantId, next));
    return { status: 200, headers: { etag: etagOf(next.version) }, body: globalBody(next) };
  }

  /** Re-encrypts the action's secrets under the active key; all or nothing. */
  reencryptAction(tenantId: string, actionId: string): ApiResponse {
    this.action(tenantId, actionId);
    const current = this.ctx.store.variables.getActionSet(tenantId, actionId) ?? EMPTY_SET;
    const { set, moved } = this.reencrypt(tenantId, actionScope(actionId), current);
    if (set !== current) this.ctx.store.variables.putActionSet(tenantId, actionId, set);
    return {
      status: 200,
      headers: { etag: etagOf(set.version) },
      body: {
        ...actionBody(actionId, set),
        activeKeyId: this.ctx.keyring.keys(tenantId).activeKeyId,
        reencrypted: moved,
      },
    };
  }

  /** The same for the tenant's global secrets. */
  reencryptGlobal(tenantId: string): ApiResponse {
    const current = this.ctx.store.variables.getGlobalSet(tenantId) ?? EMPTY_SET;
    const { set, moved } = this.reencrypt(tenantId, GLOBAL_SCOPE, current);
    if (set !== current) this.ctx.store.variables.putGlobalSet(tenantId, set);
    return {
      status: 200,
      headers: { etag: etagOf(set.version) },
      body: {
        ...globalBody(set),
        activeKeyId: this.ctx.keyring.keys(tenantId).activeKeyId,
        reencrypted: moved,
      },
    };
  }

  private reencrypt(
    tenantId: string,
    scope: string,
    current: VariableSet,
  ): { set: VariableSet; moved: string[] } {
    const active = this.ctx.keyring.keys(tenantId).activeKeyId;
    const moved: string[] = [];
    const items = current.items.map((item) => {
      if (!item.encrypted || item.keyId === active) return item;
      try {
        const sealed = this.ctx.keyring.reseal(
          tenantId,
          { scope, name: item.name },
          { ciphertext: item.ciphertext ?? "", keyId: item.keyId ?? "" },
        );
        moved.push(item.name);
        return { ...item, ciphertext: sealed.ciphertext, keyId: sealed.keyId };
      } catch (error) {
        if (error instanceof KeyringError) throw unreadable(item.name, error);
        throw error;
      }
    });
    if (moved.length === 0) return { set: current, moved };
    return {
      set: { version: current.version + 1, modifiedTimestamp: this.now(current), items },
      moved,
    };
  }

  /** The set to store for `list`, or `current` itself when nothing changes (no version bump). */
  private write(tenantId: string, scope: string, current: VariableSet, list: Variable[]): VariableSet {
    const fingerprints = list.map((v) =>
      v.encrypted ? this.ctx.keyring.fingerprint(tenantId, v.value) : undefined,
    );
    if (sameContent(current.items, list, fingerprints)) return current;
    const items = list.map((v, i): StoredVariableItem => {
      if (!v.encrypted) return { name: v.name, type: v.type, encrypted: false, value: v.value };
      try {
        const sealed = this.ctx.keyring.seal(tenantId, { scope, name: v.name }, v.value);
        return {
          name: v.name,
          type: v.type,
          encrypted: true,
          ciphertext: sealed.ciphertext,
          keyId: sealed.keyId,
          fingerprint: fingerprints[i]!,
        };
      } catch (error) {
        if (error instanceof KeyringError && error.code === "invalid-plaintext")
          throw problemFromIssues([
            issue(joinPath(joinPath("variables", i), "value"), "validation-failed", error.message),
          ]);
        throw error;
      }
    });
    return { version: current.version + 1, modifiedTimestamp: this.now(current), items };
  }

  private now(current: VariableSet): number {
    return Math.max(this.ctx.clock(), current.modifiedTimestamp);
  }
}
