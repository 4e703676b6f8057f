/**
 * Secrets at rest: round trip to the sandbox, tamper detection, no plaintext in the database
 * files, key rotation and re-encryption.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadRootKey, TenantKeyring } from "../../src/emulator/crypto/index.js";
import {
  resolveEffectiveEntries,
  sandboxVariables,
  VariableDecryptionError,
} from "../../src/emulator/handlers/effective-variables.js";
import { DATABASE_FILE } from "../../src/emulator/store/sqlite-store.js";
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

const SECRET = "pw-Plaintext-Needle-7f3a91";
const GLOBAL_SECRET = "global-Needle-c0ffee42";
const dirs: string[] = [];
const running: Emulator[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cxda-vars-"));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<{ emulator: Emulator; token: string; ctx: Ctx }> {
  const emulator = await startTestEmulator({ dataDir, rateLimit: { perMinute: 100_000, burst: 10_000 } });
  running.push(emulator);
  const token = await getToken(emulator);
  // A second keyring over the same key storage and root key file: what the emulator itself decrypts with.
  const keyring = new TenantKeyring({ rootKey: loadRootKey({ dataDir }).key, storage: emulator.store.keys });
  return { emulator, token, ctx: { store: emulator.store, keyring } };
}

type Ctx = Parameters<typeof sandboxVariables>[0];

const VARIABLES = [
  { name: "baseUrl", type: "string", value: "https://crm.example.test", encrypted: false },
  { name: "maxRetries", type: "integer", value: "3", encrypted: false },
  { name: "verbose", type: "boolean", value: "false", encrypted: false },
  { name: "limits", type: "object", value: '{"perMinute":60,"burst":[1,2]}', encrypted: false },
  { name: "password", type: "string", value: SECRET, encrypted: true },
  { name: "pin", type: "integer", value: "1234", encrypted: true },
];

const ECHO_VARIABLES = "function main(context) { return context.variables; }";

async function actionWithSecrets(emulator: Emulator, token: string, name: string): Promise<Body> {
  const action = await createAction(emulator, token, {
    ...scriptAction(name),
    script: { language: "JavaScript", content: ECHO_VARIABLES },
  });
  const put = await api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
    token,
    body: { variables: VARIABLES, version: 1 },
  });
  expect(put.status).toBe(200);
  return action;
}

const ORIGINAL_ROOT_KEY = process.env.CXDA_EMULATOR_ROOT_KEY;
beforeAll(() => {
  // The data directory's root.key is used only when the environment does not give one.
  delete process.env.CXDA_EMULATOR_ROOT_KEY;
});
afterEach(async () => {
  while (running.length > 0) await running.pop()!.close();
});
afterAll(() => {
  if (ORIGINAL_ROOT_KEY !== undefined) process.env.CXDA_EMULATOR_ROOT_KEY = ORIGINAL_ROOT_KEY;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("encryption round trip", () => {
  it("the sandbox-facing resolution gives decrypted, typed values with global ▸ action precedence", async () => {
    const { emulator, token, ctx } = await start(tempDir());
    const action = await actionWithSecrets(emulator, token, "enc_round_trip");
    await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: {
        variables: [
          { name: "region", type: "string", value: "eu-west" },
          { name: "maxRetries", type: "integer", value: "9" },
          { name: "sharedToken", type: "string", value: GLOBAL_SECRET, encrypted: true },
        ],
      },
    });
    const values = sandboxVariables(ctx, "demo", action.id);
    expect(values).toEqual({
      region: "eu-west",
      sharedToken: GLOBAL_SECRET,
      baseUrl: "https://crm.example.test",
      maxRetries: 3,
      verbose: false,
      limits: { perMinute: 60, burst: [1, 2] },
      password: SECRET,
      pin: 1234,
    });
    const entries = resolveEffectiveEntries(ctx, "demo", action.id);
    expect(entries.get("maxRetries")?.source).toBe("action");
    expect(entries.get("region")?.source).toBe("global");
    expect(entries.get("password")?.secret).toBe(true);
    expect(entries.get("baseUrl")?.secret).toBe(false);
  });

  it("a test run of the action sees the decrypted values; no response of the API does", async () => {
    const { emulator, token } = await start(tempDir());
    const action = await createAction(emulator, token, {
      ...scriptAction("enc_test_run"),
      script: {
        language: "JavaScript",
        // Shown without echoing: the answer masks every secret the run was given (docs/script-runtime.md).
        content: `function main(c) {
          const v = c.variables;
          return { passwordSeen: v.password === c.input.password, pinPlusOne: v.pin + 1, limits: v.limits };
        }`,
      },
    });
    const put = await api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
      token,
      body: { variables: VARIABLES, version: 1 },
    });
    expect(put.status).toBe(200);
    const run = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, {
      token,
      body: { input: { password: SECRET } },
    });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe("SUCCESS");
    expect(run.body.output).toEqual({
      passwordSeen: true,
      pinPlusOne: 1235,
      limits: { perMinute: 60, burst: [1, 2] },
    });
    const get = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/variables`, { token });
    expect(get.text).not.toContain(SECRET);
  });
});

describe("tampering", () => {
  it("a corrupted ciphertext fails GCM authentication: clear failure on the test run, never plaintext", async () => {
    const dataDir = tempDir();
    const { emulator, token, ctx } = await start(dataDir);
    const action = await actionWithSecrets(emulator, token, "enc_tamper");
    const db = new Database(join(dataDir, DATABASE_FILE));
    const row = db
      .prepare("SELECT items FROM action_variables WHERE tenant_id = ? AND action_id = ?")
      .get("demo", action.id) as { items: string };
    const items = JSON.parse(row.items) as Body[];
    const secret = items.find((i) => i.name === "password");
    const bytes = Buffer.from(secret.ciphertext, "base64");
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    secret.ciphertext = bytes.toString("base64");
    db.prepare("UPDATE action_variables SET items = ? WHERE tenant_id = ? AND action_id = ?").run(
      JSON.stringify(items),
      "demo",
      action.id,
    );
    db.close();

    expect(() => sandboxVariables(ctx, "demo", action.id)).toThrow(VariableDecryptionError);
    try {
      sandboxVariables(ctx, "demo", action.id);
    } catch (error) {
      expect((error as VariableDecryptionError).variable).toBe("password");
      expect((error as VariableDecryptionError).code).toBe("authentication-failed");
      expect((error as Error).message).not.toContain(SECRET);
    }

    const run = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, {
      token,
      body: { input: {} },
    });
    expect(run.text).not.toContain(SECRET);
    expect(run.body.status).toBe("FAILURE");
    expect(JSON.stringify(run.body.error)).toContain("password");

    // GET never decrypts, so it still works.
    const get = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/variables`, { token });
    expect(get.status).toBe(200);
    expect(get.body.variables[4].value).toBeNull();

    // Re-encryption refuses with a clear problem and changes nothing.
    await api(emulator, "POST", "/api/v2/keys/rotate", { token, body: {} });
    const re = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/variables/reencrypt`, {
      token,
      body: {},
    });
    expect(re.status).toBe(500);
    expect(slug(re)).toBe("secret-unreadable");
    expect(re.body.detail).toContain("password");
    expect(re.text).not.toContain(SECRET);
    const after = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/variables`, { token });
    expect(after.body.version).toBe(get.body.version);
  });
});

describe("the database files", () => {
  it("never hold a secret's plaintext (database, -wal and -shm, after close)", async () => {
    const dataDir = tempDir();
    const { emulator, token } = await start(dataDir);
    const action = await actionWithSecrets(emulator, token, "enc_at_rest");
    await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: { variables: [{ name: "sharedToken", type: "string", value: GLOBAL_SECRET, encrypted: true }] },
    });
    await api(emulator, "POST", "/api/v2/keys/rotate", { token, body: {} });
    await api(emulator, "POST", `/api/v2/dataactions/${action.id}/variables/reencrypt`, { token, body: {} });
    await api(emulator, "POST", `/api/v2/dataactions/${action.id}/test`, { token, body: { input: {} } });
    // Reading the plain value back proves the search below would find plaintext if it were stored.
    const plain = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/variables`, { token });
    expect(plain.text).toContain("crm.example.test");
    const beforeClose = readdirSync(dataDir);
    await running.pop()!.close();

    const files = readdirSync(dataDir).filter((f) => f.startsWith(DATABASE_FILE));
    expect(files).toContain(DATABASE_FILE);
    expect(beforeClose.some((f) => f.endsWith("-wal"))).toBe(true);
    let haystack = Buffer.alloc(0);
    for (const file of new Set([...files, ...beforeClose.filter((f) => f.startsWith(DATABASE_FILE))])) {
      try {
        haystack = Buffer.concat([haystack, readFileSync(join(dataDir, file))]);
      } catch {
        // -wal/-shm are removed by a clean close; the database then holds everything.
      }
    }
    expect(haystack.includes(Buffer.from("crm.example.test"))).toBe(true);
    for (const needle of [SECRET, GLOBAL_SECRET]) {
      expect(haystack.includes(Buffer.from(needle, "utf8"))).toBe(false);
      expect(haystack.includes(Buffer.from(needle, "utf16le"))).toBe(false);
    }
  });

  it("secrets survive a restart with the same data directory (root.key reused)", async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const action = await actionWithSecrets(first.emulator, first.token, "enc_restart");
    await running.pop()!.close();
    const second = await start(dataDir);
    expect(sandboxVariables(second.ctx, "demo", action.id).password).toBe(SECRET);
  });
});

describe("rotation and re-encryption", () => {
  it("rotate makes a new active key; re-encrypt moves the action's secrets to it", async () => {
    const { emulator, token, ctx } = await start(tempDir());
    const action = await actionWithSecrets(emulator, token, "enc_rotate");
    const keys0 = await api(emulator, "GET", "/api/v2/keys", { token });
    expect(keys0.body.keys).toHaveLength(1);
    const oldKey = keys0.body.activeKeyId as string;

    const nonAdmin = await getToken(emulator, undefined, "dataactions:read dataactions:write");
    const denied = await api(emulator, "POST", "/api/v2/keys/rotate", { token: nonAdmin, body: {} });
    expect(denied.status).toBe(403);

    const rotated = await api(emulator, "POST", "/api/v2/keys/rotate", {
      token,
      body: {},
      headers: { "idempotency-key": "rotate-once" },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousKeyId).toBe(oldKey);
    expect(rotated.body.activeKeyId).not.toBe(oldKey);
    expect(rotated.body.keys.map((k: Body) => k.keyId)).toEqual([oldKey, rotated.body.activeKeyId]);
    const replay = await api(emulator, "POST", "/api/v2/keys/rotate", {
      token,
      body: {},
      headers: { "idempotency-key": "rotate-once" },
    });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await api(emulator, "GET", "/api/v2/keys", { token })).body.keys).toHaveLength(2);

    const before = await api(emulator, "GET", `/api/v2/dataactions/${action.id}/variables`, { token });
    const secretsBefore = before.body.variables.filter((v: Body) => v.encrypted);
    expect(secretsBefore.every((v: Body) => v.keyId === oldKey)).toBe(true);

    const re = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/variables/reencrypt`, {
      token,
      body: {},
    });
    expect(re.status).toBe(200);
    expect(re.body.reencrypted).toEqual(["password", "pin"]);
    expect(re.body.version).toBe(before.body.version + 1);
    const secretsAfter = re.body.variables.filter((v: Body) => v.encrypted);
    expect(secretsAfter.every((v: Body) => v.keyId === rotated.body.activeKeyId)).toBe(true);
    // Same values, so the same fingerprints; and they still decrypt.
    expect(secretsAfter.map((v: Body) => v.fingerprint)).toEqual(
      secretsBefore.map((v: Body) => v.fingerprint),
    );
    expect(sandboxVariables(ctx, "demo", action.id).password).toBe(SECRET);

    const again = await api(emulator, "POST", `/api/v2/dataactions/${action.id}/variables/reencrypt`, {
      token,
      body: {},
    });
    expect(again.body.reencrypted).toEqual([]);
    expect(again.body.version).toBe(re.body.version);
  });

  it("global secrets re-encrypt through /api/v2/variables/reencrypt", async () => {
    const { emulator, token, ctx } = await start(tempDir());
    const action = await createAction(emulator, token, scriptAction("enc_global_rotate"));
    await api(emulator, "PUT", "/api/v2/variables", {
      token,
      body: { variables: [{ name: "sharedToken", type: "string", value: GLOBAL_SECRET, encrypted: true }] },
    });
    const rotated = await api(emulator, "POST", "/api/v2/keys/rotate", { token, body: {} });
    const re = await api(emulator, "POST", "/api/v2/variables/reencrypt", { token, body: {} });
    expect(re.body.reencrypted).toEqual(["sharedToken"]);
    expect(re.body.variables[0].keyId).toBe(rotated.body.activeKeyId);
    expect(sandboxVariables(ctx, "demo", action.id).sharedToken).toBe(GLOBAL_SECRET);
  });
});
