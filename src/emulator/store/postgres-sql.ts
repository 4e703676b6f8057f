/**
 * The SQL surface (sql.ts) over one PostgreSQL connection through libpq (`pg-native`, the native
 * binding of node-postgres), synchronous like better-sqlite3, so the Store contract stays synchronous.
 * Statements are prepared on the connection at first use and again after a reconnect. 64-bit integers
 * come back as numbers (the store keeps epoch milliseconds and counts in them, far below 2^53).
 *
 * A lost connection (the server restarted, the backend was terminated) makes the call throw
 * DatabaseUnavailableError; the next call outside a transaction connects again. A transaction whose
 * connection was lost fails to its end: nothing of it runs on the new connection.
 */
import { createRequire } from "node:module";
import { DatabaseUnavailableError, maskDatabaseUrl } from "./database-errors.js";
import type { SqlDatabase, SqlStatement, SqlValue } from "./sql.js";

/** The part of pg-native's Client used here. */
interface NativeClient {
  connectSync(conninfo: string): void;
  querySync(text: string, values?: unknown[]): Record<string, unknown>[];
  prepareSync(name: string, text: string, nParams: number): void;
  executeSync(name: string, values: unknown[]): Record<string, unknown>[];
  end(): void;
  pq: { cmdTuples(): string; transactionStatus(): number; resultErrorFields(): { sqlState?: string } | null };
}
type NativeClientClass = new (config: {
  types: { getTypeParser(oid: number): (text: string) => unknown };
}) => NativeClient;

/** int8, int2, int4: read as numbers; every other column the store reads is text. */
const INTEGER_OIDS = new Set([20, 21, 23]);
/** How long a statement waits for a lock (another replica's write) before failing with 503. */
const LOCK_TIMEOUT_MS = 5_000;
const LOCK_NOT_AVAILABLE = "55P03";
/** After a failed connection attempt, calls fail without trying again for this long. */
const RECONNECT_PAUSE_MS = 500;
/** libpq's PQTRANS_UNKNOWN: the connection is bad. */
const TRANSACTION_STATUS_UNKNOWN = 4;

/** SQLSTATE classes that mean the server went away rather than the statement failing. */
function isConnectionFailure(sqlState: string | undefined): boolean {
  return sqlState !== undefined && (sqlState.startsWith("08") || /^57P0[1-3]$/.test(sqlState));
}

let nativeClass: NativeClientClass | undefined;

/** pg-native, or a message saying how to install it (it is an optional dependency with a native build). */
export function loadPgNative(): NativeClientClass {
  if (nativeClass !== undefined) return nativeClass;
  const require = createRequire(import.meta.url);
  try {
    nativeClass = require("pg-native") as NativeClientClass;
  } catch {
    throw new Error(
      "--database postgres://… needs the optional package pg-native, which builds against libpq. Install " +
        "libpq's headers (Debian/Ubuntu: apt-get install libpq-dev; macOS: brew install libpq), then " +
        "reinstall cxda's dependencies (npm install) so pg-native is built.",
    );
  }
  return nativeClass;
}

/**
 * Ends a client and keeps it referenced for a while: libpq's binding closes its poll handle
 * asynchronously (uv_close) but lets the object be collected at once, and a collection before the
 * event loop finishes the close aborts the process (uv__finish_close assertion).
 */
export function endClient(client: { end(): void }): void {
  client.end();
  setTimeout(() => void client, 1_000).unref();
}

export interface PostgresSqlOptions {
  /** Run right after every outermost BEGIN (e.g. taking an advisory lock). */
  afterBegin?: string;
}

/** A connection string for libpq: a connect timeout unless one is given, so a dead host fails fast. */
function withConnectTimeout(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has("connect_timeout")) parsed.searchParams.set("connect_timeout", "2");
    return parsed.toString();
  } catch {
    return url;
  }
}

export function postgresSql(url: string, options: PostgresSqlOptions = {}): SqlDatabase {
  const Client = loadPgNative();
  const types = { getTypeParser: (oid: number) => (INTEGER_OIDS.has(oid) ? Number : String) };
  const conninfo = withConnectTimeout(url);
  let client: NativeClient | undefined;
  /** +1 per connection made; a statement is prepared once per generation. */
  let generation = 0;
  let depth = 0;
  let transactionGeneration = 0;
  let closed = false;
  let nextName = 0;
  let retryAt = 0;
  let lastFailure = "";

  const connect = (): NativeClient => {
    if (closed) throw new Error("the PostgreSQL store is closed");
    if (client !== undefined) {
      if (depth > 0 && transactionGeneration !== generation)
        throw new DatabaseUnavailableError("The database connection was lost during this transaction.");
      return client;
    }
    if (depth > 0)
      throw new DatabaseUnavailableError("The database connection was lost during this transaction.");
    // Connecting blocks the event loop: after a failure, calls fail at once for a while.
    if (Date.now() < retryAt) throw new DatabaseUnavailableError(lastFailure);
    const fresh = new Client({ types });
    try {
      fresh.connectSync(conninfo);
      // NOTICEs (e.g. "already exists, skipping") would go to standard error; a lock held by a
      // stalled process fails the statement (503) rather than hanging every request behind it.
      fresh.querySync(`SET client_min_messages TO warning; SET lock_timeout = ${LOCK_TIMEOUT_MS}`);
    } catch (error) {
      endClient(fresh);
      lastFailure = `PostgreSQL at ${maskDatabaseUrl(url)} does not answer: ${firstLine(error)}`;
      retryAt = Date.now() + RECONNECT_PAUSE_MS;
      throw new DatabaseUnavailableError(lastFailure);
    }
    client = fresh;
    generation += 1;
    return fresh;
  };

  /** Runs `call` on the connection; a lost connection becomes DatabaseUnavailableError. */
  const onConnection = <T>(call: (c: NativeClient) => T): T => {
    const c = connect();
    try {
      return call(c);
    } catch (error) {
      const sqlState = c.pq.resultErrorFields()?.sqlState;
      if (c.pq.transactionStatus() === TRANSACTION_STATUS_UNKNOWN || isConnectionFailure(sqlState)) {
        if (client === c) {
          client = undefined;
          try {
            endClient(c);
          } catch {
            // already gone
          }
        }
        throw new DatabaseUnavailableError(`The database connection was lost: ${firstLine(error)}`);
      }
      if (sqlState === LOCK_NOT_AVAILABLE)
        throw new DatabaseUnavailableError(`The database is busy: ${firstLine(error)}`);
      throw error;
    }
  };

  // Statements that may write, run on this connection (SqlDatabase.localWrites).
  let writes = 0;
  const simple = (sql: string): void => {
    writes += 1;
    onConnection((c) => c.querySync(sql));
  };

  const prepare = <Row>(sql: string): SqlStatement<Row> => {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    const name = `cxda_${nextName++}`;
    const mayWrite = !/^\s*SELECT\b/i.test(sql);
    let preparedOn = 0;
    const execute = (params: SqlValue[]): { rows: Row[]; changes: number } =>
      onConnection((c) => {
        if (mayWrite) writes += 1;
        if (preparedOn !== generation) {
          c.prepareSync(name, text, n);
          preparedOn = generation;
        }
        const rows = c.executeSync(
          name,
          params.map((p) => (p === null ? null : String(p))),
        ) as Row[];
        return { rows, changes: Number(c.pq.cmdTuples()) || 0 };
      });
    return {
      get: (...params) => execute(params).rows[0],
      all: (...params) => execute(params).rows,
      run: (...params) => ({ changes: execute(params).changes }),
    };
  };

  const end = (statement: "COMMIT" | "ROLLBACK"): void => {
    if (client === undefined || transactionGeneration !== generation) {
      if (statement === "COMMIT")
        throw new DatabaseUnavailableError("The database connection was lost before the commit.");
      return;
    }
    simple(statement);
  };

  return {
    dialect: "postgres",
    prepare,
    get localWrites() {
      return writes;
    },
    exec: (sql) => simple(sql),
    transaction: <T>(fn: () => T): T => {
      if (depth === 0) {
        simple("BEGIN");
        transactionGeneration = generation;
        depth = 1;
        try {
          if (options.afterBegin !== undefined) simple(options.afterBegin);
          const result = fn();
          end("COMMIT");
          return result;
        } catch (error) {
          try {
            end("ROLLBACK");
          } catch {
            // the connection is gone: the server rolled the transaction back
          }
          throw error;
        } finally {
          depth = 0;
        }
      }
      const savepoint = `cxda_sp_${depth}`;
      simple(`SAVEPOINT ${savepoint}`);
      depth += 1;
      try {
        const result = fn();
        simple(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        if (client !== undefined && transactionGeneration === generation)
          try {
            simple(`ROLLBACK TO SAVEPOINT ${savepoint}`);
            simple(`RELEASE SAVEPOINT ${savepoint}`);
          } catch {
            // reported by the outer transaction
          }
        throw error;
      } finally {
        depth -= 1;
      }
    },
    get inTransaction() {
      return depth > 0;
    },
    close: () => {
      closed = true;
      const c = client;
      client = undefined;
      if (c !== undefined) endClient(c);
    },
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.trim();
}
