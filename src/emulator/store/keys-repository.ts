/**
 * SQLite KeyStorage for the tenant keyring: wrapped master keys (never plaintext) and the
 * active data key per tenant.
 */
import type { KeyStorage, StoredTenantKey } from "../crypto/key-storage.js";
import type { SqlDatabase } from "./sql.js";

export const KEY_TABLES = ["tenant_keys", "tenant_active_keys"] as const;

export const KEYS_SCHEMA = `
CREATE TABLE IF NOT EXISTS tenant_keys (
  tenant_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  created_ts INTEGER NOT NULL,
  wrapped_key TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('data', 'fingerprint')),
  PRIMARY KEY (tenant_id, key_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tenant_active_keys (
  tenant_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL
);
`;

interface KeyRow {
  key_id: string;
  created_ts: number;
  wrapped_key: string;
  purpose: "data" | "fingerprint";
}

export function createKeyRepository(db: SqlDatabase): KeyStorage {
  const q = {
    list: db.prepare<KeyRow>(
      "SELECT key_id, created_ts, wrapped_key, purpose FROM tenant_keys WHERE tenant_id = ? ORDER BY seq",
    ),
    insert: db.prepare(
      `INSERT INTO tenant_keys (tenant_id, key_id, seq, created_ts, wrapped_key, purpose)
       VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tenant_keys WHERE tenant_id = ?), ?, ?, ?)`,
    ),
    setActive: db.prepare(
      `INSERT INTO tenant_active_keys (tenant_id, key_id) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET key_id = excluded.key_id`,
    ),
    getActive: db.prepare<{ key_id: string }>("SELECT key_id FROM tenant_active_keys WHERE tenant_id = ?"),
  };
  return {
    listTenantKeys: (tenantId): StoredTenantKey[] =>
      q.list.all(tenantId).map((row) => ({
        keyId: row.key_id,
        createdTimestamp: row.created_ts,
        wrappedKey: row.wrapped_key,
        purpose: row.purpose,
      })),
    insertTenantKey: (tenantId, key) => {
      q.insert.run(tenantId, key.keyId, tenantId, key.createdTimestamp, key.wrappedKey, key.purpose);
    },
    setActiveKey: (tenantId, keyId) => {
      q.setActive.run(tenantId, keyId);
    },
    getActiveKeyId: (tenantId) => q.getActive.get(tenantId)?.key_id,
  };
}
