/**
 * The small synchronous SQL surface the store's repositories are written against, once for both
 * databases: better-sqlite3 (sqlite-sql.ts) and PostgreSQL through libpq (postgres-sql.ts). Statements
 * use `?` placeholders; SQL that differs between the two is chosen with `byDialect`.
 */

export type Dialect = "sqlite" | "postgres";

export type SqlValue = string | number | null;

export interface SqlStatement<Row = unknown> {
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  run(...params: SqlValue[]): { changes: number };
}

export interface SqlDatabase {
  readonly dialect: Dialect;
  /** Prepared once, run many times (on PostgreSQL, prepared on the connection at first use). */
  prepare<Row = unknown>(sql: string): SqlStatement<Row>;
  /** Runs one or more statements without parameters (DDL). */
  exec(sql: string): void;
  /** Runs `fn` in a transaction; a nested call is a savepoint. A throw rolls back and rethrows. */
  transaction<T>(fn: () => T): T;
  readonly inTransaction: boolean;
  /**
   * A count that moves whenever this connection runs a statement that may write. Writes by other
   * processes (PostgreSQL replicas) do not move it: a cache keyed on it must also be dropped when another
   * replica says it wrote (Store.dropCached).
   */
  readonly localWrites?: number;
  close(): void;
}

/** The SQL text for this database. */
export function byDialect(
  db: Pick<SqlDatabase, "dialect">,
  sql: { sqlite: string; postgres: string },
): string {
  return sql[db.dialect];
}

/**
 * Table definitions are written once in SQLite's words; PostgreSQL gets 64-bit integers (timestamps
 * are epoch milliseconds), an identity column for AUTOINCREMENT, byte-order ("C") text, and no WITHOUT ROWID.
 */
export function ddlFor(dialect: Dialect, ddl: string): string {
  if (dialect === "sqlite") return ddl;
  return (
    ddl
      .replace(/INTEGER PRIMARY KEY AUTOINCREMENT/g, "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
      .replace(/\bINTEGER\b/g, "BIGINT")
      // Text compares byte by byte, as in SQLite, whatever the database's locale.
      .replace(/\bTEXT\b/g, 'TEXT COLLATE "C"')
      .replace(/\)\s*WITHOUT ROWID;/g, ");")
  );
}
