/**
 * The tenant revision: +1 per committed write of the tenant's resources (actions, action variables,
 * overrides, global variables), whatever route or operation made it. TEMP triggers on those tables
 * bump `tenant_revisions` once per transaction and tenant: the first changed row of a tenant marks it
 * in `temp.revision_marks`, which every outermost transaction empties at its start and its end. A
 * rolled-back write (or savepoint) rolls its bump back with it. Builds and keys are not counted: they
 * are not part of what a snapshot shows.
 */
import type Database from "better-sqlite3";

export const TENANT_REVISION_TABLES = ["tenant_revisions"] as const;

/** Tables whose rows are a tenant's resources; each has a `tenant_id` column. */
const TRACKED_TABLES = ["actions", "action_variables", "global_variables", "overrides"] as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tenant_revisions (
  tenant_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS revision_marks (tenant_id TEXT PRIMARY KEY);
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
}

/** Call once the tracked tables exist. */
export function createTenantRevisions(db: Database.Database): TenantRevisions {
  db.exec(SCHEMA);
  for (const table of TRACKED_TABLES)
    for (const event of ["INSERT", "UPDATE", "DELETE"] as const) db.exec(trigger(table, event));
  const read = db.prepare<[string], { revision: number }>(
    "SELECT revision FROM tenant_revisions WHERE tenant_id = ?",
  );
  const clearMarks = db.prepare("DELETE FROM revision_marks");
  const marked = db.prepare<[string], number>("SELECT 1 FROM revision_marks WHERE tenant_id = ?").pluck();
  return {
    get: (tenantId) => read.get(tenantId)?.revision ?? 0,
    hasUncommittedWrite: (tenantId) => db.inTransaction && marked.get(tenantId) !== undefined,
    transaction: <T>(fn: () => T): T => {
      if (db.inTransaction) return db.transaction(fn)();
      return db.transaction(() => {
        clearMarks.run();
        const result = fn();
        clearMarks.run();
        return result;
      })();
    },
  };
}
