/** `POST /api/v2/changesets`: many writes in one transaction, all or nothing, through HTTP. */
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
  UNTHROTTLED,
  useTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(UNTHROTTLED, (running) => {
  ({ emulator, token } = running);
});

function post(operations: unknown[], extra: Record<string, unknown> = {}, key = randomUUID(), as = token) {
  return api(emulator, "POST", "/api/v2/changesets", {
    token: as,
    body: { operations, ...extra },
    headers: { "idempotency-key": key },
  });
}

const revision = async () =>
  Number((await api(emulator, "GET", "/api/v2/environments", { token })).headers.get("x-tenant-revision"));

const listNames = async () =>
  ((await api(emulator, "GET", "/api/v2/dataactions?pageSize=100", { token })).body.entities as Body[])
    .map((a) => a.name)
    .sort();

const secretVar = (name: string, value: string) => ({
  name,
  type: "string",
  value,
  encrypted: true,
  scope: "action",
});

describe("POST /api/v2/changesets", () => {
  it("applies create, update by name, variables, overrides, globals and delete as one revision and one deployment", async () => {
    const old = await createAction(emulator, token, scriptAction("cs_old"));
    const before = await revision();
    const res = await post(
      [
        { op: "createAction", action: scriptAction("cs_base") },
        { op: "createAction", action: scriptAction("cs_top", { dependencies: ["cs_base"] }) },
        { op: "updateAction", ref: "cs_base", patch: { description: "patched" } },
        {
          op: "putVariables",
          ref: "cs_top",
          variables: [
            { name: "plain", type: "string", value: "x", encrypted: false, scope: "action" },
            secretVar("key", "s3cret-value-1"),
          ],
        },
        {
          op: "putOverrides",
          ref: "cs_top",
          environmentId: "prod",
          variables: [{ name: "TOKEN", value: "masked-value-1", masked: true }],
        },
        {
          op: "putGlobalVariables",
          variables: [{ name: "region", type: "string", value: "eu", scope: "global" }],
        },
        { op: "deleteAction", ref: old.id, version: 1 },
      ],
      { description: "first deploy" },
    );
    expect(res.status).toBe(201);
    expect(res.body.revision).toBe(before + 1);
    expect(Number(res.headers.get("x-tenant-revision"))).toBe(before + 1);
    expect(typeof res.body.deploymentId).toBe("string");
    const results = res.body.results as Body[];
    expect(results.map((r) => [r.index, r.op, r.version])).toEqual([
      [0, "createAction", 1],
      [1, "createAction", 1],
      [2, "updateAction", 2],
      [3, "putVariables", 2],
      [4, "putOverrides", 2],
      [5, "putGlobalVariables", 2],
      [6, "deleteAction", null],
    ]);
    expect(results[2].id).toBe(results[0].id);
    expect(results[3].id).toBe(results[1].id);
    expect(await listNames()).toEqual(["cs_base", "cs_top"]);
    const base = await api(emulator, "GET", `/api/v2/dataactions/${results[0].id}`, { token });
    expect(base.body.description).toBe("patched");
    const vars = await api(emulator, "GET", `/api/v2/dataactions/${results[1].id}/variables`, { token });
    expect(vars.body.variables[1]).toMatchObject({ name: "key", value: null, encrypted: true });
    expect(vars.text).not.toContain("s3cret-value-1");
    const overrides = await api(
      emulator,
      "GET",
      `/api/v2/dataactions/${results[1].id}/environments/prod/variables`,
      { token },
    );
    expect(overrides.body.variables[0]).toMatchObject({ name: "TOKEN", value: "***", masked: true });
  });

  it("applies nothing when operation 999 of 1000 is invalid, and names it", async () => {
    await createAction(emulator, token, scriptAction("cs_keep"));
    const before = await revision();
    const operations: unknown[] = Array.from({ length: 1000 }, (_, i) => ({
      op: "createAction",
      action: scriptAction(`bulk_${i}`),
    }));
    operations[999] = { op: "createAction", action: scriptAction("x") };
    const res = await post(operations);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body.errors[0].path).toBe("operations[999].action.name");
    expect(res.body.detail).toContain("operations[999]");
    expect(await revision()).toBe(before);
    expect(await listNames()).toEqual(["cs_keep"]);
  });

  it("refuses a name taken case-insensitively by an earlier operation", async () => {
    const res = await post([
      { op: "createAction", action: scriptAction("Dup_name") },
      { op: "createAction", action: scriptAction("dup_NAME") },
    ]);
    expect(res.status).toBe(409);
    expect(slug(res)).toBe("name-conflict");
    expect(res.body.errors[0].path).toBe("operations[1]");
    expect(await listNames()).toEqual([]);
  });

  it("finds a cycle formed across operations, at the operation that closes it", async () => {
    await createAction(emulator, token, scriptAction("cyc_a"));
    const res = await post([
      { op: "createAction", action: scriptAction("cyc_b", { dependencies: ["cyc_a"] }) },
      { op: "updateAction", ref: "cyc_a", patch: { dependencies: ["cyc_b"] } },
    ]);
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("dependency-cycle");
    expect(res.body.errors[0].path).toBe("operations[1].patch.dependencies");
    expect(res.body.errors[0].message).toMatch(/cyc_a → cyc_b → cyc_a|cyc_b → cyc_a → cyc_b/);
    expect(await listNames()).toEqual(["cyc_a"]);
  });

  it("accepts a dependency on an action created later in the same changeset, checked on the result", async () => {
    const res = await post([
      { op: "createAction", action: scriptAction("late_user", { dependencies: ["late_dep"] }) },
      { op: "createAction", action: scriptAction("late_dep") },
    ]);
    expect(res.status).toBe(201);
  });

  it("names an unknown dependency and a delete that leaves dependents", async () => {
    const unknown = await post([
      { op: "createAction", action: scriptAction("dep_user", { dependencies: ["nope_x"] }) },
    ]);
    expect(unknown.status).toBe(400);
    expect(slug(unknown)).toBe("unknown-dependency");
    expect(unknown.body.errors[0].path).toBe("operations[0].action.dependencies[0]");
    const base = await createAction(emulator, token, scriptAction("dep_base"));
    await createAction(emulator, token, scriptAction("dep_top", { dependencies: ["dep_base"] }));
    const del = await post([{ op: "deleteAction", ref: base.id }]);
    expect(del.status).toBe(409);
    expect(slug(del)).toBe("has-dependents");
    expect(del.body.errors[0].path).toBe("operations[0]");
    // Deleting both in one changeset is fine: the result has no dangling dependency.
    const both = await post([
      { op: "deleteAction", ref: "dep_top" },
      { op: "deleteAction", ref: "dep_base" },
    ]);
    expect(both.status).toBe(201);
  });

  it("refuses unknown operation kinds, missing fields and forward references, naming each operation", async () => {
    const shape = await post([
      { op: "renameAction", ref: "a" },
      { op: "updateAction", ref: "a" },
      { op: "putOverrides", ref: "a", variables: [] },
    ]);
    expect(shape.status).toBe(400);
    expect(shape.body.errors.map((e: Body) => e.path)).toEqual([
      "operations[0].op",
      "operations[1].action",
      "operations[2].environmentId",
    ]);
    expect(shape.body.errors[0].message).toContain("createAction");
    const forward = await post([
      { op: "putVariables", ref: "fw_later", variables: [] },
      { op: "createAction", action: scriptAction("fw_later") },
    ]);
    expect(forward.status).toBe(400);
    expect(forward.body.errors[0]).toMatchObject({ path: "operations[0].ref", code: "unknown-reference" });
    expect(forward.body.errors[0].message).toContain("operations[1]");
    const never = await post([{ op: "deleteAction", ref: "never_there" }]);
    expect(never.status).toBe(400);
    expect(never.body.errors[0].path).toBe("operations[0].ref");
    expect(await listNames()).toEqual([]);
  });

  it("answers 409 for a stale op version, 403 for a locked action, 412 for a stale baseRevision", async () => {
    const a = await createAction(emulator, token, scriptAction("ver_a"));
    const stale = await post([{ op: "updateAction", ref: a.id, version: 7, patch: { description: "x" } }]);
    expect(stale.status).toBe(409);
    expect(slug(stale)).toBe("version-conflict");
    expect(stale.body.errors[0].path).toBe("operations[0].version");
    await post([{ op: "updateAction", ref: a.id, patch: { locked: true } }]);
    const locked = await post([{ op: "putVariables", ref: "ver_a", variables: [] }]);
    expect(locked.status).toBe(403);
    expect(slug(locked)).toBe("action-locked");
    const current = await revision();
    const base = await post([{ op: "createAction", action: scriptAction("ver_b") }], {
      baseRevision: current - 1,
    });
    expect(base.status).toBe(412);
    expect(slug(base)).toBe("precondition-failed");
    const ok = await post([{ op: "createAction", action: scriptAction("ver_b") }], { baseRevision: current });
    expect(ok.status).toBe(201);
  });

  it("replays a commit for the same Idempotency-Key instead of applying it twice, and needs a key", async () => {
    const key = randomUUID();
    const ops = [{ op: "createAction", action: scriptAction("idem_a") }];
    const first = await post(ops, {}, key);
    const again = await post(ops, {}, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await listNames()).toEqual(["idem_a"]);
    const noKey = await api(emulator, "POST", "/api/v2/changesets", { token, body: { operations: ops } });
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors[0].path).toBe("Idempotency-Key");
  });

  it("answers 413 changeset-too-large above 1000 operations or 8 MiB", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({
      op: "createAction",
      action: scriptAction(`m_${i}`),
    }));
    const res = await post(many);
    expect(res.status).toBe(413);
    expect(slug(res)).toBe("changeset-too-large");
    const big = await api(emulator, "POST", "/api/v2/changesets", {
      token,
      raw: JSON.stringify({ operations: [], description: "x".repeat(9 * 1024 * 1024) }),
      headers: { "idempotency-key": randomUUID() },
    });
    expect(big.status).toBe(413);
    expect(slug(big)).toBe("changeset-too-large");
    // Between 1 MiB and 8 MiB is accepted (the route's own limit).
    const scripts = Array.from({ length: 40 }, (_, i) => ({
      op: "createAction",
      action: scriptAction(`big_${i}`, {
        script: {
          language: "JavaScript",
          content: `function main(context) { return context.input; }\n// ${"d".repeat(60_000)}`,
        },
      }),
    }));
    const mid = await post(scripts);
    expect(mid.status).toBe(201);
  });

  it("needs the scopes of its operations: delete for deleteAction, admin for global variables", async () => {
    const writer = await getToken(emulator, undefined, "dataactions:write");
    await createAction(emulator, token, scriptAction("scope_a"));
    const del = await post([{ op: "deleteAction", ref: "scope_a" }], {}, randomUUID(), writer);
    expect(del.status).toBe(403);
    expect(slug(del)).toBe("insufficient-scope");
    const globals = await post([{ op: "putGlobalVariables", variables: [] }], {}, randomUUID(), writer);
    expect(globals.status).toBe(403);
    expect(await listNames()).toEqual(["scope_a"]);
  });

  it("queues one build per action and buildOnChange environment, after the commit", async () => {
    const res = await post([
      { op: "createAction", action: scriptAction("build_a") },
      { op: "putOverrides", ref: "build_a", environmentId: "dev", variables: [{ name: "A", value: "1" }] },
      { op: "putOverrides", ref: "build_a", environmentId: "dev", variables: [{ name: "A", value: "2" }] },
      { op: "putOverrides", ref: "build_a", environmentId: "prod", variables: [{ name: "A", value: "3" }] },
    ]);
    expect(res.status).toBe(201);
    const id = res.body.results[0].id;
    const builds = await api(emulator, "GET", `/api/v2/dataactions/${id}/builds`, { token });
    expect(builds.body.entities.map((b: Body) => b.environmentId)).toEqual(["dev"]);
  });

  it("promotes overrides between environments, masked values included, as one operation", async () => {
    const res = await post([
      { op: "createAction", action: scriptAction("promo_a") },
      {
        op: "putOverrides",
        ref: "promo_a",
        environmentId: "staging",
        variables: [
          { name: "TOKEN", value: "masked-promo-1", masked: true },
          { name: "URL", value: "u" },
        ],
      },
      { op: "promoteOverrides", ref: "promo_a", from: "staging", to: "prod", names: ["TOKEN"] },
    ]);
    expect(res.status).toBe(201);
    const id = res.body.results[0].id;
    const staging = await api(emulator, "GET", `/api/v2/dataactions/${id}/environments/staging/variables`, {
      token,
    });
    const prod = await api(emulator, "GET", `/api/v2/dataactions/${id}/environments/prod/variables`, {
      token,
    });
    expect(prod.body.variables).toEqual([staging.body.variables[0]]);
    const missing = await post([{ op: "promoteOverrides", ref: "promo_a", to: "prod" }]);
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe("operations[0].from");
  });
});
