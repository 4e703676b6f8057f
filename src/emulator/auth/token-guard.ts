/**
 * Guessing protection of `POST /oauth2/token` (issue 15 item 6), per client id and per source address:
 * - a token bucket of all token requests (`tokenRateLimit`, default 300 per minute, bursts of 60);
 * - after `freeFailures` failed authentications (wrong or unknown client secret, wrong access key), a
 *   lockout of 1 s that doubles with every further failure, never longer than `maxLockoutSeconds`.
 * A locked key is answered 429 with `Retry-After` before any secret is compared, so a locked-out
 * guesser learns nothing, and a correct secret is accepted at most `maxLockoutSeconds` after the last
 * wrong one. A success forgets the client's failures; failures are forgotten after `forgetAfterMs`
 * without one. Each map is bounded: the least recently seen keys are dropped first.
 *
 * Several replicas on PostgreSQL share the buckets (the shared rate limiter, its buckets apart from the API's),
 * so the rate holds whatever the number of replicas; failure counts and lockouts are each replica's own.
 */
import { RateLimiter, type RateLimits } from "../rate-limiter.js";

export interface TokenGuardPolicy {
  perMinute: number;
  burst: number;
  /** Failures answered normally before the first lockout, per client id. */
  clientFreeFailures: number;
  /** The same per source address (one address may serve several clients). */
  addressFreeFailures: number;
  maxLockoutSeconds: number;
  forgetAfterMs: number;
}

export const DEFAULT_TOKEN_GUARD: TokenGuardPolicy = {
  perMinute: 300,
  burst: 60,
  clientFreeFailures: 5,
  addressFreeFailures: 20,
  maxLockoutSeconds: 60,
  forgetAfterMs: 15 * 60_000,
};

const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

export type TokenGuardDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; reason: string };

export class TokenGuard {
  private readonly failures = new Map<string, Failures>();
  private readonly buckets: RateLimits;

  constructor(
    private readonly clock: () => number,
    readonly policy: TokenGuardPolicy = DEFAULT_TOKEN_GUARD,
    /** Makes the buckets (default: this process's own); replicas pass the shared limiter. */
    buckets?: (perMinute: number, burst: number) => RateLimits,
  ) {
    this.buckets = buckets
      ? buckets(policy.perMinute, policy.burst)
      : new RateLimiter(policy.perMinute, policy.burst, clock);
  }

  /** Called before any secret is compared; `clientId` is the id the request claims, if any. */
  async admit(clientId: string | undefined, address: string): Promise<TokenGuardDecision> {
    const now = this.clock();
    for (const [key, who] of this.keys(clientId, address)) {
      const entry = this.current(key, now);
      if (entry && entry.lockedUntil > now)
        return {
          allowed: false,
          retryAfterSeconds: Math.ceil((entry.lockedUntil - now) / 1000),
          reason: `${entry.count} failed token requests ${who}`,
        };
    }
    for (const [key, who] of this.keys(clientId, address)) {
      const rate = await this.buckets.take(key);
      if (!rate.allowed)
        return {
          allowed: false,
          retryAfterSeconds: rate.retryAfterSeconds ?? 1,
          reason: `more than ${this.policy.perMinute} token requests per minute (bursts of ${this.policy.burst}) ${who}`,
        };
    }
    return { allowed: true };
  }

  /** A wrong or unknown client secret, or a wrong access key. */
  failed(clientId: string | undefined, address: string): void {
    const now = this.clock();
    for (const [key] of this.keys(clientId, address)) {
      const entry = this.current(key, now) ?? { count: 0, lastAt: now, lockedUntil: 0 };
      entry.count += 1;
      entry.lastAt = now;
      const free = key.startsWith("client:")
        ? this.policy.clientFreeFailures
        : this.policy.addressFreeFailures;
      if (entry.count >= free) {
        const seconds = Math.min(this.policy.maxLockoutSeconds, 2 ** Math.min(30, entry.count - free));
        entry.lockedUntil = now + seconds * 1000;
      }
      this.failures.delete(key);
      this.failures.set(key, entry);
      if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    }
  }

  /** A correct secret: the client's failures are forgotten (the address's decay with time). */
  succeeded(clientId: string): void {
    this.failures.delete(`client:${clientId}`);
  }

  async reset(): Promise<void> {
    this.failures.clear();
    await this.buckets.reset();
  }

  private keys(clientId: string | undefined, address: string): [string, string][] {
    const keys: [string, string][] = [[`address:${address}`, `from address ${address}`]];
    if (clientId !== undefined)
      keys.unshift([
        `client:${clientId.slice(0, 128)}`,
        `for client ${JSON.stringify(clientId.slice(0, 64))}`,
      ]);
    return keys;
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.lastAt > this.policy.forgetAfterMs && entry.lockedUntil <= now) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}
