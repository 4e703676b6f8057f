/**
 * What the replicas of one emulator share through PostgreSQL besides the store: the rate-limit
 * buckets (shared-rate-limiter.ts) and cache invalidations (invalidation-bus.ts). Both use the
 * asynchronous `pg` driver on a small pool of their own, since the request hooks that use them can
 * wait; the store keeps its own connection.
 *
 * A database that does not answer makes a request fail with 503 and `Retry-After` (databaseUnavailable),
 * never a 500 or a hang: connecting and each query are bounded.
 */
import pg from "pg";
import { ProblemError } from "../problem.js";
import { InvalidationBus } from "./invalidation-bus.js";
import { RATE_BUCKETS_SCHEMA, SharedRateLimiter } from "./shared-rate-limiter.js";

/** One advisory lock key for the schema of this module (the store migrates under its own). */
const SCHEMA_LOCK = 0x63786461_02; // "cxda" · 2
const POOL_SIZE = 4;
const CONNECT_TIMEOUT_MS = 2_000;
const QUERY_TIMEOUT_MS = 5_000;
/** What a client is told to wait when the database does not answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export interface SharedState {
  replicaId: string;
  pool: pg.Pool;
  bus: InvalidationBus;
  /** `prefix` keeps one limiter's buckets apart from another's (default `api:`). */
  rateLimiter(perMinute: number, burst: number, clock: () => number, prefix?: string): SharedRateLimiter;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(?:ql)?:\/\//i.test(url);
}

export async function openSharedState(connectionString: string, replicaId: string): Promise<SharedState> {
  const pool = new pg.Pool({
    connectionString,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: `cxda ${replicaId}`.slice(0, 63),
  });
  // An idle connection the server ends (a restart, pg_terminate_backend) is dropped from the pool;
  // without this listener it would end the process.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
      await client.query(RATE_BUCKETS_SCHEMA);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    const bus = await InvalidationBus.open(pool, connectionString, replicaId);
    return {
      replicaId,
      pool,
      bus,
      rateLimiter: (perMinute, burst, clock, prefix) =>
        new SharedRateLimiter(pool, perMinute, burst, clock, prefix),
      close: async () => {
        await bus.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

/** True for errors that mean "the database is not answering now", not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  return (
    [
      "ECONNREFUSED",
      "ECONNRESET",
      "EPIPE",
      "ETIMEDOUT",
      "ENOTFOUND",
      "57P01",
      "57P02",
      "57P03",
      "08000",
      "08003",
      "08006",
      "08001",
      "08004",
    ].includes(code) ||
    /Connection terminated|timeout exceeded|Query read timeout|Client has encountered a connection error|connection is closed|not queryable/i.test(
      message,
    )
  );
}

export function databaseUnavailable(): ProblemError {
  return new ProblemError("service-unavailable", "The emulator's database does not answer; retry shortly.", {
    status: 503,
    headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}
