/**
 * PostgreSQL for the replica benchmarks (B11, B12): the server of CXDA_TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and a fresh database per benchmark, dropped after.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const ADMIN_URL = process.env.CXDA_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `{url, drop()}` of a new database; throws when PostgreSQL does not answer. */
export async function freshDatabase() {
  const name = `cxda_b_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
