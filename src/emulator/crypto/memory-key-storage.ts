/** In-memory KeyStorage for in-memory emulators and tests; hands out copies so callers cannot mutate it. */
import type { KeyStorage, StoredTenantKey } from "./key-storage.js";

interface TenantKeys {
  keys: StoredTenantKey[];
  activeKeyId: string | undefined;
}

export function createMemoryKeyStorage(): KeyStorage {
  const tenants = new Map<string, TenantKeys>();
  const tenant = (tenantId: string): TenantKeys => {
    let entry = tenants.get(tenantId);
    if (entry === undefined) {
      entry = { keys: [], activeKeyId: undefined };
      tenants.set(tenantId, entry);
    }
    return entry;
  };
  return {
    listTenantKeys: (tenantId) => (tenants.get(tenantId)?.keys ?? []).map((key) => ({ ...key })),
    insertTenantKey(tenantId, key) {
      const entry = tenant(tenantId);
      if (entry.keys.some((k) => k.keyId === key.keyId)) {
        throw new Error(
          `tenant '${tenantId}' already has a key '${key.keyId}': key ids are unique per tenant`,
        );
      }
      entry.keys.push({ ...key });
    },
    setActiveKey(tenantId, keyId) {
      tenant(tenantId).activeKeyId = keyId;
    },
    getActiveKeyId: (tenantId) => tenants.get(tenantId)?.activeKeyId,
  };
}
