import { describe, expect, it } from "vitest";
import { createMemoryKeyStorage, type StoredTenantKey } from "../../../src/emulator/crypto/index.js";

const key = (keyId: string, purpose: StoredTenantKey["purpose"] = "data"): StoredTenantKey => ({
  keyId,
  createdTimestamp: 1,
  wrappedKey: "d3JhcHBlZA==",
  purpose,
});

describe("createMemoryKeyStorage", () => {
  it("keeps keys and the active id per tenant", () => {
    const storage = createMemoryKeyStorage();
    storage.insertTenantKey("a", key("k1"));
    storage.insertTenantKey("a", key("f1", "fingerprint"));
    storage.setActiveKey("a", "k1");
    expect(storage.listTenantKeys("a").map((k) => k.keyId)).toEqual(["k1", "f1"]);
    expect(storage.getActiveKeyId("a")).toBe("k1");
    expect(storage.listTenantKeys("b")).toEqual([]);
    expect(storage.getActiveKeyId("b")).toBeUndefined();
  });

  it("refuses a duplicate key id within a tenant but allows it in another tenant", () => {
    const storage = createMemoryKeyStorage();
    storage.insertTenantKey("a", key("k1"));
    expect(() => storage.insertTenantKey("a", key("k1"))).toThrow(/already has a key 'k1'/);
    storage.insertTenantKey("b", key("k1"));
    expect(storage.listTenantKeys("b")).toHaveLength(1);
  });

  it("hands out copies, so callers cannot change what is stored", () => {
    const storage = createMemoryKeyStorage();
    const original = key("k1");
    storage.insertTenantKey("a", original);
    original.wrappedKey = "changed";
    storage.listTenantKeys("a")[0]!.wrappedKey = "changed too";
    storage.listTenantKeys("a").pop();
    expect(storage.listTenantKeys("a")).toEqual([key("k1")]);
  });
});
