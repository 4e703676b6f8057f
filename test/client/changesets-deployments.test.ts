/** client.changesets, client.deployments and client.revisions over a scripted API (request log, fake time). */
import { describe, expect, it } from "vitest";
import { batchIdempotencyKey } from "../../src/client/resources/changesets.js";
import { apiLog, type FakeReply, fakeApi, fakeTime, makeClient, problem } from "./fake-api.js";

const ok = (body: unknown, status = 200): FakeReply => ({ status, body });
const INDEX = ok({ apiVersion: "v2", capabilities: ["snapshot", "changesets", "deployments", "revisions"] });

describe("capabilities", () => {
  it("reads GET /api/v2 once for every resource, and uses a feature only when it is listed", async () => {
    const api = fakeApi({
      handler: (req) =>
        req.path === "/api/v2" ? ok({ apiVersion: "v2", capabilities: ["snapshot"] }) : ok({}),
    });
    const client = makeClient(api, fakeTime());
    expect(await client.snapshot.available()).toBe(true);
    expect(await client.changesets.available()).toBe(false);
    expect(await client.deployments.available()).toBe(false);
    expect(await client.revisions.available()).toBe(false);
    expect(api.log.filter((l) => l.includes("/api/v2"))).toEqual(["GET /api/v2 → 200"]);
  });

  it("a server without GET /api/v2 (404) has none", async () => {
    const api = fakeApi({ handler: () => problem(404, "not-found", "no such route") });
    const client = makeClient(api, fakeTime());
    expect(await client.changesets.available()).toBe(false);
    expect(await client.snapshot.available()).toBe(false);
  });
});

describe("client.changesets", () => {
  it("create sends the operations with the caller's Idempotency-Key, reused by a retry", async () => {
    let posts = 0;
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2") return INDEX;
        posts++;
        return posts === 1
          ? { status: 503, body: {}, headers: { "retry-after": "0" } }
          : ok({ id: "cs1", revision: 9, deploymentId: "d1", results: [] }, 201);
      },
    });
    const client = makeClient(api, fakeTime());
    const res = await client.changesets.create(
      { baseRevision: 8, description: "d", operations: [{ op: "deleteAction", ref: "x", version: 2 }] },
      { idempotencyKey: "k-1" },
    );
    expect(res.body.deploymentId).toBe("d1");
    const sent = api.requests.filter((r) => r.path === "/api/v2/changesets");
    expect(sent.map((r) => r.headers["idempotency-key"])).toEqual(["k-1", "k-1"]);
    expect(sent[1]!.json).toEqual({
      baseRevision: 8,
      description: "d",
      operations: [{ op: "deleteAction", ref: "x", version: 2 }],
    });
  });

  it("staged: open, batches keyed by changeset and sequence (stable across retries), commit", async () => {
    let failOnce = true;
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2/changesets")
          return ok({ id: "cs2", status: "OPEN", expiresTimestamp: "2026-01-01T01:00:00Z" }, 201);
        if (req.path === "/api/v2/changesets/cs2/batches") {
          if (failOnce) {
            failOnce = false;
            return "network";
          }
          return ok({ sequence: (req.json as { sequence: number }).sequence }, 201);
        }
        if (req.path === "/api/v2/changesets/cs2/commit")
          return ok({ id: "cs2", revision: 3, deploymentId: "d2", results: [] }, 201);
        return problem(404, "not-found", "?");
      },
    });
    const client = makeClient(api, fakeTime());
    const open = await client.changesets.open({ baseRevision: 2, description: "big" });
    expect(open.body.status).toBe("OPEN");
    await client.changesets.appendBatch("cs2", 1, [{ op: "deleteAction", ref: "a" }]);
    await client.changesets.appendBatch("cs2", 2, [{ op: "deleteAction", ref: "b" }]);
    const committed = await client.changesets.commit("cs2");
    expect(committed.body.revision).toBe(3);
    expect(apiLog(api)).toEqual([
      "POST /api/v2/changesets → 201",
      "POST /api/v2/changesets/cs2/batches → network error",
      "POST /api/v2/changesets/cs2/batches → 201",
      "POST /api/v2/changesets/cs2/batches → 201",
      "POST /api/v2/changesets/cs2/commit → 201",
    ]);
    const batches = api.requests.filter((r) => r.path.endsWith("/batches"));
    expect(batches.map((r) => r.headers["idempotency-key"])).toEqual([
      batchIdempotencyKey("cs2", 1),
      batchIdempotencyKey("cs2", 1),
      batchIdempotencyKey("cs2", 2),
    ]);
    expect(api.requests.find((r) => r.path === "/api/v2/changesets")!.json).toEqual({
      baseRevision: 2,
      description: "big",
      staged: true,
    });
  });
});

describe("client.deployments and client.revisions", () => {
  it("lists every page newest first, gets one, rolls one back with force and description", async () => {
    const api = fakeApi({
      handler: (req) => {
        if (req.path === "/api/v2/deployments") {
          const page = Number(req.query.get("page"));
          const all = [{ id: "d3" }, { id: "d2" }, { id: "d1" }];
          const size = Number(req.query.get("pageSize"));
          return ok({ entities: all.slice((page - 1) * size, page * size), page, pageSize: size, total: 3 });
        }
        if (req.path === "/api/v2/deployments/d2") return ok({ id: "d2", resources: [] });
        if (req.path === "/api/v2/deployments/d2/rollback")
          return ok({ id: "cs9", revision: 12, deploymentId: "d4" }, 201);
        return problem(404, "not-found", "?");
      },
    });
    const client = makeClient(api, fakeTime());
    const ids: string[] = [];
    for await (const d of client.deployments.list({ pageSize: 2 })) ids.push(d.id);
    expect(ids).toEqual(["d3", "d2", "d1"]);
    expect((await client.deployments.get("d2")).body.id).toBe("d2");
    const rolled = await client.deployments.rollback("d2", { force: true, description: "undo" });
    expect(rolled.body.deploymentId).toBe("d4");
    const post = api.requests.find((r) => r.path.endsWith("/rollback"))!;
    expect(post.json).toEqual({ force: true, description: "undo" });
    expect(post.headers["idempotency-key"]).toBeTruthy();
  });

  it("reads an action's revisions and one version", async () => {
    const api = fakeApi({
      handler: (req) => {
        if (
          req.path === "/api/v2/dataactions/a%201/revisions" ||
          req.path === "/api/v2/dataactions/a 1/revisions"
        )
          return ok({ entities: [{ version: 2 }, { version: 1 }], page: 1, pageSize: 100, total: 2 });
        if (req.path.endsWith("/revisions/1")) return ok({ id: "a 1", version: 1 });
        return problem(404, "not-found", req.path);
      },
    });
    const client = makeClient(api, fakeTime());
    const versions: number[] = [];
    for await (const r of client.revisions.list("a 1")) versions.push(r.version);
    expect(versions).toEqual([2, 1]);
    expect((await client.revisions.get("a 1", 1)).body.version).toBe(1);
  });
});
