/**
 * The PostgreSQL Store, for several replicas on one database: the same repositories as SQLite
 * (sql-store.ts) over one libpq connection (postgres-sql.ts).
 *
 * - Migrations are numbered (`schema_migrations`) and applied at start under an advisory lock, so
 *   replicas starting together migrate once; a database migrated by a newer cxda is refused.
 * - Every transaction takes one transaction-scoped advisory lock first: writers take turns across
 *   replicas as they do in SQLite, so a version check and the write that follows it see the same
 *   state, and an idempotency key read again inside the transaction is answered once.
 * - Inside a transaction actions are read from the database, not from this process's read cache, so a
 *   version check never trusts a cache another replica's write has not yet invalidated.
 * - A lost connection makes calls throw DatabaseUnavailableError (503 with Retry-After) until the
 *   database answers again; `ping` (GET /readyz) also checks that the schema is migrated.
 */
import { maskDatabaseUrl } from "./database-errors.js";
import { DEFAULT_RETENTION, type HistoryRetention } from "./journal.js";
import { postgresSql } from "./postgres-sql.js";
import { POSTGRES_MIGRATIONS, SCHEMA_VERSION } from "./schema.js";
import type { SqlDatabase } from "./sql.js";
import { createSqlStore } from "./sql-store.js";
import type { Store } from "./store.js";

/** Advisory lock keys (64-bit): "cxda" in ASCII, then 1 for migrations, 2 for writes. */
const MIGRATION_LOCK = "1668834401";
const WRITE_LOCK = "1668834402";

export interface PostgresStoreOptions {
  /** postgres://user[:password]@host[:port]/database[?…] */
  url: string;
  clock?: () => number;
  author?: () => string | null;
  retention?: HistoryRetention;
  /**
   * Whether what this process keeps in memory (actions read by id, tenant revisions) is known to be
   * current: false while the replica may not yet have acted on another replica's write
   * (replicas/invalidation-bus.ts). While false, reads go to the database and nothing is kept.
   */
  cachesCurrent?: () => boolean;
}

/** Whether a --database value names PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Applies the migrations not yet applied, once across processes; returns the versions applied. */
export function migrate(db: SqlDatabase, url: string): number[] {
  const applied: number[] = [];
  db.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      applied_ts BIGINT NOT NULL
    )`);
    const current =
      db.prepare<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations").get()?.v ?? 0;
    if (current > SCHEMA_VERSION)
      throw new Error(
        `The database ${maskDatabaseUrl(url)} has schema version ${current}, newer than this cxda understands ` +
          `(${SCHEMA_VERSION}); use a newer cxda or another database.`,
      );
    const record = db.prepare("INSERT INTO schema_migrations (version, applied_ts) VALUES (?, ?)");
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      db.transaction(() => {
        db.exec(migration.ddl);
        record.run(migration.version, Date.now());
      });
      applied.push(migration.version);
    }
  } finally {
    try {
      db.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    } catch {
      // the connection is gone, and its session lock with it
    }
  }
  return applied;
}

export function openPostgresStore(options: PostgresStoreOptions): Store {
  const db = postgresSql(options.url, { afterBegin: `SELECT pg_advisory_xact_lock(${WRITE_LOCK})` });
  try {
    migrate(db, options.url);
  } catch (error) {
    db.close();
    throw error;
  }
  const version = db.prepare<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations");
  return createSqlStore(db, {
    clock: options.clock ?? Date.now,
    author: options.author ?? (() => null),
    retention: options.retention ?? DEFAULT_RETENTION,
    sharedDatabase: true,
    ...(options.cachesCurrent === undefined ? {} : { cachesCurrent: options.cachesCurrent }),
    ping: () => {
      const v = version.get()?.v ?? 0;
      if (v < SCHEMA_VERSION)
        throw new Error(`the database is at schema version ${v}, this cxda needs ${SCHEMA_VERSION}`);
    },
  });
}
