/**
 * GET /api/v2/dataactions/{id} answers from bytes made once per stored version (handlers/actions.ts,
 * bench B4). Through HTTP: the answer follows every change of the action (PUT, PATCH, DELETE, a sealed
 * credential header, a write through another replica on PostgreSQL), and its Content-Length and ETag are
 * those of the version it shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests, testStoreIsPostgres } from "../helpers/postgres.js";
import {
  type ApiResult,
  api,
  type Emulator,
  getToken,
  scriptAction,
  startTestEmulator,
  UNTHROTTLED,
  useTwoReplicas,
} from "./helpers.js";

/** The answer's own figures, checked against its bytes. */
function expectConsistent(read: ApiResult, version: number): void {
  expect(read.status).toBe(200);
  expect(read.body.version).toBe(version);
  expect(read.headers.get("etag")).toBe(`"${version}"`);
  expect(read.headers.get("content-length")).toBe(String(Buffer.byteLength(read.text)));
}

describe("GET by id after changes", () => {
  let emulator: Emulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startTestEmulator(UNTHROTTLED);
    token = await getToken(emulator);
  });
  afterAll(() => emulator?.close());

  it("answers each new version after PUT and PATCH, the same bytes as the write's answer", async () => {
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("cache_writes", { description: "première — 1" }),
    });
    const path = `/api/v2/dataactions/${created.body.id}`;
    const first = await api(emulator, "GET", path, { token });
    expectConsistent(first, 1);
    expect(first.text).toBe(created.text);
    // Read twice: the second answer comes from what the first made.
    expect((await api(emulator, "GET", path, { token })).text).toBe(first.text);

    const replaced = await api(emulator, "PUT", path, {
      token,
      body: scriptAction("cache_writes", { description: "deuxième — ✓✓", version: 1 }),
    });
    expect(replaced.status).toBe(200);
    const second = await api(emulator, "GET", path, { token });
    expectConsistent(second, 2);
    expect(second.text).toBe(replaced.text);
    expect(second.body.description).toBe("deuxième — ✓✓");

    const patched = await api(emulator, "PATCH", path, {
      token,
      body: { description: "third" },
      headers: { "if-match": '"2"' },
    });
    expect(patched.status).toBe(200);
    const third = await api(emulator, "GET", path, { token });
    expectConsistent(third, 3);
    expect(third.text).toBe(patched.text);
  });

  it("answers 404 after DELETE, and a new action of the same name with its own answer", async () => {
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("cache_delete"),
    });
    const path = `/api/v2/dataactions/${created.body.id}`;
    expectConsistent(await api(emulator, "GET", path, { token }), 1);
    expect((await api(emulator, "DELETE", path, { token })).status).toBe(204);
    expect((await api(emulator, "GET", path, { token })).status).toBe(404);
    const again = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("cache_delete", { description: "again" }),
    });
    expect((await api(emulator, "GET", path, { token })).status).toBe(404);
    const read = await api(emulator, "GET", `/api/v2/dataactions/${again.body.id}`, { token });
    expectConsistent(read, 1);
    expect(read.body.description).toBe("again");
  });

  it("answers a credential header's current value, opened, after it changes", async () => {
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("cache_sealed", { config: { headers: { Authorization: "Bearer first-secret" } } }),
    });
    const path = `/api/v2/dataactions/${created.body.id}`;
    for (let round = 0; round < 2; round += 1) {
      const read = await api(emulator, "GET", path, { token });
      expectConsistent(read, 1);
      expect(read.body.config.headers.Authorization).toBe("Bearer first-secret");
    }
    const patched = await api(emulator, "PATCH", path, {
      token,
      body: { config: { headers: { Authorization: "Bearer second-secret" } } },
      headers: { "if-match": '"1"' },
    });
    expect(patched.status).toBe(200);
    const read = await api(emulator, "GET", path, { token });
    expectConsistent(read, 2);
    expect(read.body.config.headers.Authorization).toBe("Bearer second-secret");
    expect(read.text).toBe(patched.text);
  });

  it("answers HEAD with the headers of the GET and no body", async () => {
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("cache_head", { description: "tête — é" }),
    });
    const path = `/api/v2/dataactions/${created.body.id}`;
    const get = await api(emulator, "GET", path, { token });
    for (let round = 0; round < 2; round += 1) {
      const head = await api(emulator, "HEAD", path, { token });
      expect(head.status).toBe(200);
      expect(head.text).toBe("");
      expect(head.headers.get("etag")).toBe(get.headers.get("etag"));
      expect(head.headers.get("content-length")).toBe(get.headers.get("content-length"));
      expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
    }
  });
});

// Once, in the sqlite project's run (the replicas bring their own database).
const available = postgresForTests().available && !testStoreIsPostgres();

describe.skipIf(!available)("GET by id after a write through another replica", () => {
  let a: Emulator;
  let b: Emulator;
  useTwoReplicas((replicas) => {
    ({ a, b } = replicas);
  });

  it("the replica that answered the old version answers the new one, with its length and ETag", async () => {
    const token = await getToken(a);
    const created = await api(a, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("cache_replicas", { config: { headers: { Authorization: "Bearer v1" } } }),
    });
    const path = `/api/v2/dataactions/${created.body.id}`;
    let version = 1;
    for (let round = 0; round < 5; round += 1) {
      // b answers (twice, so from what it made) the current version; then a writes the next one.
      expectConsistent(await api(b, "GET", path, { token }), version);
      expectConsistent(await api(b, "GET", path, { token }), version);
      const patched = await api(a, "PATCH", path, {
        token,
        body: {
          description: `round ${round} ${"é".repeat(round)}`,
          config: { headers: { Authorization: `Bearer v${version + 1}` } },
        },
        headers: { "if-match": `"${version}"` },
      });
      expect(patched.status).toBe(200);
      version += 1;
      const read = await api(b, "GET", path, { token });
      expectConsistent(read, version);
      expect(read.text).toBe(patched.text);
      expect(read.body.config.headers.Authorization).toBe(`Bearer v${version}`);
    }
    expect((await api(a, "DELETE", path, { token })).status).toBe(204);
    expect((await api(b, "GET", path, { token })).status).toBe(404);
  });
});
