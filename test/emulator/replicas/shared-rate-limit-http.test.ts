/**
 * Two emulators sharing one PostgreSQL database for their rate limits, seen over HTTP: a client's
 * bucket is one, whichever replica answers, and the reset hook empties it for both.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, postgresForTests, type TestDatabase } from "../../helpers/postgres.js";
import { api, basic, type Emulator, getToken, startTestEmulator, tokenRequest } from "../helpers.js";

const available = postgresForTests().available;

describe.skipIf(!available)("a rate limit shared by two replicas", () => {
  let database: TestDatabase;
  let replicas: Emulator[];
  let now = 10_000_000;

  beforeEach(async () => {
    database = await createTestDatabase();
    const options = {
      sharedDatabase: database.url,
      rateLimit: { perMinute: 60, burst: 4 },
      clock: () => now,
    };
    replicas = [
      await startTestEmulator({ ...options, replicaId: "a" }),
      await startTestEmulator({ ...options, replicaId: "b" }),
    ];
  });

  afterEach(async () => {
    for (const replica of replicas) await replica.close();
    await database.drop();
  });

  it("admits the client's burst once across both, then 429 with Retry-After on either", async () => {
    const tokens = [await getToken(replicas[0]!), await getToken(replicas[1]!)];
    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await api(replicas[i % 2]!, "GET", "/api/v2/dataactions", { token: tokens[i % 2]! });
      statuses.push(res.status);
      remaining.push(res.headers.get("ratelimit-remaining"));
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(remaining).toEqual(["3", "2", "1", "0"]);
    for (const i of [0, 1]) {
      const refused = await api(replicas[i]!, "GET", "/api/v2/dataactions", { token: tokens[i]! });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("ratelimit-policy")).toBe("60;w=60;burst=4");
    }
    now += 1_000;
    expect((await api(replicas[1]!, "GET", "/api/v2/dataactions", { token: tokens[1]! })).status).toBe(200);
    expect((await api(replicas[0]!, "GET", "/api/v2/dataactions", { token: tokens[0]! })).status).toBe(429);
    expect((await api(replicas[1]!, "POST", "/_emulator/reset")).status).toBe(204);
    // The other replica hears of the reset (it forgets the refusal it remembered) shortly after.
    let after: Awaited<ReturnType<typeof api>> | undefined;
    await expect
      .poll(async () => {
        after = await api(replicas[0]!, "GET", "/api/v2/dataactions", { token: tokens[0]! });
        return after.status;
      })
      .toBe(200);
    expect(after?.headers.get("ratelimit-remaining")).toBe("3");
  });

  it("the token endpoint's rate (bursts of 60 per client) holds across both replicas", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1) {
      const res = await tokenRequest(
        replicas[i % 2]!,
        { grant_type: "client_credentials" },
        { authorization: basic("cxda-demo", "cxda-demo-secret") },
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});
