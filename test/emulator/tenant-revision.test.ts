/** The tenant revision: +1 per committed write, carried by every authenticated response. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorConfigInput } from "../../src/emulator/config.js";
import {
  type ApiResult,
  api,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  startTestEmulator,
  UNTHROTTLED,
} from "./helpers.js";

const config: EmulatorConfigInput = {
  tenants: [
    { id: "acme", clients: [{ id: "acme-ci", secret: "acme-secret-1" }] },
    { id: "globex", clients: [{ id: "globex-ci", secret: "globex-secret-1" }] },
  ],
};

let emulator: Emulator;
let acme: string;
let globex: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ ...UNTHROTTLED, config });
  acme = await getToken(emulator, { id: "acme-ci", secret: "acme-secret-1" });
  globex = await getToken(emulator, { id: "globex-ci", secret: "globex-secret-1" });
});
afterAll(() => emulator.close());

function revisionOf(res: ApiResult): number {
  const header = res.headers.get("x-tenant-revision");
  expect(header, `X-Tenant-Revision on ${res.status} ${res.text.slice(0, 80)}`).toMatch(/^\d+$/);
  return Number(header);
}

async function revision(token: string): Promise<number> {
  return revisionOf(await api(emulator, "GET", "/api/v2/environments", { token }));
}

const SECRET_VAR = {
  name: "apiKey",
  type: "string",
  value: "sk-live-secret-1",
  encrypted: true,
  scope: "action",
};

describe("tenant revision", () => {
  it("goes up by exactly 1 per committed write of any resource, and the write's response carries the new one", async () => {
    const start = await revision(acme);
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token: acme,
      body: scriptAction("rev_one"),
    });
    expect(created.status).toBe(201);
    expect(revisionOf(created)).toBe(start + 1);
    const id = created.body.id as string;
    const steps: [string, string, unknown][] = [
      ["PATCH", `/api/v2/dataactions/${id}`, { description: "changed" }],
      ["PUT", `/api/v2/dataactions/${id}/variables`, { variables: [SECRET_VAR] }],
      [
        "PUT",
        `/api/v2/dataactions/${id}/environments/dev/variables`,
        { variables: [{ name: "A", value: "1" }] },
      ],
      [
        "PATCH",
        `/api/v2/dataactions/${id}/environments/prod/variables`,
        { variables: [{ name: "B", value: "2" }] },
      ],
      [
        "PUT",
        "/api/v2/variables",
        { variables: [{ name: "g", type: "string", value: "x", encrypted: false, scope: "global" }] },
      ],
      // Deleting an action also deletes its variables and overrides: still one write.
      ["DELETE", `/api/v2/dataactions/${id}`, undefined],
    ];
    let expected = start + 1;
    for (const [method, path, body] of steps) {
      const res = await api(emulator, method, path, { token: acme, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
      expected += 1;
      expect(revisionOf(res), `${method} ${path}`).toBe(expected);
      expect(await revision(acme)).toBe(expected);
    }
  });

  it("does not move on reads, refused writes (validation, stale version, unknown action) or an idempotent replay", async () => {
    const action = await createAction(emulator, acme, scriptAction("rev_refused"));
    const before = await revision(acme);
    const attempts: [string, string, unknown, Record<string, string>?][] = [
      ["GET", "/api/v2/dataactions", undefined],
      ["GET", `/api/v2/dataactions/${action.id}`, undefined],
      ["GET", `/api/v2/dataactions/${action.id}/variables`, undefined],
      ["GET", "/api/v2/variables", undefined],
      ["POST", "/api/v2/dataactions", { name: "" }],
      ["PATCH", `/api/v2/dataactions/${action.id}`, { description: "x", version: 99 }],
      ["PATCH", `/api/v2/dataactions/${action.id}`, { description: "x" }, { "if-match": '"7"' }],
      [
        "PUT",
        `/api/v2/dataactions/${action.id}/variables`,
        { variables: [{ name: "_bad", type: "string", value: "x" }] },
      ],
      [
        "PUT",
        `/api/v2/dataactions/${action.id}/environments/dev/variables`,
        { variables: [{ name: "A", value: "a;b" }] },
      ],
      ["DELETE", "/api/v2/dataactions/no-such-action", undefined],
    ];
    for (const [method, path, body, headers] of attempts) {
      const res = await api(emulator, method, path, {
        token: acme,
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      });
      expect(res.status >= 400 || method === "GET", `${method} ${path}: ${res.status}`).toBe(true);
      expect(revisionOf(res), `${method} ${path}`).toBe(before);
    }
    const keyed = { "idempotency-key": "rev-replay-1" };
    const first = await api(emulator, "POST", "/api/v2/dataactions", {
      token: acme,
      body: scriptAction("rev_keyed"),
      headers: keyed,
    });
    expect(revisionOf(first)).toBe(before + 1);
    const replay = await api(emulator, "POST", "/api/v2/dataactions", {
      token: acme,
      body: scriptAction("rev_keyed"),
      headers: keyed,
    });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(revisionOf(replay)).toBe(before + 1);
  });

  it("counts each tenant separately", async () => {
    const acmeBefore = await revision(acme);
    const globexBefore = await revision(globex);
    await createAction(emulator, globex, scriptAction("rev_globex"));
    await createAction(emulator, globex, scriptAction("rev_globex_2"));
    expect(await revision(globex)).toBe(globexBefore + 2);
    expect(await revision(acme)).toBe(acmeBefore);
  });

  // The served revision is kept in memory between writes: these are the ways it can change under it.
  it("is served fresh after a rolled-back store transaction and after a reset of the tenant data", async () => {
    const action = await createAction(emulator, acme, scriptAction("rev_rollback"));
    const before = await revision(acme);
    expect(await revision(acme)).toBe(before);
    expect(() =>
      emulator.store.transaction(() => {
        expect(emulator.store.actions.delete("acme", action.id)).toBe(true);
        expect(emulator.store.revision("acme")).toBe(before + 1);
        throw new Error("roll back");
      }),
    ).toThrow("roll back");
    expect(await revision(acme)).toBe(before);
    expect((await api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token: acme })).status).toBe(
      200,
    );
    emulator.store.actions.delete("acme", action.id);
    expect(await revision(acme)).toBe(before + 1);
    expect((await api(emulator, "POST", "/_emulator/reset")).status).toBeLessThan(300);
    expect(await revision(acme)).toBe(0);
    expect(await revision(globex)).toBe(0);
  });
});
