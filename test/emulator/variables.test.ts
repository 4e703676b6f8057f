/** Action and global variables over real HTTP: atomic replace, versions, validation. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_VARIABLES } from "../../src/domain/variables.js";
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
let nonAdmin: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 100_000, burst: 10_000 } });
  token = await getToken(emulator);
  nonAdmin = await getToken(emulator, undefined, "dataactions:read dataactions:write dataactions:delete");
});
afterAll(() => emulator.close());

let counter = 0;
async function newAction(): Promise<Body> {
  counter += 1;
  return createAction(emulator, token, scriptAction(`vars_action_${counter}`));
}

const path = (id: string) => `/api/v2/dataactions/${id}/variables`;

const SAMPLE = [
  { name: "baseUrl", type: "string", value: "https://crm.example.test", encrypted: false, scope: "action" },
  { name: "maxRetries", type: "integer", value: "3", encrypted: false, scope: "action" },
  { name: "verbose", type: "boolean", value: "true", encrypted: false, scope: "action" },
  { name: "limits", type: "object", value: '{"perMinute":60}', encrypted: false, scope: "action" },
  { name: "apiKey", type: "string", value: "sk-live-very-secret-1", encrypted: true, scope: "action" },
];

describe("GET/PUT /dataactions/{id}/variables", () => {
  it("starts as the empty set at version 1", async () => {
    const action = await newAction();
    const res = await api(emulator, "GET", path(action.id), { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ actionId: action.id, version: 1, variables: [] });
    expect(res.headers.get("etag")).toBe('"1"');
  });

  it("stores plain and typed values, and returns a secret only as null + keyId + fingerprint", async () => {
    const action = await newAction();
    const put = await api(emulator, "PUT", path(action.id), {
      token,
      body: { variables: SAMPLE, version: 1 },
    });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(2);
    expect(put.headers.get("etag")).toBe('"2"');
    expect(put.text).not.toContain("sk-live-very-secret-1");
    const get = await api(emulator, "GET", path(action.id), { token });
    expect(get.text).not.toContain("sk-live-very-secret-1");
    expect(get.body.variables.map((v: Body) => v.name)).toEqual(SAMPLE.map((v) => v.name));
    expect(get.body.variables[1]).toEqual(SAMPLE[1]);
    const secret = get.body.variables[4];
    expect(secret.value).toBeNull();
    expect(secret.encrypted).toBe(true);
    expect(secret.keyId).toMatch(/^k_\d+_[0-9a-f]{16}$/);
    expect(secret.fingerprint).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    const keys = await api(emulator, "GET", "/api/v2/keys", { token });
    expect(keys.body.activeKeyId).toBe(secret.keyId);
  });

  it("gives equal secrets equal fingerprints within the tenant, and leaves an unchanged set's version alone", async () => {
    const a = await newAction();
    const b = await newAction();
    const one = [{ name: "token", type: "string", value: "same-secret", encrypted: true }];
    const ra = await api(emulator, "PUT", path(a.id), { token, body: { variables: one } });
    const rb = await api(emulator, "PUT", path(b.id), { token, body: { variables: one } });
    expect(ra.body.variables[0].fingerprint).toBe(rb.body.variables[0].fingerprint);
    const again = await api(emulator, "PUT", path(a.id), { token, body: { variables: one, version: 2 } });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    const changed = [{ name: "token", type: "string", value: "other-secret", encrypted: true }];
    const next = await api(emulator, "PUT", path(a.id), { token, body: { variables: changed, version: 2 } });
    expect(next.body.version).toBe(3);
    expect(next.body.variables[0].fingerprint).not.toBe(ra.body.variables[0].fingerprint);
  });

  it("answers 409 for a stale body version and 412 for a stale If-Match, storing nothing", async () => {
    const action = await newAction();
    await api(emulator, "PUT", path(action.id), { token, body: { variables: SAMPLE.slice(0, 1) } });
    const conflict = await api(emulator, "PUT", path(action.id), {
      token,
      body: { variables: SAMPLE, version: 1 },
    });
    expect(conflict.status).toBe(409);
    expect(slug(conflict)).toBe("version-conflict");
    const precondition = await api(emulator, "PUT", path(action.id), {
      token,
      body: { variables: SAMPLE },
      headers: { "if-match": '"1"' },
    });
    expect(precondition.status).toBe(412);
    expect(slug(precondition)).toBe("precondition-failed");
    const get = await api(emulator, "GET", path(action.id), { token });
    expect(get.body.version).toBe(2);
    expect(get.body.variables).toHaveLength(1);
    const ok = await api(emulator, "PUT", path(action.id), {
      token,
      body: { variables: SAMPLE },
      headers: { "if-match": '"2"' },
    });
    expect(ok.body.version).toBe(3);
  });

  it("answers 404 for an unknown action and for another tenant's action id", async () => {
    const res = await api(emulator, "GET", path("00000000-0000-4000-8000-000000000000"), { token });
    expect(res.status).toBe(404);
    const put = await api(emulator, "PUT", path("nope"), { token, body: { variables: [] } });
    expect(put.status).toBe(404);
  });

  it("refuses writes to a locked action's variables", async () => {
    counter += 1;
    const action = await createAction(
      emulator,
      token,
      scriptAction(`vars_locked_${counter}`, { locked: true }),
    );
    const res = await api(emulator, "PUT", path(action.id), { token, body: { variables: SAMPLE } });
    expect(res.status).toBe(403);
    expect(slug(res)).toBe("action-locked");
  });

  it("deletes an action's variables with the action", async () => {
    const action = await newAction();
    await api(emulator, "PUT", path(action.id), { token, body: { variables: SAMPLE } });
    const stored = emulator.store.variables.getActionSet("demo", action.id);
    expect(stored?.version).toBe(2);
    expect(stored?.items.map((v) => [v.name, v.type, v.encrypted])).toEqual(
      SAMPLE.map((v) => [v.name, v.type, v.encrypted]),
    );
    const del = await api(emulator, "DELETE", `/api/v2/dataactions/${action.id}`, { token });
    expect(del.status).toBe(204);
    expect(emulator.store.variables.getActionSet("demo", action.id)).toBeUndefined();
  });
});

describe("bad variable lists: 400 listing every issue, nothing stored", () => {
  async function expectRejected(body: unknown): Promise<Body> {
    const action = await newAction();
    await api(emulator, "PUT", path(action.id), { token, body: { variables: SAMPLE.slice(0, 2) } });
    const res = await api(emulator, "PUT", path(action.id), { token, body });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const after = await api(emulator, "GET", path(action.id), { token });
    expect(after.body.version).toBe(2);
    expect(after.body.variables.map((v: Body) => v.name)).toEqual(["baseUrl", "maxRetries"]);
    return res;
  }

  it("10 000 items: the count cap, and the collisions among them", async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      name: `v${i % 5000}`,
      type: "string",
      value: "x",
    }));
    const res = await expectRejected({ variables: items });
    const errors = res.body.errors as Body[];
    expect(errors.some((e) => e.message.includes(`at most ${MAX_VARIABLES}`))).toBe(true);
    expect(errors.some((e) => e.code === "variable-collision")).toBe(true);
  });

  it("a non-string value, a float type and a __proto__ name in one list: every one reported", async () => {
    const res = await expectRejected({
      variables: [
        { name: "count", type: "integer", value: 42 },
        { name: "ratio", type: "float", value: "0.5" },
        { name: "__proto__", type: "string", value: "x" },
      ],
    });
    const paths = (res.body.errors as Body[]).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(["variables[0].value", "variables[1].type", "variables[2].name"]),
    );
    expect(res.body.errors).toHaveLength(3);
    expect(slug(res)).toBe("validation-failed");
  });

  it("duplicates only → variable-collision naming each", async () => {
    const res = await expectRejected({
      variables: [
        { name: "apiKey", type: "string", value: "a" },
        { name: "APIKEY", type: "string", value: "b" },
      ],
    });
    expect(slug(res)).toBe("variable-collision");
    expect(res.body.detail).toContain("apiKey");
    expect(res.body.detail).toContain("APIKEY");
  });

  it("a global or template scope at action level → scope-violation", async () => {
    const res = await expectRejected({
      variables: [
        { name: "region", type: "string", value: "eu", scope: "global" },
        { name: "tpl", type: "string", value: "x", scope: "template" },
      ],
    });
    expect(slug(res)).toBe("scope-violation");
    expect(res.body.errors).toHaveLength(2);
  });

  it("a double-nested body, unknown body fields and a non-object body", async () => {
    const nested = await expectRejected({ variables: { variables: SAMPLE } });
    expect(nested.body.detail).toContain("pass that list itself");
    const unknown = await expectRejected({ variables: SAMPLE, extra: 1 });
    expect(unknown.body.errors.map((e: Body) => e.path)).toEqual(["extra"]);
    await expectRejected([1, 2]);
  });

  it("a secret's value is never quoted in an error", async () => {
    const res = await expectRejected({
      variables: [{ name: "apiKey", type: "integer", value: "hunter2-secret", encrypted: true }],
    });
    expect(res.text).not.toContain("hunter2-secret");
  });
});

describe("/api/v2/variables (global)", () => {
  it("needs dataactions:admin to write and keeps secrets out of responses", async () => {
    const denied = await api(emulator, "PUT", "/api/v2/variables", {
      token: nonAdmin,
      body: { variables: [] },
    });
    expect(denied.status).toBe(403);
    const get0 = await api(emulator, "GET", "/api/v2/variables", { token: nonAdmin });
    expect(get0.status).toBe(200);
    const version = get0.body.version as number;
    const put = await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: {
        version,
        variables: [
          { name: "region", type: "string", value: "eu-west", scope: "global" },
          { name: "sharedToken", type: "string", value: "global-secret-value", encrypted: true },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(version + 1);
    expect(put.body.variables[0]).toEqual({
      name: "region",
      type: "string",
      value: "eu-west",
      encrypted: false,
      scope: "global",
    });
    expect(put.body.variables[1].value).toBeNull();
    expect(put.text).not.toContain("global-secret-value");
  });

  it("refuses an action scope in the global list", async () => {
    const res = await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: { variables: [{ name: "x", type: "string", value: "1", scope: "action" }] },
    });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("scope-violation");
  });
});

describe("expand=variables", () => {
  it("embeds each action's variable set (secrets as null) in the list", async () => {
    const action = await newAction();
    await api(emulator, "PUT", path(action.id), { token, body: { variables: SAMPLE } });
    const list = await api(emulator, "GET", `/api/v2/dataactions?name=${action.name}&expand=variables`, {
      token,
    });
    expect(list.status).toBe(200);
    const embedded = list.body.entities[0].variables;
    expect(embedded.actionId).toBe(action.id);
    expect(embedded.version).toBe(2);
    expect(embedded.variables).toHaveLength(SAMPLE.length);
    expect(embedded.variables[4].value).toBeNull();
    expect(list.text).not.toContain("sk-live-very-secret-1");
    const bare = await api(emulator, "GET", "/api/v2/dataactions?pageSize=100&expand=variables", { token });
    for (const entity of bare.body.entities) expect(entity.variables.actionId).toBe(entity.id);
  });
});
