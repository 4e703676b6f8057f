/**
 * Token bucket per client: capacity `burst`, refilled at `perMinute` tokens per minute.
 * Headers published on every /api/v2 response, as draft-ietf-httpapi-ratelimit-headers-06 defines them
 * (docs/api.md "Rate limits"):
 * - `RateLimit-Limit`: the quota of the 60 s window (`perMinute`), not the burst;
 * - `RateLimit-Remaining`: whole tokens left in the bucket now (what may be sent without waiting);
 * - `RateLimit-Reset`: whole seconds until the bucket is full again (0 when full);
 * - `RateLimit-Policy`: `<perMinute>;w=60;burst=<burst>` (the quota, its window and the bucket size).
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
  /** Whole seconds ≥ 1 to wait before a retry; only when refused. */
  retryAfterSeconds?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * What the server asks of a rate limiter: this in-memory one (one process, SQLite) or the shared one of
 * several replicas on PostgreSQL (replicas/shared-rate-limiter.ts), which answers asynchronously.
 */
export interface RateLimits {
  readonly perMinute: number;
  readonly burst: number;
  /** `<perMinute>;w=60;burst=<burst>` */
  readonly policy: string;
  take(key: string): RateDecision | Promise<RateDecision>;
  peek(key: string): RateDecision | Promise<RateDecision>;
  reset(): void | Promise<void>;
}

/** `<perMinute>;w=60;burst=<burst>`, made once per limiter (it was a new string on every answer, bench B4). */
export function ratePolicy(perMinute: number, burst: number): string {
  return `${perMinute};w=60;burst=${burst}`;
}

/** The decision for a bucket holding `tokens` after a refill (and after taking one, when `taken`). */
export function rateDecision(
  perMinute: number,
  burst: number,
  tokens: number,
  outcome: "taken" | "refused" | "peeked",
): RateDecision {
  const perMs = perMinute / 60_000;
  const decision: RateDecision = {
    allowed: outcome !== "refused",
    limit: perMinute,
    remaining: Math.floor(tokens),
    resetSeconds: Math.ceil((burst - tokens) / perMs / 1000),
  };
  if (outcome === "refused") decision.retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
  return decision;
}

export class RateLimiter implements RateLimits {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  readonly policy: string;

  constructor(
    readonly perMinute: number,
    readonly burst: number,
    private readonly clock: () => number,
    /** Buckets kept at most (the oldest is dropped: it refills anyway); bounds memory under key floods. */
    private readonly maxKeys = 100_000,
  ) {
    this.perMs = perMinute / 60_000;
    this.policy = ratePolicy(perMinute, burst);
  }

  /** Takes one token for `key` when one is there. */
  take(key: string): RateDecision {
    return this.decide(key, true);
  }

  /** The state for `key` without taking a token. */
  peek(key: string): RateDecision {
    return this.decide(key, false);
  }

  reset(): void {
    this.buckets.clear();
  }

  private decide(key: string, consume: boolean): RateDecision {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (consume) {
      if (allowed) bucket.tokens -= 1;
      if (!this.buckets.has(key) && this.buckets.size >= this.maxKeys)
        this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(key, bucket);
    }
    return rateDecision(
      this.perMinute,
      this.burst,
      bucket.tokens,
      !consume ? "peeked" : allowed ? "taken" : "refused",
    );
  }
}
