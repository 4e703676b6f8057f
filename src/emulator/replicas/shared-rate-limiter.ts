/**
 * The rate limiter of several replicas: one token bucket per client, kept in PostgreSQL, so a client
 * sees its configured rate whatever the number of replicas behind the balancer.
 *
 * A replica takes tokens from the bucket with one upsert that refills it by the time elapsed since its
 * last update and takes up to `leaseSize` tokens under the row's lock (concurrent requests of one
 * client on any replica queue on that row; other clients never wait). The lease is 5 % of one second's
 * refill, at least one token, and is spent locally for at most one second; what is left then is
 * dropped, never given back. So a client never gets more than its rate, and at most one lease per
 * replica less; a client limited to 600 a minute leases one token at a time (a round trip per request),
 * while a client allowed 60 000 a minute costs its replicas one round trip per 50 requests. Measured
 * before leasing: a round trip per request held one replica on PostgreSQL to 0.21× the GET throughput
 * of SQLite (bench B12, one client at an effectively unlimited rate). An empty bucket is remembered
 * until its next token is due, so refusals cost no round trip either.
 *
 * Time comes from the replica's clock (injected in tests); a replica whose clock lags another's never
 * moves a bucket's time backwards (GREATEST). The table is UNLOGGED: after a crash of the database the
 * buckets start full again, which only forgets recent spending. Full buckets are purged now and then,
 * since a missing row means a full bucket.
 */
import type { Pool } from "pg";
import { type RateDecision, type RateLimits, rateDecision, ratePolicy } from "../rate-limiter.js";

export const RATE_BUCKETS_TABLE = "cxda_rate_buckets";

export const RATE_BUCKETS_SCHEMA = `
CREATE UNLOGGED TABLE IF NOT EXISTS ${RATE_BUCKETS_TABLE} (
  key TEXT PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  granted INTEGER NOT NULL
)`;

/** $1 key, $2 burst, $3 now (epoch ms), $4 tokens per ms, $5 tokens wanted (≥ 1). */
const REFILLED = `LEAST($2::float8, b.tokens + GREATEST(0, $3::bigint - b.updated_at) * $4::float8)`;
const TAKE = `
INSERT INTO ${RATE_BUCKETS_TABLE} AS b (key, tokens, updated_at, granted)
VALUES ($1, $2::float8 - LEAST($5::int, floor($2::float8)::int), $3::bigint, LEAST($5::int, floor($2::float8)::int))
ON CONFLICT (key) DO UPDATE SET
  tokens = ${REFILLED} - LEAST($5::int, floor(${REFILLED})::int),
  granted = LEAST($5::int, floor(${REFILLED})::int),
  updated_at = GREATEST(b.updated_at, $3::bigint)
RETURNING tokens, granted`;
const PEEK = `SELECT tokens, updated_at FROM ${RATE_BUCKETS_TABLE} WHERE key = $1`;
const PURGE_EVERY_MS = 60_000;
const LEASE_MS = 1_000;
const MAX_LEASES = 100_000;

interface Lease {
  /** Tokens taken from the bucket and not spent yet. */
  left: number;
  /** The bucket's tokens right after the lease was taken, and when (for the headers). */
  bucket: number;
  at: number;
  /** Until when `left` may be spent; for an empty bucket, until its next token is due. */
  until: number;
  /** The bucket was empty: refuse until `until`. */
  empty: boolean;
}

export class SharedRateLimiter implements RateLimits {
  private readonly perMs: number;
  private lastPurge: number;
  /** Tokens taken at once: 5 % of a second's refill, at least 1. */
  readonly leaseSize: number;
  private readonly leases = new Map<string, Lease>();
  private readonly fetching = new Map<string, Promise<RateDecision>>();
  readonly policy: string;

  constructor(
    private readonly pool: Pool,
    readonly perMinute: number,
    readonly burst: number,
    private readonly clock: () => number,
    /** Keeps this limiter's buckets apart from another's in the one table (`api:`, `token:`). */
    private readonly prefix = "api:",
  ) {
    this.perMs = perMinute / 60_000;
    this.leaseSize = Math.max(1, Math.min(burst, Math.floor(perMinute / 60 / 20)));
    this.lastPurge = clock();
    this.policy = ratePolicy(perMinute, burst);
  }

  async take(key: string): Promise<RateDecision> {
    for (;;) {
      const now = this.clock();
      const lease = this.leases.get(key);
      if (lease !== undefined && lease.until > now) {
        if (lease.empty)
          return rateDecision(
            this.perMinute,
            this.burst,
            lease.bucket + (now - lease.at) * this.perMs,
            "refused",
          );
        if (lease.left >= 1) {
          lease.left -= 1;
          return rateDecision(this.perMinute, this.burst, lease.bucket + lease.left, "taken");
        }
      }
      // One lease request per key at a time: requests arriving meanwhile spend what it brings.
      const pending = this.fetching.get(key);
      if (pending !== undefined) {
        await pending;
        continue;
      }
      const fetched = this.lease(key, now);
      this.fetching.set(key, fetched);
      try {
        return await fetched;
      } finally {
        this.fetching.delete(key);
      }
    }
  }

  /** Takes a lease from the bucket: the decision for the request that asked, the rest kept for others. */
  private async lease(key: string, now: number): Promise<RateDecision> {
    if (now - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = now;
      this.purge(now).catch(() => {});
    }
    const result = await this.pool.query<{ tokens: number; granted: number }>(TAKE, [
      this.prefix + key,
      this.burst,
      Math.round(now),
      this.perMs,
      this.leaseSize,
    ]);
    const { tokens, granted } = result.rows[0]!;
    this.leases.delete(key);
    if (this.leases.size >= MAX_LEASES) this.leases.delete(this.leases.keys().next().value!);
    if (granted < 1) {
      // Nobody gets a token before the next is due: refuse locally until then.
      this.leases.set(key, {
        left: 0,
        bucket: tokens,
        at: now,
        until: now + this.msToNextToken(tokens),
        empty: true,
      });
      return rateDecision(this.perMinute, this.burst, tokens, "refused");
    }
    if (granted > 1)
      this.leases.set(key, {
        left: granted - 1,
        bucket: tokens,
        at: now,
        until: now + LEASE_MS,
        empty: false,
      });
    return rateDecision(this.perMinute, this.burst, tokens + granted - 1, "taken");
  }

  async peek(key: string): Promise<RateDecision> {
    const now = this.clock();
    const result = await this.pool.query<{ tokens: number; updated_at: string }>(PEEK, [this.prefix + key]);
    const row = result.rows[0];
    const lease = this.leases.get(key);
    const local = lease !== undefined && lease.until > now && !lease.empty ? lease.left : 0;
    const tokens =
      row === undefined
        ? this.burst
        : Math.min(this.burst, row.tokens + Math.max(0, now - Number(row.updated_at)) * this.perMs);
    return rateDecision(this.perMinute, this.burst, Math.min(this.burst, tokens + local), "peeked");
  }

  /** Drops this replica's leases and remembered refusals (another replica reset the buckets). */
  forgetLeases(): void {
    this.leases.clear();
  }

  /** Every client's bucket full again (the `/_emulator/reset` test hook), on every replica. */
  async reset(): Promise<void> {
    this.leases.clear();
    await this.pool.query(`DELETE FROM ${RATE_BUCKETS_TABLE} WHERE starts_with(key, $1)`, [this.prefix]);
  }

  private msToNextToken(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.perMs));
  }

  /** Rows of buckets that are full again by now carry nothing a missing row does not. */
  private async purge(now: number): Promise<void> {
    const fullAfterMs = Math.ceil(this.burst / this.perMs);
    await this.pool.query(
      `DELETE FROM ${RATE_BUCKETS_TABLE} WHERE starts_with(key, $1) AND updated_at < $2`,
      [this.prefix, now - fullAfterMs],
    );
  }
}
