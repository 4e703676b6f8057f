/**
 * PostgreSQL for the tests: the suites that run on both stores (vitest.config.ts, project "postgres")
 * get a fresh database per emulator, created here and dropped when the emulator closes.
 * CXDA_TEST_DATABASE_URL names the server (any database on it, used to create and drop the others).
 */
import { randomBytes } from "node:crypto";
import { endClient, loadPgNative } from "../../src/emulator/store/postgres-sql.js";

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** Whether this test process runs the emulator on PostgreSQL (the "postgres" vitest project). */
export function testStoreIsPostgres(): boolean {
  return process.env.CXDA_TEST_STORE === "postgres";
}

export function testServerUrl(): string {
  return process.env.CXDA_TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
}

/** Runs statements on the server's admin database, on a connection of its own. */
export function adminQuery(sql: string, url = testServerUrl()): Record<string, unknown>[] {
  const Client = loadPgNative();
  const client = new Client({ types: { getTypeParser: () => String } });
  client.connectSync(url);
  try {
    return client.querySync(sql);
  } finally {
    endClient(client);
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): void;
}

/** Test databases older than this are a failed run's leftovers, dropped by the next run. */
const LEFTOVER_AFTER_MS = 2 * 60 * 60 * 1000;
/** `cxda_t_<creation time, base 36 seconds>_<random>`. */
const TEST_DATABASE_NAME = /^cxda_t_([0-9a-z]+)_[0-9a-f]+$/;

/** A new empty database `cxda_t_<time>_<random>` on the test server. */
export function createTestDatabase(): TestDatabase {
  const name = `cxda_t_${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(6).toString("hex")}`;
  adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => {
      adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * Ends every other session on the database, as a restart of the server would from the clients' side,
 * waiting until each is gone; answers how many there were.
 */
export function terminateConnections(name: string): number {
  return adminQuery(
    `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
  ).length;
}

let probed: { available: boolean; reason?: string } | undefined;

/**
 * Whether the test PostgreSQL answers. Unset CXDA_TEST_DATABASE_URL: the local default is tried and
 * its absence only skips the PostgreSQL runs; set (as CI does): its absence is an error.
 */
export function postgresForTests(): { available: boolean; reason?: string } {
  if (probed !== undefined) return probed;
  try {
    adminQuery("SELECT 1");
    probed = { available: true };
    dropLeftovers();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    if (process.env.CXDA_TEST_DATABASE_URL !== undefined)
      throw new Error(`CXDA_TEST_DATABASE_URL is set but PostgreSQL does not answer there: ${reason}`);
    probed = { available: false, reason };
  }
  return probed;
}

/**
 * Drops the test databases a run that failed before its cleanup left behind (a test killed by its
 * timeout, say): those created over LEFTOVER_AFTER_MS ago, which no run still going can be using.
 */
function dropLeftovers(): void {
  const now = Date.now();
  for (const row of adminQuery("SELECT datname FROM pg_database WHERE datname LIKE 'cxda_t_%'")) {
    const name = String(row.datname);
    const created = TEST_DATABASE_NAME.exec(name)?.[1];
    if (created === undefined || now - Number.parseInt(created, 36) * 1000 < LEFTOVER_AFTER_MS) continue;
    try {
      adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch {
      // Another run dropped it first.
    }
  }
}
