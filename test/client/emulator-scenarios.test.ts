/**
 * SDK scenarios over real HTTP against the in-process emulator, driven by its fault injection
 * and checked against its request log `/_emulator/requests`.
 */
import { Agent, request as httpRequest } from "undici";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import { createClient } from "../../src/client/client.js";
import type { ClientOptions, CxdaClient } from "../../src/client/types.js";
import { NetworkError, ServerError, TimeoutError } from "../../src/errors.js";
import { type Emulator, startTestEmulator, useTestEmulator } from "../emulator/helpers.js";
import { fakeTime } from "./fake-api.js";

interface LogEntry {
  method: string;
  path: string;
  status: number | null;
  idempotencyKey: string | null;
  faulted: boolean;
}

let emulator: Emulator;
let emulatorNow = Date.now();

// Emptied before each test by the helper.
useTestEmulator({ tokenTtlSeconds: 60, clock: () => emulatorNow }, (running) => {
  emulator = running.emulator;
});

async function hook(method: "GET" | "PUT" | "POST", path: string, body?: unknown): Promise<unknown> {
  const res = await httpRequest(`${emulator.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.body.text();
  expect(res.statusCode, `${method} ${path}: ${text}`).toBeLessThan(300);
  return text === "" ? undefined : JSON.parse(text);
}

const faults = (rules: Record<string, unknown>[]) => hook("PUT", "/_emulator/faults", { rules });

/** Every request the emulator logged. */
async function apiLog(): Promise<LogEntry[]> {
  return ((await hook("GET", "/_emulator/requests")) as { requests: LogEntry[] }).requests;
}

/** `["POST /api/v2/dataactions → 503", …]` for API traffic only. */
async function apiRequests(): Promise<(LogEntry & { line: string })[]> {
  const { requests } = (await hook("GET", "/_emulator/requests")) as { requests: LogEntry[] };
  return requests
    .filter((r) => r.path.startsWith("/api/v2/"))
    .map((r) => ({
      ...r,
      line: `${r.method} ${r.path.split("?")[0]} → ${r.faulted && r.status === null ? "reset" : r.status}`,
    }));
}

function client(time = fakeTime(), extra: Partial<ClientOptions> = {}): CxdaClient {
  return createClient({
    baseUrl: emulator.url,
    auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
    clock: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    redactor: new Redactor(),
    ...extra,
  });
}

const script = {
  language: "JavaScript" as const,
  content: "function main(context) { return context.input; }",
};
const input = (name: string) => ({ name, type: "SCRIPT" as const, script });

describe("SDK against the emulator's faults", () => {
  it("retries a GET after two 503s with full-jitter backoff", async () => {
    const time = fakeTime();
    const c = client(time);
    try {
      await c.actions.create(input("scenario_503"));
      await faults([{ method: "GET", path: "/api/v2/dataactions", status: 503, count: 2 }]);
      const all = await c.actions.listAll();
      expect(all.map((a) => a.name)).toEqual(["scenario_503"]);
      expect((await apiRequests()).map((r) => r.line)).toEqual([
        "POST /api/v2/dataactions → 201",
        "GET /api/v2/dataactions → 503",
        "GET /api/v2/dataactions → 503",
        "GET /api/v2/dataactions → 200",
      ]);
      expect(time.waits).toEqual([100, 200]); // random() = 0.5 of 200 ms, then of 400 ms
      expect(c.metrics()).toMatchObject({ retries: 2, byStatus: { "503": 2, "200": 1, "201": 1 } });
    } finally {
      await c.close();
    }
  });

  it("waits the Retry-After the emulator sends with a 503", async () => {
    const time = fakeTime();
    const c = client(time);
    try {
      await faults([{ method: "GET", path: "/api/v2/dataactions/*", status: 503, retryAfter: 2, count: 1 }]);
      const created = await c.actions.create(input("scenario_retry_after"));
      const got = await c.actions.get(created.body.id);
      expect(got.attempts).toBe(2);
      expect(time.waits).toEqual([2000]);
    } finally {
      await c.close();
    }
  });

  it("survives a token that expires in the middle of a run: one refresh, one retry", async () => {
    const time = fakeTime();
    const c = client(time);
    try {
      await c.actions.create(input("scenario_expiry_a"));
      emulatorNow += 61_000; // the server's token has expired; the client's clock has not moved
      await c.actions.create(input("scenario_expiry_b"));
      expect((await c.actions.listAll()).map((a) => a.name).sort()).toEqual([
        "scenario_expiry_a",
        "scenario_expiry_b",
      ]);
      const { requests } = (await hook("GET", "/_emulator/requests")) as { requests: LogEntry[] };
      expect(requests.map((r) => `${r.method} ${r.path.split("?")[0]} → ${r.status}`)).toEqual([
        "GET /.well-known/openid-configuration → 200",
        "POST /oauth2/token → 200",
        "POST /api/v2/dataactions → 201",
        "POST /api/v2/dataactions → 401",
        "POST /oauth2/token → 200",
        "POST /api/v2/dataactions → 201",
        "GET /api/v2/dataactions → 200",
      ]);
    } finally {
      await c.close();
    }
  });

  it("a dropped POST is retried with its key and leaves exactly one action", async () => {
    const c = client();
    try {
      await faults([{ method: "POST", path: "/api/v2/dataactions", drop: true, count: 1 }]);
      const res = await c.actions.create(input("scenario_drop"));
      expect(res.status).toBe(201);
      expect(res.replayed).toBe(true);
      expect(res.attempts).toBe(2);
      const named = await c.actions.listAll({ name: "scenario_drop" });
      expect(named).toHaveLength(1);
      const posts = (await apiRequests()).filter((r) => r.method === "POST");
      expect(posts).toHaveLength(2);
      expect(posts[0]?.idempotencyKey).toBe(res.idempotencyKey);
      expect(posts[1]?.idempotencyKey).toBe(res.idempotencyKey);
    } finally {
      await c.close();
    }
  });

  it("never retries a non-idempotent request (PATCH without a version, POST without a key)", async () => {
    const c = client();
    try {
      const created = await c.actions.create(input("scenario_no_retry"));
      await faults([
        { method: "PATCH", path: "/api/v2/dataactions/*", status: 503 },
        { method: "POST", path: "/api/v2/dataactions", status: 503 },
      ]);
      await expect(
        c.request("PATCH", `/dataactions/${created.body.id}`, {
          body: { description: "x" },
          contentType: "application/merge-patch+json",
        }),
      ).rejects.toBeInstanceOf(ServerError);
      await expect(
        c.request("POST", "/dataactions", { body: input("scenario_no_key"), idempotencyKey: false }),
      ).rejects.toBeInstanceOf(ServerError);
      expect((await apiRequests()).map((r) => r.line)).toEqual([
        "POST /api/v2/dataactions → 201",
        `PATCH /api/v2/dataactions/${created.body.id} → 503`,
        "POST /api/v2/dataactions → 503",
      ]);
    } finally {
      await c.close();
    }
  });

  it("a reset connection on a POST without a key is a NetworkError after one attempt", async () => {
    const c = client();
    try {
      await faults([{ method: "POST", path: "/api/v2/dataactions", reset: true, count: 1 }]);
      const error = await c
        .request("POST", "/dataactions", { body: input("scenario_reset"), idempotencyKey: false })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).attempts).toBe(1);
      expect(await c.actions.listAll()).toEqual([]);
    } finally {
      await c.close();
    }
  });

  for (const authMethod of ["basic", "post"] as const)
    it(`auth.revoke() revokes the token it holds (client authentication: ${authMethod}); the next request gets a new one`, async () => {
      // The bearer tokens the client sends, seen below the client (its own hooks see them redacted).
      const sent: string[] = [];
      const agent = new Agent();
      const recording = agent.compose((dispatch) => (opts, handler) => {
        const headers = opts.headers as Record<string, string | string[] | undefined> | undefined;
        const bearer = /^Bearer (.+)$/.exec(String(headers?.authorization ?? ""));
        if (bearer) sent.push(bearer[1]!);
        return dispatch(opts, handler);
      });
      const c = createClient({
        baseUrl: emulator.url,
        auth: {
          type: "clientCredentials",
          clientId: "cxda-demo",
          clientSecret: "cxda-demo-secret",
          authMethod,
        },
        redactor: new Redactor(),
        dispatcher: recording,
      });
      try {
        expect(await c.auth.revoke()).toEqual({ revoked: false });
        await c.actions.listAll();
        const first = sent.at(-1)!;
        expect(await c.auth.revoke()).toEqual({ revoked: true });
        // The server refuses the revoked token at once.
        const direct = await httpRequest(`${emulator.url}/api/v2/dataactions`, {
          headers: { authorization: `Bearer ${first}` },
        });
        await direct.body.text();
        expect(direct.statusCode).toBe(401);
        // The client fetched a new one for its next request.
        expect(await c.actions.listAll()).toEqual([]);
        expect(sent.at(-1)).not.toBe(first);
        // Two tokens, one revocation, and no request of the client's sent with the revoked token (the
        // one 401 is the direct check above).
        const log = await apiLog();
        expect(log.filter((r) => r.path === "/oauth2/token").length).toBe(2);
        expect(log.filter((r) => r.path === "/oauth2/revoke").map((r) => [r.method, r.status])).toEqual([
          ["POST", 200],
        ]);
        expect(log.filter((r) => r.status === 401).length).toBe(1);
      } finally {
        await c.close();
        await agent.close();
      }
    });

  it("ends an attempt that gets no answer within requestTimeoutMs with a TimeoutError, and retries a GET", async () => {
    const c = createClient({
      baseUrl: emulator.url,
      auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
      requestTimeoutMs: 150,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      redactor: new Redactor(),
    });
    try {
      await c.auth.check();
      const slow = { "x-emulator-fault": "delay=2000" };
      const error = await c.request("GET", "/dataactions", { headers: slow }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).attempts).toBe(2);
      expect((error as TimeoutError).message).toMatch(
        /GET \/api\/v2\/dataactions got no answer within 150 ms/,
      );
      // One slow attempt, then a fast one: the retry succeeds.
      await faults([{ method: "GET", path: "/api/v2/dataactions", delayMs: 2000, count: 1 }]);
      const ok = await c.request("GET", "/dataactions");
      expect(ok.status).toBe(200);
      expect(ok.attempts).toBe(2);
    } finally {
      await c.close();
    }
  });
});

describe("SDK pacing against the emulator's rate limit", () => {
  it("paces a burst to the published rate, so the server never has to answer 429", async () => {
    const time = fakeTime(Date.now());
    // One clock for both sides: the client's paced waits let the emulator's bucket refill.
    const limited = await startTestEmulator({ rateLimit: { perMinute: 60, burst: 3 }, clock: time.now });
    const c = createClient({
      baseUrl: limited.url,
      auth: { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" },
      clock: time.now,
      sleep: time.sleep,
      random: () => 0.5,
      maxConcurrency: 1,
      redactor: new Redactor(),
    });
    try {
      for (let i = 0; i < 8; i += 1) await c.request("GET", "/dataactions");
      const res = await httpRequest(`${limited.url}/_emulator/requests`);
      const { requests } = (await res.body.json()) as { requests: LogEntry[] };
      const statuses = requests.filter((r) => r.path.startsWith("/api/v2/")).map((r) => r.status);
      expect(statuses).toEqual(Array(8).fill(200));
      expect(c.metrics().rateLimited).toBe(0);
      // Burst of 3, then one request per second as the bucket refills.
      expect(time.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4000);
    } finally {
      await c.close();
      await limited.close();
    }
  });

  it("on an injected 429 pauses for its Retry-After once and then succeeds", async () => {
    const time = fakeTime();
    const c = client(time);
    try {
      await faults([{ method: "GET", path: "/api/v2/dataactions", status: 429, retryAfter: 1, count: 1 }]);
      await Promise.all([c.actions.listAll(), c.actions.listAll()]);
      expect(time.waits).toEqual([1000]);
      expect(c.metrics()).toMatchObject({ rateLimited: 1, retries: 1 });
      // Two requests ran side by side, so only the multiset of answers is fixed, not their order.
      expect((await apiRequests()).map((r) => r.line).sort()).toEqual([
        "GET /api/v2/dataactions → 200",
        "GET /api/v2/dataactions → 200",
        "GET /api/v2/dataactions → 429",
      ]);
    } finally {
      await c.close();
    }
  });
});
