/**
 * Retry decisions, pure (classification first, AWS SDK style): what kind of failure an
 * attempt had, whether the request may be repeated, and how long to wait before the next attempt.
 */

export interface RetryPolicy {
  maxAttempts: number;
  maxElapsedMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  /**
   * Give up at once when the connection is refused (nothing listens). Right for a loopback server,
   * which does not come up by waiting; a remote host may be restarting, so the default retries.
   */
  failFastOnConnectionRefused?: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxElapsedMs: 60_000,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** How many more attempts a request answered only by 429s may make than `maxAttempts` (issue 11, R5). */
export const THROTTLED_ATTEMPTS_FACTOR = 10;

/** success: done · throttled: 429 · transient: 502/503/504, network, timeout · fatal: anything else. */
export type FailureClass = "success" | "throttled" | "transient" | "fatal";

export type AttemptResult =
  | { status: number }
  /** `refused`: the connection was refused (ECONNREFUSED), so nothing listens there. */
  | { failure: "network" | "timeout" | "abort"; refused?: boolean };

export function classify(result: AttemptResult): FailureClass {
  if ("failure" in result) return result.failure === "abort" ? "fatal" : "transient";
  const { status } = result;
  if (status >= 200 && status < 300) return "success";
  if (status === 429) return "throttled";
  if (status === 502 || status === 503 || status === 504) return "transient";
  return "fatal";
}

export interface RequestTraits {
  method: string;
  hasIdempotencyKey: boolean;
  /** An `If-Match` header or a `version` in the body. */
  hasVersion: boolean;
}

/** Retryable requests: GET, HEAD, OPTIONS, PUT, DELETE; PATCH with a version; POST with an Idempotency-Key. */
export function isIdempotent(traits: RequestTraits): boolean {
  const method = traits.method.toUpperCase();
  if (
    method === "GET" ||
    method === "HEAD" ||
    method === "OPTIONS" ||
    method === "PUT" ||
    method === "DELETE"
  )
    return true;
  if (method === "PATCH") return traits.hasVersion;
  if (method === "POST") return traits.hasIdempotencyKey;
  return false;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds to wait: delay-seconds or an HTTP-date, capped at
 * `capMs`. Undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number, capMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at) || !/[A-Za-z]/.test(text)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(ms, capMs);
}

/** Full jitter: uniform in [0, min(maxDelay, base·2^(attempt-1))); `attempt` is the failed one, from 1. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; reason: string; retryAfterMs?: number };

export interface RetryInput {
  result: AttemptResult;
  traits: RequestTraits;
  /** Attempts made so far, including the one that just failed. */
  attempts: number;
  /** Time spent on this logical request so far. */
  elapsedMs: number;
  /** Parsed Retry-After of the answer, if any. */
  retryAfterMs?: number;
  policy: RetryPolicy;
  random: () => number;
}

export function reasonOf(result: AttemptResult): string {
  if ("failure" in result) return result.failure;
  return result.status === 429 ? "rate-limited" : `status ${result.status}`;
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { result, traits, attempts, elapsedMs, retryAfterMs, policy } = input;
  const kind = classify(result);
  const reason = reasonOf(result);
  const giveUp = (why: string): RetryDecision =>
    retryAfterMs === undefined ? { retry: false, reason: why } : { retry: false, reason: why, retryAfterMs };
  if (kind === "success") return { retry: false, reason: "success" };
  if (kind === "fatal") return giveUp(`${reason} is not retryable`);
  if (policy.failFastOnConnectionRefused && "failure" in result && result.refused === true)
    return giveUp(`${reason}: the connection was refused`);
  const method = traits.method.toUpperCase();
  // A POST without a key could create twice: never repeated, even after a 429.
  if (method === "POST" && !traits.hasIdempotencyKey)
    return giveUp(`${reason}: POST without Idempotency-Key`);
  // A 429 was refused before any work, so any other request may be repeated; transient failures only when idempotent.
  if (kind === "transient" && !isIdempotent(traits)) return giveUp(`${reason}: ${method} is not idempotent`);
  // A 429 did no work and says when to come back: under a storm of callers sharing one client id it may
  // take many turns, so throttled retries are bounded by the time budget (and 10× the attempts as a backstop).
  const cap = kind === "throttled" ? policy.maxAttempts * THROTTLED_ATTEMPTS_FACTOR : policy.maxAttempts;
  if (attempts >= cap) return giveUp(`${reason}: ${attempts} attempts made`);
  const delayMs = retryAfterMs ?? backoffDelay(attempts, policy, input.random);
  if (elapsedMs + delayMs > policy.maxElapsedMs)
    return giveUp(`${reason}: waiting ${delayMs} ms would exceed the ${policy.maxElapsedMs} ms budget`);
  return { retry: true, delayMs, reason };
}
