/**
 * In-memory access token: refreshed early (60 s before expiry, or 10 % of the lifetime
 * if shorter), one in-flight token request shared by every concurrent caller (single flight).
 */
import type { TokenGrant } from "./oauth.js";

export interface CachedToken {
  accessToken: string;
  scopes: string[];
  obtainedAt: number;
  expiresAt: number;
  refreshAt: number;
}

const EARLY_REFRESH_MS = 60_000;

/** When to refresh a token of the given lifetime: 60 s early, or 10 % of the lifetime if that is shorter. */
export function refreshMargin(lifetimeMs: number): number {
  return Math.min(EARLY_REFRESH_MS, lifetimeMs * 0.1);
}

export class TokenCache {
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;
  /** How many token requests were made (for tests and metrics). */
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<TokenGrant>,
    private readonly clock: () => number,
  ) {}

  /** A token fresh enough to send now. */
  /** The cached token while it is fresh, without a promise (the hot path of every request). */
  fresh(): CachedToken | undefined {
    const cached = this.cached;
    return cached && this.clock() < cached.refreshAt ? cached : undefined;
  }

  async get(): Promise<CachedToken> {
    const cached = this.cached;
    if (cached && this.clock() < cached.refreshAt) return cached;
    return this.refresh();
  }

  /** The token held now, however old (undefined before the first request or after `invalidate`). */
  held(): CachedToken | undefined {
    return this.cached;
  }

  /** Drops the cached token if it is still `token` (a 401 invalid_token answered it). */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.accessToken === token) this.cached = undefined;
  }

  /** One shared token request, however many callers ask at once. */
  refresh(): Promise<CachedToken> {
    if (!this.inFlight) {
      this.fetches += 1;
      this.inFlight = this.fetchToken()
        .then((grant) => {
          const obtainedAt = this.clock();
          const lifetimeMs = grant.expiresInSeconds * 1000;
          const token: CachedToken = {
            accessToken: grant.accessToken,
            scopes: grant.scopes,
            obtainedAt,
            expiresAt: obtainedAt + lifetimeMs,
            refreshAt: obtainedAt + lifetimeMs - refreshMargin(lifetimeMs),
          };
          this.cached = token;
          return token;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }
}
