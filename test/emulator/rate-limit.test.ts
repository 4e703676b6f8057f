import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Emulator, getToken, slug, startTestEmulator } from "./helpers.js";

let now = 1_700_000_000_000;
let emulator: Emulator;
let token: string;
beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 60, burst: 3 }, clock: () => now });
  token = await getToken(emulator);
});
afterAll(() => emulator.close());

describe("rate limit", () => {
  it("publishes RateLimit-* on every /api/v2 response and answers 429 with Retry-After when the bucket is empty", async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(emulator, "GET", "/api/v2/dataactions", { token });
      expect(res.status).toBe(200);
      // draft-ietf-httpapi-ratelimit-headers-06: Limit is the window's quota; the burst is in the policy.
      expect(res.headers.get("ratelimit-limit")).toBe("60");
      expect(res.headers.get("ratelimit-policy")).toBe("60;w=60;burst=3");
      remaining.push(res.headers.get("ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(limited.status).toBe(429);
    expect(slug(limited)).toBe("rate-limited");
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);

    const log = await api(emulator, "GET", "/_emulator/requests");
    const last = log.body.requests.at(-1);
    expect(last).toMatchObject({ status: 429, retryAfter: 1, clientId: "cxda-demo" });

    now += 1000;
    const after = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(after.status).toBe(200);
    now += 60_000;
    const full = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(full.headers.get("ratelimit-remaining")).toBe("2");
  });

  it("keeps one bucket per client", async () => {
    const other = await startTestEmulator({
      rateLimit: { perMinute: 60, burst: 1 },
      clock: () => now,
      config: {
        tenants: [
          {
            id: "t",
            clients: [
              { id: "a", secret: "sa" },
              { id: "b", secret: "sb" },
            ],
          },
        ],
      },
    });
    try {
      const a = await getToken(other, { id: "a", secret: "sa" });
      const b = await getToken(other, { id: "b", secret: "sb" });
      expect((await api(other, "GET", "/api/v2/dataactions", { token: a })).status).toBe(200);
      expect((await api(other, "GET", "/api/v2/dataactions", { token: a })).status).toBe(429);
      expect((await api(other, "GET", "/api/v2/dataactions", { token: b })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
