import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AttemptResult,
  backoffDelay,
  classify,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  isIdempotent,
  parseRetryAfter,
  type RequestTraits,
} from "../../src/client/retry-policy.js";

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const traits = (method: string, extra: Partial<RequestTraits> = {}): RequestTraits => ({
  method,
  hasIdempotencyKey: false,
  hasVersion: false,
  ...extra,
});

describe("classify", () => {
  it.each<[AttemptResult, string]>([
    [{ status: 200 }, "success"],
    [{ status: 201 }, "success"],
    [{ status: 204 }, "success"],
    [{ status: 429 }, "throttled"],
    [{ status: 502 }, "transient"],
    [{ status: 503 }, "transient"],
    [{ status: 504 }, "transient"],
    [{ status: 500 }, "fatal"],
    [{ status: 400 }, "fatal"],
    [{ status: 401 }, "fatal"],
    [{ status: 404 }, "fatal"],
    [{ status: 409 }, "fatal"],
    [{ status: 412 }, "fatal"],
    [{ failure: "network" }, "transient"],
    [{ failure: "timeout" }, "transient"],
    [{ failure: "abort" }, "fatal"],
  ])("%j is %s", (result, expected) => {
    expect(classify(result)).toBe(expected);
  });
});

describe("isIdempotent", () => {
  it.each<[RequestTraits, boolean]>([
    [traits("GET"), true],
    [traits("put"), true],
    [traits("DELETE"), true],
    [traits("PATCH"), false],
    [traits("PATCH", { hasVersion: true }), true],
    [traits("POST"), false],
    [traits("POST", { hasIdempotencyKey: true }), true],
    [traits("POST", { hasVersion: true }), false],
  ])("%j → %s", (t, expected) => {
    expect(isIdempotent(t)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  const cap = 60_000;
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", NOW, cap)).toBe(0);
    expect(parseRetryAfter("3", NOW, cap)).toBe(3000);
    expect(parseRetryAfter(" 12 ", NOW, cap)).toBe(12_000);
  });
  it("reads an HTTP-date relative to now", () => {
    expect(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW, cap)).toBe(5000);
    expect(parseRetryAfter("Mon, 01 Jan 2024 12:00:30 GMT", NOW, cap)).toBe(30_000);
  });
  it("gives 0 for a date in the past", () => {
    expect(parseRetryAfter("Mon, 01 Jan 2024 11:00:00 GMT", NOW, cap)).toBe(0);
  });
  it("caps long waits, in both forms", () => {
    expect(parseRetryAfter("3600", NOW, cap)).toBe(cap);
    expect(parseRetryAfter(new Date(NOW + 3_600_000).toUTCString(), NOW, cap)).toBe(cap);
    expect(parseRetryAfter("90", NOW, 10_000)).toBe(10_000);
  });
  it("ignores absent and unparseable values", () => {
    for (const bad of [undefined, "", "soon", "-1", "1.5", "12abc"])
      expect(parseRetryAfter(bad, NOW, cap)).toBe(undefined);
  });
  it("never exceeds the cap and is never negative (property)", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(120_000), (seconds, capMs) => {
        const ms = parseRetryAfter(String(seconds), NOW, capMs);
        expect(ms).toBe(Math.min(seconds * 1000, capMs));
      }),
    );
  });
});

describe("backoffDelay (full jitter)", () => {
  it("stays in [0, min(maxDelay, base·2^(n-1))) for any random value (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (n, r) => {
          const d = backoffDelay(n, DEFAULT_RETRY_POLICY, () => r);
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (n - 1),
          );
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(ceiling);
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
    );
  });
  it("grows exponentially up to the ceiling", () => {
    const top = () => 0.999_999;
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, top)).toBe(199);
    expect(backoffDelay(2, DEFAULT_RETRY_POLICY, top)).toBe(399);
    expect(backoffDelay(3, DEFAULT_RETRY_POLICY, top)).toBe(799);
    expect(backoffDelay(20, DEFAULT_RETRY_POLICY, top)).toBe(9999);
    expect(backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });
});

describe("decideRetry", () => {
  const base = { attempts: 1, elapsedMs: 0, policy: DEFAULT_RETRY_POLICY, random: () => 0.5 };

  it("retries a 503 GET with backoff", () => {
    expect(decideRetry({ ...base, result: { status: 503 }, traits: traits("GET") })).toEqual({
      retry: true,
      delayMs: 100,
      reason: "status 503",
    });
  });
  it("gives up at once on a refused connection only when the policy says so (loopback)", () => {
    const refused = { failure: "network", refused: true } as const;
    expect(decideRetry({ ...base, result: refused, traits: traits("GET") }).retry).toBe(true);
    expect(
      decideRetry({
        ...base,
        policy: { ...DEFAULT_RETRY_POLICY, failFastOnConnectionRefused: true },
        result: refused,
        traits: traits("GET"),
      }),
    ).toEqual({ retry: false, reason: "network: the connection was refused" });
    // Other network failures (a reset, a timeout) still retry under that policy.
    expect(
      decideRetry({
        ...base,
        policy: { ...DEFAULT_RETRY_POLICY, failFastOnConnectionRefused: true },
        result: { failure: "network" },
        traits: traits("GET"),
      }).retry,
    ).toBe(true);
  });
  it("uses Retry-After when the server gave one", () => {
    const d = decideRetry({ ...base, result: { status: 503 }, traits: traits("GET"), retryAfterMs: 2000 });
    expect(d).toMatchObject({ retry: true, delayMs: 2000 });
  });
  it("never retries a POST without an Idempotency-Key, not even on 429 or a network error", () => {
    for (const result of [{ status: 503 }, { status: 429 }, { failure: "network" }] as AttemptResult[]) {
      expect(decideRetry({ ...base, result, traits: traits("POST") }).retry).toBe(false);
    }
  });
  it("retries a POST with a key after 503, network errors and timeouts", () => {
    for (const result of [
      { status: 503 },
      { failure: "network" },
      { failure: "timeout" },
    ] as AttemptResult[]) {
      expect(
        decideRetry({ ...base, result, traits: traits("POST", { hasIdempotencyKey: true }) }).retry,
      ).toBe(true);
    }
  });
  it("does not retry transient failures of a PATCH without a version, but does retry its 429", () => {
    expect(decideRetry({ ...base, result: { status: 502 }, traits: traits("PATCH") }).retry).toBe(false);
    expect(decideRetry({ ...base, result: { status: 429 }, traits: traits("PATCH") }).retry).toBe(true);
  });
  it("never retries fatal answers or aborts", () => {
    for (const result of [
      { status: 400 },
      { status: 409 },
      { status: 500 },
      { failure: "abort" },
    ] as AttemptResult[]) {
      expect(decideRetry({ ...base, result, traits: traits("GET") }).retry).toBe(false);
    }
  });
  it("stops after maxAttempts", () => {
    const d = decideRetry({ ...base, attempts: 5, result: { status: 503 }, traits: traits("GET") });
    expect(d).toMatchObject({ retry: false });
    expect(d.reason).toContain("5 attempts");
  });
  it("stops when the wait would exceed the time budget, keeping Retry-After for the error", () => {
    const d = decideRetry({
      ...base,
      elapsedMs: 59_000,
      result: { status: 429 },
      traits: traits("GET"),
      retryAfterMs: 2000,
    });
    expect(d).toEqual({ retry: false, reason: expect.stringContaining("budget"), retryAfterMs: 2000 });
  });
  it("is bounded: attempts never exceed maxAttempts for any sequence of transient failures (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.constantFrom(502, 503, 504), { minLength: 1, maxLength: 30 }),
        (max, statuses) => {
          const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: max, maxElapsedMs: Number.MAX_SAFE_INTEGER };
          let attempts = 0;
          for (const status of statuses) {
            attempts += 1;
            const d = decideRetry({
              attempts,
              elapsedMs: 0,
              policy,
              random: () => 0.3,
              result: { status },
              traits: traits("GET"),
            });
            if (!d.retry) break;
          }
          expect(attempts).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
  it("retries 429s past maxAttempts within the time budget, up to 10× maxAttempts (issue 11, R5)", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, maxElapsedMs: Number.MAX_SAFE_INTEGER };
    const at = (attempts: number, status: number) =>
      decideRetry({
        attempts,
        elapsedMs: 0,
        policy,
        random: () => 0.3,
        result: { status },
        traits: traits("GET"),
        retryAfterMs: 1000,
      });
    expect(at(3, 503).retry).toBe(false);
    expect(at(3, 429).retry).toBe(true);
    expect(at(29, 429).retry).toBe(true);
    expect(at(30, 429)).toMatchObject({ retry: false, reason: expect.stringContaining("30 attempts") });
    const budget = decideRetry({
      attempts: 4,
      elapsedMs: 59_500,
      policy: DEFAULT_RETRY_POLICY,
      random: () => 0.3,
      result: { status: 429 },
      traits: traits("GET"),
      retryAfterMs: 1000,
    });
    expect(budget).toMatchObject({ retry: false, reason: expect.stringContaining("budget") });
  });
});
