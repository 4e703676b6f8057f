/**
 * `Idempotency-Key` for any POST route (SPEC §3). Same key + same body → the stored response is
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
import type { Store } from "./store/store.js";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
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
    const key = idempotencyKeyOf(request);
    if (key === undefined) {
      await this.delay(request);
      return handler();
    }
    request.emu.idempotencyKey = key;
    const now = this.clock();
    if (now - this.lastPurge > 60_000) {
      this.store.idempotency.purgeBefore(now - IDEMPOTENCY_TTL_MS);
      this.lastPurge = now;
    }
    const fingerprint = createHash("sha256")
      .update(`${request.method} ${request.emu.path}\n${canonical(body)}`)
      .digest("hex");
    const slot = `${tenantId}\u0000${key}`;
    const running = this.inFlight.get(slot);
    const stored = this.store.idempotency.get(tenantId, key);
    const live = stored && stored.createdTimestamp > now - IDEMPOTENCY_TTL_MS ? stored : undefined;
    const known = running ?? live?.fingerprint;
    if (known !== undefined && known !== fingerprint)
      throw new ProblemError(
        "idempotency-key-reuse",
        "This Idempotency-Key was already used with another request body or path; use a new key for a new request.",
      );
    if (running !== undefined)
      throw new ProblemError(
        "idempotency-key-in-use",
        "A request with this Idempotency-Key is still running; wait for it, then retry with the same key.",
        { headers: { "retry-after": "1" } },
      );
    if (live) {
      request.emu.replayed = true;
      const headers: Record<string, string> = { ...live.headers, "idempotent-replayed": "true" };
      return { status: live.status, headers, rawJson: live.body };
    }
    this.inFlight.set(slot, fingerprint);
    try {
      await this.delay(request);
      return this.store.transaction(() => {
        let response: ApiResponse;
        try {
          response = this.store.transaction(handler);
        } catch (error) {
          if (!(error instanceof ProblemError) || error.status >= 500) throw error;
          response = problemResponse(error, request.emu.requestId);
        }
        if (response.status < 500) {
          const headers: Record<string, string> = {};
          for (const name of REPLAYED_HEADERS) {
            const value = response.headers?.[name];
            if (value !== undefined) headers[name] = value;
          }
          if (headers["content-type"] === undefined && response.status !== 204)
            headers["content-type"] = "application/json";
          this.store.idempotency.put({
            tenantId,
            key,
            fingerprint,
            status: response.status,
            headers,
            body: serialize(response),
            createdTimestamp: now,
          });
        }
        return response;
      });
    } finally {
      this.inFlight.delete(slot);
    }
  }

  /** Applies a pending injected delay inside the in-flight window (SPEC §7 `delayMs`). */
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
