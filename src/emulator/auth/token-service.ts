/**
 * Opaque bearer tokens: 32 random bytes, base64url. Only a SHA-256 hash is stored, in the
 * Store, so a restart with the same data directory keeps issued tokens valid until they expire.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ClientConfig, EmulatorConfig, TenantConfig } from "../config.js";
import type { Store } from "../store/store.js";

export interface Principal {
  tenantId: string;
  clientId: string;
  scopes: string[];
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Verified tokens kept in memory (bench B4), each with its expiry, so an expired token is refused by
 * every replica whatever it cached. Replicas drop the cache when another announces that tokens may
 * have changed (`forgetVerified`, replicas/invalidation-bus.ts).
 */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenService {
  private readonly clients = new Map<string, { tenant: TenantConfig; client: ClientConfig }>();
  private lastPurge = 0;
  /** token → its principal and expiry; skips the hash and the store on every request. */
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly config: EmulatorConfig,
    private readonly store: Store,
    private readonly clock: () => number,
  ) {
    for (const tenant of config.tenants)
      for (const client of tenant.clients) this.clients.set(client.id, { tenant, client });
  }

  /** The client when id and secret match, else undefined (never says which part was wrong). */
  authenticateClient(
    clientId: string,
    secret: string,
  ): { tenant: TenantConfig; client: ClientConfig } | undefined {
    const found = this.clients.get(clientId);
    if (!found) {
      secretsEqual(secret, "");
      return undefined;
    }
    return secretsEqual(secret, found.client.secret) ? found : undefined;
  }

  /** True when the access key exists, belongs to `clientId` and its secret matches. */
  checkAccessKey(tenant: TenantConfig, clientId: string, keyId: string, keySecret: string): boolean {
    const key = tenant.accessKeys.find((k) => k.id === keyId);
    const ok = secretsEqual(keySecret, key?.secret ?? "");
    return key !== undefined && key.client === clientId && ok;
  }

  issue(principal: Principal): { token: string; expiresIn: number } {
    const now = this.clock();
    if (now - this.lastPurge > 60_000) {
      this.store.tokens.purgeExpired(now);
      this.lastPurge = now;
    }
    const token = randomBytes(32).toString("base64url");
    const expiresIn = this.config.tokenTtlSeconds;
    this.store.tokens.put({ tokenHash: hashToken(token), ...principal, expiresAt: now + expiresIn * 1000 });
    return { token, expiresIn };
  }

  /**
   * RFC 7009 revocation by the client the token was issued to: `revoked`, `unknown` (no such live
   * token: nothing to do, and the client is not told more) or `other-client` (refused).
   */
  revoke(token: string, clientId: string): "revoked" | "unknown" | "other-client" {
    const tokenHash = hashToken(token);
    const record = this.store.tokens.get(tokenHash);
    if (!record || record.expiresAt <= this.clock()) return "unknown";
    if (record.clientId !== clientId) return "other-client";
    this.store.tokens.delete(tokenHash);
    this.verified.delete(token);
    return "revoked";
  }

  /** Drops every verified token: the next use of each is checked against the store again. */
  forgetVerified(): void {
    this.verified.clear();
  }

  /** The principal of a live token whose client still exists in the config; undefined otherwise. */
  verify(token: string): Principal | undefined {
    const now = this.clock();
    const hit = this.verified.get(token);
    if (hit !== undefined) {
      if (hit.expiresAt > now) return hit.principal;
      this.verified.delete(token);
      return undefined;
    }
    const record = this.store.tokens.get(hashToken(token));
    if (!record || record.expiresAt <= now) return undefined;
    const found = this.clients.get(record.clientId);
    if (!found || found.tenant.id !== record.tenantId) return undefined;
    // Scopes are capped by the client's current grants, in case the config changed since issue.
    const scopes = record.scopes.filter((s) => found.client.scopes.includes(s as never));
    const principal = { tenantId: record.tenantId, clientId: record.clientId, scopes };
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
    this.verified.set(token, { principal, expiresAt: record.expiresAt });
    return principal;
  }
}
