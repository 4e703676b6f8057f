/** The SQLite KeyStorage behind the tenant keyring: order, active key, persistence, reset. */

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TenantKeyring } from "../../src/emulator/crypto/index.js";
import { DATABASE_FILE, openSqliteStore } from "../../src/emulator/store/sqlite-store.js";
import { api, getToken, startTestEmulator } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("SQLite key storage", () => {
  it("keeps keys in insertion order per tenant, with one active key, across reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "cxda-keys-"));
    dirs.push(dir);
    const rootKey = randomBytes(32);
    const store = openSqliteStore({ dataDir: dir });
    let now = 1_000;
    const keyring = new TenantKeyring({ rootKey, storage: store.keys, clock: () => now++ });
    const sealed = keyring.seal("t1", { scope: "action:a", name: "pw" }, "value-1");
    const first = keyring.keys("t1").activeKeyId;
    const { activeKeyId } = keyring.rotate("t1");
    keyring.fingerprint("t2", "x");
    expect(store.keys.listTenantKeys("t1").map((k) => k.keyId)).toEqual([first, activeKeyId]);
    expect(store.keys.listTenantKeys("t2").map((k) => k.purpose)).toEqual(["fingerprint"]);
    expect(store.keys.getActiveKeyId("t1")).toBe(activeKeyId);
    expect(store.keys.getActiveKeyId("t2")).toBeUndefined();
    expect(() => store.keys.insertTenantKey("t1", store.keys.listTenantKeys("t1")[0]!)).toThrow();
    store.close();

    const reopened = openSqliteStore({ dataDir: dir });
    const again = new TenantKeyring({ rootKey, storage: reopened.keys });
    expect(again.open("t1", { scope: "action:a", name: "pw" }, sealed)).toBe("value-1");
    expect(again.keys("t1")).toEqual({
      activeKeyId,
      keys: [
        { keyId: first, createdTimestamp: 1_000 },
        { keyId: activeKeyId, createdTimestamp: 1_001 },
      ],
    });
    reopened.close();
    // Only wrapped keys are stored: no raw 32-byte key from the keyring's cache appears in the file.
    const file = readFileSync(join(dir, DATABASE_FILE));
    expect(file.includes(Buffer.from("value-1"))).toBe(false);
  });

  it("reset forgets every tenant's keys and variables; the tenant gets a fresh key", async () => {
    const emulator = await startTestEmulator();
    try {
      const token = await getToken(emulator);
      const before = await api(emulator, "GET", "/api/v2/keys", { token });
      await api(emulator, "PUT", "/api/v2/variables", {
        token,
        body: { variables: [{ name: "s", type: "string", value: "secret-x", encrypted: true }] },
      });
      const reset = await api(emulator, "POST", "/_emulator/reset");
      expect(reset.status).toBeLessThan(300);
      expect(emulator.store.keys.listTenantKeys("demo")).toEqual([]);
      const token2 = await getToken(emulator);
      const globals = await api(emulator, "GET", "/api/v2/variables", { token: token2 });
      expect(globals.body).toEqual({ version: 1, variables: [] });
      const after = await api(emulator, "GET", "/api/v2/keys", { token: token2 });
      expect(after.body.keys).toHaveLength(1);
      expect(after.body.activeKeyId).not.toBe(before.body.activeKeyId);
    } finally {
      await emulator.close();
    }
  });
});
