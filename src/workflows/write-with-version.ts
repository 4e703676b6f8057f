/**
 * One way to write a versioned resource: read it, build what to write from what was
 * read, write it with the version read; when another writer got there first — 409 `version-conflict`
 * (a body `version`) or 412 `precondition-failed` (`If-Match`) — wait a jittered backoff (the client's
 * `backoffDelay`), read again and build again from the new state, a bounded number of rounds. Headers,
 * variables, global variables, overrides, date processing and `cxda apply` all write through it.
 * Other errors (validation, not found, …) end the write at once; 429s and 5xx are the client core's job.
 */
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from "../client/retry-policy.js";
import { ConflictError, CxdaError, PreconditionError } from "../errors.js";

/**
 * Read-build-write rounds before giving up on a contended resource. 16 editors × 10 edits on one action
 * lost ~4 % of edits after 10 rounds (chaos R2); 30 rounds hold.
 */
export const DEFAULT_WRITE_ATTEMPTS = 30;
/** Backoff after the n-th conflict: random() × min(maxDelayMs, baseDelayMs × 2^(n-1)) (full jitter). */
export const CONFLICT_BACKOFF: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs"> = {
  baseDelayMs: 20,
  maxDelayMs: 1000,
};

export interface VersionedWriteOptions {
  /** Read-build-write rounds before giving up (default DEFAULT_WRITE_ATTEMPTS, 30). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** In [0, 1); default Math.random. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What `build` returns when the resource already is as wanted: nothing is written. */
export const NO_WRITE: unique symbol = Symbol("no write");

export interface VersionedWrite<S, P, W> extends VersionedWriteOptions {
  /** What is written, for the give-up message: "the headers of action crm_lookup". */
  what: string | ((current: S) => string);
  /** The current state with its version; `round` counts from 1 (round 1 may resolve a name first). */
  read(round: number): Promise<S>;
  /** What to write given `current` (may throw, e.g. a ValidationError); NO_WRITE when nothing changes. */
  build(current: S, round: number): P | typeof NO_WRITE;
  /** Sends `plan` with `current`'s version; a stale version must surface as 409/412. */
  write(plan: P, current: S): Promise<W>;
}

interface Rounds<S> {
  current: S;
  /** Writes sent (rounds that reached `write`). */
  writes: number;
  /** Writes refused as stale (each then re-read and rebuilt). */
  conflicts: number;
  /** HTTP attempts spent on the refused writes. */
  conflictAttempts: number;
}

export type VersionedWriteResult<S, P, W> =
  | (Rounds<S> & { written: true; plan: P; value: W })
  | (Rounds<S> & { written: false });

/** The one stale-version classifier: 409 `version-conflict` or 412 `precondition-failed`. */
export function isStaleVersion(error: unknown): error is CxdaError {
  if (error instanceof PreconditionError) return true;
  if (!(error instanceof CxdaError)) return false;
  return (
    error.status === 412 ||
    error.slug === "precondition-failed" ||
    (error.slug === "version-conflict" && (error.status === undefined || error.status === 409))
  );
}

export async function writeWithVersion<S, P, W>(
  spec: VersionedWrite<S, P, W>,
): Promise<VersionedWriteResult<S, P, W>> {
  const maxAttempts = Math.max(1, Math.floor(spec.maxAttempts ?? DEFAULT_WRITE_ATTEMPTS));
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    baseDelayMs: spec.baseDelayMs ?? CONFLICT_BACKOFF.baseDelayMs,
    maxDelayMs: spec.maxDelayMs ?? CONFLICT_BACKOFF.maxDelayMs,
  };
  const random = spec.random ?? Math.random;
  const sleep = spec.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let writes = 0;
  let conflicts = 0;
  let conflictAttempts = 0;
  let last: CxdaError | undefined;
  let current!: S;
  for (let round = 1; round <= maxAttempts; round++) {
    current = await spec.read(round);
    const plan = spec.build(current, round);
    if (plan === NO_WRITE) return { written: false, current, writes, conflicts, conflictAttempts };
    writes++;
    try {
      const value = await spec.write(plan, current);
      return { written: true, plan, value, current, writes, conflicts, conflictAttempts };
    } catch (error) {
      if (!isStaleVersion(error)) throw error;
      conflicts++;
      conflictAttempts += Math.max(1, error.attempts);
      last = error;
      if (round < maxAttempts) await sleep(backoffDelay(conflicts, policy, random));
    }
  }
  const what = typeof spec.what === "function" ? spec.what(current) : spec.what;
  throw new ConflictError(
    `${what} kept changing under this edit: gave up after ${maxAttempts} read-apply-write attempts (${conflicts} conflicts); try again`,
    {
      status: last?.status ?? 409,
      slug: last?.slug ?? "version-conflict",
      ...(last?.requestId === undefined ? {} : { requestId: last.requestId }),
      attempts: conflictAttempts,
      cause: last,
    },
  );
}
