/**
 * Deployments and action revisions, recorded below every route: `withJournal(store)` wraps the writes of
 * actions, variable sets and override sets. Inside a transaction it notes each touched resource's state
 * before its first write (as stored: sealed headers, ciphertext) and its version after the last; at
 * the end of the outermost transaction, if anything changed (or a changeset asked for a deployment), it
 * writes one deployment record in the same transaction, so a rolled-back write leaves no record. Every
 * stored action version also becomes an action revision. Writes made outside a transaction get their own.
 * Storage-agnostic: it only uses the Store's repositories.
 */
import { randomUUID } from "node:crypto";
import {
  type BeforeState,
  type DeploymentRecord,
  type DeploymentResource,
  type ResourceKind,
  SAME_AS_ACTION,
} from "./history-repository.js";
import type { OverrideRepository, StoredOverrideSet } from "./overrides-repository.js";
import type { ActionRepository, Store, StoredAction } from "./store.js";
import type { VariableRepository } from "./variables-repository.js";

export interface HistoryRetention {
  revisionsPerAction: number;
  deploymentsPerTenant: number;
}

export const DEFAULT_RETENTION: HistoryRetention = { revisionsPerAction: 100, deploymentsPerTenant: 1000 };

export interface DeploymentMeta {
  tenantId: string;
  description?: string;
  changesetId?: string;
  rollbackOf?: string;
}

/** What a transaction tells the journal about the deployment it makes. */
export interface Journal {
  /**
   * Inside a transaction: the id its deployment gets, recorded even if nothing changes. Later calls in
   * the same transaction return the same id (their fields are merged).
   */
  deployment(meta: DeploymentMeta): string;
}

export interface JournalOptions {
  clock: () => number;
  /** The client making the current request, if known. */
  author: () => string | null;
  retention: HistoryRetention;
}

interface Touch {
  tenantId: string;
  kind: ResourceKind;
  actionId?: string;
  environmentId?: string;
  name?: string;
  before: { version: number; state: BeforeState } | null;
  afterVersion: number | null;
}

function keyOf(t: Pick<Touch, "tenantId" | "kind" | "actionId" | "environmentId">): string {
  return `${t.tenantId}\u0000${t.kind}\u0000${t.actionId ?? ""}\u0000${t.environmentId ?? ""}`;
}

class Recorder {
  /** Append-only within a transaction; a nested transaction that throws truncates back. */
  log: Touch[] = [];
  meta: DeploymentMeta | undefined;
  deploymentId: string | undefined;
  depth = 0;
}

export function withJournal(store: Store, options: JournalOptions): Store {
  const rec = new Recorder();
  const { history } = store;

  const idForWrite = (): string => {
    rec.deploymentId ??= randomUUID();
    return rec.deploymentId;
  };

  const flush = (): void => {
    if (rec.log.length === 0 && rec.meta === undefined) return;
    const byKey = new Map<string, Touch>();
    for (const t of rec.log) {
      const key = keyOf(t);
      const first = byKey.get(key);
      if (first === undefined) byKey.set(key, { ...t });
      else {
        first.afterVersion = t.afterVersion;
        if (t.name !== undefined) first.name = t.name;
      }
    }
    const tenantId = rec.meta?.tenantId ?? rec.log[0]!.tenantId;
    const touches = [...byKey.values()].filter((t) => t.tenantId === tenantId);
    // A resource created and deleted in the same transaction left no trace.
    const kept = touches.filter((t) => !(t.before === null && t.afterVersion === null));
    const names = new Map<string, string>();
    for (const t of kept) if (t.kind === "action" && t.name !== undefined) names.set(t.actionId!, t.name);
    const resources: DeploymentResource[] = [];
    const before: (BeforeState | null)[] = [];
    const counts = { created: 0, updated: 0, deleted: 0 };
    for (const t of kept) {
      const name =
        t.actionId === undefined
          ? undefined
          : (names.get(t.actionId) ?? t.name ?? inner.get(tenantId, t.actionId)?.name);
      resources.push({
        kind: t.kind,
        ...(t.actionId === undefined ? {} : { actionId: t.actionId }),
        ...(name === undefined ? {} : { name }),
        ...(t.environmentId === undefined ? {} : { environmentId: t.environmentId }),
        beforeVersion: t.before?.version ?? null,
        afterVersion: t.afterVersion,
      });
      before.push(t.before?.state ?? null);
      if (t.before === null) counts.created += 1;
      else if (t.afterVersion === null) counts.deleted += 1;
      else counts.updated += 1;
    }
    const record: DeploymentRecord = {
      tenantId,
      id: idForWrite(),
      revision: store.revision(tenantId),
      createdTimestamp: options.clock(),
      clientId: options.author(),
      description: rec.meta?.description ?? "",
      counts,
      ...(rec.meta?.rollbackOf === undefined ? {} : { rollbackOf: rec.meta.rollbackOf }),
      ...(rec.meta?.changesetId === undefined ? {} : { changesetId: rec.meta.changesetId }),
      resources,
      before,
    };
    history.insertDeployment(record);
    history.pruneDeployments(tenantId, options.retention.deploymentsPerTenant);
  };

  const transaction = <T>(fn: () => T): T => {
    if (rec.depth > 0) {
      const mark = rec.log.length;
      const meta = rec.meta;
      rec.depth += 1;
      try {
        return store.transaction(fn);
      } catch (error) {
        rec.log.length = mark;
        rec.meta = meta;
        throw error;
      } finally {
        rec.depth -= 1;
      }
    }
    rec.depth = 1;
    try {
      return store.transaction(() => {
        const result = fn();
        flush();
        return result;
      });
    } finally {
      rec.depth = 0;
      rec.log = [];
      rec.meta = undefined;
      rec.deploymentId = undefined;
    }
  };

  /** Runs a write inside a transaction of its own when it comes outside any. */
  const inTransaction = <T>(write: () => T): T => (rec.depth > 0 ? write() : transaction(write));

  const revisionOf = (action: StoredAction): void => {
    history.putRevision(action.tenantId, {
      actionId: action.id,
      version: action.version,
      modifiedTimestamp: action.modifiedTimestamp,
      clientId: options.author(),
      deploymentId: idForWrite(),
      // The action's row holds this doc as long as this is its version (keepRevisionDoc below).
      doc: SAME_AS_ACTION,
    });
    history.pruneRevisions(action.tenantId, action.id, options.retention.revisionsPerAction);
  };

  const actionTouch = (action: StoredAction, before: StoredAction | undefined, deleted = false): Touch => ({
    tenantId: action.tenantId,
    kind: "action",
    actionId: action.id,
    name: action.name,
    before:
      before === undefined ? null : { version: before.version, state: { kind: "action", doc: before.doc } },
    afterVersion: deleted ? null : action.version,
  });

  const inner = store.actions;
  const actions: ActionRepository = {
    ...inner,
    get: (tenantId, id) => inner.get(tenantId, id),
    getByName: (tenantId, name) => inner.getByName(tenantId, name),
    list: (tenantId, query) => inner.list(tenantId, query),
    graph: (tenantId) => inner.graph(tenantId),
    dependentsOf: (tenantId, name) => inner.dependentsOf(tenantId, name),
    insert: (action) =>
      inTransaction(() => {
        inner.insert(action);
        rec.log.push(actionTouch(action, undefined));
        revisionOf(action);
      }),
    update: (action) =>
      inTransaction(() => {
        const before = inner.get(action.tenantId, action.id);
        if (before !== undefined)
          history.keepRevisionDoc(action.tenantId, action.id, before.version, before.doc);
        inner.update(action);
        rec.log.push(actionTouch(action, before));
        revisionOf(action);
      }),
    delete: (tenantId, id) =>
      inTransaction(() => {
        const before = inner.get(tenantId, id);
        if (before === undefined) return inner.delete(tenantId, id);
        const variables = store.variables.getActionSet(tenantId, id);
        const overrides = store.overrides.listForActions(tenantId, [id]);
        history.keepRevisionDoc(tenantId, id, before.version, before.doc);
        const done = inner.delete(tenantId, id);
        rec.log.push(actionTouch(before, before, true));
        if (variables !== undefined)
          rec.log.push({
            tenantId,
            kind: "variables",
            actionId: id,
            name: before.name,
            before: { version: variables.version, state: { kind: "variables", items: variables.items } },
            afterVersion: null,
          });
        for (const set of overrides) rec.log.push(overrideTouch(set, set, true));
        return done;
      }),
  };

  const overrideTouch = (
    set: StoredOverrideSet,
    before: StoredOverrideSet | undefined,
    deleted = false,
  ): Touch => ({
    tenantId: set.tenantId,
    kind: "overrides",
    actionId: set.actionId,
    environmentId: set.environmentId,
    before:
      before === undefined
        ? null
        : { version: before.version, state: { kind: "overrides", items: before.items } },
    afterVersion: deleted ? null : set.version,
  });

  const innerOverrides = store.overrides;
  const overrides: OverrideRepository = {
    get: (t, a, e) => innerOverrides.get(t, a, e),
    listForActions: (t, ids) => innerOverrides.listForActions(t, ids),
    deleteForAction: (t, a) => innerOverrides.deleteForAction(t, a),
    put: (set) =>
      inTransaction(() => {
        const before = innerOverrides.get(set.tenantId, set.actionId, set.environmentId);
        innerOverrides.put(set);
        rec.log.push(overrideTouch(set, before));
      }),
  };

  const innerVariables = store.variables;
  const variables: VariableRepository = {
    getActionSet: (t, a) => innerVariables.getActionSet(t, a),
    getActionSets: (t, ids) => innerVariables.getActionSets(t, ids),
    listActionSets: (t) => innerVariables.listActionSets(t),
    getGlobalSet: (t) => innerVariables.getGlobalSet(t),
    putActionSet: (tenantId, actionId, set) =>
      inTransaction(() => {
        const before = innerVariables.getActionSet(tenantId, actionId);
        innerVariables.putActionSet(tenantId, actionId, set);
        rec.log.push({
          tenantId,
          kind: "variables",
          actionId,
          before:
            before === undefined
              ? null
              : { version: before.version, state: { kind: "variables", items: before.items } },
          afterVersion: set.version,
        });
      }),
    putGlobalSet: (tenantId, set) =>
      inTransaction(() => {
        const before = innerVariables.getGlobalSet(tenantId);
        innerVariables.putGlobalSet(tenantId, set);
        rec.log.push({
          tenantId,
          kind: "globalVariables",
          before:
            before === undefined
              ? null
              : { version: before.version, state: { kind: "globalVariables", items: before.items } },
          afterVersion: set.version,
        });
      }),
  };

  const journal: Journal = {
    deployment: (meta) => {
      if (rec.depth === 0) throw new Error("journal.deployment() needs a transaction");
      rec.meta = { ...rec.meta, ...meta };
      return idForWrite();
    },
  };

  return { ...store, actions, overrides, variables, journal, transaction };
}
