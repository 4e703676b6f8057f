/**
 * Per-environment overrides of an action: one versioned set per (tenant, action, environment).
 * Masked values are kept only as ciphertext (sealed by the tenant keyring); plain values as text.
 */
import { byDialect, type SqlDatabase } from "./sql.js";

/** One stored override: exactly one of `value` (plain) or `sealed` (masked) is set. */
export interface StoredOverrideItem {
  name: string;
  masked: boolean;
  description?: string;
  value?: string;
  sealed?: { ciphertext: string; keyId: string };
  /** HMAC fingerprint of the value, for drift without reading secrets. */
  fingerprint: string;
}

export interface StoredOverrideSet {
  tenantId: string;
  actionId: string;
  environmentId: string;
  version: number;
  modifiedTimestamp: number;
  items: StoredOverrideItem[];
}

export interface OverrideRepository {
  get(tenantId: string, actionId: string, environmentId: string): StoredOverrideSet | undefined;
  /** Every environment's set of each of these actions. */
  listForActions(tenantId: string, actionIds: readonly string[]): StoredOverrideSet[];
  /** Inserts or replaces the set. */
  put(set: StoredOverrideSet): void;
  deleteForAction(tenantId: string, actionId: string): void;
}

export const OVERRIDES_SCHEMA = `
CREATE TABLE IF NOT EXISTS overrides (
  tenant_id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  env_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  modified_ts INTEGER NOT NULL,
  items TEXT NOT NULL,
  PRIMARY KEY (tenant_id, action_id, env_id)
) WITHOUT ROWID;
`;

export const OVERRIDES_TABLES = ["overrides"] as const;

interface Row {
  tenant_id: string;
  action_id: string;
  env_id: string;
  version: number;
  modified_ts: number;
  items: string;
}

function toSet(row: Row): StoredOverrideSet {
  return {
    tenantId: row.tenant_id,
    actionId: row.action_id,
    environmentId: row.env_id,
    version: row.version,
    modifiedTimestamp: row.modified_ts,
    items: JSON.parse(row.items) as StoredOverrideItem[],
  };
}

/** A subquery giving the elements of the JSON array of strings bound to its `?`. */
export function jsonArrayElements(db: SqlDatabase): string {
  return byDialect(db, {
    sqlite: "SELECT value FROM json_each(?)",
    postgres: "SELECT jsonb_array_elements_text(?::jsonb)",
  });
}

export function createOverrideRepository(db: SqlDatabase): OverrideRepository {
  const q = {
    get: db.prepare<Row>("SELECT * FROM overrides WHERE tenant_id = ? AND action_id = ? AND env_id = ?"),
    forActions: db.prepare<Row>(
      `SELECT * FROM overrides WHERE tenant_id = ? AND action_id IN (${jsonArrayElements(db)}) ORDER BY action_id, env_id`,
    ),
    put: db.prepare(
      `INSERT INTO overrides (tenant_id, action_id, env_id, version, modified_ts, items) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, action_id, env_id) DO UPDATE SET
         version = excluded.version, modified_ts = excluded.modified_ts, items = excluded.items`,
    ),
    deleteForAction: db.prepare("DELETE FROM overrides WHERE tenant_id = ? AND action_id = ?"),
  };
  return {
    get: (tenantId, actionId, environmentId) => {
      const row = q.get.get(tenantId, actionId, environmentId);
      return row && toSet(row);
    },
    listForActions: (tenantId, actionIds) =>
      actionIds.length === 0 ? [] : q.forActions.all(tenantId, JSON.stringify(actionIds)).map(toSet),
    put: (set) => {
      q.put.run(
        set.tenantId,
        set.actionId,
        set.environmentId,
        set.version,
        set.modifiedTimestamp,
        JSON.stringify(set.items),
      );
    },
    deleteForAction: (tenantId, actionId) => {
      q.deleteForAction.run(tenantId, actionId);
    },
  };
}
