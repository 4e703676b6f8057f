import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

async function newAction(): Promise<Body> {
  counter += 1;
  return createAction(emulator, token, scriptAction(`ovr_action_${counter}`));
}

function path(actionId: string, env: string): string {
  return `/api/v2/dataactions/${actionId}/environments/${env}/variables`;
}

describe("GET /environments", () => {
  it("lists the default tiers in order", async () => {
    const res = await api(emulator, "GET", "/api/v2/environments", { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: "dev", name: "development", order: 0, buildOnChange: true },
      { id: "staging", name: "staging", order: 1, buildOnChange: true },
      { id: "prod", name: "production", order: 2, buildOnChange: false },
    ]);
  });

  it("comes from the configuration when one is given", async () => {
    const custom = await startTestEmulator({
      config: {
        tenants: [{ id: "t1", clients: [{ id: "c1", secret: "c1-secret-value" }] }],
        environments: [
          { id: "uat", name: "acceptance", order: 1, buildOnChange: false },
          { id: "qa", name: "quality", order: 0, buildOnChange: true },
        ],
      },
    });
    try {
      const t = await getToken(custom, { id: "c1", secret: "c1-secret-value" });
      const res = await api(custom, "GET", "/api/v2/environments", { token: t });
      expect(res.body.map((e: Body) => e.id)).toEqual(["qa", "uat"]);
    } finally {
      await custom.close();
    }
  });
});

describe("overrides", () => {
  it("starts empty at version 1, PUT replaces, PATCH upserts and removes, masked values read as *** with a fingerprint", async () => {
    const action = await newAction();
    const empty = await api(emulator, "GET", path(action.id, "prod"), { token });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ actionId: action.id, environmentId: "prod", version: 1, variables: [] });
    expect(empty.headers.get("etag")).toBe('"1"');

    const put = await api(emulator, "PUT", path(action.id, "prod"), {
      token,
      body: {
        version: 1,
        variables: [
          { name: "API_URL", value: "https://api.example.com/v1" },
          { name: "API_KEY", value: "sk_live_abcdef123", masked: true, description: "vendor key" },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(2);
    expect(put.body.build).toBeUndefined(); // prod has no buildOnChange
    const key = put.body.variables.find((v: Body) => v.name === "API_KEY");
    expect(key).toMatchObject({ value: "***", masked: true, description: "vendor key" });
    expect(key.fingerprint).toMatch(/^hmac-sha256:[A-Za-z0-9_-]+$/);
    expect(put.text).not.toContain("sk_live_abcdef123");

    const patch = await api(emulator, "PATCH", path(action.id, "prod"), {
      token,
      headers: { "if-match": '"2"' },
      body: { variables: [{ name: "TIMEOUT_MS", value: "3000" }], remove: ["API_URL"] },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.version).toBe(3);
    expect(patch.body.variables.map((v: Body) => v.name)).toEqual(["API_KEY", "TIMEOUT_MS"]);

    const read = await api(emulator, "GET", path(action.id, "prod"), { token });
    expect(read.body.variables.find((v: Body) => v.name === "API_KEY").fingerprint).toBe(key.fingerprint);
  });

  it("gives equal masked values equal fingerprints across environments and rewrites nothing when nothing changes", async () => {
    const action = await newAction();
    const body = { variables: [{ name: "TOKEN", value: "same-secret-value", masked: true }] };
    const a = await api(emulator, "PUT", path(action.id, "staging"), { token, body });
    const b = await api(emulator, "PUT", path(action.id, "prod"), { token, body });
    expect(a.body.variables[0].fingerprint).toBe(b.body.variables[0].fingerprint);
    const again = await api(emulator, "PUT", path(action.id, "prod"), { token, body });
    expect(again.body.version).toBe(b.body.version);
  });

  it("honours If-Match (412) and a body version (409)", async () => {
    const action = await newAction();
    const first = await api(emulator, "PATCH", path(action.id, "prod"), {
      token,
      body: { variables: [{ name: "A", value: "1" }] },
    });
    expect(first.body.version).toBe(2);
    const stale = await api(emulator, "PATCH", path(action.id, "prod"), {
      token,
      headers: { "if-match": '"1"' },
      body: { variables: [{ name: "B", value: "2" }] },
    });
    expect(stale.status).toBe(412);
    expect(slug(stale)).toBe("precondition-failed");
    const conflict = await api(emulator, "PUT", path(action.id, "prod"), {
      token,
      body: { version: 1, variables: [] },
    });
    expect(conflict.status).toBe(409);
    expect(slug(conflict)).toBe("version-conflict");
  });

  it("refuses each bad input with a message naming the rule", async () => {
    const action = await newAction();
    const cases: { body: unknown; env?: string; status: number; message: RegExp }[] = [
      {
        body: { variables: [{ name: "CMD", value: "rm -rf /;" }] },
        status: 400,
        message: /shell metacharacters ';' at position 9/,
      },
      {
        body: { variables: [{ name: "BIG", value: "x".repeat(8000) }] },
        status: 400,
        message: /8000 characters; the limit is 1024/,
      },
      {
        body: { variables: [{ name: "api_key", value: "v" }] },
        status: 400,
        message: /must match \^\[A-Z_\]\[A-Z0-9_\]\*\$.*write 'API_KEY'/,
      },
      {
        body: { variables: [{ name: "PIN", value: "1234", masked: true }] },
        status: 400,
        message: /shorter than 8 characters/,
      },
      {
        body: { variables: [{ name: "A", value: "1" }] },
        env: "qa",
        status: 404,
        message: /No environment "qa"/,
      },
    ];
    for (const c of cases) {
      const res = await api(emulator, "PATCH", path(action.id, c.env ?? "dev"), { token, body: c.body });
      expect(res.status, JSON.stringify(c.body).slice(0, 60)).toBe(c.status);
      const messages = [res.body.detail, ...(res.body.errors ?? []).map((e: Body) => e.message)].join("\n");
      expect(messages).toMatch(c.message);
    }
    const after = await api(emulator, "GET", path(action.id, "dev"), { token });
    expect(after.body.version).toBe(1);
  });

  it("reports every problem of a payload at once", async () => {
    const action = await newAction();
    const res = await api(emulator, "PUT", path(action.id, "prod"), {
      token,
      body: {
        variables: [
          { name: "lower", value: "a|b" },
          { name: "SECRET", value: "short", masked: true },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: Body) => e.path)).toEqual([
      "variables[0].name",
      "variables[0].value",
      "variables[1].value",
    ]);
  });

  it("applies the 50 cap to the resulting set of a PATCH", async () => {
    const action = await newAction();
    const fifty = Array.from({ length: 50 }, (_, i) => ({ name: `V_${i}`, value: String(i) }));
    expect(
      (await api(emulator, "PUT", path(action.id, "prod"), { token, body: { variables: fifty } })).status,
    ).toBe(200);
    const over = await api(emulator, "PATCH", path(action.id, "prod"), {
      token,
      body: { variables: [{ name: "ONE_MORE", value: "x" }] },
    });
    expect(over.status).toBe(400);
    expect(over.body.detail).toMatch(/would leave 51 overrides.*at most 50/);
    const swap = await api(emulator, "PATCH", path(action.id, "prod"), {
      token,
      body: { variables: [{ name: "ONE_MORE", value: "x" }], remove: ["V_0"] },
    });
    expect(swap.status).toBe(200);
    expect(swap.body.variables).toHaveLength(50);
  });

  it("answers 404 for an unknown action and 403 without the write scope", async () => {
    const missing = await api(emulator, "GET", path("00000000-0000-4000-8000-000000000000", "dev"), {
      token,
    });
    expect(missing.status).toBe(404);
    const action = await newAction();
    const reader = await getToken(emulator, undefined, "dataactions:read");
    const refused = await api(emulator, "PATCH", path(action.id, "dev"), {
      token: reader,
      body: { variables: [] },
    });
    expect(refused.status).toBe(403);
  });

  it("embeds every environment's overrides with expand=environments, masked as ***", async () => {
    const action = await newAction();
    await api(emulator, "PUT", path(action.id, "staging"), {
      token,
      body: { variables: [{ name: "KEY", value: "expand-secret-1", masked: true }] },
    });
    const list = await api(emulator, "GET", `/api/v2/dataactions?name=${action.name}&expand=environments`, {
      token,
    });
    expect(list.status).toBe(200);
    const envs = list.body.entities[0].environments;
    expect(Object.keys(envs)).toEqual(["dev", "staging", "prod"]);
    expect(envs.dev).toEqual({ version: 1, variables: [] });
    expect(envs.staging.variables[0]).toMatchObject({ name: "KEY", value: "***", masked: true });
    expect(list.text).not.toContain("expand-secret-1");
  });
});

describe("masked overrides at rest", () => {
  it("never writes a masked value in plaintext to the database files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cxda-ovr-"));
    const secret = "plaintext-canary-7f3a9c";
    const plain = "visible-plain-value-42";
    try {
      const emu = await startTestEmulator({ dataDir: dir });
      const t = await getToken(emu);
      const action = await createAction(emu, t, scriptAction("rest_check"));
      const res = await api(emu, "PUT", path(action.id, "prod"), {
        token: t,
        body: {
          variables: [
            { name: "SECRET", value: secret, masked: true },
            { name: "PLAIN", value: plain },
          ],
        },
      });
      expect(res.status).toBe(200);
      await emu.close();
      const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString("latin1"));
      const all = files.join("\n");
      expect(all).toContain(plain); // the files were read: the plain value is there
      expect(all).not.toContain(secret);
      expect(all).not.toContain(Buffer.from(secret, "utf16le").toString("latin1"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
