/**
 * PostgreSQL for the replica tests: the server named by CXDA_TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), a fresh database per test (CREATE DATABASE
 * cxda_t_<random>, dropped after), and one visible line when no server answers, instead of failures.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const ADMIN_URL = process.env.CXDA_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

let probed: Promise<boolean> | undefined;

/** Whether PostgreSQL answers at ADMIN_URL; prints the skip line once when it does not. */
export function postgresAvailable(): Promise<boolean> {
  probed ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      process.stdout.write(
        `PostgreSQL tests skipped: nothing answers at ${redacted(ADMIN_URL)}; set CXDA_TEST_DATABASE_URL=postgres://user@host:5432/postgres to run them.\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return probed;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cxda_t_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Ends every connection of the named database except the caller's own (a database restart, as seen by clients). */
export async function terminateConnections(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const result = await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "CXDA_TEST_DATABASE_URL";
  }
}
