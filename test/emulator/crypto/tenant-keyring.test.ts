import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gcmOpen, gcmParse } from "../../../src/emulator/crypto/aes-gcm.js";
import {
  actionScope,
  GLOBAL_SCOPE,
  overrideScope,
  wrappedKeyAad,
} from "../../../src/emulator/crypto/binding.js";
import {
  createMemoryKeyStorage,
  KeyringError,
  type KeyringErrorCode,
  type KeyStorage,
  type SealedValue,
  TenantKeyring,
} from "../../../src/emulator/crypto/index.js";

const API_KEY = { scope: actionScope("act_1"), name: "API_KEY" };

function setup(options: { clock?: () => number } = {}) {
  const rootKey = randomBytes(32);
  const storage = createMemoryKeyStorage();
  const keyring = new TenantKeyring({ rootKey, storage, ...options });
  return { rootKey, storage, keyring };
}

function keyringError(fn: () => unknown): KeyringError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    return error as KeyringError;
  }
  throw new Error("expected a KeyringError, nothing was thrown");
}

function expectRefused(fn: () => unknown, code: KeyringErrorCode, secret?: string): KeyringError {
  const error = keyringError(fn);
  expect(error.code).toBe(code);
  if (secret !== undefined) expect(error.message).not.toContain(secret);
  return error;
}

/** The ciphertext with one bit flipped in its decoded bytes (iv, tag or body). */
function flipBit(sealed: SealedValue, bit: number): SealedValue {
  const bytes = Buffer.from(sealed.ciphertext, "base64");
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  return { ...sealed, ciphertext: bytes.toString("base64") };
}

describe("TenantKeyring seal/open", () => {
  it("round-trips any Unicode text, the empty string and a 4 096-byte value", () => {
    const { keyring } = setup();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (value) => {
        const sealed = keyring.seal("demo", API_KEY, value);
        expect(keyring.open("demo", API_KEY, sealed)).toBe(value);
      }),
    );
    for (const value of ["", "x".repeat(4096), "pässwörd-🔑"]) {
      expect(keyring.open("demo", API_KEY, keyring.seal("demo", API_KEY, value))).toBe(value);
    }
  });

  it("uses a fresh IV each time, so equal values give different ciphertexts", () => {
    const { keyring } = setup();
    const a = keyring.seal("demo", API_KEY, "s3cret-value");
    const b = keyring.seal("demo", API_KEY, "s3cret-value");
    expect(a.keyId).toBe(b.keyId);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("stores base64 of iv(12)|tag(16)|ciphertext", () => {
    const { keyring } = setup();
    const sealed = keyring.seal("demo", API_KEY, "abcdef");
    expect(sealed.ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sealed.ciphertext, "base64")).toHaveLength(12 + 16 + 6);
  });

  it("creates the tenant's first data key on first use, with a k_<timestamp>_<random> id", () => {
    let now = 1_700_000_000_000;
    const { keyring, storage } = setup({ clock: () => now++ });
    expect(storage.listTenantKeys("demo")).toEqual([]);
    const sealed = keyring.seal("demo", API_KEY, "value-1");
    expect(sealed.keyId).toMatch(/^k_1700000000000_[0-9a-f]{16}$/);
    expect(storage.getActiveKeyId("demo")).toBe(sealed.keyId);
    expect(keyring.keys("demo")).toEqual({
      activeKeyId: sealed.keyId,
      keys: [{ keyId: sealed.keyId, createdTimestamp: 1_700_000_000_000 }],
    });
  });

  it("gives a fresh tenant an active key when its keys are listed", () => {
    const { keyring } = setup();
    const listed = keyring.keys("fresh");
    expect(listed.keys.map((k) => k.keyId)).toEqual([listed.activeKeyId]);
  });

  it("opens values sealed by an earlier keyring over the same root key and storage (a restart)", () => {
    const { keyring, storage, rootKey } = setup();
    const sealed = keyring.seal("demo", API_KEY, "survives-restart");
    const restarted = new TenantKeyring({ rootKey: Buffer.from(rootKey), storage });
    expect(restarted.open("demo", API_KEY, sealed)).toBe("survives-restart");
  });

  it("refuses a root key that is not 32 bytes", () => {
    expectRefused(
      () => new TenantKeyring({ rootKey: randomBytes(16), storage: createMemoryKeyStorage() }),
      "invalid-root-key",
    );
  });

  it("refuses text with a lone surrogate instead of storing something else", () => {
    const { keyring } = setup();
    expectRefused(() => keyring.seal("demo", API_KEY, "abc\ud800"), "invalid-plaintext");
  });
});

describe("TenantKeyring tamper detection", () => {
  const secret = "tamper-me-secret";

  it("rejects every single-bit flip of iv, tag and ciphertext with KeyringError, never garbage", () => {
    const { keyring } = setup();
    const sealed = keyring.seal("demo", API_KEY, secret);
    const bits = Buffer.from(sealed.ciphertext, "base64").length * 8;
    for (let bit = 0; bit < bits; bit++) {
      const error = expectRefused(
        () => keyring.open("demo", API_KEY, flipBit(sealed, bit)),
        "authentication-failed",
        secret,
      );
      expect(error.message).toContain("'API_KEY' failed authentication");
    }
  });

  it("rejects random corruptions (property)", () => {
    const { keyring } = setup();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (value, at, mask) => {
          const sealed = keyring.seal("demo", API_KEY, value);
          const bytes = Buffer.from(sealed.ciphertext, "base64");
          bytes[at % bytes.length]! ^= mask;
          expectRefused(
            () => keyring.open("demo", API_KEY, { ...sealed, ciphertext: bytes.toString("base64") }),
            "authentication-failed",
          );
        },
      ),
    );
  });

  it("rejects truncated, extended and non-base64 ciphertexts", () => {
    const { keyring } = setup();
    const sealed = keyring.seal("demo", API_KEY, secret);
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    const truncated = bytes.subarray(0, bytes.length - 1).toString("base64");
    const extended = Buffer.concat([bytes, Buffer.from([0])]).toString("base64");
    for (const ciphertext of [truncated, extended]) {
      expectRefused(
        () => keyring.open("demo", API_KEY, { ...sealed, ciphertext }),
        "authentication-failed",
        secret,
      );
    }
    for (const ciphertext of [
      "",
      "not base64!",
      bytes.subarray(0, 27).toString("base64"),
      `${sealed.ciphertext}\n`,
    ]) {
      expectRefused(
        () => keyring.open("demo", API_KEY, { ...sealed, ciphertext }),
        "malformed-ciphertext",
        secret,
      );
    }
  });

  it("rejects a value relabelled with another key id of the same tenant", () => {
    const { keyring } = setup();
    const sealed = keyring.seal("demo", API_KEY, secret);
    const { activeKeyId } = keyring.rotate("demo");
    expectRefused(
      () => keyring.open("demo", API_KEY, { ...sealed, keyId: activeKeyId }),
      "authentication-failed",
      secret,
    );
  });

  it("rejects an unknown key id", () => {
    const { keyring } = setup();
    const sealed = keyring.seal("demo", API_KEY, secret);
    expectRefused(
      () => keyring.open("demo", API_KEY, { ...sealed, keyId: "k_1_0000000000000000" }),
      "unknown-key",
    );
  });
});

describe("TenantKeyring bindings", () => {
  const secret = "bound-secret-value";

  it("refuses to open under another action, name, scope kind or tenant", () => {
    const { keyring } = setup();
    const sealed = keyring.seal("demo", API_KEY, secret);
    keyring.seal("other", API_KEY, "gives tenant 'other' keys of its own");
    const wrong = [
      { scope: actionScope("act_2"), name: "API_KEY" },
      { scope: actionScope("act_1"), name: "API_KEY2" },
      { scope: GLOBAL_SCOPE, name: "API_KEY" },
      { scope: overrideScope("act_1", "prod"), name: "API_KEY" },
    ];
    for (const binding of wrong) {
      const error = expectRefused(
        () => keyring.open("demo", binding, sealed),
        "authentication-failed",
        secret,
      );
      expect(error.message).toContain("belongs to another action");
    }
    expectRefused(() => keyring.open("other", API_KEY, sealed), "unknown-key", secret);
    expect(keyring.open("demo", API_KEY, sealed)).toBe(secret);
  });

  it("keeps overrides of different actions or environments apart, whatever their ids contain", () => {
    expect(overrideScope("a/b", "c")).not.toBe(overrideScope("a", "b/c"));
    expect(overrideScope("a:b", "c")).not.toBe(overrideScope("a", "b:c"));
    expect(actionScope("global")).not.toBe(GLOBAL_SCOPE);
  });

  it("refuses a tenant key copied into another tenant's storage (the wrapping is bound to the tenant)", () => {
    const { keyring, storage } = setup();
    keyring.seal("demo", API_KEY, secret);
    const [stolen] = storage.listTenantKeys("demo").filter((k) => k.purpose === "data");
    storage.insertTenantKey("victim", stolen!);
    storage.setActiveKey("victim", stolen!.keyId);
    expectRefused(() => keyring.seal("victim", API_KEY, "x"), "root-key-mismatch");
  });
});

describe("TenantKeyring fingerprints", () => {
  const FORMAT = /^hmac-sha256:[A-Za-z0-9_-]{43}$/;

  it("are equal for equal values within a tenant and differ for different values", () => {
    const { keyring } = setup();
    const a = keyring.fingerprint("demo", "same-value");
    expect(a).toMatch(FORMAT);
    expect(keyring.fingerprint("demo", "same-value")).toBe(a);
    expect(keyring.fingerprint("demo", "same-valuE")).not.toBe(a);
  });

  it("differ across tenants and are keyed (not a bare hash of the value)", () => {
    const { keyring } = setup();
    expect(keyring.fingerprint("demo", "same-value")).not.toBe(keyring.fingerprint("other", "same-value"));
    const bare = createHash("sha256").update("same-value").digest("base64url");
    expect(keyring.fingerprint("demo", "same-value")).not.toBe(`hmac-sha256:${bare}`);
  });

  it("stay the same across rotations and restarts; the fingerprint key is not a listed data key", () => {
    const { keyring, storage, rootKey } = setup();
    const before = keyring.fingerprint("demo", "stable");
    keyring.rotate("demo");
    keyring.rotate("demo");
    expect(keyring.fingerprint("demo", "stable")).toBe(before);
    expect(new TenantKeyring({ rootKey, storage }).fingerprint("demo", "stable")).toBe(before);
    const fingerprintKeys = storage.listTenantKeys("demo").filter((k) => k.purpose === "fingerprint");
    expect(fingerprintKeys).toHaveLength(1);
    expect(keyring.keys("demo").keys.map((k) => k.keyId)).not.toContain(fingerprintKeys[0]!.keyId);
  });
});

describe("TenantKeyring rotation and reseal", () => {
  it("rotates to a new active key, keeps old keys for decryption and reseals onto the new key", () => {
    let now = 1_000;
    const { keyring } = setup({ clock: () => (now += 10) });
    const old = keyring.seal("demo", API_KEY, "rotate-me");
    const { activeKeyId } = keyring.rotate("demo");
    expect(activeKeyId).not.toBe(old.keyId);
    expect(keyring.keys("demo")).toEqual({
      activeKeyId,
      keys: [
        { keyId: old.keyId, createdTimestamp: 1_010 },
        { keyId: activeKeyId, createdTimestamp: 1_020 },
      ],
    });
    expect(keyring.open("demo", API_KEY, old)).toBe("rotate-me");
    expect(keyring.seal("demo", API_KEY, "new").keyId).toBe(activeKeyId);

    const moved = keyring.reseal("demo", API_KEY, old);
    expect(moved.keyId).toBe(activeKeyId);
    expect(keyring.open("demo", API_KEY, moved)).toBe("rotate-me");
    expect(keyring.reseal("demo", API_KEY, moved)).toEqual(moved);
  });

  it("does not reseal a value that fails to open", () => {
    const { keyring } = setup();
    const old = keyring.seal("demo", API_KEY, "rotate-me");
    keyring.rotate("demo");
    expectRefused(() => keyring.reseal("demo", { ...API_KEY, name: "OTHER" }, old), "authentication-failed");
    expectRefused(() => keyring.reseal("demo", API_KEY, flipBit(old, 100)), "authentication-failed");
  });

  it("rotation of a tenant without keys creates its first key", () => {
    const { keyring } = setup();
    const { activeKeyId } = keyring.rotate("new-tenant");
    expect(keyring.keys("new-tenant")).toMatchObject({ activeKeyId, keys: [{ keyId: activeKeyId }] });
  });
});

describe("TenantKeyring root key", () => {
  it("a wrong root key cannot unwrap the tenant's keys: clear error, no new key, no garbage", () => {
    const { keyring, storage } = setup();
    const sealed = keyring.seal("demo", API_KEY, "root-bound");
    const fingerprint = keyring.fingerprint("demo", "root-bound");
    const stranger = new TenantKeyring({ rootKey: randomBytes(32), storage });
    const error = expectRefused(
      () => stranger.open("demo", API_KEY, sealed),
      "root-key-mismatch",
      "root-bound",
    );
    expect(error.message).toContain("CXDA_EMULATOR_ROOT_KEY");
    expectRefused(() => stranger.seal("demo", API_KEY, "x"), "root-key-mismatch");
    expectRefused(() => stranger.fingerprint("demo", "root-bound"), "root-key-mismatch");
    expect(storage.listTenantKeys("demo")).toHaveLength(2);
    expect(keyring.fingerprint("demo", "root-bound")).toBe(fingerprint);
  });

  it("a damaged wrapped key is refused the same way", () => {
    const { keyring, storage, rootKey } = setup();
    const sealed = keyring.seal("demo", API_KEY, "value");
    const broken = createMemoryKeyStorage();
    for (const key of storage.listTenantKeys("demo")) {
      broken.insertTenantKey("demo", {
        ...key,
        wrappedKey: key.wrappedKey.replace(/^./, (c) => (c === "A" ? "B" : "A")),
      });
    }
    broken.setActiveKey("demo", storage.getActiveKeyId("demo")!);
    expectRefused(
      () => new TenantKeyring({ rootKey, storage: broken }).open("demo", API_KEY, sealed),
      "root-key-mismatch",
    );
  });
});

describe("TenantKeyring storage contents", () => {
  function dump(storage: KeyStorage, tenants: string[]): string {
    return JSON.stringify(
      tenants.map((t) => ({ tenant: t, active: storage.getActiveKeyId(t), keys: storage.listTenantKeys(t) })),
    );
  }

  function forms(bytes: Buffer): string[] {
    return [
      bytes.toString("hex"),
      bytes.toString("base64"),
      bytes.toString("base64url"),
      bytes.toString("latin1"),
    ];
  }

  it("hold no plaintext, no root key and no unwrapped master key", () => {
    const { keyring, storage, rootKey } = setup();
    const secrets = ["plaintext-secret-one", "P@ssw0rd-two-xyz", '{"token":"obj-secret-three"}'];
    const sealed: SealedValue[] = [];
    for (const tenant of ["demo", "other"]) {
      for (const [i, s] of secrets.entries())
        sealed.push(keyring.seal(tenant, { scope: GLOBAL_SCOPE, name: `S${i}` }, s));
      keyring.fingerprint(tenant, secrets[0]!);
      keyring.rotate(tenant);
      sealed.push(keyring.reseal(tenant, { scope: GLOBAL_SCOPE, name: "S0" }, sealed.at(-3)!));
    }
    const contents = dump(storage, ["demo", "other"]) + JSON.stringify(sealed);

    const masters = ["demo", "other"].flatMap((tenant) =>
      storage.listTenantKeys(tenant).map((k) => {
        const master = gcmOpen(rootKey, gcmParse(k.wrappedKey)!, wrappedKeyAad(tenant, k.keyId, k.purpose));
        expect(master).toHaveLength(32);
        return master!;
      }),
    );
    expect(masters).toHaveLength(6);
    const needles = [
      ...secrets,
      ...secrets.flatMap((s) => forms(Buffer.from(s, "utf8"))),
      ...forms(rootKey),
      ...masters.flatMap(forms),
    ];
    for (const needle of needles) expect(contents.includes(needle)).toBe(false);
    // the search itself works: the stored wrapped keys are there
    expect(contents).toContain(storage.listTenantKeys("demo")[0]!.wrappedKey);
  });
});
