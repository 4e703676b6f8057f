/**
 * What the keyring persists per tenant: its master keys, only ever wrapped under the root key, and which
 * data key is active. The SQLite store implements this; `createMemoryKeyStorage` is the in-memory one.
 */

/** A tenant master key as stored. */
export interface StoredTenantKey {
  /** `k_<epoch ms>_<16 hex chars>`, unique within the tenant. */
  keyId: string;
  createdTimestamp: number;
  /** The 32-byte master key sealed under the root key: base64 of iv(12)|tag(16)|ciphertext(32). */
  wrappedKey: string;
  /** `data` keys encrypt values and rotate; the single `fingerprint` key is never rotated. */
  purpose: "data" | "fingerprint";
}

/** Persistence the keyring needs; synchronous because better-sqlite3 is. */
export interface KeyStorage {
  /** Every key of the tenant, both purposes, in insertion order. */
  listTenantKeys(tenantId: string): StoredTenantKey[];
  /** Adds a key; a key id already present for the tenant is an error. */
  insertTenantKey(tenantId: string, key: StoredTenantKey): void;
  setActiveKey(tenantId: string, keyId: string): void;
  /** The active data key id, undefined before the tenant's first key. */
  getActiveKeyId(tenantId: string): string | undefined;
}
