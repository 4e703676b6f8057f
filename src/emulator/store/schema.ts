/**
 * The store's tables, written once (in SQLite's words, translated by `ddlFor`) for both databases.
 * SQLite creates what is missing at every start (CREATE … IF NOT EXISTS, `meta.schema_version`);
 * PostgreSQL applies numbered migrations (postgres-store.ts). A later change of the tables adds a
 * migration here and bumps SCHEMA_VERSION.
 */
import { BUILDS_SCHEMA } from "./builds-repository.js";
import { HISTORY_SCHEMA } from "./history-repository.js";
import { KEYS_SCHEMA } from "./keys-repository.js";
import { OVERRIDES_SCHEMA } from "./overrides-repository.js";
import { type Dialect, ddlFor } from "./sql.js";
import { TENANT_REVISION_POSTGRES } from "./tenant-revision.js";
import { VARIABLES_SCHEMA } from "./variables-repository.js";

export const SCHEMA_VERSION = 1;

const CORE_SCHEMA = `
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

/** Names are unique without regard to (ASCII) case. */
const NAME_INDEX = {
  sqlite: "CREATE INDEX IF NOT EXISTS actions_name_nocase ON actions (tenant_id, name COLLATE NOCASE);",
  postgres: "CREATE INDEX IF NOT EXISTS actions_name_lower ON actions (tenant_id, lower(name));",
};

/** Every table of the store but the tenant revisions (tenant-revision.ts makes those on SQLite). */
export function storeTables(dialect: Dialect): string {
  return [
    CORE_SCHEMA,
    NAME_INDEX[dialect],
    OVERRIDES_SCHEMA,
    BUILDS_SCHEMA,
    VARIABLES_SCHEMA,
    KEYS_SCHEMA,
    HISTORY_SCHEMA,
  ]
    .map((ddl) => ddlFor(dialect, ddl))
    .join("\n");
}

/** PostgreSQL migrations: version → DDL, applied in order, each once. */
export const POSTGRES_MIGRATIONS: readonly { version: number; ddl: string }[] = [
  { version: 1, ddl: `${storeTables("postgres")}\n${TENANT_REVISION_POSTGRES}` },
];
