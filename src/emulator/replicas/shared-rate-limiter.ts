/**
 * The rate limiter of several replicas: one token bucket per client, kept in PostgreSQL, so a client
 * sees its configured rate whatever the number of replicas behind the balancer.
 *
 * One round trip per request: an upsert that refills the bucket by the time elapsed since its last
 * update, takes a token when one is there, and returns what is left, under the row's lock (concurrent
 * requests of one client on any replica queue on that row; other clients never wait). Measured on the
 * machine of the issue at ~0.2 ms per take (bench B12 has the end-to-end figure), so no replica leases
 * tokens in chunks: leasing would let a client burst above its rate on each replica.
 *
 * Time comes from the replica's clock (injected in tests); a replica whose clock lags another's never
 * moves a bucket's time backwards (GREATEST). The table is UNLOGGED: after a crash of the database the
 * buckets start full again, which only forgets recent spending. Full buckets are purged now and then,
 * since a missing row means a full bucket.
 */
import type { Pool } from "pg";
import { type RateDecision, type RateLimits, rateDecision } from "../rate-limiter.js";

export const RATE_BUCKETS_TABLE = "cxda_rate_buckets";

export const RATE_BUCKETS_SCHEMA = `
CREATE UNLOGGED TABLE IF NOT EXISTS ${RATE_BUCKETS_TABLE} (
  key TEXT PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  allowed BOOLEAN NOT NULL
)`;

/** $1 key, $2 burst, $3 now (epoch ms), $4 tokens per ms. */
const REFILLED = `LEAST($2::float8, b.tokens + GREATEST(0, $3::bigint - b.updated_at) * $4::float8)`;
const TAKE = `
INSERT INTO ${RATE_BUCKETS_TABLE} AS b (key, tokens, updated_at, allowed)
VALUES ($1, $2::float8 - 1, $3::bigint, true)
ON CONFLICT (key) DO UPDATE SET
  tokens = ${REFILLED} - CASE WHEN ${REFILLED} >= 1 THEN 1 ELSE 0 END,
  allowed = ${REFILLED} >= 1,
  updated_at = GREATEST(b.updated_at, $3::bigint)
RETURNING tokens, allowed`;
const PEEK = `SELECT tokens, updated_at FROM ${RATE_BUCKETS_TABLE} WHERE key = $1`;
const PURGE_EVERY_MS = 60_000;

export class SharedRateLimiter implements RateLimits {
  private readonly perMs: number;
  private lastPurge: number;

  constructor(
    private readonly pool: Pool,
    readonly perMinute: number,
    readonly burst: number,
    private readonly clock: () => number,
    /** Keeps this limiter's buckets apart from another's in the one table (`api:`, `token:`). */
    private readonly prefix = "api:",
  ) {
    this.perMs = perMinute / 60_000;
    this.lastPurge = clock();
  }

  get policy(): string {
    return `${this.perMinute};w=60;burst=${this.burst}`;
  }

  async take(key: string): Promise<RateDecision> {
    const now = this.clock();
    if (now - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = now;
      this.purge(now).catch(() => {});
    }
    const result = await this.pool.query<{ tokens: number; allowed: boolean }>(TAKE, [
      this.prefix + key,
      this.burst,
      Math.round(now),
      this.perMs,
    ]);
    const row = result.rows[0]!;
    return rateDecision(this.perMinute, this.burst, row.tokens, row.allowed ? "taken" : "refused");
  }

  async peek(key: string): Promise<RateDecision> {
    const now = this.clock();
    const result = await this.pool.query<{ tokens: number; updated_at: string }>(PEEK, [this.prefix + key]);
    const row = result.rows[0];
    const tokens =
      row === undefined
        ? this.burst
        : Math.min(this.burst, row.tokens + Math.max(0, now - Number(row.updated_at)) * this.perMs);
    return rateDecision(this.perMinute, this.burst, tokens, "peeked");
  }

  /** Every client's bucket full again (the `/_emulator/reset` test hook), on every replica. */
  async reset(): Promise<void> {
    await this.pool.query(`DELETE FROM ${RATE_BUCKETS_TABLE} WHERE starts_with(key, $1)`, [this.prefix]);
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
