/**
 * Runs the attempts of one logical request: classify each outcome, ask the pure policy whether to
 * go on, wait (a 429 through the pacer's shared pause, the rest by backoff), and stop within the
 * attempt and time budgets. Every retry is reported through `onRetry`.
 */
import { AbortError, CxdaError, NetworkError, TimeoutError } from "../errors.js";
import type { Pacer } from "./pacer.js";
import {
  type AttemptResult,
  decideRetry,
  parseRetryAfter,
  type RequestTraits,
  type RetryPolicy,
} from "./retry-policy.js";
import type { RawResponse } from "./transport.js";

export interface RetryEvent {
  attempt: number;
  reason: string;
  status?: number;
  delayMs: number;
}

export interface RetryLoopOptions {
  traits: RequestTraits;
  policy: RetryPolicy;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  signal?: AbortSignal;
  /** When given, a 429 with Retry-After is waited out in the pacer's shared pause, not here. */
  pacer?: Pacer;
  onRetry?: (event: RetryEvent) => void;
  /**
   * Looked at before the policy: true repeats the request at once, outside the backoff rules
   * (one token refresh and one retry after a 401 invalid_token).
   */
  repeatAtOnce?: (res: RawResponse) => Promise<boolean>;
  /** Attempt 1, already made by the caller (its fast path); the loop goes on from its outcome. */
  first?: FirstAttempt;
}

/** The outcome of an attempt the caller already made: the loop takes it as attempt 1. */
export type FirstAttempt = { response: RawResponse } | { error: unknown };

export interface LoopResult {
  response: RawResponse;
  attempts: number;
  /** Retry-After of the final answer when it was a refusal. */
  retryAfterMs?: number;
}

export async function runWithRetries(
  send: (attempt: number) => Promise<RawResponse>,
  options: RetryLoopOptions,
): Promise<LoopResult> {
  const { policy, clock, traits } = options;
  const start = clock();
  let attempts = 0;
  for (;;) {
    if (options.signal?.aborted) throw new AbortError("the request was aborted", { attempts });
    attempts += 1;
    let result: AttemptResult;
    let response: RawResponse | undefined;
    let failure: CxdaError | undefined;
    try {
      const seeded = attempts === 1 ? options.first : undefined;
      if (seeded === undefined) response = await send(attempts);
      else if ("error" in seeded) throw seeded.error;
      else response = seeded.response;
      result = { status: response.status };
    } catch (error) {
      if (error instanceof CxdaError) error.attempts = attempts;
      if (error instanceof NetworkError)
        result = /ECONNREFUSED/.test(error.message)
          ? { failure: "network", refused: true }
          : { failure: "network" };
      else if (error instanceof TimeoutError) result = { failure: "timeout" };
      else throw error;
      failure = error;
    }
    // Nothing below 400 is ever retried: answer at once, without the retry bookkeeping (bench B3).
    if (response && response.status < 400) return { response, attempts };
    if (response && options.repeatAtOnce && (await options.repeatAtOnce(response))) {
      options.onRetry?.({ attempt: attempts, reason: "token-expired", status: response.status, delayMs: 0 });
      continue;
    }
    const retryAfterMs = response
      ? parseRetryAfter(response.headers["retry-after"], clock(), policy.maxRetryAfterMs)
      : undefined;
    const decision = decideRetry({
      result,
      traits,
      attempts,
      elapsedMs: clock() - start,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      policy,
      random: options.random,
    });
    if (!decision.retry) {
      if (failure) throw failure;
      return retryAfterMs === undefined
        ? { response: response!, attempts }
        : { response: response!, attempts, retryAfterMs };
    }
    // The pacer already started the client-wide pause from this 429's Retry-After (Pacer.observe).
    const throttledViaPacer =
      response?.status === 429 && options.pacer !== undefined && retryAfterMs !== undefined;
    const { delayMs } = decision;
    options.onRetry?.({
      attempt: attempts,
      reason: decision.reason,
      ...(response ? { status: response.status } : {}),
      delayMs,
    });
    // A 429 retry waits in the pacer's gate with everyone else; the others wait here.
    if (!throttledViaPacer && delayMs > 0) await options.sleep(delayMs, options.signal);
  }
}
