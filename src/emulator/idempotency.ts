/**
 * `Idempotency-Key` for any POST route. Same key + same body → the stored response is
 * replayed with `Idempotent-Replayed: true`; another body → 422 `idempotency-key-reuse`; the first
 * still running → 409 `idempotency-key-in-use`. Keys are per tenant, kept 24 h, in SQLite.
 *
 * What is stored: every final answer the handler gives, 2xx and 4xx alike (a 4xx replays as the same
 * 4xx). 5xx answers are not stored, so a retry runs again (as Stripe does for errors before commit).
 * The handler runs synchronously inside one transaction with the record, so a write and its record
 * commit together: a `drop` after commit leaves a record that the retry replays.
 */
import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { type ApiResponse, ProblemError, problemResponse } from "./problem.js";
import { IN_FLIGHT_STATUS, type Store } from "./store/store.js";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An in-flight marker older than this is taken to be left by a process that died (a test run ends long before). */
const IN_FLIGHT_STALE_MS = 2 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
/** Response headers a replay repeats. */
const REPLAYED_HEADERS = ["content-type", "location", "etag"];

/** Canonical JSON (sorted keys), so key order does not make two bodies differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** `canonical`, with a body nested past the call stack refused as a 400 instead of a crash. */
function canonicalOrRefuse(body: unknown): string {
  try {
    return canonical(body);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ProblemError(
      "validation-failed",
      "The request body nests too deeply to be processed; flatten it (a few dozen levels at most).",
      { issues: [{ path: "", code: "validation-failed", message: "the body nests too deeply; flatten it" }] },
    );
  }
}

/** The request's `Idempotency-Key`, validated; undefined when absent. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["idempotency-key"];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw) || !KEY_PATTERN.test(raw))
    throw new ProblemError(
      "validation-failed",
      "Idempotency-Key must be one header of 1–255 visible ASCII characters (no spaces); a UUID is a good choice.",
      {
        issues: [
          {
            path: "Idempotency-Key",
            code: "validation-failed",
            message: "Idempotency-Key must be 1–255 visible ASCII characters",
          },
        ],
      },
    );
  return raw;
}

function serialize(response: ApiResponse): string {
  return response.rawJson ?? (response.body === undefined ? "" : JSON.stringify(response.body));
}

function keyInUse(): ProblemError {
  return new ProblemError(
    "idempotency-key-in-use",
    "A request with this Idempotency-Key is still running; wait for it, then retry with the same key.",
    { headers: { "retry-after": "1" } },
  );
}

function keyReused(): ProblemError {
  return new ProblemError(
    "idempotency-key-reuse",
    "This Idempotency-Key was already used with another request body or path; use a new key for a new request.",
  );
}

export class IdempotencyGuard {
  private readonly inFlight = new Map<string, string>();
  private lastPurge = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  /**
   * Runs `handler` at most once per (tenant, key). `handler` must be synchronous so that its writes
   * and the record commit in one transaction; a thrown ProblemError becomes the stored 4xx answer.
   */
  async run(
    request: FastifyRequest,
    tenantId: string,
    body: unknown,
    handler: () => ApiResponse,
  ): Promise<ApiResponse> {
    const claim = this.claim(request, tenantId, body);
    if (claim.kind === "none") {
      await this.delay(request);
      // One transaction without a key too: the write commits whole, as one tenant revision.
      return this.store.transaction(handler);
    }
    if (claim.kind === "replay") return claim.response;
    try {
      await this.delay(request);
      return this.store.transaction(() => {
        // Another process on the same database (a replica) may have answered this key meanwhile: its
        // record is read again inside the transaction, which on PostgreSQL holds the store's write lock.
        const meanwhile = this.storedAnswer(request, tenantId, claim.key, claim.fingerprint, claim.now);
        if (meanwhile !== undefined) return meanwhile;
        let response: ApiResponse;
        try {
          response = this.store.transaction(handler);
        } catch (error) {
          if (!(error instanceof ProblemError) || error.status >= 500) throw error;
          response = problemResponse(error, request.emu.requestId);
        }
        this.remember(claim, tenantId, response);
        return response;
      });
    } finally {
      this.inFlight.delete(claim.slot);
    }
  }

  /**
   * The variant for an operation that changes no state and awaits (a sandboxed test run): the answer
   * is stored once the handler settles, so a retry with the same key replays it instead of running
   * again — unless the handler says `remember: false` (an answer that may hold decrypted secrets is
   * never written to disk; a retry then runs again, which is safe since nothing changed).
   */
  async runAsync(
    request: FastifyRequest,
    tenantId: string,
    body: unknown,
    handler: () => Promise<{ response: ApiResponse; remember: boolean }>,
  ): Promise<ApiResponse> {
    const claim = this.claim(request, tenantId, body);
    if (claim.kind === "none") {
      await this.delay(request);
      return (await handler()).response;
    }
    if (claim.kind === "replay") return claim.response;
    // Marked in the database too, so that another process (a replica) answers 409 meanwhile.
    let marked = false;
    let stored = false;
    try {
      marked = this.store.idempotency.claim(
        { tenantId, key: claim.key, fingerprint: claim.fingerprint, createdTimestamp: claim.now },
        claim.now - IN_FLIGHT_STALE_MS,
        claim.now - IDEMPOTENCY_TTL_MS,
      );
      if (!marked) {
        // Another process holds the key, or has answered it since it was read.
        const answered = this.storedAnswer(request, tenantId, claim.key, claim.fingerprint, claim.now);
        if (answered !== undefined) return answered;
        throw keyInUse();
      }
      await this.delay(request);
      let outcome: { response: ApiResponse; remember: boolean };
      try {
        outcome = await handler();
      } catch (error) {
        if (!(error instanceof ProblemError) || error.status >= 500) throw error;
        outcome = { response: problemResponse(error, request.emu.requestId), remember: true };
      }
      if (outcome.remember) stored = this.remember(claim, tenantId, outcome.response);
      return outcome.response;
    } finally {
      this.inFlight.delete(claim.slot);
      if (marked && !stored)
        try {
          this.store.idempotency.release(tenantId, claim.key);
        } catch {
          // the database is away: the marker goes stale after IN_FLIGHT_STALE_MS
        }
    }
  }

  /** No key; a stored answer to replay; or the (tenant, key) slot, now marked in flight. */
  private claim(
    request: FastifyRequest,
    tenantId: string,
    body: unknown,
  ):
    | { kind: "none" }
    | { kind: "replay"; response: ApiResponse }
    | { kind: "claimed"; key: string; slot: string; fingerprint: string; now: number } {
    const key = idempotencyKeyOf(request);
    if (key === undefined) return { kind: "none" };
    request.emu.idempotencyKey = key;
    const now = this.clock();
    if (now - this.lastPurge > 60_000) {
      this.store.idempotency.purgeBefore(now - IDEMPOTENCY_TTL_MS);
      this.lastPurge = now;
    }
    const fingerprint = createHash("sha256")
      .update(`${request.method} ${request.emu.path}\n${canonicalOrRefuse(body)}`)
      .digest("hex");
    const slot = `${tenantId}\u0000${key}`;
    const running = this.inFlight.get(slot);
    if (running !== undefined && running !== fingerprint) throw keyReused();
    if (running === undefined) {
      const stored = this.storedAnswer(request, tenantId, key, fingerprint, now);
      if (stored !== undefined) return { kind: "replay", response: stored };
    } else throw keyInUse();
    this.inFlight.set(slot, fingerprint);
    return { kind: "claimed", key, slot, fingerprint, now };
  }

  /** The live stored answer to replay for this key, if any; another body's is a 422. */
  private storedAnswer(
    request: FastifyRequest,
    tenantId: string,
    key: string,
    fingerprint: string,
    now: number,
  ): ApiResponse | undefined {
    const stored = this.store.idempotency.get(tenantId, key);
    if (stored === undefined || stored.createdTimestamp <= now - IDEMPOTENCY_TTL_MS) return undefined;
    if (stored.status === IN_FLIGHT_STATUS && stored.createdTimestamp < now - IN_FLIGHT_STALE_MS)
      return undefined;
    if (stored.fingerprint !== fingerprint) throw keyReused();
    // Running in another process (a replica on the same database).
    if (stored.status === IN_FLIGHT_STATUS) throw keyInUse();
    request.emu.replayed = true;
    const headers: Record<string, string> = { ...stored.headers, "idempotent-replayed": "true" };
    return { status: stored.status, headers, rawJson: stored.body };
  }

  /** Stores a final (< 500) answer for replay; false when the answer is not one. */
  private remember(
    claim: { key: string; fingerprint: string; now: number },
    tenantId: string,
    response: ApiResponse,
  ): boolean {
    if (response.status >= 500) return false;
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.headers?.[name];
      if (value !== undefined) headers[name] = value;
    }
    if (headers["content-type"] === undefined && response.status !== 204)
      headers["content-type"] = "application/json";
    this.store.idempotency.put({
      tenantId,
      key: claim.key,
      fingerprint: claim.fingerprint,
      status: response.status,
      headers,
      body: serialize(response),
      createdTimestamp: claim.now,
    });
    return true;
  }

  /** Applies a pending injected delay inside the in-flight window (the `delayMs` fault). */
  private async delay(request: FastifyRequest): Promise<void> {
    const ms = request.emu.pendingDelayMs;
    if (ms > 0) {
      request.emu.pendingDelayMs = 0;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }

  clear(): void {
    this.inFlight.clear();
  }
}
