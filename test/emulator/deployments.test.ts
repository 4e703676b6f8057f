/** Deployments, rollback, action revisions and staged changesets, through HTTP. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  slug,
  startTestEmulator,
  UNTHROTTLED,
  useTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(UNTHROTTLED, (running) => {
  ({ emulator, token } = running);
});

const key = () => ({ "idempotency-key": randomUUID() });
const changeset = (operations: unknown[], extra: Record<string, unknown> = {}) =>
  api(emulator, "POST", "/api/v2/changesets", { token, body: { operations, ...extra }, headers: key() });
const rollback = (id: string, body: Record<string, unknown> = {}, as = token) =>
  api(emulator, "POST", `/api/v2/deployments/${id}/rollback`, { token: as, body, headers: key() });
const get = (path: string) => api(emulator, "GET", path, { token });
const secret = (name: string, value: string) => ({
  name,
  type: "string",
  value,
  encrypted: true,
  scope: "action",
});

describe("deployments", () => {
  it("records every commit, newest first: a changeset, and a single write as one resource", async () => {
    const cs = await changeset([{ op: "createAction", action: scriptAction("dep_one") }], {
      description: "first",
    });
    const single = await createAction(emulator, token, scriptAction("dep_two"));
    const list = await get("/api/v2/deployments");
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    const [newest, oldest] = list.body.entities as Body[];
    expect(oldest).toMatchObject({ id: cs.body.deploymentId, description: "first", clientId: "cxda-demo" });
    expect(oldest.counts).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(newest.revision).toBe(oldest.revision + 1);
    const detail = await get(`/api/v2/deployments/${newest.id}`);
    expect(detail.body.resources).toEqual([
      { kind: "action", actionId: single.id, name: "dep_two", beforeVersion: null, afterVersion: 1 },
    ]);
    expect((await get(`/api/v2/deployments/${randomUUID()}`)).status).toBe(404);
  });

  // Reads run outside the request context, which is switched off while no write is in flight.
  it("records the client of every write, with reads in flight around it and after a time of reads only", async () => {
    const before = (await get("/api/v2/deployments?pageSize=100")).body.total as number;
    const reads = () => Array.from({ length: 10 }, () => get("/api/v2/dataactions"));
    await Promise.all([
      ...reads(),
      ...Array.from({ length: 4 }, (_, i) => createAction(emulator, token, scriptAction(`ctx_busy_${i}`))),
      ...reads(),
    ]);
    await Promise.all(reads());
    await createAction(emulator, token, scriptAction("ctx_after_reads"));
    const list = await get("/api/v2/deployments?pageSize=100");
    const mine = (list.body.entities as Body[]).slice(0, list.body.total - before);
    expect(mine).toHaveLength(5);
    expect(mine.map((d) => d.clientId)).toEqual(Array(5).fill("cxda-demo"));
  });

  it("names the newest deployment that touched each action, its overrides included, in one request", async () => {
    const first = await changeset([
      { op: "createAction", action: scriptAction("last_one") },
      { op: "createAction", action: scriptAction("last_two") },
    ]);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const [one, two] = (first.body.results as Body[]).map((r) => r.id as string);
    const second = await changeset([
      { op: "putOverrides", ref: two, environmentId: "dev", variables: [{ name: "X", value: "1" }] },
    ]);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const last = await get("/api/v2/deployments/by-action");
    expect(last.status).toBe(200);
    const byId = new Map((last.body.entities as Body[]).map((e) => [e.actionId, e]));
    expect(byId.get(one)).toMatchObject({
      name: "last_one",
      deploymentId: first.body.deploymentId,
      clientId: "cxda-demo",
    });
    expect(byId.get(two)).toMatchObject({ name: "last_two", deploymentId: second.body.deploymentId });
    expect(byId.get(two)!.createdTimestamp).toEqual(expect.any(Number));
    expect(byId.size).toBe(2);
  });

  it("rolls back a changeset: the created action goes, the deleted one returns with its id and its secret", async () => {
    const victim = await createAction(
      emulator,
      token,
      scriptAction("rb_victim", { config: { headers: { Authorization: "Bearer sk-live-rb-1" } } }),
    );
    await api(emulator, "PUT", `/api/v2/dataactions/${victim.id}/variables`, {
      token,
      body: { variables: [secret("apiKey", "rb-secret-value-1")] },
    });
    await api(emulator, "PUT", `/api/v2/dataactions/${victim.id}/environments/prod/variables`, {
      token,
      body: { variables: [{ name: "TOKEN", value: "masked-rb-value", masked: true }] },
    });
    const varsBefore = (await get(`/api/v2/dataactions/${victim.id}/variables`)).body;
    await api(emulator, "POST", "/api/v2/keys/rotate", { token, headers: key() });
    const cs = await changeset([
      { op: "createAction", action: scriptAction("rb_new") },
      { op: "deleteAction", ref: "rb_victim" },
    ]);
    expect(cs.status).toBe(201);
    const detail = (await get(`/api/v2/deployments/${cs.body.deploymentId}`)).body;
    expect(detail.counts.deleted).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(detail)).not.toContain("rb-secret-value-1");
    const res = await rollback(cs.body.deploymentId, { description: "undo" });
    expect(res.status).toBe(201);
    expect(res.body.rollbackOf).toBe(cs.body.deploymentId);
    const names = (await get("/api/v2/dataactions")).body.entities.map((a: Body) => a.name);
    expect(names).toEqual(["rb_victim"]);
    const back = await get(`/api/v2/dataactions/${victim.id}`);
    expect(back.status).toBe(200);
    expect(back.body.config.headers.Authorization).toBe("Bearer sk-live-rb-1");
    expect(back.body.version).toBeGreaterThan(victim.version);
    const vars = (await get(`/api/v2/dataactions/${victim.id}/variables`)).body;
    expect(vars.variables[0].fingerprint).toBe(varsBefore.variables[0].fingerprint);
    const active = (await get("/api/v2/keys")).body.activeKeyId;
    expect(vars.variables[0].keyId).toBe(active);
    expect(vars.variables[0].keyId).not.toBe(varsBefore.variables[0].keyId);
    const overrides = (await get(`/api/v2/dataactions/${victim.id}/environments/prod/variables`)).body;
    expect(overrides.variables[0]).toMatchObject({ name: "TOKEN", value: "***", masked: true });
    const list = (await get("/api/v2/deployments?pageSize=1")).body.entities[0];
    expect(list).toMatchObject({
      id: res.body.deploymentId,
      rollbackOf: cs.body.deploymentId,
      description: "undo",
    });
  });

  it("answers 409 rollback-conflict naming a resource changed since, unchanged; force wins", async () => {
    const a = await createAction(emulator, token, scriptAction("conf_a"));
    const cs = await changeset([{ op: "updateAction", ref: a.id, patch: { description: "by deploy" } }]);
    await api(emulator, "PATCH", `/api/v2/dataactions/${a.id}`, {
      token,
      body: { description: "later edit" },
    });
    const revision = (await get("/api/v2/environments")).headers.get("x-tenant-revision");
    const conflict = await rollback(cs.body.deploymentId);
    expect(conflict.status).toBe(409);
    expect(slug(conflict)).toBe("rollback-conflict");
    expect(conflict.body.detail).toContain("action conf_a");
    expect((await get("/api/v2/environments")).headers.get("x-tenant-revision")).toBe(revision);
    expect((await get(`/api/v2/dataactions/${a.id}`)).body.description).toBe("later edit");
    const forced = await rollback(cs.body.deploymentId, { force: true });
    expect(forced.status).toBe(201);
    expect((await get(`/api/v2/dataactions/${a.id}`)).body.description).toBe("");
  });

  it("refuses a rollback whose target action no longer exists, clearly, and needs the delete scope", async () => {
    const a = await createAction(emulator, token, scriptAction("gone_a"));
    const put = await api(emulator, "PUT", `/api/v2/dataactions/${a.id}/variables`, {
      token,
      body: { variables: [{ name: "x", type: "string", value: "1", encrypted: false, scope: "action" }] },
    });
    expect(put.status).toBe(200);
    const deployment = (await get("/api/v2/deployments?pageSize=1")).body.entities[0].id;
    await api(emulator, "DELETE", `/api/v2/dataactions/${a.id}`, { token });
    const writer = await getToken(emulator, undefined, "dataactions:write");
    expect((await rollback(deployment, {}, writer)).status).toBe(403);
    const res = await rollback(deployment, { force: true });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain("no longer exists");
    const bad = await rollback(deployment, { forse: true });
    expect(bad.status).toBe(400);
  });

  it("rolls back a rollback: the action the first rollback deleted returns with its id", async () => {
    const cs = await changeset([{ op: "createAction", action: scriptAction("rr_a") }]);
    const id = cs.body.results[0].id;
    const first = await rollback(cs.body.deploymentId);
    expect(first.status).toBe(201);
    expect((await get(`/api/v2/dataactions/${id}`)).status).toBe(404);
    const second = await rollback(first.body.deploymentId);
    expect(second.status).toBe(201);
    const back = await get(`/api/v2/dataactions/${id}`);
    expect(back.body).toMatchObject({ id, name: "rr_a" });
    // Its revisions go on from where they were: 1 (created), 2 (restored).
    const revisions = await get(`/api/v2/dataactions/${id}/revisions`);
    expect(revisions.body.entities.map((r: Body) => r.version)).toEqual([2, 1]);
    // Rolling back the first rollback again: the action it deleted exists now → 409, nothing changes.
    const again = await rollback(first.body.deploymentId);
    expect(again.status).toBe(409);
    expect(slug(again)).toBe("rollback-conflict");
  });

  it("keeps only the configured number of deployments per tenant", async () => {
    const small = await startTestEmulator({
      ...UNTHROTTLED,
      history: { deploymentsPerTenant: 3, revisionsPerAction: 2 },
    });
    try {
      const t = await getToken(small);
      const a = await createAction(small, t, scriptAction("ret_a"));
      for (const d of ["1", "2", "3", "4"])
        await api(small, "PATCH", `/api/v2/dataactions/${a.id}`, { token: t, body: { description: d } });
      const list = await api(small, "GET", "/api/v2/deployments", { token: t });
      expect(list.body.total).toBe(3);
      const revisions = await api(small, "GET", `/api/v2/dataactions/${a.id}/revisions`, { token: t });
      expect(revisions.body.entities.map((r: Body) => r.version)).toEqual([5, 4]);
      const expired = await api(small, "GET", `/api/v2/dataactions/${a.id}/revisions/2`, { token: t });
      expect(expired.status).toBe(410);
      expect(slug(expired)).toBe("revision-expired");
      expect((await api(small, "GET", `/api/v2/dataactions/${a.id}/revisions/9`, { token: t })).status).toBe(
        404,
      );
    } finally {
      await small.close();
    }
  });
});

describe("action revisions", () => {
  it("lists versions with their deployment and answers the action as it was, after deletion too", async () => {
    const a = await createAction(
      emulator,
      token,
      scriptAction("rev_a", { config: { headers: { "X-Api-Key": "sk-live-rev-1" } } }),
    );
    await api(emulator, "PATCH", `/api/v2/dataactions/${a.id}`, { token, body: { description: "two" } });
    const list = await get(`/api/v2/dataactions/${a.id}/revisions`);
    expect(list.body.entities.map((r: Body) => r.version)).toEqual([2, 1]);
    expect(list.body.entities[0]).toMatchObject({ clientId: "cxda-demo" });
    expect(typeof list.body.entities[0].deploymentId).toBe("string");
    const v1 = await get(`/api/v2/dataactions/${a.id}/revisions/1`);
    expect(v1.body).toEqual(a);
    // The current version, as the action itself answers it.
    const current = await get(`/api/v2/dataactions/${a.id}`);
    expect((await get(`/api/v2/dataactions/${a.id}/revisions/2`)).body).toEqual(current.body);
    await api(emulator, "DELETE", `/api/v2/dataactions/${a.id}`, { token });
    const after = await get(`/api/v2/dataactions/${a.id}/revisions/2`);
    expect(after.status).toBe(200);
    expect(after.body.description).toBe("two");
    expect((await get(`/api/v2/dataactions/${randomUUID()}/revisions`)).status).toBe(404);
    expect((await get(`/api/v2/dataactions/${a.id}/revisions/x`)).status).toBe(400);
  });
});

describe("staged changesets", () => {
  const open = (body: Record<string, unknown> = {}) =>
    api(emulator, "POST", "/api/v2/changesets", { token, body: { staged: true, ...body }, headers: key() });
  const batch = (id: string, sequence: number, operations: unknown[]) =>
    api(emulator, "POST", `/api/v2/changesets/${id}/batches`, { token, body: { sequence, operations } });
  const commit = (id: string, headers: Record<string, string> = {}) =>
    api(emulator, "POST", `/api/v2/changesets/${id}/commit`, { token, body: {}, headers });

  it("opens, takes batches idempotently per sequence, commits them atomically once", async () => {
    const opened = await open({ description: "staged" });
    expect(opened.status).toBe(201);
    expect(opened.body.status).toBe("OPEN");
    const id = opened.body.id;
    const ops0 = [{ op: "createAction", action: scriptAction("st_a") }];
    expect((await batch(id, 0, ops0)).status).toBe(201);
    const again = await batch(id, 0, ops0);
    expect(again.status).toBe(200);
    const other = await batch(id, 0, [{ op: "createAction", action: scriptAction("st_x") }]);
    expect(other.status).toBe(422);
    expect(slug(other)).toBe("batch-sequence-reuse");
    expect(
      (await batch(id, 1, [{ op: "createAction", action: scriptAction("st_b", { dependencies: ["st_a"] }) }]))
        .status,
    ).toBe(201);
    expect((await get("/api/v2/dataactions")).body.total).toBe(0);
    const done = await commit(id);
    expect(done.status).toBe(201);
    expect(done.body.results).toHaveLength(2);
    const replay = await commit(id);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(done.body);
    expect((await get("/api/v2/dataactions")).body.total).toBe(2);
    const late = await batch(id, 2, ops0);
    expect(late.status).toBe(409);
    expect(slug(late)).toBe("changeset-committed");
  });

  it("applies nothing when one batch's operation fails, naming it over all batches", async () => {
    const id = (await open()).body.id;
    await batch(id, 0, [{ op: "createAction", action: scriptAction("sf_a") }]);
    await batch(id, 1, [{ op: "createAction", action: scriptAction("sf_a") }]);
    const res = await commit(id);
    expect(res.status).toBe(409);
    expect(res.body.errors[0].path).toBe("operations[1]");
    expect(res.body.detail).toContain("batch 1");
    expect((await get("/api/v2/dataactions")).body.total).toBe(0);
  });

  it("expires an open changeset after an hour (410) and refuses bad batches", async () => {
    let now = Date.now();
    const timed = await startTestEmulator({ ...UNTHROTTLED, tokenTtlSeconds: 86_400, clock: () => now });
    try {
      const t = await getToken(timed);
      const opened = await api(timed, "POST", "/api/v2/changesets", {
        token: t,
        body: { staged: true },
        headers: key(),
      });
      const id = opened.body.id;
      const unknown = await api(timed, "POST", `/api/v2/changesets/${id}/batches`, {
        token: t,
        body: { sequence: 0, operations: [{ op: "dropTable" }] },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0].path).toBe("operations[0].op");
      now += 61 * 60 * 1000;
      const expired = await api(timed, "POST", `/api/v2/changesets/${id}/batches`, {
        token: t,
        body: { sequence: 0, operations: [{ op: "createAction", action: scriptAction("ex_a") }] },
      });
      expect(expired.status).toBe(410);
      expect(slug(expired)).toBe("changeset-expired");
      const commitRes = await api(timed, "POST", `/api/v2/changesets/${id}/commit`, { token: t, body: {} });
      expect(commitRes.status).toBe(410);
      expect(
        (await api(timed, "POST", `/api/v2/changesets/${randomUUID()}/commit`, { token: t, body: {} }))
          .status,
      ).toBe(404);
    } finally {
      await timed.close();
    }
  });
});
