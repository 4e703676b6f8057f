/**
 * What only the PostgreSQL store has: migrations applied once by replicas starting together, a lost
 * connection answered with 503 + Retry-After and then recovered, readiness that means "migrated",
 * and a connection URL's password never shown. Skipped where no PostgreSQL answers (vitest.config.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { fetch } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { maskDatabaseUrl } from "../../../src/emulator/store/database-errors.js";
import { endClient, loadPgNative } from "../../../src/emulator/store/postgres-sql.js";
import { openPostgresStore } from "../../../src/emulator/store/postgres-store.js";
import { CLI, runCxda, scratchDir } from "../../helpers/cli.js";
import {
  adminQuery,
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
  terminateConnections,
} from "../../helpers/postgres.js";
import { api, createAction, getToken, scriptAction, startTestEmulator } from "../helpers.js";

const { available } = postgresForTests();
const databases: TestDatabase[] = [];
afterAll(() => {
  for (const database of databases) database.drop();
});
function freshDatabase(): TestDatabase {
  const database = createTestDatabase();
  databases.push(database);
  return database;
}

/** `cxda emulator start --database …` as a child process; resolves once it listens (or exits). */
function startReplica(database: string, cwd: string) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [CLI, "emulator", "start", "--port", "0", "--log-level", "silent", "--database", database],
    { cwd, env: { ...process.env, NO_COLOR: "1", XDG_CONFIG_HOME: join(cwd, ".config") } },
  );
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    void exited.then(() => reject(new Error(`the emulator exited: ${out}`)));
  });
  return { child, listening, exited, output: () => out };
}

/** An action as the store holds it, at version 1, in tenant "t". */
function storedAction(id: string, name: string) {
  return {
    tenantId: "t",
    id,
    name,
    version: 1,
    createdTimestamp: 1,
    modifiedTimestamp: 1,
    locked: false,
    dependencies: [],
    doc: '{"version":1}',
  };
}

describe.runIf(available)("the PostgreSQL store", () => {
  it("two replicas starting together on a fresh database both start, and the schema is migrated once", async () => {
    const database = freshDatabase();
    // trust authentication ignores the password: it is here to be masked
    const url = new URL(database.url);
    url.password = "not-to-be-shown";
    const cwd = scratchDir();
    const replicas = [startReplica(url.toString(), cwd), startReplica(url.toString(), cwd)];
    try {
      const urls = await Promise.all(replicas.map((r) => r.listening));
      for (const base of urls) expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const rows = adminQuery("SELECT version FROM schema_migrations ORDER BY version", database.url);
      expect(rows).toEqual([{ version: "1" }]);
      for (const replica of replicas) {
        expect(replica.output()).toContain("state        PostgreSQL postgres://postgres:***@127.0.0.1:5432/");
        expect(replica.output()).not.toContain("not-to-be-shown");
      }
    } finally {
      for (const replica of replicas) replica.child.kill("SIGTERM");
      expect(await Promise.all(replicas.map((r) => r.exited))).toEqual([0, 0]);
    }
  });

  it("answers 503 with Retry-After when its connection is lost, then reconnects", async () => {
    const database = freshDatabase();
    const emulator = await startTestEmulator({ database: database.url });
    try {
      const token = await getToken(emulator);
      const created = await api(emulator, "POST", "/api/v2/dataactions", {
        token,
        body: {
          name: "survives_reconnect",
          type: "SCRIPT",
          script: { language: "JavaScript", content: "function main(c) { return c; }" },
        },
      });
      expect(created.status).toBe(201);
      const path = `/api/v2/dataactions/${created.body.id}`;
      terminateConnections(database.name);
      const lost = await api(emulator, "PUT", path, {
        token,
        headers: { "if-match": created.headers.get("etag")! },
        body: { ...created.body, description: "while down" },
      });
      expect(lost.status).toBe(503);
      expect(lost.headers.get("retry-after")).toBe("1");
      expect(lost.headers.get("content-type")).toContain("application/problem+json");
      expect(lost.body.type).toContain("service-unavailable");
      // A list is read from the database (an action by id may come from the read cache).
      const back = await api(emulator, "GET", "/api/v2/dataactions", { token });
      expect(back.status).toBe(200);
      expect(back.body.entities.map((a: { description?: string }) => a.description ?? "")).toEqual([""]);

      terminateConnections(database.name);
      expect((await fetch(`${emulator.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${emulator.url}/readyz`)).status).toBe(200);

      // Ready means migrated too.
      adminQuery("UPDATE schema_migrations SET version = 0", database.url);
      expect((await fetch(`${emulator.url}/readyz`)).status).toBe(503);
      adminQuery("UPDATE schema_migrations SET version = 1", database.url);
      expect((await fetch(`${emulator.url}/readyz`)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it("reads actions from the database inside a transaction, past a read cache another process made stale", () => {
    const database = freshDatabase();
    const a = openPostgresStore({ url: database.url });
    const b = openPostgresStore({ url: database.url });
    try {
      const action = storedAction("a1", "shared");
      a.actions.insert(action);
      expect(a.actions.get("t", "a1")?.version).toBe(1); // now in a's read cache
      b.actions.update({ ...action, version: 2, doc: '{"version":2}' });
      expect(a.transaction(() => a.actions.get("t", "a1")?.version)).toBe(2);
      expect(a.actions.get("t", "a1")?.version).toBe(2);
      expect(a.revision("t")).toBe(2);
    } finally {
      a.close();
      b.close();
    }
  });

  it("keeps a tenant's revision in memory until its own next write or another replica's announced one", () => {
    const database = freshDatabase();
    const a = openPostgresStore({ url: database.url });
    const b = openPostgresStore({ url: database.url });
    try {
      const action = storedAction("r1", "kept");
      a.transaction(() => a.actions.insert(action));
      expect(a.revision("t")).toBe(1);
      b.transaction(() => b.actions.update({ ...action, version: 2, doc: '{"version":2}' }));
      // Kept: b's write is not seen until b's announcement reaches a (here: dropCached by hand) …
      expect(a.revision("t")).toBe(1);
      expect(a.transaction(() => a.revision("t"))).toBe(2); // … but a transaction always reads the database.
      b.transaction(() => b.actions.update({ ...action, version: 3, doc: '{"version":3}' }));
      a.dropCached("t");
      expect(a.revision("t")).toBe(3);
      expect(b.revision("t")).toBe(3);
      // A write of its own is seen at once; the other replica sees it once told.
      a.transaction(() => a.actions.update({ ...action, version: 4, doc: '{"version":4}' }));
      expect(a.revision("t")).toBe(4);
      expect(b.revision("t")).toBe(3);
      b.dropCached("t", "r1");
      expect(b.revision("t")).toBe(4);
    } finally {
      a.close();
      b.close();
    }
  });

  it("while its caches are not current, a replica reads actions and revisions from the database and keeps nothing", () => {
    const database = freshDatabase();
    let current = true;
    const a = openPostgresStore({ url: database.url, cachesCurrent: () => current });
    const b = openPostgresStore({ url: database.url });
    try {
      const action = storedAction("c1", "gated");
      a.transaction(() => a.actions.insert(action));
      expect(a.actions.get("t", "c1")?.version).toBe(1);
      expect(a.revision("t")).toBe(1);
      b.transaction(() => b.actions.update({ ...action, version: 2, doc: '{"version":2}' }));
      // Current (b's announcement not yet arrived): the kept values are served.
      expect(a.actions.get("t", "c1")?.version).toBe(1);
      expect(a.revision("t")).toBe(1);
      current = false;
      expect(a.actions.get("t", "c1")?.version).toBe(2);
      expect(a.revision("t")).toBe(2);
      b.transaction(() => b.actions.update({ ...action, version: 3, doc: '{"version":3}' }));
      // Nothing read while not current was kept: once current again, a reads b's next write.
      current = true;
      expect(a.actions.get("t", "c1")?.version).toBe(3);
      expect(a.revision("t")).toBe(3);
    } finally {
      a.close();
      b.close();
    }
  });

  it("answers an Idempotency-Key once across two emulators on one database, even while both hold it", async () => {
    const database = freshDatabase();
    const first = await startTestEmulator({ database: database.url });
    const second = await startTestEmulator({ database: database.url });
    try {
      const body = {
        name: "once_only",
        type: "SCRIPT",
        script: { language: "JavaScript", content: "function main(c) { return c; }" },
      };
      const key = "create-once-only";
      // The first holds the key for 1 s before its transaction; the second answers meanwhile.
      const slow = api(first, "POST", "/api/v2/dataactions", {
        token: await getToken(first),
        body,
        headers: { "idempotency-key": key, "x-emulator-fault": "delay=1000" },
      });
      const token = await getToken(second);
      const fast = await api(second, "POST", "/api/v2/dataactions", {
        token,
        body,
        headers: { "idempotency-key": key },
      });
      expect(fast.status).toBe(201);
      const replayed = await slow;
      expect(replayed.status).toBe(201);
      expect(replayed.body.id).toBe(fast.body.id);
      expect(replayed.headers.get("idempotent-replayed")).toBe("true");
      const other = await api(second, "POST", "/api/v2/dataactions", {
        token,
        body: { ...body, name: "another_body" },
        headers: { "idempotency-key": key },
      });
      expect(other.status).toBe(422);
      const list = await api(second, "GET", "/api/v2/dataactions", { token });
      expect(list.body.entities.map((a: { name: string }) => a.name)).toEqual(["once_only"]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("answers 409 for a key a test run holds on another emulator, then replays its answer", async () => {
    const database = freshDatabase();
    const first = await startTestEmulator({ database: database.url });
    const second = await startTestEmulator({ database: database.url });
    try {
      const token = await getToken(first);
      const action = await createAction(first, token, scriptAction("run_once"));
      const path = `/api/v2/dataactions/${action.id}/test`;
      const key = "run-once";
      const slow = api(first, "POST", path, {
        token,
        body: { input: { a: 1 } },
        headers: { "idempotency-key": key, "x-emulator-fault": "delay=1500" },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const busy = await api(second, "POST", path, {
        token,
        body: { input: { a: 1 } },
        headers: { "idempotency-key": key },
      });
      expect(busy.status).toBe(409);
      expect(busy.body.type).toContain("idempotency-key-in-use");
      expect(busy.headers.get("retry-after")).toBe("1");
      const other = await api(second, "POST", path, {
        token,
        body: { input: { a: 2 } },
        headers: { "idempotency-key": key },
      });
      expect(other.status).toBe(422);
      const answered = await slow;
      expect(answered.status).toBe(200);
      const replayed = await api(second, "POST", path, {
        token,
        body: { input: { a: 1 } },
        headers: { "idempotency-key": key },
      });
      expect(replayed.status).toBe(200);
      expect(replayed.headers.get("idempotent-replayed")).toBe("true");
      expect(replayed.body).toEqual(answered.body);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("answers 503 rather than hanging while another process holds the write lock", async () => {
    const database = freshDatabase();
    const emulator = await startTestEmulator({ database: database.url });
    const Client = loadPgNative();
    const holder = new Client({ types: { getTypeParser: () => String } });
    holder.connectSync(database.url);
    try {
      const token = await getToken(emulator);
      // What a stalled replica in the middle of a write looks like (postgres-store.ts, WRITE_LOCK).
      holder.querySync("BEGIN; SELECT pg_advisory_xact_lock(1668834402)");
      const blocked = await api(emulator, "POST", "/api/v2/dataactions", {
        token,
        body: scriptAction("blocked"),
      });
      expect(blocked.status).toBe(503);
      expect(blocked.headers.get("retry-after")).toBe("1");
      holder.querySync("ROLLBACK");
      const created = await api(emulator, "POST", "/api/v2/dataactions", {
        token,
        body: scriptAction("blocked"),
      });
      expect(created.status).toBe(201);
    } finally {
      endClient(holder);
      await emulator.close();
    }
  });

  it("holds secrets only as ciphertext: no table of the database contains a plaintext credential", async () => {
    const database = freshDatabase();
    const emulator = await startTestEmulator({ database: database.url });
    try {
      const token = await getToken(emulator);
      const secrets = {
        header: "Bearer header-plaintext-7f3a",
        variable: "variable-plaintext-91c2",
        global: "global-plaintext-44de",
        override: "override-plaintext-0b8e",
      };
      const action = await createAction(emulator, token, {
        ...scriptAction("sealed_at_rest"),
        config: { headers: { Authorization: secrets.header } },
      });
      const writes = [
        api(emulator, "PUT", `/api/v2/dataactions/${action.id}/variables`, {
          token,
          body: {
            version: 1,
            variables: [{ name: "pw", type: "string", value: secrets.variable, encrypted: true }],
          },
        }),
        api(emulator, "PUT", "/api/v2/variables", {
          token,
          body: {
            version: 1,
            variables: [{ name: "g", type: "string", value: secrets.global, encrypted: true }],
          },
        }),
        api(emulator, "PUT", `/api/v2/dataactions/${action.id}/environments/prod/variables`, {
          token,
          body: { version: 1, variables: [{ name: "K", value: secrets.override, masked: true }] },
        }),
      ];
      for (const write of await Promise.all(writes)) expect(write.status).toBe(200);
      const read = await api(emulator, "GET", `/api/v2/dataactions/${action.id}`, { token });
      expect(read.body.config.headers.Authorization).toBe(secrets.header);

      const tables = adminQuery(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        database.url,
      ).map((row) => String(row.table_name));
      expect(tables).toEqual(
        expect.arrayContaining(["actions", "action_variables", "global_variables", "overrides"]),
      );
      const everything = tables
        .flatMap((table) =>
          adminQuery(`SELECT t::text AS row FROM "${table}" t`, database.url).map((r) => r.row),
        )
        .join("\n");
      expect(everything).toContain(action.id);
      for (const plaintext of Object.values(secrets)) expect(everything).not.toContain(plaintext);
    } finally {
      await emulator.close();
    }
  });

  it("refuses to start on a database migrated by a newer cxda, naming it without its password", () => {
    const database = freshDatabase();
    openPostgresStore({ url: database.url }).close();
    adminQuery("INSERT INTO schema_migrations (version, applied_ts) VALUES (999, 0)", database.url);
    const url = new URL(database.url);
    url.password = "hidden";
    expect(() => openPostgresStore({ url: url.toString() })).toThrow(
      /^The database postgres:\/\/postgres:\*\*\*@.* has schema version 999, newer than this cxda understands/,
    );
  });
});

describe("cxda emulator start --database", () => {
  it("takes only a PostgreSQL URL, and not with --in-memory", async () => {
    const wrong = await runCxda(["emulator", "start", "--port", "0", "--database", "mysql://x@y/z"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("--database takes a PostgreSQL URL");
    const both = await runCxda([
      "emulator",
      "start",
      "--port",
      "0",
      "--in-memory",
      "--database",
      "postgres://u@127.0.0.1/x",
    ]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain("--database and --in-memory cannot be used together");
  });

  it("masks the password of a connection URL", () => {
    expect(maskDatabaseUrl("postgres://cxda:s3cret@db:5432/cxda?sslmode=require")).toBe(
      "postgres://cxda:***@db:5432/cxda?sslmode=require",
    );
    expect(maskDatabaseUrl("postgres://cxda@db/cxda?password=s3cret")).toBe(
      "postgres://cxda@db/cxda?password=***",
    );
    expect(maskDatabaseUrl("postgres://cxda@db/cxda")).toBe("postgres://cxda@db/cxda");
  });
});
