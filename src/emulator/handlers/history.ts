/**
 * Deployments (the record of every commit), action revisions (each stored version of an action), and
 * the rollback of a deployment: one new commit restoring, for exactly the resources the deployment
 * touched, their state before it. Restored secrets come from their stored ciphertext, resealed under
 * the tenant's active key; plaintext exists only inside the keyring.
 */
import type { Action } from "../../domain/action-schema.js";
import { findDependencyCycles, formatCycle } from "../../domain/dependency-graph.js";
import { issue } from "../../domain/validation-result.js";
import type { EmulatorContext } from "../context.js";
import { actionScope, GLOBAL_SCOPE, KeyringError, overrideScope } from "../crypto/index.js";
import { type ApiResponse, ProblemError } from "../problem.js";
import type { DeploymentRecord, DeploymentResource } from "../store/history-repository.js";
import type { StoredOverrideItem } from "../store/overrides-repository.js";
import { openDoc } from "../store/sealed-doc.js";
import type { StoredAction } from "../store/store.js";
import type { StoredVariableItem } from "../store/variables-repository.js";
import { etagOf } from "../versioning.js";
import { parseListQuery } from "./list-query.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(r: DeploymentResource): string {
  const owner = r.name ?? r.actionId ?? "";
  switch (r.kind) {
    case "action":
      return `action ${owner}`;
    case "variables":
      return `the variables of ${owner}`;
    case "overrides":
      return `the ${r.environmentId} overrides of ${owner}`;
    case "globalVariables":
      return "the global variables";
  }
}

const versionText = (v: number | null) => (v === null ? "absent" : `version ${v}`);

export class HistoryHandlers {
  constructor(private readonly ctx: EmulatorContext) {}

  listDeployments(tenantId: string, query: unknown): ApiResponse {
    const { page, pageSize } = parseListQuery(query);
    const { rows, total } = this.ctx.store.history.listDeployments(tenantId, (page - 1) * pageSize, pageSize);
    return { status: 200, body: { entities: rows, page, pageSize, total } };
  }

  /** Per action, the newest kept deployment that touched it; actions no kept deployment touched are absent. */
  lastDeploymentByAction(tenantId: string): ApiResponse {
    const entities = [...this.ctx.store.history.lastDeploymentByAction(tenantId).values()];
    return { status: 200, body: { entities } };
  }

  private deployment(tenantId: string, id: string): DeploymentRecord {
    const found = this.ctx.store.history.getDeployment(tenantId, id);
    if (!found)
      throw new ProblemError(
        "not-found",
        `No deployment ${JSON.stringify(id.slice(0, 80))} in this tenant (only the newest ${this.ctx.config.history.deploymentsPerTenant} are kept); list them with GET /api/v2/deployments.`,
      );
    return found;
  }

  getDeployment(tenantId: string, id: string): ApiResponse {
    const { tenantId: _t, before: _b, ...shown } = this.deployment(tenantId, id);
    return { status: 200, body: shown };
  }

  /** The action's revisions, newest first; the action may be deleted (its history stays). */
  listRevisions(tenantId: string, actionId: string, query: unknown): ApiResponse {
    const { page, pageSize } = parseListQuery(query);
    const history = this.ctx.store.history;
    const { rows, total } = history.listRevisions(tenantId, actionId, (page - 1) * pageSize, pageSize);
    if (total === 0 && !this.ctx.store.actions.get(tenantId, actionId)) throw this.noAction(actionId);
    const entities = rows.map(({ actionId: _a, ...rest }) => rest);
    return { status: 200, body: { entities, page, pageSize, total } };
  }

  getRevision(tenantId: string, actionId: string, versionText: string): ApiResponse {
    const version = Number(versionText);
    if (!/^\d{1,15}$/.test(versionText) || version < 1)
      throw new ProblemError("validation-failed", "The version must be a whole number ≥ 1.", {
        issues: [issue("version", "validation-failed", "version must be a whole number ≥ 1")],
      });
    const history = this.ctx.store.history;
    const found = history.getRevision(tenantId, actionId, version);
    const current = this.ctx.store.actions.get(tenantId, actionId);
    if (found) {
      const doc = openDoc(this.ctx.keyring, tenantId, found.doc);
      return { status: 200, headers: { etag: etagOf(version) }, rawJson: doc };
    }
    if (current && current.version === version)
      return { status: 200, headers: { etag: etagOf(version) }, rawJson: current.doc };
    const range = history.revisionRange(tenantId, actionId);
    if (!range && !current) throw this.noAction(actionId);
    const oldest = range?.min ?? current?.version ?? 1;
    const newest = Math.max(range?.max ?? 0, current?.version ?? 0);
    if (version < oldest)
      throw new ProblemError(
        "revision-expired",
        `Version ${version} of action ${actionId} is no longer kept: the emulator keeps the newest ${this.ctx.config.history.revisionsPerAction} revisions per action (the oldest kept is ${oldest}); read GET …/revisions for what is available.`,
      );
    throw new ProblemError(
      "not-found",
      `Action ${actionId} has no version ${version}; its versions go up to ${newest}.`,
    );
  }

  private noAction(actionId: string): ProblemError {
    return new ProblemError(
      "not-found",
      `No action with id ${JSON.stringify(actionId.slice(0, 80))} in this tenant, and no history of one.`,
    );
  }

  /** Current version of a resource a deployment touched (null: absent). */
  private currentVersion(tenantId: string, r: DeploymentResource): number | null {
    const store = this.ctx.store;
    switch (r.kind) {
      case "action":
        return store.actions.get(tenantId, r.actionId!)?.version ?? null;
      case "variables":
        return store.variables.getActionSet(tenantId, r.actionId!)?.version ?? null;
      case "overrides":
        return store.overrides.get(tenantId, r.actionId!, r.environmentId!)?.version ?? null;
      case "globalVariables":
        return store.variables.getGlobalSet(tenantId)?.version ?? null;
    }
  }

  /** POST /deployments/{id}/rollback; call inside a transaction. */
  rollback(tenantId: string, id: string, body: unknown): ApiResponse {
    const options = isObject(body) ? body : {};
    const unknown = Object.keys(options).filter((k) => k !== "force" && k !== "description");
    if (
      !isObject(body) ||
      unknown.length > 0 ||
      (options.force !== undefined && typeof options.force !== "boolean") ||
      (options.description !== undefined &&
        (typeof options.description !== "string" || options.description.length > 1024))
    )
      throw new ProblemError(
        "validation-failed",
        "The rollback body is {force?: boolean, description?: text of at most 1024 characters}.",
        {
          issues: [
            issue(
              unknown[0]?.slice(0, 40) ?? "",
              "validation-failed",
              "send {force?, description?} and nothing else",
            ),
          ],
        },
      );
    const force = options.force === true;
    const target = this.deployment(tenantId, id);
    const store = this.ctx.store;
    const changed = target.resources
      .map((r) => ({ r, now: this.currentVersion(tenantId, r) }))
      .filter(({ r, now }) => now !== r.afterVersion);
    if (changed.length > 0 && !force)
      throw new ProblemError(
        "rollback-conflict",
        `${changed.length} of the resources deployment ${id} touched changed since: ${changed
          .slice(0, 20)
          .map(
            ({ r, now }) =>
              `${describe(r)} (left at ${versionText(r.afterVersion)}, now ${versionText(now)})`,
          )
          .join("; ")}. Roll back the later deployments first, or send {"force": true} to overwrite them.`,
        {
          issues: changed.map(({ r, now }) =>
            issue(
              `resources[${target.resources.indexOf(r)}]`,
              "rollback-conflict",
              `${describe(r)} is at ${versionText(now)}, the deployment left it at ${versionText(r.afterVersion)}`,
            ),
          ),
        },
      );
    const deploymentId = store.journal.deployment({
      tenantId,
      rollbackOf: id,
      description: typeof options.description === "string" ? options.description : `rollback of ${id}`,
    });
    const now = this.ctx.clock();
    const restoredActions: string[] = [];
    const removedNames: string[] = [];
    // Actions first (re-created ones must exist before their variables), then the sets.
    const order = target.resources
      .map((r, k) => ({ r, before: target.before[k] ?? null }))
      .sort((a, b) => (a.r.kind === "action" ? 0 : 1) - (b.r.kind === "action" ? 0 : 1));
    for (const { r, before } of order) {
      if (r.kind === "action") {
        const current = store.actions.get(tenantId, r.actionId!);
        if (before === null || before.kind !== "action") {
          if (current) {
            store.actions.delete(tenantId, current.id);
            removedNames.push(current.name);
          }
          continue;
        }
        const doc = JSON.parse(openDoc(this.ctx.keyring, tenantId, before.doc)) as Action;
        const range = store.history.revisionRange(tenantId, doc.id);
        const version =
          Math.max(current?.version ?? 0, range?.max ?? 0, r.afterVersion ?? 0, doc.version) + 1;
        const other = store.actions.getByName(tenantId, doc.name);
        if (other && other.id !== doc.id)
          throw new ProblemError(
            "name-conflict",
            `Action ${doc.name} cannot be restored: action ${other.name} (id ${other.id}) has taken the name since; rename or delete it first. Nothing was rolled back.`,
          );
        const restored: Action = {
          ...doc,
          version,
          createdTimestamp: current?.createdTimestamp ?? doc.createdTimestamp,
          modifiedTimestamp: Math.max(now, current?.modifiedTimestamp ?? 0),
        };
        const stored: StoredAction = {
          tenantId,
          id: doc.id,
          name: restored.name,
          version,
          createdTimestamp: restored.createdTimestamp,
          modifiedTimestamp: restored.modifiedTimestamp,
          locked: restored.locked,
          dependencies: restored.dependencies,
          doc: JSON.stringify(restored),
        };
        if (current) {
          store.actions.update(stored);
          if (current.name !== stored.name) removedNames.push(current.name);
        } else store.actions.insert(stored);
        restoredActions.push(stored.name);
        continue;
      }
      if (r.kind !== "globalVariables" && !store.actions.get(tenantId, r.actionId!)) {
        // The deployment's own action rollback deleted it (a created action): its sets went with it.
        const ownAction = target.resources.find((x) => x.kind === "action" && x.actionId === r.actionId);
        if (ownAction && ownAction.beforeVersion === null) continue;
        throw new ProblemError(
          "rollback-conflict",
          `${describe(r)} cannot be restored: action ${r.name ?? r.actionId} no longer exists. Restore the action first (roll back the deployment that deleted it), then roll this one back. Nothing was rolled back.`,
          {
            issues: [
              issue(
                `resources[${target.resources.indexOf(r)}]`,
                "rollback-conflict",
                "its action no longer exists",
              ),
            ],
          },
        );
      }
      const current = this.currentVersion(tenantId, r);
      const version = Math.max(current ?? 1, r.afterVersion ?? 1, r.beforeVersion ?? 1) + 1;
      const modifiedTimestamp = now;
      if (r.kind === "overrides") {
        const items = before && before.kind === "overrides" ? before.items : [];
        store.overrides.put({
          tenantId,
          actionId: r.actionId!,
          environmentId: r.environmentId!,
          version,
          modifiedTimestamp,
          items: items.map((item) => this.resealOverride(tenantId, r.actionId!, r.environmentId!, item)),
        });
      } else {
        const items =
          before && (before.kind === "variables" || before.kind === "globalVariables") ? before.items : [];
        const scope = r.kind === "variables" ? actionScope(r.actionId!) : GLOBAL_SCOPE;
        const set = {
          version,
          modifiedTimestamp,
          items: items.map((i) => this.resealVariable(tenantId, scope, i)),
        };
        if (r.kind === "variables") store.variables.putActionSet(tenantId, r.actionId!, set);
        else store.variables.putGlobalSet(tenantId, set);
      }
    }
    this.checkGraph(tenantId, restoredActions, removedNames, id);
    return {
      status: 201,
      body: { id: deploymentId, revision: store.revision(tenantId), deploymentId, rollbackOf: id },
    };
  }

  private checkGraph(tenantId: string, restored: string[], removed: string[], id: string): void {
    if (restored.length === 0 && removed.length === 0) return;
    const graph = this.ctx.store.actions.graph(tenantId);
    for (const name of removed) {
      if (Object.hasOwn(graph, name)) continue;
      const dependents = Object.keys(graph).filter((k) => graph[k]!.includes(name));
      if (dependents.length > 0)
        throw new ProblemError(
          "rollback-conflict",
          `Rolling back deployment ${id} would remove action ${name}, but ${dependents.join(", ")} depend${dependents.length === 1 ? "s" : ""} on it now; remove those dependencies first. Nothing was rolled back.`,
        );
    }
    for (const name of restored) {
      const missing = (graph[name] ?? []).filter((d) => !Object.hasOwn(graph, d) && d !== name);
      if (missing.length > 0)
        throw new ProblemError(
          "rollback-conflict",
          `Restored action ${name} depends on ${missing.join(", ")}, which no longer exist${missing.length === 1 ? "s" : ""}; restore or re-create ${missing.length === 1 ? "it" : "them"} first. Nothing was rolled back.`,
        );
    }
    const cycle = findDependencyCycles(graph)[0];
    if (cycle)
      throw new ProblemError(
        "rollback-conflict",
        `Rolling back deployment ${id} would close the dependency cycle ${formatCycle(cycle)}; change one of those actions first. Nothing was rolled back.`,
      );
  }

  private resealVariable(tenantId: string, scope: string, item: StoredVariableItem): StoredVariableItem {
    if (!item.encrypted || item.ciphertext === undefined) return item;
    try {
      const sealed = this.ctx.keyring.reseal(
        tenantId,
        { scope, name: item.name },
        { ciphertext: item.ciphertext, keyId: item.keyId ?? "" },
      );
      return { ...item, ciphertext: sealed.ciphertext, keyId: sealed.keyId };
    } catch (error) {
      if (error instanceof KeyringError)
        throw new ProblemError(
          "secret-unreadable",
          `The stored secret '${item.name}' cannot be decrypted (${error.code}): ${error.message}.`,
          { status: 500 },
        );
      throw error;
    }
  }

  private resealOverride(
    tenantId: string,
    actionId: string,
    environmentId: string,
    item: StoredOverrideItem,
  ): StoredOverrideItem {
    if (!item.masked || !item.sealed) return item;
    try {
      const sealed = this.ctx.keyring.reseal(
        tenantId,
        { scope: overrideScope(actionId, environmentId), name: item.name },
        item.sealed,
      );
      return { ...item, sealed };
    } catch (error) {
      if (error instanceof KeyringError)
        throw new ProblemError(
          "secret-unreadable",
          `The masked override '${item.name}' cannot be decrypted (${error.code}): ${error.message}.`,
          { status: 500 },
        );
      throw error;
    }
  }
}
