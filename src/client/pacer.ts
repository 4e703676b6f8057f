/**
 * Client-side pacing: a concurrency cap, a token bucket that follows the server's
 * published `RateLimit-*` headers, and one shared pause after a 429 that holds every queued attempt
 * of this client until `Retry-After` has passed.
 */
import { parseRetryAfter } from "./retry-policy.js";

export interface PacerOptions {
  maxConcurrency: number;
  /** Cap on a 429's Retry-After (60 s). */
  maxRetryAfterMs: number;
  /** Pause after a 429 that names no Retry-After. */
  defaultPauseMs: number;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class Pacer {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private pausedUntil = 0;
  /** Tokens the client believes it may still spend; undefined until the server publishes a limit. */
  private tokens: number | undefined;
  private capacity = 0;
  /** Tokens per ms, estimated from Limit, Remaining and Reset. */
  private refillPerMs = 0;
  private resetAt = 0;
  private lastRefill = 0;

  constructor(private readonly options: PacerOptions) {}

  /** Runs one attempt inside a concurrency slot, after any shared pause and rate wait. */
  run<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.enterNow()) return this.holding(attempt);
    return this.runQueued(attempt, signal);
  }

  /**
   * The common case without queueing: a free slot, no pause, a token in hand. When it answers true the
   * caller holds a slot and must call `release()` once its attempt settles.
   */
  enterNow(): boolean {
    if (this.active >= this.options.maxConcurrency || this.waiting.length > 0 || !this.passNow())
      return false;
    this.active += 1;
    return true;
  }

  private async holding<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } finally {
      this.release();
    }
  }

  private async runQueued<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire();
    try {
      await this.gate(signal);
      return await attempt();
    } finally {
      this.release();
    }
  }

  /** The gate's answer when nothing needs waiting for: true (and a token spent) or false. */
  private passNow(): boolean {
    if (this.pausedUntil > 0 && this.pauseRemaining() > 0) return false;
    if (this.tokens === undefined) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** One shared pause for every attempt of this client (a 429's Retry-After). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.options.clock() + ms);
  }

  /** Millis until the shared pause ends (0 when not paused). */
  pauseRemaining(): number {
    return Math.max(0, this.pausedUntil - this.options.clock());
  }

  /**
   * Learns from an answer before its slot is released, so no queued attempt slips through:
   * a 429 starts the shared pause; `RateLimit-Limit/Remaining/Reset` (reset in seconds) set the budget.
   */
  observe(status: number, headers: Record<string, string>): void {
    if (status === 429) {
      const wait = parseRetryAfter(
        headers["retry-after"],
        this.options.clock(),
        this.options.maxRetryAfterMs,
      );
      this.pauseFor(wait ?? this.options.defaultPauseMs);
    }
    const limit = toNumber(headers["ratelimit-limit"]);
    const remaining = toNumber(headers["ratelimit-remaining"]);
    const reset = toNumber(headers["ratelimit-reset"]);
    if (limit === undefined || remaining === undefined) return;
    const now = this.options.clock();
    // `RateLimit-Policy: <quota>;w=<seconds>;burst=<n>` states the refill rate and the bucket size
    // exactly (Limit is the window's quota, which a bucket never holds at once); Reset is whole seconds,
    // so the rate derived from it undershoots. Else the bucket refills what is missing by the reset time.
    const policy = parsedPolicy(headers["ratelimit-policy"]);
    this.capacity = Math.max(1, policy?.burst ?? limit);
    const resetMs = (reset ?? 0) * 1000;
    this.resetAt = now + resetMs;
    const policyRate = policy?.refillPerMs;
    if (policyRate !== undefined) this.refillPerMs = policyRate;
    else if (resetMs > 0 && remaining < limit) this.refillPerMs = (limit - remaining) / resetMs;
    // Other attempts already in flight will spend tokens the server has not yet counted.
    this.tokens = Math.max(0, remaining - Math.max(0, this.active - 1));
    this.lastRefill = now;
  }

  private async gate(signal?: AbortSignal): Promise<void> {
    // Waiters check again after every sleep: many may wake for one new token, and only one may take it.
    for (;;) {
      const pause = this.pauseRemaining();
      if (pause > 0) {
        await this.options.sleep(pause, signal);
        continue;
      }
      if (this.tokens === undefined) return;
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const wait =
        this.refillPerMs > 0
          ? Math.ceil((1 - this.tokens) / this.refillPerMs)
          : Math.max(0, this.resetAt - this.options.clock());
      if (wait <= 0) {
        // Nothing tells when a token comes back: go ahead rather than wait forever.
        this.tokens = 0;
        return;
      }
      await this.options.sleep(wait, signal);
    }
  }

  private refill(): void {
    if (this.tokens === undefined) return;
    const now = this.options.clock();
    const elapsed = Math.max(0, now - this.lastRefill);
    this.lastRefill = now;
    if (this.refillPerMs > 0) this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerMs);
    else if (now >= this.resetAt && this.resetAt > 0) this.tokens = Math.max(this.tokens, this.capacity);
  }

  private acquire(): Promise<void> {
    if (this.active < this.options.maxConcurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Gives a slot back: to the first queued attempt, or to the pool. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  /** For tests and metrics: attempts holding a slot right now. */
  get inFlight(): number {
    return this.active;
  }
}

interface Policy {
  refillPerMs: number | undefined;
  burst: number | undefined;
}

let lastPolicy: { value: string; policy: Policy } | undefined;

/** Rate (tokens per ms) and bucket size of `RateLimit-Policy: 1200;w=60;burst=20` (draft-ietf-httpapi-ratelimit-headers-06). */
function parsedPolicy(value: string | undefined): Policy | undefined {
  if (value === undefined) return undefined;
  // A server sends the same policy on every answer: parse it once.
  if (lastPolicy?.value !== value) lastPolicy = { value, policy: parsePolicy(value) };
  return lastPolicy.policy;
}

function parsePolicy(value: string): Policy {
  const [quota, ...params] = (value.split(",")[0] ?? "").split(";").map((p) => p.trim());
  const param = (name: string) => {
    const n = Number(params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1));
    return Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const q = Number(quota);
  const w = param("w");
  return {
    refillPerMs: Number.isFinite(q) && q > 0 && w !== undefined ? q / (w * 1000) : undefined,
    burst: param("burst"),
  };
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.includes(",") ? value.split(",")[0]?.trim() : value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
