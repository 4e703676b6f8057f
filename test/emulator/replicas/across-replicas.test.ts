/**
 * Two emulators on one PostgreSQL database, as two replicas with one root key: a token issued by one
 * is valid on the other, a write through one is what the other answers from the moment the writer
 * answered (the writer waits until the other acted on its announcement; without it the other would
 * answer its cached version for good), and a key rotation is seen by both.
 */
import { describe, expect, it } from "vitest";
import { DEMO_TENANT_ID } from "../../../src/emulator/config.js";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../../../src/emulator/server.js";
import { postgresForTests } from "../../helpers/postgres.js";
import {
  api,
  basic,
  type Emulator,
  getToken,
  revocationRequest,
  scriptAction,
  useTwoReplicas,
} from "../helpers.js";

const available = postgresForTests().available;

describe.skipIf(!available)("across two replicas", () => {
  let a: Emulator;
  let b: Emulator;
  useTwoReplicas((replicas) => {
    ({ a, b } = replicas);
  });

  it("a token issued by one replica is valid on the other", async () => {
    const token = await getToken(a);
    expect((await api(b, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
  });

  it("once a write through one replica is acknowledged, the other answers the new version", async () => {
    const token = await getToken(a);
    const created = await api(a, "POST", "/api/v2/dataactions", { token, body: scriptAction("across_one") });
    expect(created.status).toBe(201);
    const path = `/api/v2/dataactions/${created.body.id}`;
    let version = created.body.version as number;
    for (let round = 0; round < 20; round += 1) {
      // b reads (and caches) the current version, then a writes the next one.
      expect((await api(b, "GET", path, { token })).body.version).toBe(version);
      const patched = await api(a, "PATCH", path, {
        token,
        body: { description: `round ${round}` },
        headers: { "if-match": `"${version}"` },
      });
      expect(patched.status).toBe(200);
      version = patched.body.version as number;
      // The writer answered only once b had acted on its announcement: b's very next answer is new.
      const read = await api(b, "GET", path, { token });
      expect(read.body.version).toBe(version);
      expect(read.body.description).toBe(`round ${round}`);
      expect(read.headers.get("x-tenant-revision")).toBe(patched.headers.get("x-tenant-revision"));
      expect(read.headers.get("x-tenant-revision")).toMatch(/^[1-9][0-9]*$/);
    }
  });

  it("a token revoked through one replica is refused by the other from the moment the revocation is answered", async () => {
    const token = await getToken(a);
    // b verified the token and keeps it in memory.
    expect((await api(b, "GET", "/api/v2/dataactions", { token })).status).toBe(200);
    const revoked = await revocationRequest(
      a,
      { token },
      { authorization: basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET) },
    );
    expect(revoked.status).toBe(200);
    expect((await api(b, "GET", "/api/v2/dataactions", { token })).status).toBe(401);
    expect((await api(a, "GET", "/api/v2/dataactions", { token })).status).toBe(401);
  });

  it("with the other replica's listener lagging, a write is answered only once that replica acted on it", async () => {
    const token = await getToken(a);
    const lagged = await api(b, "PUT", "/_emulator/invalidation-lag", { body: { delayMs: 300 } });
    expect(lagged.status).toBe(200);
    expect(lagged.body).toEqual({ delayMs: 300 });
    const created = await api(a, "POST", "/api/v2/dataactions", { token, body: scriptAction("across_lag") });
    const path = `/api/v2/dataactions/${created.body.id}`;
    expect((await api(b, "GET", path, { token })).body.version).toBe(1);
    const patched = await api(a, "PATCH", path, {
      token,
      body: { description: "late" },
      headers: { "if-match": '"1"' },
    });
    expect(patched.status).toBe(200);
    // Not answered before b acted on the announcement (300 ms late), so b's next answer is new.
    expect((await api(b, "GET", path, { token })).body.version).toBe(2);
    const again = await api(b, "PUT", "/_emulator/invalidation-lag", { body: { delayMs: 0 } });
    expect(again.body).toEqual({ delayMs: 0 });
  });

  it("a build its replica abandoned is taken over by another; one another replica is running is left to it", async () => {
    const token = await getToken(a);
    const created = await api(a, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("across_build"),
    });
    const actionId = created.body.id as string;
    const base = { actionId, environmentId: "dev", trigger: "manual" as const };
    // Written as a replica that then died would have left them: one queued a minute ago, one started
    // a minute ago; and one another replica started just now (its clock a little ahead).
    a.store.builds.put(DEMO_TENANT_ID, {
      ...base,
      id: "abandoned-queued",
      status: "QUEUED",
      createdTimestamp: Date.now() - 60_000,
    });
    a.store.builds.put(DEMO_TENANT_ID, {
      ...base,
      id: "abandoned-running",
      status: "RUNNING",
      createdTimestamp: Date.now() - 61_000,
      startedTimestamp: Date.now() - 60_000,
    });
    a.store.builds.put(DEMO_TENANT_ID, {
      ...base,
      id: "running-elsewhere",
      status: "RUNNING",
      createdTimestamp: Date.now() + 30_000,
      startedTimestamp: Date.now() + 30_000,
    });
    const status = async (id: string) =>
      (await api(b, "GET", `/api/v2/dataactions/${actionId}/builds/${id}`, { token })).body.status;
    await expect.poll(() => status("abandoned-queued"), { timeout: 20_000, interval: 250 }).toBe("SUCCEEDED");
    await expect
      .poll(() => status("abandoned-running"), { timeout: 20_000, interval: 250 })
      .toBe("SUCCEEDED");
    expect(await status("running-elsewhere")).toBe("RUNNING");
  });

  it("a key rotation through one replica is the active key on the other", async () => {
    const token = await getToken(a);
    const before = await api(b, "GET", "/api/v2/keys", { token });
    expect(before.status).toBe(200);
    const rotated = await api(a, "POST", "/api/v2/keys/rotate", { token, body: {} });
    expect(rotated.status).toBe(200);
    const after = await api(b, "GET", "/api/v2/keys", { token });
    expect(after.body.activeKeyId).toBe(rotated.body.activeKeyId);
    expect(after.body.activeKeyId).not.toBe(before.body.activeKeyId);
  });
});
