/**
 * Credential-like header values at rest (issue 11 R6, docs/secrets.md): served in plaintext by every read,
 * held only as ciphertext in the database files and the idempotency records, readable after a restart
 * and a key rotation, and a tampered value answers 500 `secret-unreadable`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createMemoryKeyStorage, TenantKeyring } from "../../src/emulator/crypto/index.js";
import { ProblemError } from "../../src/emulator/problem.js";
import { openDoc, SEALED_MARKER, sealDoc, withSealedHeaders } from "../../src/emulator/store/sealed-doc.js";
import { DATABASE_FILE, openSqliteStore } from "../../src/emulator/store/sqlite-store.js";
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

const dirs: string[] = [];
const running: Emulator[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cxda-headers-"));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<{ emulator: Emulator; token: string }> {
  const emulator = await startTestEmulator({ dataDir, rateLimit: { perMinute: 100_000, burst: 10_000 } });
  running.push(emulator);
  return { emulator, token: await getToken(emulator) };
}

async function stop(emulator: Emulator): Promise<void> {
  await emulator.close();
  running.splice(running.indexOf(emulator), 1);
}

/** Every file of the data directory (database, -wal, -shm, root.key) as one text. */
function dataDirText(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString("latin1"))
    .join("\n");
}

/** A fresh credential set plus a plain header whose value the search must find. */
function credentials() {
  return {
    bearer: `Bearer hdr-${randomBytes(12).toString("hex")}`,
    apiKey: `key-${randomBytes(12).toString("hex")}`,
    source: `plain-${randomBytes(6).toString("hex")}`,
  };
}

type Credentials = ReturnType<typeof credentials>;

function headersOf(c: Credentials): Record<string, string> {
  return { Authorization: c.bearer, "X-Api-Key": c.apiKey, "X-Source": c.source };
}

const ORIGINAL_ROOT_KEY = process.env.CXDA_EMULATOR_ROOT_KEY;
beforeAll(() => {
  // The data directory's root.key is what a restart reads back when the environment gives none.
  delete process.env.CXDA_EMULATOR_ROOT_KEY;
});
afterEach(async () => {
  while (running.length > 0) await running.pop()!.close();
});
afterAll(() => {
  if (ORIGINAL_ROOT_KEY !== undefined) process.env.CXDA_EMULATOR_ROOT_KEY = ORIGINAL_ROOT_KEY;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("credential header values through the API", () => {
  it("create, PUT and PATCH store ciphertext; GET, list and expand serve plaintext", async () => {
    const dir = tempDir();
    const { emulator, token } = await start(dir);
    const created = credentials();
    const action: Body = await createAction(emulator, token, {
      ...scriptAction("hdr_secret_crud"),
      config: { headers: headersOf(created) },
    });
    expect(action.config.headers).toEqual(headersOf(created));

    const replaced = credentials();
    const put = await api(emulator, "PUT", `/api/v2/dataactions/${action.id}`, {
      token,
      body: { ...scriptAction("hdr_secret_crud"), config: { headers: headersOf(replaced) }, version: 1 },
    });
    expect(put.status).toBe(200);
    expect(put.body.config.headers).toEqual(headersOf(replaced));

    const patched = credentials();
    const patch = await api(emulator, "PATCH", `/api/v2/dataactions/${action.id}`, {
      token,
      body: {
        config: { headers: { Authorization: patched.bearer, "X-Api-Key": patched.apiKey } },
        version: 2,
      },
    });
    expect(patch.status).toBe(200);
    const expected = {
      Authorization: patched.bearer,
      "X-Api-Key": patched.apiKey,
      "X-Source": replaced.source,
    };
    expect(patch.body.config.headers).toEqual(expected);

    const got = await api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token });
    expect(got.body.config.headers).toEqual(expected);
    expect(got.body.version).toBe(3);
    const again = await api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token });
    expect(again.text).toBe(got.text);
    const list = await api(emulator, "GET", "/api/v2/dataactions?name=hdr_secret_crud", { token });
    expect(list.body.entities[0].config.headers).toEqual(expected);
    const expanded = await api(emulator, "GET", "/api/v2/dataactions?expand=variables,environments", {
      token,
    });
    expect(expanded.status).toBe(200);
    expect(expanded.body.entities[0].config.headers).toEqual(expected);

    // An unchanged PUT of the plaintext it read is still a no-op (no new version).
    const same = await api(emulator, "PATCH", `/api/v2/dataactions/${action.id}`, {
      token,
      body: { config: { headers: { Authorization: patched.bearer } }, version: 3 },
    });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(3);

    await stop(emulator);
    const text = dataDirText(dir);
    for (const c of [created, replaced, patched]) {
      expect(text).not.toContain(c.bearer);
      expect(text).not.toContain(c.apiKey);
    }
    // The search works: the plain header's value is there in clear.
    expect(text).toContain(replaced.source);
  });

  it("an idempotent replay of the create returns the values; the idempotency table holds none", async () => {
    const dir = tempDir();
    const { emulator, token } = await start(dir);
    const c = credentials();
    const body = { ...scriptAction("hdr_secret_idem"), config: { headers: headersOf(c) } };
    const key = `idem-${randomBytes(8).toString("hex")}`;
    const first = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body,
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    // A later change must not alter the replay: it repeats the answer of the create.
    await api(emulator, "PATCH", `/api/v2/dataactions/${first.body.id}`, {
      token,
      body: { config: { headers: { "X-Api-Key": "rotated-later" } }, version: 1 },
    });
    const replay = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body,
      headers: { "idempotency-key": key },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    expect(replay.body.config.headers).toEqual(headersOf(c));
    await stop(emulator);

    const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
    const rows = db.prepare("SELECT body FROM idempotency").all() as { body: string }[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body).toContain(SEALED_MARKER);
    expect(rows[0]!.body).toContain(c.source);
    expect(rows[0]!.body).not.toContain(c.bearer);
    expect(rows[0]!.body).not.toContain(c.apiKey);
    const text = dataDirText(dir);
    expect(text).not.toContain(c.bearer);
    expect(text).not.toContain(c.apiKey);
  });

  it("a restart with the same data directory and root key reads the values back, across a key rotation", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const before = credentials();
    const action: Body = await createAction(first.emulator, first.token, {
      ...scriptAction("hdr_secret_restart"),
      config: { headers: headersOf(before) },
    });
    const rotated = await api(first.emulator, "POST", "/api/v2/keys/rotate", {
      token: first.token,
      body: {},
    });
    expect(rotated.status).toBe(200);
    const second = await createAction(first.emulator, first.token, {
      ...scriptAction("hdr_secret_rotated"),
      config: { headers: { Cookie: "session=after-rotation-1f2e" } },
    });
    await stop(first.emulator);

    const { emulator, token } = await start(dir);
    const got = await api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body.config.headers).toEqual(headersOf(before));
    const other = await api(emulator, "GET", `/api/v2/dataactions/${second.id}`, { token });
    expect(other.body.config.headers).toEqual({ Cookie: "session=after-rotation-1f2e" });
  });

  it("a tampered header ciphertext answers 500 secret-unreadable naming the header, nothing else", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const c = credentials();
    const action: Body = await createAction(first.emulator, first.token, {
      ...scriptAction("hdr_secret_tamper"),
      config: { headers: headersOf(c) },
    });
    await stop(first.emulator);

    const db = new Database(join(dir, DATABASE_FILE));
    const row = db.prepare("SELECT doc FROM actions WHERE id = ?").get(action.id) as { doc: string };
    const doc = JSON.parse(row.doc);
    const sealed = doc.config.headers["X-Api-Key"];
    expect(sealed[SEALED_MARKER]).toBe("v1");
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    bytes[bytes.length - 1]! ^= 0x01;
    sealed.ciphertext = bytes.toString("base64");
    db.prepare("UPDATE actions SET doc = ? WHERE id = ?").run(JSON.stringify(doc), action.id);
    db.close();

    const { emulator, token } = await start(dir);
    const got = await api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token });
    expect(got.status).toBe(500);
    expect(slug(got)).toBe("secret-unreadable");
    expect(got.body.detail).toContain("X-Api-Key");
    expect(got.text).not.toContain(c.bearer);
    expect(got.text).not.toContain(c.apiKey);
    const list = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(slug(list)).toBe("secret-unreadable");
    expect(list.text).not.toContain(c.bearer);
  });
});

describe("sealDoc / openDoc", () => {
  const keyring = () =>
    new TenantKeyring({ rootKey: randomBytes(32), storage: createMemoryKeyStorage(), clock: () => 1 });
  const docOf = (id: string, headers: Record<string, string>) =>
    JSON.stringify({ id, name: "n", config: { request: null, headers, dateProcessing: null }, version: 1 });

  it("round-trips any header values; only credential-like names are sealed", () => {
    const ring = keyring();
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (secret, plain) => {
        const text = docOf("a1", { "X-Auth-Token": secret, Accept: plain });
        const sealed = sealDoc(ring, "demo", text);
        expect(JSON.parse(sealed).config.headers.Accept).toBe(plain);
        expect(JSON.parse(sealed).config.headers["X-Auth-Token"][SEALED_MARKER]).toBe("v1");
        expect(openDoc(ring, "demo", sealed)).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it("leaves text with nothing to seal or open as the same string", () => {
    const ring = keyring();
    const plain = docOf("a2", { Accept: "application/json" });
    expect(sealDoc(ring, "demo", plain)).toBe(plain);
    expect(openDoc(ring, "demo", plain)).toBe(plain);
    const notAnAction = JSON.stringify({ status: "SUCCESS", output: { headers: { Authorization: "***" } } });
    expect(sealDoc(ring, "demo", notAnAction)).toBe(notAnAction);
    expect(sealDoc(ring, "demo", "not json")).toBe("not json");
  });

  it("binds a sealed value to its action and tenant: moved elsewhere it does not open", () => {
    const ring = keyring();
    const sealed = JSON.parse(sealDoc(ring, "demo", docOf("a3", { Authorization: "Bearer moved" })));
    const moved = JSON.stringify({ ...sealed, id: "a4" });
    const read = (tenant: string, text: string) => () => openDoc(ring, tenant, text);
    for (const attempt of [read("demo", moved), read("other", JSON.stringify(sealed))]) {
      expect(attempt).toThrow(ProblemError);
      try {
        attempt();
      } catch (error) {
        expect((error as ProblemError).slug).toBe("secret-unreadable");
        expect((error as ProblemError).status).toBe(500);
        expect((error as Error).message).toContain("Authorization");
        expect((error as Error).message).not.toContain("Bearer moved");
      }
    }
  });
});

describe("withSealedHeaders", () => {
  const setup = (cacheSize?: number) => {
    const raw = openSqliteStore({});
    const ring = new TenantKeyring({ rootKey: randomBytes(32), storage: raw.keys });
    const store = withSealedHeaders(raw, ring, cacheSize);
    const opens = vi.spyOn(ring, "open");
    const put = (id: string, value: string) => {
      const doc = JSON.stringify({ id, name: id, config: { headers: { Authorization: value } }, version: 1 });
      store.actions.insert({
        tenantId: "demo",
        id,
        name: id,
        version: 1,
        createdTimestamp: 1,
        modifiedTimestamp: 1,
        locked: false,
        dependencies: [],
        doc,
      });
      return doc;
    };
    return { raw, store, opens, put };
  };

  it("stores ciphertext, serves the plaintext doc, and decrypts a stored doc once while it stays cached", () => {
    const { raw, store, opens, put } = setup();
    const doc = put("act_a", "Bearer cached-1");
    expect(raw.actions.get("demo", "act_a")?.doc).not.toContain("cached-1");
    for (let i = 0; i < 5; i++) expect(store.actions.get("demo", "act_a")?.doc).toBe(doc);
    expect(store.actions.getByName("demo", "act_a")?.doc).toBe(doc);
    expect(store.actions.list("demo", { offset: 0, limit: 10 }).rows.map((r) => r.doc)).toEqual([doc]);
    expect(opens).toHaveBeenCalledTimes(0);
    store.resetTenantData();
    expect(store.actions.get("demo", "act_a")).toBeUndefined();
    store.close();
  });

  it("a bounded cache evicts the least recently used doc, which then decrypts again", () => {
    const { store, opens, put } = setup(1);
    const a = put("act_a", "Bearer a");
    const b = put("act_b", "Bearer b");
    expect(store.actions.get("demo", "act_b")?.doc).toBe(b);
    expect(opens).toHaveBeenCalledTimes(0);
    expect(store.actions.get("demo", "act_a")?.doc).toBe(a);
    expect(store.actions.get("demo", "act_a")?.doc).toBe(a);
    expect(opens).toHaveBeenCalledTimes(1);
    expect(store.actions.get("demo", "act_b")?.doc).toBe(b);
    expect(opens).toHaveBeenCalledTimes(2);
    store.close();
  });
});
