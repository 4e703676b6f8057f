/**
 * Per-tenant envelope encryption. Each tenant has data keys (one active, older ones kept
 * for decryption) and one fingerprint key that never rotates, so fingerprints stay comparable. Master
 * keys are random 32-byte keys stored only wrapped under the root key (AES-256-GCM, AAD = tenant, key id,
 * purpose). Values are sealed under the active data key with AAD = tenant, scope, name and key id.
 * Key ids are `k_<epoch ms>_<16 hex chars>`; the first keys of a tenant are created on first use.
 */
import { createHmac, randomBytes } from "node:crypto";
import { gcmOpen, gcmParse, gcmSeal } from "./aes-gcm.js";
import { type KeyPurpose, type ValueBinding, valueAad, wrappedKeyAad } from "./binding.js";
import type { KeyStorage, StoredTenantKey } from "./key-storage.js";
import { KeyringError } from "./keyring-error.js";
import { ROOT_KEY_BYTES } from "./root-key.js";

/** A value sealed under a tenant data key: base64 of iv(12)|tag(16)|ciphertext, and the key's id. */
export interface SealedValue {
  ciphertext: string;
  keyId: string;
}

export interface TenantKeyringOptions {
  /** 32 bytes, from `loadRootKey`. */
  rootKey: Buffer;
  storage: KeyStorage;
  /** Epoch ms for key ids and createdTimestamp; defaults to Date.now. */
  clock?: () => number;
}

export interface TenantKeyList {
  activeKeyId: string;
  /** Data keys, oldest first. */
  keys: { keyId: string; createdTimestamp: number }[];
}

export class TenantKeyring {
  private readonly rootKey: Buffer;
  private readonly storage: KeyStorage;
  private readonly clock: () => number;
  /** Unwrapped keys by tenant, then key id; stored keys never change, so the cache cannot go stale. */
  private readonly unwrapped = new Map<string, Map<string, Buffer>>();

  constructor(options: TenantKeyringOptions) {
    if (!Buffer.isBuffer(options.rootKey) || options.rootKey.length !== ROOT_KEY_BYTES) {
      throw new KeyringError(
        `the root key must be ${ROOT_KEY_BYTES} bytes: load it with loadRootKey()`,
        "invalid-root-key",
      );
    }
    this.rootKey = Buffer.from(options.rootKey);
    this.storage = options.storage;
    this.clock = options.clock ?? Date.now;
  }

  /** Encrypts under the tenant's active data key (created on first use). */
  seal(tenantId: string, binding: ValueBinding, plaintext: string): SealedValue {
    const bytes = Buffer.from(plaintext, "utf8");
    if (bytes.toString("utf8") !== plaintext) {
      throw new KeyringError(
        `value of '${binding.name}' holds a lone UTF-16 surrogate and cannot be stored as UTF-8: send valid Unicode text`,
        "invalid-plaintext",
      );
    }
    const keyId = this.ensureActiveKeyId(tenantId);
    const key = this.key(tenantId, keyId, "data");
    const ciphertext = gcmSeal(key, bytes, valueAad(tenantId, binding, keyId));
    bytes.fill(0);
    return { ciphertext, keyId };
  }

  /** Decrypts, or throws KeyringError: never returns bytes that failed authentication. */
  open(tenantId: string, binding: ValueBinding, sealed: SealedValue): string {
    const label = `ciphertext for '${binding.name}'`;
    const parts = gcmParse(sealed?.ciphertext);
    if (parts === undefined) {
      throw new KeyringError(
        `${label} is malformed: expected base64 of iv(12 bytes)|tag(16 bytes)|ciphertext; the stored value is damaged, set the secret again`,
        "malformed-ciphertext",
      );
    }
    const stored = this.storage.listTenantKeys(tenantId).find((k) => k.keyId === sealed.keyId);
    if (stored === undefined || stored.purpose !== "data") {
      throw new KeyringError(
        `${label} names key '${String(sealed.keyId)}', which is not a data key of this tenant: it belongs to another tenant or the key store was replaced; set the secret again`,
        "unknown-key",
      );
    }
    const key = this.key(tenantId, stored.keyId, "data", stored);
    const plaintext = gcmOpen(key, parts, valueAad(tenantId, binding, stored.keyId));
    if (plaintext === undefined) {
      throw new KeyringError(
        `${label} failed authentication: it was altered or belongs to another action, name or tenant; set the secret again`,
        "authentication-failed",
      );
    }
    const text = plaintext.toString("utf8");
    plaintext.fill(0);
    return text;
  }

  /** A value's fingerprint: `"hmac-sha256:" + base64url(HMAC-SHA256(tenant fingerprint key, value))`. */
  fingerprint(tenantId: string, value: string): string {
    const key = this.fingerprintKey(tenantId);
    return `hmac-sha256:${createHmac("sha256", key).update(value, "utf8").digest("base64url")}`;
  }

  /** Makes a new active data key; old keys stay for decryption. */
  rotate(tenantId: string): { activeKeyId: string } {
    const stored = this.createKey(tenantId, "data");
    this.storage.setActiveKey(tenantId, stored.keyId);
    return { activeKeyId: stored.keyId };
  }

  keys(tenantId: string): TenantKeyList {
    const activeKeyId = this.ensureActiveKeyId(tenantId);
    const keys = this.storage
      .listTenantKeys(tenantId)
      .filter((k) => k.purpose === "data")
      .sort((a, b) => a.createdTimestamp - b.createdTimestamp || compare(a.keyId, b.keyId))
      .map((k) => ({ keyId: k.keyId, createdTimestamp: k.createdTimestamp }));
    return { activeKeyId, keys };
  }

  /** Opens with the value's key and seals under the active one; a value already there is verified and kept. */
  reseal(tenantId: string, binding: ValueBinding, sealed: SealedValue): SealedValue {
    const plaintext = this.open(tenantId, binding, sealed);
    if (sealed.keyId === this.ensureActiveKeyId(tenantId))
      return { ciphertext: sealed.ciphertext, keyId: sealed.keyId };
    return this.seal(tenantId, binding, plaintext);
  }

  private ensureActiveKeyId(tenantId: string): string {
    const activeKeyId = this.storage.getActiveKeyId(tenantId);
    if (activeKeyId !== undefined) return activeKeyId;
    return this.rotate(tenantId).activeKeyId;
  }

  /** The tenant's fingerprint key: the oldest one if a store somehow holds several, so it never changes. */
  private fingerprintKey(tenantId: string): Buffer {
    const existing = this.storage
      .listTenantKeys(tenantId)
      .filter((k) => k.purpose === "fingerprint")
      .sort((a, b) => a.createdTimestamp - b.createdTimestamp || compare(a.keyId, b.keyId))[0];
    const stored = existing ?? this.createKey(tenantId, "fingerprint");
    return this.key(tenantId, stored.keyId, "fingerprint", stored);
  }

  private createKey(tenantId: string, purpose: KeyPurpose): StoredTenantKey {
    const taken = new Set(this.storage.listTenantKeys(tenantId).map((k) => k.keyId));
    const createdTimestamp = this.clock();
    let keyId: string;
    do keyId = `k_${createdTimestamp}_${randomBytes(8).toString("hex")}`;
    while (taken.has(keyId));
    const master = randomBytes(32);
    const stored: StoredTenantKey = {
      keyId,
      createdTimestamp,
      wrappedKey: gcmSeal(this.rootKey, master, wrappedKeyAad(tenantId, keyId, purpose)),
      purpose,
    };
    this.storage.insertTenantKey(tenantId, stored);
    this.cacheFor(tenantId).set(keyId, master);
    return stored;
  }

  /** The unwrapped master key; `stored` saves a storage read when the caller already has the row. */
  private key(tenantId: string, keyId: string, purpose: KeyPurpose, stored?: StoredTenantKey): Buffer {
    const cached = this.cacheFor(tenantId).get(keyId);
    if (cached !== undefined) return cached;
    const row = stored ?? this.storage.listTenantKeys(tenantId).find((k) => k.keyId === keyId);
    if (row === undefined || row.purpose !== purpose) {
      throw new KeyringError(
        `the key store of tenant '${tenantId}' names ${purpose} key '${keyId}' but does not hold it: restore the key store from a backup`,
        "corrupt-key-storage",
      );
    }
    const parts = gcmParse(row.wrappedKey);
    const master = parts && gcmOpen(this.rootKey, parts, wrappedKeyAad(tenantId, row.keyId, row.purpose));
    if (master === undefined || master.length !== 32) {
      throw new KeyringError(
        `tenant key '${row.keyId}' of tenant '${tenantId}' cannot be unwrapped: the root key is not the one that wrapped it, ` +
          "or the stored key was altered; start the emulator with the original CXDA_EMULATOR_ROOT_KEY or root.key",
        "root-key-mismatch",
      );
    }
    this.cacheFor(tenantId).set(row.keyId, master);
    return master;
  }

  private cacheFor(tenantId: string): Map<string, Buffer> {
    let cache = this.unwrapped.get(tenantId);
    if (cache === undefined) {
      cache = new Map();
      this.unwrapped.set(tenantId, cache);
    }
    return cache;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
