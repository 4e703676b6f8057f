/**
 * SQLite implementation of the Store (better-sqlite3, WAL). Every statement is prepared once; every
 * table's primary key starts with tenant_id. Later issues add tenant-scoped tables the same way, e.g.
 * `variables(tenant_id, action_id, name, …)`, `overrides(tenant_id, action_id, env_id, …)`,
 * `builds(tenant_id, id, …)`, `keys(tenant_id, key_id, …)`, bumping SCHEMA_VERSION with a migration.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ensurePrivateDir, ensurePrivateFile } from "../../files/private-files.js";
import { createActionPages } from "./action-pages.js";
import { BUILDS_TABLES, createBuildRepository } from "./builds-repository.js";
import { createHistoryRepository, HISTORY_TABLES } from "./history-repository.js";
import { DEFAULT_RETENTION, type HistoryRetention, withJournal } from "./journal.js";
import { createKeyRepository, KEY_TABLES } from "./keys-repository.js";
import { createOverrideRepository, OVERRIDES_TABLES } from "./overrides-repository.js";
import type {
  ActionListQuery,
  ActionRepository,
  IdempotencyRecord,
  IdempotencyRepository,
  Store,
  StoredAction,
  TokenRecord,
  TokenRepository,
} from "./store.js";
import { createTenantRevisions, TENANT_REVISION_TABLES } from "./tenant-revision.js";
import { createVariableRepository, VARIABLE_TABLES } from "./variables-repository.js";

export const DATABASE_FILE = "cxda-emulator.sqlite";
const SCHEMA_VERSION = 1;
/** Actions kept in the read cache of `actions.get` (the oldest is dropped first). */
const ACTION_READ_CACHE_SIZE = 2_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actions (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_ts INTEGER NOT NULL,
  modified_ts INTEGER NOT NULL,
  locked INTEGER NOT NULL,
  dependencies TEXT NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actions_order ON actions (tenant_id, created_ts, id);
CREATE INDEX IF NOT EXISTS actions_name_nocase ON actions (tenant_id, name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_ts INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (created_ts);
CREATE TABLE IF NOT EXISTS tokens (
  token_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

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

function actionParams(a: StoredAction) {
  return {
    tenant_id: a.tenantId,
    id: a.id,
    name: a.name,
    version: a.version,
    created_ts: a.createdTimestamp,
    modified_ts: a.modifiedTimestamp,
    locked: a.locked ? 1 : 0,
    dependencies: JSON.stringify(a.dependencies),
    doc: a.doc,
  };
}

export interface SqliteStoreOptions {
  /** Directory holding the database file (created 0700 if missing); omitted = in memory. */
  dataDir?: string;
  /** Told when a file or the directory had to be made private, or could not be. */
  onWarning?: (text: string) => void;
  /** Timestamps of deployments; default Date.now. */
  clock?: () => number;
  /** The client of the current request, recorded with deployments and revisions. */
  author?: () => string | null;
  /** How much history is kept (default 100 revisions per action, 1 000 deployments per tenant). */
  retention?: HistoryRetention;
}

export function openSqliteStore(options: SqliteStoreOptions = {}): Store {
  let file = ":memory:";
  if (options.dataDir !== undefined) {
    const warn = (text: string | undefined) => text !== undefined && options.onWarning?.(text);
    warn(ensurePrivateDir(options.dataDir, "data directory"));
    file = join(options.dataDir, DATABASE_FILE);
    // SQLite gives the WAL and SHM files the database file's mode: a 0600 database makes all three 0600.
    warn(ensurePrivateFile(file, "database"));
    for (const suffix of ["-wal", "-shm"])
      if (existsSync(file + suffix)) warn(ensurePrivateFile(file + suffix, "database"));
  }
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.exec(SCHEMA);
  const storedVersion = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  if (storedVersion === undefined) {
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  } else if (Number(storedVersion.value) > SCHEMA_VERSION) {
    db.close();
    throw new Error(
      `The emulator database ${file} has schema version ${storedVersion.value}, newer than this cxda ` +
        `understands (${SCHEMA_VERSION}); use a newer cxda or another --data-dir.`,
    );
  }

  const q = {
    getAction: db.prepare<[string, string], ActionRow>(
      "SELECT * FROM actions WHERE tenant_id = ? AND id = ?",
    ),
    getActionByName: db.prepare<[string, string], ActionRow>(
      "SELECT * FROM actions WHERE tenant_id = ? AND name = ? COLLATE NOCASE",
    ),
    graph: db.prepare<[string], { name: string; dependencies: string }>(
      "SELECT name, dependencies FROM actions WHERE tenant_id = ?",
    ),
    dependents: db.prepare<[string, string], { name: string }>(
      "SELECT a.name FROM actions a, json_each(a.dependencies) d WHERE a.tenant_id = ? AND d.value = ? ORDER BY a.name",
    ),
    insertAction: db.prepare(
      `INSERT INTO actions (tenant_id, id, name, version, created_ts, modified_ts, locked, dependencies, doc)
       VALUES (@tenant_id, @id, @name, @version, @created_ts, @modified_ts, @locked, @dependencies, @doc)`,
    ),
    updateAction: db.prepare(
      `UPDATE actions SET name = @name, version = @version, created_ts = @created_ts, modified_ts = @modified_ts,
       locked = @locked, dependencies = @dependencies, doc = @doc WHERE tenant_id = @tenant_id AND id = @id`,
    ),
    deleteAction: db.prepare<[string, string]>("DELETE FROM actions WHERE tenant_id = ? AND id = ?"),
    getIdem: db.prepare<
      [string, string],
      {
        fingerprint: string;
        status: number;
        headers: string;
        body: string;
        created_ts: number;
      }
    >(
      "SELECT fingerprint, status, headers, body, created_ts FROM idempotency WHERE tenant_id = ? AND key = ?",
    ),
    putIdem: db.prepare(
      `INSERT OR REPLACE INTO idempotency (tenant_id, key, fingerprint, status, headers, body, created_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    purgeIdem: db.prepare<[number]>("DELETE FROM idempotency WHERE created_ts < ?"),
    getToken: db.prepare<
      [string],
      { tenant_id: string; client_id: string; scopes: string; expires_at: number }
    >("SELECT tenant_id, client_id, scopes, expires_at FROM tokens WHERE token_hash = ?"),
    putToken: db.prepare("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?)"),
    purgeTokens: db.prepare<[number]>("DELETE FROM tokens WHERE expires_at <= ?"),
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
      if (hit !== undefined) return hit;
      const row = q.getAction.get(tenantId, id);
      const action = row && toAction(row);
      if (action !== undefined && !db.inTransaction) {
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
      q.insertAction.run(actionParams(action));
    },
    update: (action) => {
      pages.changed(action.tenantId);
      readCache.delete(cacheKey(action.tenantId, action.id));
      q.updateAction.run(actionParams(action));
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
  };

  const overrides = createOverrideRepository(db);
  const builds = createBuildRepository(db);
  const variables = createVariableRepository(db);
  const keys = createKeyRepository(db);
  const revisions = createTenantRevisions(db);
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
  const resetTenantData = db.transaction(() => {
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
    ping: () => {
      db.prepare("SELECT 1").get();
    },
    transaction: <T>(fn: () => T): T => revisions.transaction(fn),
    resetTenantData: () => resetTenantData(),
    close: () => {
      if (db.open) db.close();
    },
  };
  return withJournal(base, {
    clock: options.clock ?? Date.now,
    author: options.author ?? (() => null),
    retention: options.retention ?? DEFAULT_RETENTION,
  });
}
