import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  slug,
  startTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
let counter = 0;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 60_000, burst: 1_000 } });
  token = await getToken(emulator);
});
afterAll(() => emulator.close());

async function newAction(extra: Record<string, unknown> = {}): Promise<Body> {
  counter += 1;
  return createAction(emulator, token, scriptAction(`build_action_${counter}`, extra));
}

const overridesPath = (id: string, env: string) => `/api/v2/dataactions/${id}/environments/${env}/variables`;

/** Reads the build until it leaves QUEUED/RUNNING, recording every status seen. */
async function settle(actionId: string, buildId: string, seen: string[] = []): Promise<Body> {
  for (let i = 0; i < 500; i++) {
    const res = await api(emulator, "GET", `/api/v2/dataactions/${actionId}/builds/${buildId}`, { token });
    expect(res.status).toBe(200);
    if (seen.at(-1) !== res.body.status) seen.push(res.body.status);
    if (res.body.status === "SUCCEEDED" || res.body.status === "FAILED") return res.body;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`build ${buildId} did not finish`);
}

describe("builds", () => {
  it("answers 202 QUEUED, then moves through RUNNING to SUCCEEDED with a snapshot and a content hash", async () => {
    const action = await newAction();
    await api(emulator, "PUT", overridesPath(action.id, "prod"), {
      token,
      body: { variables: [{ name: "API_KEY", value: "sk_live_build_1", masked: true }] },
    });
    const res = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      body: { environmentId: "prod" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: expect.any(String),
      actionId: action.id,
      environmentId: "prod",
      status: "QUEUED",
    });
    const seen = ["QUEUED"];
    const done = await settle(action.id, res.body.id, seen);
    expect(seen.at(-1)).toBe("SUCCEEDED");
    expect(["QUEUED", "RUNNING", "SUCCEEDED"]).toEqual(expect.arrayContaining(seen));
    expect(done.trigger).toBe("manual");
    expect(done.errors).toBeUndefined();
    expect(done.snapshot.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(done.snapshot.variables).toEqual([
      {
        name: "API_KEY",
        source: "override",
        masked: true,
        fingerprint: expect.stringMatching(/^hmac-sha256:/),
      },
    ]);
    expect(JSON.stringify(done)).not.toContain("sk_live_build_1");

    // Same content, same hash; a changed override, another hash.
    const again = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      body: { environmentId: "prod" },
    });
    expect((await settle(action.id, again.body.id)).snapshot.contentHash).toBe(done.snapshot.contentHash);
    await api(emulator, "PUT", overridesPath(action.id, "prod"), {
      token,
      body: { variables: [{ name: "API_KEY", value: "sk_live_build_2", masked: true }] },
    });
    const third = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      body: { environmentId: "prod" },
    });
    expect((await settle(action.id, third.body.id)).snapshot.contentHash).not.toBe(done.snapshot.contentHash);
  });

  it("fails with errors when a masked override's ciphertext was corrupted", async () => {
    const action = await newAction();
    await api(emulator, "PUT", overridesPath(action.id, "prod"), {
      token,
      body: { variables: [{ name: "DB_PASSWORD", value: "correct-horse-battery", masked: true }] },
    });
    const set = emulator.store.overrides.get("demo", action.id, "prod")!;
    const sealed = set.items[0]!.sealed!;
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    bytes[bytes.length - 1]! ^= 0x01;
    emulator.store.overrides.put({
      ...set,
      items: [{ ...set.items[0]!, sealed: { ...sealed, ciphertext: bytes.toString("base64") } }],
    });
    const res = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      body: { environmentId: "prod" },
    });
    const done = await settle(action.id, res.body.id);
    expect(done.status).toBe("FAILED");
    expect(done.snapshot).toBeUndefined();
    expect(done.errors).toEqual([
      {
        code: "variable-unreadable",
        path: "variables.DB_PASSWORD",
        message: expect.stringMatching(/override variable 'DB_PASSWORD' cannot be decrypted.*set it again/),
      },
    ]);
    expect(JSON.stringify(done)).not.toContain("correct-horse-battery");
  });

  it("triggers a build on an override write to a buildOnChange environment, and not for prod", async () => {
    const action = await newAction();
    const dev = await api(emulator, "PATCH", overridesPath(action.id, "dev"), {
      token,
      body: { variables: [{ name: "LEVEL", value: "debug" }] },
    });
    expect(dev.body.build).toEqual({ id: expect.any(String), status: "QUEUED" });
    const built = await settle(action.id, dev.body.build.id);
    expect(built).toMatchObject({ status: "SUCCEEDED", trigger: "overrides", environmentId: "dev" });
    expect(built.snapshot.overridesVersion).toBe(dev.body.version);

    const unchanged = await api(emulator, "PATCH", overridesPath(action.id, "dev"), {
      token,
      body: { variables: [{ name: "LEVEL", value: "debug" }] },
    });
    expect(unchanged.body.build).toBeUndefined();
    const prod = await api(emulator, "PATCH", overridesPath(action.id, "prod"), {
      token,
      body: { variables: [{ name: "LEVEL", value: "warn" }] },
    });
    expect(prod.body.build).toBeUndefined();
  });

  it("refuses a build without the admin scope, for an unknown environment, or of an unknown build id", async () => {
    const action = await newAction();
    const writer = await getToken(emulator, undefined, "dataactions:read dataactions:write");
    const noAdmin = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token: writer,
      body: { environmentId: "dev" },
    });
    expect(noAdmin.status).toBe(403);
    const qa = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      body: { environmentId: "qa" },
    });
    expect(qa.status).toBe(404);
    expect(qa.body.detail).toMatch(/No environment "qa"/);
    const missing = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      body: {},
    });
    expect(missing.status).toBe(400);
    expect(slug(missing)).toBe("validation-failed");
    const unknown = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/builds/nope`, { token });
    expect(unknown.status).toBe(404);
  });

  it("replays a build POST with the same Idempotency-Key instead of queueing a second build", async () => {
    const action = await newAction();
    const headers = { "idempotency-key": `build-${action.id}` };
    const first = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      headers,
      body: { environmentId: "staging" },
    });
    const second = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token,
      headers,
      body: { environmentId: "staging" },
    });
    expect(second.status).toBe(202);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.id).toBe(first.body.id);
  });

  it("goes with its action: after DELETE the finished and the still-queued build answer 404", async () => {
    const action = await newAction();
    const build = (path: string) => api(emulator, "GET", path, { token });
    const post = () =>
      api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
        token,
        body: { environmentId: "dev" },
      });
    const finished = (await post()).body.id;
    await settle(action.id, finished);
    const queued = (await post()).body.id;
    expect((await api(emulator, "DELETE", `/api/v2/dataactions/${action.id}`, { token })).status).toBe(204);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    for (const id of [finished, queued]) {
      const res = await build(`/api/v2/dataactions/${action.id}/builds/${id}`);
      expect(res.status).toBe(404);
      expect(slug(res)).toBe("not-found");
    }
    expect(emulator.store.builds.unfinished().some((b) => b.build.actionId === action.id)).toBe(false);
  });

  it("closes cleanly with builds still pending", async () => {
    const emu = await startTestEmulator();
    const t = await getToken(emu);
    const action = await createAction(emu, t, scriptAction("pending_build"));
    const res = await api(emu, "POST", `/api/v2/dataactions/${action.id}/builds`, {
      token: t,
      body: { environmentId: "dev" },
    });
    expect(res.status).toBe(202);
    await emu.close();
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe("GET …/builds lists an action's builds", () => {
  it("newest first, paged, filtered by environmentId; unknown environment → 404", async () => {
    const action = await newAction();
    const ids: string[] = [];
    for (const environmentId of ["dev", "staging", "dev"]) {
      const res = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/builds`, {
        token,
        body: { environmentId },
      });
      ids.push(res.body.id);
      await settle(action.id, res.body.id);
    }
    const all = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/builds`, { token });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(new Set(all.body.entities.map((b: Body) => b.id))).toEqual(new Set(ids));
    const created = all.body.entities.map((b: Body) => b.createdTimestamp);
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const page = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/builds?pageSize=2&page=2`, {
      token,
    });
    expect(page.body).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(page.body.entities).toHaveLength(1);

    const dev = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/builds?environmentId=dev`, {
      token,
    });
    expect(dev.body.total).toBe(2);
    expect(dev.body.entities.every((b: Body) => b.environmentId === "dev")).toBe(true);

    const unknown = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/builds?environmentId=qa`, {
      token,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain("known environments: dev, staging, prod");
  });
});
