/**
 * Per-environment overrides of an action: one versioned set per (tenant, action, environment).
 * Masked values are kept only as ciphertext (sealed by the tenant keyring); plain values as text.
 */
import type Database from "better-sqlite3";

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

export function createOverrideRepository(db: Database.Database): OverrideRepository {
  db.exec(OVERRIDES_SCHEMA);
  const q = {
    get: db.prepare<[string, string, string], Row>(
      "SELECT * FROM overrides WHERE tenant_id = ? AND action_id = ? AND env_id = ?",
    ),
    forActions: db.prepare<[string, string], Row>(
      "SELECT * FROM overrides WHERE tenant_id = ? AND action_id IN (SELECT value FROM json_each(?)) ORDER BY action_id, env_id",
    ),
    put: db.prepare(
      `INSERT OR REPLACE INTO overrides (tenant_id, action_id, env_id, version, modified_ts, items)
       VALUES (@tenant_id, @action_id, @env_id, @version, @modified_ts, @items)`,
    ),
    deleteForAction: db.prepare<[string, string]>(
      "DELETE FROM overrides WHERE tenant_id = ? AND action_id = ?",
    ),
  };
  return {
    get: (tenantId, actionId, environmentId) => {
      const row = q.get.get(tenantId, actionId, environmentId);
      return row && toSet(row);
    },
    listForActions: (tenantId, actionIds) =>
      actionIds.length === 0 ? [] : q.forActions.all(tenantId, JSON.stringify(actionIds)).map(toSet),
    put: (set) => {
      q.put.run({
        tenant_id: set.tenantId,
        action_id: set.actionId,
        env_id: set.environmentId,
        version: set.version,
        modified_ts: set.modifiedTimestamp,
        items: JSON.stringify(set.items),
      });
    },
    deleteForAction: (tenantId, actionId) => {
      q.deleteForAction.run(tenantId, actionId);
    },
  };
}
