/**
 * The tenant revision: +1 per committed write of the tenant's resources (actions, action variables,
 * overrides, global variables), whatever route or operation made it. TEMP triggers on those tables
 * bump `tenant_revisions` once per transaction and tenant: the first changed row of a tenant marks it
 * in `temp.revision_marks`, which every outermost transaction empties at its start and its end. A
 * rolled-back write (or savepoint) rolls its bump back with it. Builds and keys are not counted: they
 * are not part of what a snapshot shows.
 *
 * PostgreSQL keeps the same rule with one trigger function (made by the migration, TENANT_REVISION_POSTGRES):
 * the row remembers the transaction id of its last bump, and a write bumps only when that id is not its
 * own transaction's. The row's lock also orders writers of one tenant across replicas.
 *
 * Every /api/v2 answer's revision comes from memory: values read outside a transaction are kept until
 * the connection runs its next write (`SqlDatabase.localWrites` moves) or, on PostgreSQL, until another
 * replica announces a write to the tenant (`forget`, through the store's `dropCached`).
 */
import type { SqlDatabase } from "./sql.js";

export const TENANT_REVISION_TABLES = ["tenant_revisions"] as const;

/** Tables whose rows are a tenant's resources; each has a `tenant_id` column. */
const TRACKED_TABLES = ["actions", "action_variables", "global_variables", "overrides"] as const;

const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS tenant_revisions (
  tenant_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS revision_marks (tenant_id TEXT PRIMARY KEY);
`;

/** The PostgreSQL form of the rule: the table, the trigger function and its triggers. */
export const TENANT_REVISION_POSTGRES = `
CREATE TABLE tenant_revisions (
  tenant_id TEXT PRIMARY KEY,
  revision BIGINT NOT NULL,
  txid BIGINT NOT NULL
);
CREATE FUNCTION cxda_bump_tenant_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE tenant TEXT;
BEGIN
  IF TG_OP = 'DELETE' THEN tenant := OLD.tenant_id; ELSE tenant := NEW.tenant_id; END IF;
  INSERT INTO tenant_revisions AS r (tenant_id, revision, txid) VALUES (tenant, 1, txid_current())
    ON CONFLICT (tenant_id) DO UPDATE SET revision = r.revision + 1, txid = excluded.txid
    WHERE r.txid <> excluded.txid;
  RETURN NULL;
END $$;
${TRACKED_TABLES.map(
  (table) => `CREATE TRIGGER revision_${table} AFTER INSERT OR UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION cxda_bump_tenant_revision();`,
).join("\n")}
`;

function trigger(table: string, event: "INSERT" | "UPDATE" | "DELETE"): string {
  const row = event === "DELETE" ? "OLD" : "NEW";
  return `CREATE TEMP TRIGGER IF NOT EXISTS revision_${table}_${event.toLowerCase()}
AFTER ${event} ON main.${table}
WHEN NOT EXISTS (SELECT 1 FROM revision_marks WHERE tenant_id = ${row}.tenant_id)
BEGIN
  INSERT INTO revision_marks (tenant_id) VALUES (${row}.tenant_id);
  INSERT INTO tenant_revisions (tenant_id, revision) VALUES (${row}.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET revision = revision + 1;
END;`;
}

export interface TenantRevisions {
  /** The tenant's revision: 0 before its first write. */
  get(tenantId: string): number;
  /** Runs `fn` in a transaction that counts as one write per tenant it changes. */
  transaction<T>(fn: () => T): T;
  /** Inside a transaction: whether it has written to the tenant yet (so could still roll that back). */
  hasUncommittedWrite(tenantId: string): boolean;
  /** Forgets the kept revision of a tenant another replica wrote to (every tenant's when absent). */
  forget(tenantId?: string): void;
}

/**
 * The committed revision of each tenant, kept in memory until this connection runs its next write (or
 * another replica says it wrote: `forget`); read from the database inside a transaction. Saves a query on
 * every /api/v2 answer: ~10 µs of ~130 µs CPU per GET on SQLite (bench B4); on PostgreSQL, where it is a
 * round trip, B12 (GET by id, PostgreSQL ÷ SQLite) went from 0.29× to 0.96× without it (3 pairs, quiet machine).
 */
function keptRevisions(db: SqlDatabase, read: (tenantId: string) => number, current: () => boolean) {
  const committed = new Map<string, number>();
  let cachedAt = db.localWrites;
  return {
    get: (tenantId: string): number => {
      if (db.inTransaction || db.localWrites === undefined) return read(tenantId);
      if (!current()) {
        // What was kept may be stale (an announcement not yet acted on): forget it, keep nothing new.
        committed.clear();
        return read(tenantId);
      }
      if (db.localWrites !== cachedAt) {
        committed.clear();
        cachedAt = db.localWrites;
      }
      let revision = committed.get(tenantId);
      if (revision === undefined) {
        revision = read(tenantId);
        committed.set(tenantId, revision);
      }
      return revision;
    },
    forget: (tenantId?: string): void => {
      if (tenantId === undefined) committed.clear();
      else committed.delete(tenantId);
    },
  };
}

/** Call once the tracked tables exist (on PostgreSQL, once migrated). */
/** `current`: whether kept revisions may be used (false while another replica's write may be unheard). */
export function createTenantRevisions(db: SqlDatabase, current: () => boolean = () => true): TenantRevisions {
  if (db.dialect === "postgres") {
    const read = db.prepare<{ revision: number }>(
      "SELECT revision FROM tenant_revisions WHERE tenant_id = ?",
    );
    const mine = db.prepare(
      "SELECT 1 FROM tenant_revisions WHERE tenant_id = ? AND txid = txid_current_if_assigned()",
    );
    const kept = keptRevisions(db, (tenantId) => read.get(tenantId)?.revision ?? 0, current);
    return {
      get: kept.get,
      forget: kept.forget,
      hasUncommittedWrite: (tenantId) => db.inTransaction && mine.get(tenantId) !== undefined,
      transaction: (fn) => db.transaction(fn),
    };
  }
  db.exec(SQLITE_SCHEMA);
  for (const table of TRACKED_TABLES)
    for (const event of ["INSERT", "UPDATE", "DELETE"] as const) db.exec(trigger(table, event));
  const read = db.prepare<{ revision: number }>("SELECT revision FROM tenant_revisions WHERE tenant_id = ?");
  const clearMarks = db.prepare("DELETE FROM revision_marks");
  const marked = db.prepare("SELECT 1 FROM revision_marks WHERE tenant_id = ?");
  const kept = keptRevisions(db, (tenantId) => read.get(tenantId)?.revision ?? 0, current);
  return {
    get: kept.get,
    forget: kept.forget,
    hasUncommittedWrite: (tenantId) => db.inTransaction && marked.get(tenantId) !== undefined,
    transaction: <T>(fn: () => T): T => {
      if (db.inTransaction) return db.transaction(fn);
      return db.transaction(() => {
        clearMarks.run();
        const result = fn();
        clearMarks.run();
        return result;
      });
    },
  };
}
