/**
 * The Store over the SQL surface (sql.ts), for SQLite and PostgreSQL alike: repositories, the action
 * read cache and the page marks. Every statement is prepared once; every table's primary key starts
 * with tenant_id. sqlite-store.ts and postgres-store.ts open their database, make its tables and
 * call `createSqlStore`.
 */
import { createActionPages } from "./action-pages.js";
import { BUILDS_TABLES, createBuildRepository } from "./builds-repository.js";
import { createHistoryRepository, HISTORY_TABLES } from "./history-repository.js";
import { type HistoryRetention, withJournal } from "./journal.js";
import { createKeyRepository, KEY_TABLES } from "./keys-repository.js";
import { createOverrideRepository, OVERRIDES_TABLES } from "./overrides-repository.js";
import { byDialect, type SqlDatabase } from "./sql.js";
import {
  type ActionListQuery,
  type ActionRepository,
  type IdempotencyRecord,
  type IdempotencyRepository,
  IN_FLIGHT_STATUS,
  type Store,
  type StoredAction,
  type TokenRecord,
  type TokenRepository,
} from "./store.js";
import { createTenantRevisions, TENANT_REVISION_TABLES } from "./tenant-revision.js";
import { createVariableRepository, VARIABLE_TABLES } from "./variables-repository.js";

/** Actions kept in the read cache of `actions.get` (the oldest is dropped first). */
const ACTION_READ_CACHE_SIZE = 2_000;

interface ActionRow {
  tenant_id: string;
  id: string;
  name: string;
  version: number;
  created_ts: number;
  modified_ts: number;
  locked: number;
  dependencies: string;
  doc: string;
}

function toAction(row: ActionRow): StoredAction {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    version: row.version,
    createdTimestamp: row.created_ts,
    modifiedTimestamp: row.modified_ts,
    locked: row.locked === 1,
    dependencies: JSON.parse(row.dependencies) as string[],
    doc: row.doc,
  };
}

/** The columns after the key, in the order of INSERT's and UPDATE's placeholders. */
function actionColumns(a: StoredAction) {
  return [
    a.name,
    a.version,
    a.createdTimestamp,
    a.modifiedTimestamp,
    a.locked ? 1 : 0,
    JSON.stringify(a.dependencies),
    a.doc,
  ] as const;
}

export interface SqlStoreOptions {
  clock: () => number;
  author: () => string | null;
  retention: HistoryRetention;
  /** Throws unless the database answers (and, on PostgreSQL, is migrated). */
  ping: () => void;
  /**
   * Other processes write to the same database (PostgreSQL replicas): inside a transaction, which
   * holds the write lock, actions are read from the database, never from the read cache, so a version
   * check sees the last committed write whatever replica made it and however late its invalidation.
   */
  sharedDatabase?: boolean;
  /** While this says false, the action read cache and kept revisions are neither read nor filled. */
  cachesCurrent?: () => boolean;
}

export function createSqlStore(db: SqlDatabase, options: SqlStoreOptions): Store {
  const shared = options.sharedDatabase === true;
  const current = options.cachesCurrent ?? (() => true);
  const q = {
    getAction: db.prepare<ActionRow>("SELECT * FROM actions WHERE tenant_id = ? AND id = ?"),
    getActionByName: db.prepare<ActionRow>(
      byDialect(db, {
        sqlite: "SELECT * FROM actions WHERE tenant_id = ? AND name = ? COLLATE NOCASE",
        postgres: "SELECT * FROM actions WHERE tenant_id = ? AND lower(name) = lower(?)",
      }),
    ),
    graph: db.prepare<{ name: string; dependencies: string }>(
      "SELECT name, dependencies FROM actions WHERE tenant_id = ?",
    ),
    dependents: db.prepare<{ name: string }>(
      byDialect(db, {
        sqlite:
          "SELECT a.name FROM actions a, json_each(a.dependencies) d WHERE a.tenant_id = ? AND d.value = ? ORDER BY a.name",
        postgres: `SELECT a.name FROM actions a WHERE a.tenant_id = ? AND EXISTS
          (SELECT 1 FROM jsonb_array_elements_text(a.dependencies::jsonb) d WHERE d = ?) ORDER BY a.name`,
      }),
    ),
    insertAction: db.prepare(
      `INSERT INTO actions (tenant_id, id, name, version, created_ts, modified_ts, locked, dependencies, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateAction: db.prepare(
      `UPDATE actions SET name = ?, version = ?, created_ts = ?, modified_ts = ?,
       locked = ?, dependencies = ?, doc = ? WHERE tenant_id = ? AND id = ?`,
    ),
    deleteAction: db.prepare("DELETE FROM actions WHERE tenant_id = ? AND id = ?"),
    getIdem: db.prepare<{
      fingerprint: string;
      status: number;
      headers: string;
      body: string;
      created_ts: number;
    }>(
      "SELECT fingerprint, status, headers, body, created_ts FROM idempotency WHERE tenant_id = ? AND key = ?",
    ),
    putIdem: db.prepare(
      `INSERT INTO idempotency (tenant_id, key, fingerprint, status, headers, body, created_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
         headers = excluded.headers, body = excluded.body, created_ts = excluded.created_ts`,
    ),
    purgeIdem: db.prepare("DELETE FROM idempotency WHERE created_ts < ?"),
    claimIdem: db.prepare(
      `INSERT INTO idempotency (tenant_id, key, fingerprint, status, headers, body, created_ts)
       VALUES (?, ?, ?, ${IN_FLIGHT_STATUS}, '{}', '', ?)
       ON CONFLICT (tenant_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
         headers = excluded.headers, body = excluded.body, created_ts = excluded.created_ts
       WHERE (idempotency.status = ${IN_FLIGHT_STATUS} AND idempotency.created_ts < ?) OR idempotency.created_ts < ?`,
    ),
    releaseIdem: db.prepare(
      `DELETE FROM idempotency WHERE tenant_id = ? AND key = ? AND status = ${IN_FLIGHT_STATUS}`,
    ),
    getToken: db.prepare<{ tenant_id: string; client_id: string; scopes: string; expires_at: number }>(
      "SELECT tenant_id, client_id, scopes, expires_at FROM tokens WHERE token_hash = ?",
    ),
    putToken: db.prepare(
      `INSERT INTO tokens (token_hash, tenant_id, client_id, scopes, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (token_hash) DO UPDATE SET tenant_id = excluded.tenant_id, client_id = excluded.client_id,
         scopes = excluded.scopes, expires_at = excluded.expires_at`,
    ),
    purgeTokens: db.prepare("DELETE FROM tokens WHERE expires_at <= ?"),
    deleteToken: db.prepare("DELETE FROM tokens WHERE token_hash = ?"),
  };

  // Actions read by id, kept in memory (bench B4: GET by id is the hottest route). Only committed rows
  // are cached (nothing is cached inside a transaction, which could roll back); every write of an
  // action drops its entry; cached objects are frozen so no caller can change what others get.
  const readCache = new Map<string, StoredAction>();
  const pages = createActionPages<ActionRow>(
    db,
    (tenantId) => revisions.get(tenantId),
    (tenantId) => revisions.hasUncommittedWrite(tenantId),
  );
  const cacheKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;
  const actions: ActionRepository = {
    get: (tenantId, id) => {
      const key = cacheKey(tenantId, id);
      const hit = readCache.get(key);
      if (hit !== undefined && !(shared && db.inTransaction) && current()) return hit;
      const row = q.getAction.get(tenantId, id);
      const action = row && toAction(row);
      // Read past a cached entry (shared database): an entry that is no longer the row goes.
      if (hit !== undefined && (action === undefined || action.doc !== hit.doc)) readCache.delete(key);
      if (action !== undefined && !db.inTransaction && current()) {
        if (readCache.size >= ACTION_READ_CACHE_SIZE) readCache.delete(readCache.keys().next().value!);
        Object.freeze(action.dependencies);
        readCache.set(key, Object.freeze(action));
      }
      return action;
    },
    getByName: (tenantId, name) => {
      const row = q.getActionByName.get(tenantId, name);
      return row && toAction(row);
    },
    list: (tenantId, query: ActionListQuery) => {
      const { rows, total } = pages.list(tenantId, query);
      return { rows: rows.map(toAction), total };
    },
    graph: (tenantId) => {
      const graph: Record<string, string[]> = Object.create(null);
      for (const row of q.graph.all(tenantId)) graph[row.name] = JSON.parse(row.dependencies) as string[];
      return graph;
    },
    dependentsOf: (tenantId, name) => q.dependents.all(tenantId, name).map((r) => r.name),
    insert: (action) => {
      pages.changed(action.tenantId);
      readCache.delete(cacheKey(action.tenantId, action.id));
      q.insertAction.run(action.tenantId, action.id, ...actionColumns(action));
    },
    update: (action) => {
      pages.changed(action.tenantId);
      readCache.delete(cacheKey(action.tenantId, action.id));
      q.updateAction.run(...actionColumns(action), action.tenantId, action.id);
    },
    delete: (tenantId, id) => deleteAction(tenantId, id),
  };

  const idempotency: IdempotencyRepository = {
    get: (tenantId, key) => {
      const row = q.getIdem.get(tenantId, key);
      if (!row) return undefined;
      return {
        tenantId,
        key,
        fingerprint: row.fingerprint,
        status: row.status,
        headers: JSON.parse(row.headers) as Record<string, string>,
        body: row.body,
        createdTimestamp: row.created_ts,
      };
    },
    put: (r: IdempotencyRecord) => {
      q.putIdem.run(
        r.tenantId,
        r.key,
        r.fingerprint,
        r.status,
        JSON.stringify(r.headers),
        r.body,
        r.createdTimestamp,
      );
    },
    purgeBefore: (cutoff) => q.purgeIdem.run(cutoff).changes,
    claim: (r, staleBefore, expiredBefore) =>
      q.claimIdem.run(r.tenantId, r.key, r.fingerprint, r.createdTimestamp, staleBefore, expiredBefore)
        .changes > 0,
    release: (tenantId, key) => {
      q.releaseIdem.run(tenantId, key);
    },
  };

  const tokens: TokenRepository = {
    get: (tokenHash) => {
      const row = q.getToken.get(tokenHash);
      if (!row) return undefined;
      return {
        tokenHash,
        tenantId: row.tenant_id,
        clientId: row.client_id,
        scopes: JSON.parse(row.scopes) as string[],
        expiresAt: row.expires_at,
      };
    },
    put: (r: TokenRecord) => {
      q.putToken.run(r.tokenHash, r.tenantId, r.clientId, JSON.stringify(r.scopes), r.expiresAt);
    },
    purgeExpired: (now) => q.purgeTokens.run(now).changes,
    delete: (tokenHash) => q.deleteToken.run(tokenHash).changes > 0,
  };

  const overrides = createOverrideRepository(db);
  const builds = createBuildRepository(db);
  const variables = createVariableRepository(db);
  const keys = createKeyRepository(db);
  const revisions = createTenantRevisions(db, current);
  const history = createHistoryRepository(db);
  // An action's builds and overrides go with it (its variables by ON DELETE CASCADE): a deleted action
  // leaves nothing readable under its path.
  const deleteAction = (tenantId: string, id: string): boolean =>
    revisions.transaction(() => {
      readCache.delete(cacheKey(tenantId, id));
      pages.changed(tenantId);
      builds.deleteForAction(tenantId, id);
      overrides.deleteForAction(tenantId, id);
      return q.deleteAction.run(tenantId, id).changes > 0;
    });
  const resetTenantData = () =>
    db.transaction(() => {
      readCache.clear();
      pages.clear();
      db.exec("DELETE FROM actions; DELETE FROM idempotency;");
      for (const table of [...OVERRIDES_TABLES, ...BUILDS_TABLES]) db.exec(`DELETE FROM ${table};`);
      for (const table of [...VARIABLE_TABLES, ...KEY_TABLES]) db.exec(`DELETE FROM ${table};`);
      for (const table of TENANT_REVISION_TABLES) db.exec(`DELETE FROM ${table};`);
      for (const table of HISTORY_TABLES) db.exec(`DELETE FROM ${table};`);
    });

  const base: Store = {
    actions,
    overrides,
    builds,
    variables,
    keys,
    idempotency,
    tokens,
    history,
    journal: {
      deployment: () => {
        throw new Error("the journal is not attached");
      },
    },
    revision: (tenantId) => revisions.get(tenantId),
    ping: options.ping,
    transaction: <T>(fn: () => T): T => revisions.transaction(fn),
    resetTenantData: () => resetTenantData(),
    dropCached: (tenantId, actionId) => {
      revisions.forget(tenantId);
      if (actionId === undefined) {
        for (const key of readCache.keys()) if (key.startsWith(cacheKey(tenantId, ""))) readCache.delete(key);
      } else readCache.delete(cacheKey(tenantId, actionId));
      pages.changed(tenantId);
    },
    close: () => db.close(),
  };
  return withJournal(base, options);
}
