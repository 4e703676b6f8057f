import { MockAgent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import { createClient } from "../../src/client/client.js";
import type { CxdaClient, ErrorInfo, RequestInfo, ResponseInfo, RetryInfo } from "../../src/client/types.js";
import {
  AbortError,
  AuthenticationError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ValidationError,
} from "../../src/errors.js";
import {
  apiLog,
  CLIENT_SECRET,
  type FakeReply,
  fakeApi,
  fakeTime,
  type Handler,
  makeClient,
  ORIGIN,
  problem,
} from "./fake-api.js";

const ok = (body: unknown = {}, headers: Record<string, string> = {}): FakeReply => ({
  status: 200,
  body,
  headers,
});

/** Replies in order for each call, then repeats the last one. */
function sequence(...replies: (FakeReply | "network")[]): Handler {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
}

const clients: CxdaClient[] = [];
function track(client: CxdaClient): CxdaClient {
  clients.push(client);
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe("token cache", () => {
  it("shares one token request among concurrent callers (single flight)", async () => {
    const api = fakeApi({ handler: () => ok({ id: "a" }) });
    const client = track(makeClient(api, fakeTime()));
    await Promise.all(Array.from({ length: 6 }, () => client.request("GET", "/dataactions/a")));
    expect(api.log.filter((l) => l.startsWith("POST /oauth2/token"))).toEqual(["POST /oauth2/token → 200"]);
    expect(api.log.filter((l) => l.startsWith("GET /.well-known"))).toHaveLength(1);
    expect(new Set(api.requests.filter((r) => r.path.startsWith("/api")).map((r) => r.token))).toEqual(
      new Set([api.issued[0]]),
    );
  });

  it("refreshes 60 s before expiry", async () => {
    const time = fakeTime();
    const api = fakeApi({ handler: () => ok(), tokenTtl: 3600 });
    const client = track(makeClient(api, time));
    await client.request("GET", "/dataactions");
    time.advance(3539_000);
    await client.request("GET", "/dataactions");
    expect(api.issued).toHaveLength(1);
    time.advance(2_000);
    await client.request("GET", "/dataactions");
    expect(api.issued).toHaveLength(2);
    expect(api.requests.at(-1)?.token).toBe(api.issued[1]);
  });

  // Requests without headers of their own share one header object per token: nothing may leak into it.
  it("sends a request's own headers with it only, and the current token on every request", async () => {
    const time = fakeTime();
    const api = fakeApi({ handler: () => ok(), tokenTtl: 3600 });
    const client = track(makeClient(api, time));
    await client.request("GET", "/dataactions");
    await client.request("GET", "/dataactions", { headers: { "X-Trace": "t1" }, ifMatch: 3 });
    await client.request("GET", "/dataactions");
    time.advance(3541_000);
    await client.request("GET", "/dataactions");
    const sent = api.requests.filter((r) => r.path.startsWith("/api"));
    expect(sent.map((r) => [r.headers["x-trace"], r.headers["if-match"], r.token])).toEqual([
      [undefined, undefined, api.issued[0]],
      ["t1", '"3"', api.issued[0]],
      [undefined, undefined, api.issued[0]],
      [undefined, undefined, api.issued[1]],
    ]);
  });

  it("refreshes at 10 % of a short lifetime", async () => {
    const time = fakeTime();
    const api = fakeApi({ handler: () => ok(), tokenTtl: 100 });
    const client = track(makeClient(api, time));
    await client.request("GET", "/dataactions");
    time.advance(89_000);
    await client.request("GET", "/dataactions");
    expect(api.issued).toHaveLength(1);
    time.advance(1_000);
    await client.request("GET", "/dataactions");
    expect(api.issued).toHaveLength(2);
  });

  it("on 401 invalid_token drops the token, fetches one new token and retries once", async () => {
    const api = fakeApi({ handler: () => ok() });
    const client = track(makeClient(api, fakeTime()));
    await client.request("GET", "/dataactions");
    api.valid.clear(); // the server forgot the token (expired early, restart…)
    api.log.length = 0;
    const res = await client.request("GET", "/dataactions");
    expect(api.log).toEqual([
      "GET /api/v2/dataactions → 401",
      "POST /oauth2/token → 200",
      "GET /api/v2/dataactions → 200",
    ]);
    expect(res.attempts).toBe(2);
  });

  it("refreshes only once when the new token is refused too", async () => {
    const api = fakeApi({
      handler: () => ({
        ...problem(401, "unauthorized", "token not accepted"),
        headers: { "www-authenticate": 'Bearer error="invalid_token"' },
      }),
    });
    const client = track(makeClient(api, fakeTime()));
    const error = await client.request("GET", "/dataactions").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(api.log.filter((l) => l.startsWith("POST /oauth2/token"))).toHaveLength(2);
    expect(apiLog(api)).toEqual(["GET /api/v2/dataactions → 401", "GET /api/v2/dataactions → 401"]);
  });

  it("maps OAuth invalid_client to AuthenticationError without retrying or leaking the secret", async () => {
    const api = fakeApi({
      handler: () => ok(),
      tokenReplies: [
        {
          status: 401,
          body: { error: "invalid_client", error_description: `bad secret ${CLIENT_SECRET}` },
          headers: { "www-authenticate": "Basic" },
        },
      ],
    });
    const client = track(makeClient(api, fakeTime()));
    const error = (await client.request("GET", "/dataactions").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain("invalid_client");
    expect(error.message).not.toContain(CLIENT_SECRET);
    expect(api.log).toEqual(["GET /.well-known/openid-configuration → 200", "POST /oauth2/token → 401"]);
  });

  it("retries a token request after a 503 with the same Idempotency-Key", async () => {
    const api = fakeApi({ handler: () => ok(), tokenReplies: [problem(503, "service-unavailable", "busy")] });
    const client = track(makeClient(api, fakeTime()));
    await client.request("GET", "/dataactions");
    const tokenRequests = api.requests.filter((r) => r.path === "/oauth2/token");
    expect(tokenRequests).toHaveLength(2);
    expect(tokenRequests[0]?.headers["idempotency-key"]).toBeTruthy();
    expect(tokenRequests[1]?.headers["idempotency-key"]).toBe(tokenRequests[0]?.headers["idempotency-key"]);
    expect(tokenRequests[0]?.body).toBe("grant_type=client_credentials");
    expect(tokenRequests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`ci-client:${CLIENT_SECRET}`).toString("base64")}`,
    );
  });

  it("sends body client authentication and the password grant as asked", async () => {
    const api = fakeApi({ handler: () => ok() });
    const post = track(
      makeClient(api, fakeTime(), {
        auth: { type: "clientCredentials", clientId: "c1", clientSecret: "secret-1", authMethod: "post" },
        scopes: ["dataactions:read"],
      }),
    );
    await post.request("GET", "/dataactions");
    const keyed = track(
      makeClient(api, fakeTime(), {
        auth: {
          type: "accessKey",
          clientId: "c1",
          clientSecret: "secret-1",
          accessKeyId: "AK1",
          accessKeySecret: "ak-secret",
        },
      }),
    );
    await keyed.request("GET", "/dataactions");
    const [first, second] = api.requests.filter((r) => r.path === "/oauth2/token");
    expect(Object.fromEntries(new URLSearchParams(first?.body))).toEqual({
      grant_type: "client_credentials",
      client_id: "c1",
      client_secret: "secret-1",
      scope: "dataactions:read",
    });
    expect(first?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(second?.body))).toEqual({
      grant_type: "password",
      username: "AK1",
      password: "ak-secret",
    });
    expect(second?.headers.authorization).toMatch(/^Basic /);
  });

  it("auth.revoke on a server whose discovery names no revocation_endpoint says so and keeps the token", async () => {
    const time = fakeTime();
    const api = fakeApi({ handler: () => ok(), tokenTtl: 600 });
    const client = track(makeClient(api, time));
    await client.auth.check();
    const error = await client.auth.revoke().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/names no revocation_endpoint/);
    expect((error as Error).message).not.toContain(api.issued[0]!);
    // The token is still held and used: no second token request.
    await client.request("GET", "/dataactions");
    expect(api.issued).toHaveLength(1);
  });

  it("auth.check reports client, scopes, expiry and endpoint but never the token", async () => {
    const time = fakeTime();
    const api = fakeApi({ handler: () => ok(), tokenTtl: 600 });
    const client = track(makeClient(api, time));
    const check = await client.auth.check();
    expect(check).toEqual({
      clientId: "ci-client",
      scopes: ["dataactions:read", "dataactions:write"],
      expiresAt: new Date(time.now() + 600_000).toISOString(),
      expiresInSeconds: 600,
      tokenEndpoint: `${ORIGIN}/oauth2/token`,
    });
    expect(JSON.stringify(check)).not.toContain(api.issued[0]!);
  });
});

describe("retries", () => {
  it("reuses one Idempotency-Key across every retry of a POST", async () => {
    const api = fakeApi({
      handler: sequence(problem(503, "service-unavailable", "busy"), "network", {
        status: 201,
        body: { id: "n1" },
      }),
    });
    const time = fakeTime();
    const client = track(makeClient(api, time));
    const res = await client.request("POST", "/dataactions", { body: { name: "abc" } });
    expect(apiLog(api)).toEqual([
      "POST /api/v2/dataactions → 503",
      "POST /api/v2/dataactions → network error",
      "POST /api/v2/dataactions → 201",
    ]);
    const keys = api.requests
      .filter((r) => r.path === "/api/v2/dataactions")
      .map((r) => r.headers["idempotency-key"]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(res.idempotencyKey);
    expect(res.attempts).toBe(3);
    expect(time.waits).toEqual([100, 200]); // full jitter with random() = 0.5: half of 200, half of 400
    expect(client.metrics()).toMatchObject({
      requests: 1,
      attempts: 3,
      retries: 2,
      failures: 0,
      byStatus: { "503": 1, "201": 1 },
    });
  });

  it("gives each logical POST its own key, even with a fixed test random", async () => {
    const api = fakeApi({ handler: () => ({ status: 201, body: {} }) });
    const client = track(makeClient(api, fakeTime()));
    const a = await client.request("POST", "/dataactions", { body: { name: "one" } });
    const b = await client.request("POST", "/dataactions", { body: { name: "two" } });
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.idempotencyKey).not.toBe(a.idempotencyKey);
  });

  it("uses the caller's Idempotency-Key when given", async () => {
    const api = fakeApi({ handler: () => ({ status: 201, body: {} }) });
    const client = track(makeClient(api, fakeTime()));
    await client.actions.create({ name: "abc", type: "SCRIPT" }, { idempotencyKey: "my-key-1" });
    expect(api.requests.at(-1)?.headers["idempotency-key"]).toBe("my-key-1");
  });

  it("never retries a POST sent without a key", async () => {
    const api = fakeApi({ handler: () => problem(503, "service-unavailable", "busy") });
    const client = track(makeClient(api, fakeTime()));
    const error = await client
      .request("POST", "/dataactions/x/test", { body: {}, idempotencyKey: false })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.attempts).toBe(1);
    expect(apiLog(api)).toEqual(["POST /api/v2/dataactions/x/test → 503"]);
    expect(api.requests.at(-1)?.headers["idempotency-key"]).toBeUndefined();
  });

  it("never retries a network failure of a PATCH without a version", async () => {
    const api = fakeApi({ handler: () => "network" });
    const client = track(makeClient(api, fakeTime()));
    const error = await client
      .request("PATCH", "/dataactions/x", { body: { description: "d" } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(apiLog(api)).toEqual(["PATCH /api/v2/dataactions/x → network error"]);
  });

  it("retries a PATCH that carries If-Match", async () => {
    const api = fakeApi({
      handler: sequence(problem(502, "bad-gateway", "upstream"), ok({ version: 3 }, { etag: '"3"' })),
    });
    const client = track(makeClient(api, fakeTime()));
    const res = await client.actions.patch("x", { description: "d" }, { version: 2 });
    expect(apiLog(api)).toEqual(["PATCH /api/v2/dataactions/x → 502", "PATCH /api/v2/dataactions/x → 200"]);
    expect(api.requests.at(-1)?.headers["if-match"]).toBe('"2"');
    expect(api.requests.at(-1)?.headers["content-type"]).toBe("application/merge-patch+json");
    expect(res.version).toBe(3);
  });

  it("honours Retry-After in seconds on a 429", async () => {
    const api = fakeApi({
      handler: sequence(
        { ...problem(429, "rate-limited", "slow down"), headers: { "retry-after": "3" } },
        ok(),
      ),
    });
    const time = fakeTime();
    const client = track(makeClient(api, time));
    await client.request("GET", "/dataactions");
    expect(apiLog(api)).toEqual(["GET /api/v2/dataactions → 429", "GET /api/v2/dataactions → 200"]);
    expect(time.waits).toEqual([3000]);
    expect(client.metrics()).toMatchObject({ rateLimited: 1, retries: 1 });
  });

  it("starts a 429's pause no earlier than the response hook saw it (a slow hook cannot shorten it)", async () => {
    const api = fakeApi({
      handler: sequence(
        { ...problem(429, "rate-limited", "slow down"), headers: { "retry-after": "2" } },
        ok(),
      ),
    });
    const time = fakeTime();
    const seen: { at: number; status: number }[] = [];
    const sent: number[] = [];
    const client = track(
      makeClient(api, time, {
        hooks: {
          onRequest: (info) => {
            if (info.url.includes("/api/v2/")) sent.push(time.now());
          },
          onResponse: (info) => {
            if (!info.url.includes("/api/v2/")) return;
            seen.push({ at: time.now(), status: info.status });
            time.advance(40); // a hook that takes 40 ms (redaction, logging, a busy event loop)
          },
        },
      }),
    );
    await client.request("GET", "/dataactions");
    expect(seen.map((s) => s.status)).toEqual([429, 200]);
    expect(sent).toHaveLength(2);
    // Told of the 429 at seen[0].at (+40 ms spent in the hook): the retry waits the full 2 s after that.
    expect(sent[1]! - (seen[0]!.at + 40)).toBe(2000);
  });

  it("honours Retry-After as an HTTP-date, capped by maxRetryAfterMs", async () => {
    const time = fakeTime();
    const later = new Date(time.now() + 3_600_000).toUTCString();
    const api = fakeApi({
      handler: sequence(
        { ...problem(429, "rate-limited", "slow down"), headers: { "retry-after": later } },
        ok(),
      ),
    });
    const client = track(makeClient(api, time, { retry: { maxRetryAfterMs: 5_000 } }));
    await client.request("GET", "/dataactions");
    expect(time.waits).toEqual([5000]);
  });

  it("pauses every request of the client once on a 429 (one shared pause)", async () => {
    const time = fakeTime();
    const sentAt: string[] = [];
    let first = true;
    const api = fakeApi({
      handler: (req) => {
        sentAt.push(`${req.path}@${time.now()}`);
        if (first) {
          first = false;
          return { ...problem(429, "rate-limited", "slow down"), headers: { "retry-after": "5" } };
        }
        return ok();
      },
    });
    const client = track(makeClient(api, time, { maxConcurrency: 1 }));
    const t0 = time.now();
    await Promise.all([
      client.request("GET", "/a"),
      client.request("GET", "/b"),
      client.request("GET", "/c"),
    ]);
    expect(time.waits).toEqual([5000]);
    expect(sentAt).toEqual([
      `/api/v2/a@${t0}`,
      `/api/v2/b@${t0 + 5000}`,
      `/api/v2/c@${t0 + 5000}`,
      `/api/v2/a@${t0 + 5000}`,
    ]);
  });

  it("stops within the time budget", async () => {
    const api = fakeApi({ handler: () => problem(503, "service-unavailable", "down") });
    const time = fakeTime();
    const client = track(makeClient(api, time, { retry: { maxAttempts: 10, maxElapsedMs: 1000 } }));
    const error = await client.request("GET", "/dataactions").catch((e) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.attempts).toBe(4);
    expect(time.waits).toEqual([100, 200, 400]); // the next wait (800) would pass 1000 ms
  });

  it("gives up when Retry-After is beyond the budget, with a RateLimitError carrying it", async () => {
    const api = fakeApi({
      handler: () => ({ ...problem(429, "rate-limited", "slow down"), headers: { "retry-after": "30" } }),
    });
    const time = fakeTime();
    const client = track(makeClient(api, time, { retry: { maxElapsedMs: 10_000 } }));
    const error = await client.request("GET", "/dataactions").catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.slug).toBe("rate-limited");
    expect(apiLog(api)).toHaveLength(1);
  });

  it("stops after maxAttempts and reports every retry to onRetry", async () => {
    const retries: unknown[] = [];
    const api = fakeApi({ handler: () => "network" });
    const client = track(
      makeClient(api, fakeTime(), {
        retry: { maxAttempts: 3 },
        hooks: { onRetry: (info: RetryInfo) => retries.push(info) },
      }),
    );
    const error = await client.request("GET", "/dataactions").catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.attempts).toBe(3);
    expect(retries).toEqual([
      { method: "GET", url: `${ORIGIN}/api/v2/dataactions`, attempt: 1, reason: "network", delayMs: 100 },
      { method: "GET", url: `${ORIGIN}/api/v2/dataactions`, attempt: 2, reason: "network", delayMs: 200 },
    ]);
    expect(client.metrics()).toMatchObject({ requests: 1, attempts: 3, retries: 2, failures: 1 });
  });
});

describe("pacing", () => {
  it("paces to the rate the server publishes in RateLimit-* headers", async () => {
    const api = fakeApi({
      handler: sequence(
        ok({}, { "ratelimit-limit": "10", "ratelimit-remaining": "0", "ratelimit-reset": "2" }),
        ok(),
      ),
    });
    const time = fakeTime();
    const client = track(makeClient(api, time));
    await client.request("GET", "/dataactions");
    await client.request("GET", "/dataactions");
    // 10 requests per 2 s refill → one token every 200 ms.
    expect(time.waits).toEqual([200]);
  });

  it("caps concurrency: never more than maxConcurrency attempts on the wire", async () => {
    let onWire = 0;
    let peak = 0;
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: "/oauth2/token", method: "POST" })
      .reply(200, { access_token: "tok-abcdef", expires_in: 3600 })
      .persist();
    pool
      .intercept({ path: () => true, method: "GET" })
      .reply(200, "{}")
      .delay(5)
      .persist();
    const client = track(
      createClient({
        baseUrl: ORIGIN,
        tokenUrl: `${ORIGIN}/oauth2/token`,
        auth: { type: "clientCredentials", clientId: "c", clientSecret: "secret-c" },
        dispatcher: agent,
        maxConcurrency: 2,
        redactor: new Redactor(),
        hooks: {
          onRequest: () => {
            onWire += 1;
            peak = Math.max(peak, onWire);
          },
          onResponse: () => {
            onWire -= 1;
          },
        },
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.request("GET", `/dataactions/${i}`)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(peak).toBe(2);
  });
});

describe("pagination", () => {
  const items = Array.from({ length: 130 }, (_, i) => ({ id: `id-${i}`, name: `action_${i}` }));
  const pages: Handler = (req) => {
    const page = Number(req.query.get("page"));
    const size = Number(req.query.get("pageSize"));
    return ok({
      entities: items.slice((page - 1) * size, page * size),
      page,
      pageSize: size,
      total: items.length,
    });
  };

  it("reads all 130 items, in order, once each", async () => {
    const api = fakeApi({ handler: pages });
    const client = track(makeClient(api, fakeTime()));
    const all = await client.actions.listAll({ nameContains: "action" });
    expect(all.map((a) => a.id)).toEqual(items.map((a) => a.id));
    expect(
      api.requests.filter((r) => r.path === "/api/v2/dataactions").map((r) => r.query.toString()),
    ).toEqual(["nameContains=action&page=1&pageSize=100", "nameContains=action&page=2&pageSize=100"]);
  });

  it("with small pages asks each page exactly once and never past the end", async () => {
    const api = fakeApi({ handler: pages });
    const client = track(makeClient(api, fakeTime()));
    const seen: string[] = [];
    for await (const a of client.paginate<{ id: string }>("/dataactions", {}, { pageSize: 26 }))
      seen.push(a.id);
    expect(seen).toEqual(items.map((a) => a.id));
    expect(apiLog(api)).toHaveLength(5); // 5 × 26 = 130: the total stops it, no empty sixth page
  });

  it("follows the page size the server actually used", async () => {
    const api = fakeApi({
      handler: (req) => {
        const page = Number(req.query.get("page"));
        return ok({
          entities: items.slice((page - 1) * 50, page * 50),
          page,
          pageSize: 50,
          total: items.length,
        });
      },
    });
    const client = track(makeClient(api, fakeTime()));
    expect((await client.actions.listAll()).length).toBe(130);
    expect(apiLog(api)).toHaveLength(3);
  });
});

describe("actions resource", () => {
  const action = { id: "7d0f8a5e-3c1b-4c1e-9a51-0a7f2b9c1d22", name: "lead_enrichment", version: 4 };

  it("resolves an id, then a name, and throws NotFoundError for neither", async () => {
    const api = fakeApi({
      handler: (req) => {
        if (req.path === `/api/v2/dataactions/${action.id}`) return ok(action, { etag: '"4"' });
        if (req.path === "/api/v2/dataactions") {
          const hit = req.query.get("name") === action.name ? [action] : [];
          return ok({ entities: hit, page: 1, pageSize: 100, total: hit.length });
        }
        return problem(404, "not-found", "no such action");
      },
    });
    const client = track(makeClient(api, fakeTime()));
    expect((await client.actions.resolve(action.id)).name).toBe(action.name);
    expect((await client.actions.resolve(action.name)).id).toBe(action.id);
    await expect(client.actions.resolve("missing_one")).rejects.toBeInstanceOf(NotFoundError);
    const got = await client.actions.get(action.id);
    expect(got).toMatchObject({
      status: 200,
      version: 4,
      requestId: expect.stringMatching(/^req-/),
      replayed: false,
    });
  });

  it("sends If-Match on replace and delete", async () => {
    const api = fakeApi({ handler: (req) => (req.method === "DELETE" ? { status: 204 } : ok(action)) });
    const client = track(makeClient(api, fakeTime()));
    await client.actions.replace(action.id, { name: "lead_enrichment", type: "SCRIPT" }, { version: 4 });
    await client.actions.delete(action.id, { version: 5 });
    const writes = api.requests.filter((r) => r.path.startsWith("/api/"));
    expect(writes.map((r) => `${r.method} ${r.headers["if-match"]}`)).toEqual(['PUT "4"', 'DELETE "5"']);
  });
});

describe("errors and redaction", () => {
  it("builds the typed error from the problem body: slug, request id, issues, attempts", async () => {
    const api = fakeApi({
      handler: () =>
        problem(400, "validation-failed", "2 problems", {
          requestId: "rid-9",
          errors: [
            { path: "name", code: "validation-failed", message: "name must match ^[A-Za-z0-9_-]{3,64}$" },
            {
              path: "script.content",
              code: "script-syntax",
              message: "Unexpected token",
              line: 2,
              column: 5,
            },
          ],
        }),
    });
    const client = track(makeClient(api, fakeTime()));
    const error = await client.request("POST", "/dataactions", { body: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 400,
      slug: "validation-failed",
      requestId: "rid-9",
      attempts: 1,
      message: "2 problems",
    });
    expect(error.issues).toHaveLength(2);
    expect(error.issues[1]).toMatchObject({ line: 2, column: 5, code: "script-syntax" });
  });

  it("keeps the client secret and tokens out of error messages and hook payloads", async () => {
    const seen: unknown[] = [];
    const api = fakeApi({
      handler: (req) =>
        problem(
          409,
          "name-conflict",
          `echo: secret=${CLIENT_SECRET} token=${req.token} key=${req.headers["x-api-key"]}`,
        ),
    });
    const client = track(
      makeClient(api, fakeTime(), {
        hooks: {
          onRequest: (i: RequestInfo) => seen.push(i),
          onResponse: (i: ResponseInfo) => seen.push(i),
          onRetry: (i: RetryInfo) => seen.push(i),
          onError: (i: ErrorInfo) => seen.push(i),
        },
      }),
    );
    const error = await client
      .request("POST", "/dataactions", { body: {}, headers: { "X-Api-Key": "abcd-1234-key" } })
      .catch((e) => e);
    const token = api.issued[0]!;
    const text = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(seen)}`;
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(token);
    expect(text).not.toContain("abcd-1234-key");
    expect(error.message).toContain("***");
    expect(seen).toContainEqual(
      expect.objectContaining({ headers: expect.objectContaining({ "x-api-key": "***" }) }),
    );
    expect(seen.some((s) => (s as { error?: unknown }).error)).toBe(true);
  });

  it("turns an abort into AbortError (timeouts are tested over real HTTP in emulator-scenarios)", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: "/oauth2/token", method: "POST" })
      .reply(200, { access_token: "tok-abcdef", expires_in: 3600 })
      .persist();
    pool.intercept({ path: "/api/v2/slow", method: "GET" }).reply(200, "{}").delay(2_000).persist();
    const client = track(
      createClient({
        baseUrl: ORIGIN,
        tokenUrl: `${ORIGIN}/oauth2/token`,
        auth: { type: "clientCredentials", clientId: "c", clientSecret: "secret-c" },
        dispatcher: agent,
        retry: { maxAttempts: 1 },
        redactor: new Redactor(),
      }),
    );
    const controller = new AbortController();
    controller.abort();
    await expect(client.request("GET", "/slow", { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
  });
});
