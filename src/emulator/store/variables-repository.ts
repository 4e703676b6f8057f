/**
 * Stored variable sets: one versioned set per action and one global set per tenant.
 * A set is kept as one JSON row (like an action's `doc`); secrets are held only as ciphertext with their
 * key id and fingerprint. Action sets reference their action, so deleting the action deletes them
 * (ON DELETE CASCADE; the store runs with `foreign_keys = ON`).
 */
import type { VariableType } from "../../domain/variables.js";
import { jsonArrayElements } from "./overrides-repository.js";
import type { SqlDatabase } from "./sql.js";

/** One variable as stored: `value` for a plain one, `ciphertext` + `keyId` + `fingerprint` for a secret. */
export interface StoredVariableItem {
  name: string;
  type: VariableType;
  encrypted: boolean;
  value?: string;
  ciphertext?: string;
  keyId?: string;
  fingerprint?: string;
}

export interface VariableSet {
  /** 1 for a set never written (empty), +1 per change. */
  version: number;
  modifiedTimestamp: number;
  items: StoredVariableItem[];
}

export interface VariableRepository {
  getActionSet(tenantId: string, actionId: string): VariableSet | undefined;
  /** The sets of several actions in one query (expand=variables stays O(pages) requests). */
  getActionSets(tenantId: string, actionIds: string[]): Map<string, VariableSet>;
  /** Every action set of the tenant (rotation: find secrets on old keys). */
  listActionSets(tenantId: string): Map<string, VariableSet>;
  putActionSet(tenantId: string, actionId: string, set: VariableSet): void;
  getGlobalSet(tenantId: string): VariableSet | undefined;
  putGlobalSet(tenantId: string, set: VariableSet): void;
}

export const VARIABLE_TABLES = ["action_variables", "global_variables"] as const;

export const VARIABLES_SCHEMA = `
CREATE TABLE IF NOT EXISTS action_variables (
  tenant_id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  modified_ts INTEGER NOT NULL,
  items TEXT NOT NULL,
  PRIMARY KEY (tenant_id, action_id),
  FOREIGN KEY (tenant_id, action_id) REFERENCES actions (tenant_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS global_variables (
  tenant_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  modified_ts INTEGER NOT NULL,
  items TEXT NOT NULL
);
`;

interface SetRow {
  version: number;
  modified_ts: number;
  items: string;
}

function toSet(row: SetRow): VariableSet {
  return {
    version: row.version,
    modifiedTimestamp: row.modified_ts,
    items: JSON.parse(row.items) as StoredVariableItem[],
  };
}

/** The prepared statements (the tables are made by the store's schema). */
export function createVariableRepository(db: SqlDatabase): VariableRepository {
  const q = {
    getAction: db.prepare<SetRow>(
      "SELECT version, modified_ts, items FROM action_variables WHERE tenant_id = ? AND action_id = ?",
    ),
    getActions: db.prepare<SetRow & { action_id: string }>(
      `SELECT action_id, version, modified_ts, items FROM action_variables
       WHERE tenant_id = ? AND action_id IN (${jsonArrayElements(db)})`,
    ),
    listActions: db.prepare<SetRow & { action_id: string }>(
      "SELECT action_id, version, modified_ts, items FROM action_variables WHERE tenant_id = ?",
    ),
    putAction: db.prepare(
      `INSERT INTO action_variables (tenant_id, action_id, version, modified_ts, items) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, action_id) DO UPDATE SET
         version = excluded.version, modified_ts = excluded.modified_ts, items = excluded.items`,
    ),
    getGlobal: db.prepare<SetRow>(
      "SELECT version, modified_ts, items FROM global_variables WHERE tenant_id = ?",
    ),
    putGlobal: db.prepare(
      `INSERT INTO global_variables (tenant_id, version, modified_ts, items) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET
         version = excluded.version, modified_ts = excluded.modified_ts, items = excluded.items`,
    ),
  };
  const byAction = (rows: (SetRow & { action_id: string })[]) =>
    new Map(rows.map((row) => [row.action_id, toSet(row)]));
  return {
    getActionSet: (tenantId, actionId) => {
      const row = q.getAction.get(tenantId, actionId);
      return row && toSet(row);
    },
    getActionSets: (tenantId, actionIds) =>
      actionIds.length === 0 ? new Map() : byAction(q.getActions.all(tenantId, JSON.stringify(actionIds))),
    listActionSets: (tenantId) => byAction(q.listActions.all(tenantId)),
    putActionSet: (tenantId, actionId, set) => {
      q.putAction.run(tenantId, actionId, set.version, set.modifiedTimestamp, JSON.stringify(set.items));
    },
    getGlobalSet: (tenantId) => {
      const row = q.getGlobal.get(tenantId);
      return row && toSet(row);
    },
    putGlobalSet: (tenantId, set) => {
      q.putGlobal.run(tenantId, set.version, set.modifiedTimestamp, JSON.stringify(set.items));
    },
  };
}
