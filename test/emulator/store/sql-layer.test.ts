/**
 * The SQL surface the repositories are written against (sql.ts), on both databases: the same
 * statements give the same rows, counts and transaction behaviour on SQLite and on PostgreSQL.
 */
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { postgresSql } from "../../../src/emulator/store/postgres-sql.js";
import { ddlFor, type SqlDatabase } from "../../../src/emulator/store/sql.js";
import { sqliteSql } from "../../../src/emulator/store/sqlite-sql.js";
import { createTestDatabase, postgresForTests, type TestDatabase } from "../../helpers/postgres.js";

const TABLE = `CREATE TABLE items (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  created_ts INTEGER NOT NULL,
  note TEXT,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;`;

const postgres = postgresForTests();
const opened: { db: SqlDatabase; database?: TestDatabase }[] = [];
afterAll(() => {
  for (const { db, database } of opened) {
    db.close();
    database?.drop();
  }
});

function open(dialect: "sqlite" | "postgres"): SqlDatabase {
  if (dialect === "sqlite") {
    const db = sqliteSql(new Database(":memory:"));
    opened.push({ db });
    db.exec(ddlFor("sqlite", TABLE));
    return db;
  }
  const database = createTestDatabase();
  const db = postgresSql(database.url);
  opened.push({ db, database });
  db.exec(ddlFor("postgres", TABLE));
  return db;
}

describe.each([
  { dialect: "sqlite" as const, run: true },
  { dialect: "postgres" as const, run: postgres.available },
])("the SQL surface on $dialect", ({ dialect, run }) => {
  it.runIf(run)("binds ? placeholders in order and reads 64-bit integers back as numbers", () => {
    const db = open(dialect);
    const insert = db.prepare("INSERT INTO items (tenant_id, id, created_ts, note) VALUES (?, ?, ?, ?)");
    const ts = 1_796_000_000_123;
    expect(insert.run("t1", "a", ts, "first").changes).toBe(1);
    expect(insert.run("t1", "b", ts + 1, null).changes).toBe(1);
    const get = db.prepare<{ id: string; created_ts: number; note: string | null }>(
      "SELECT id, created_ts, note FROM items WHERE tenant_id = ? AND id = ?",
    );
    expect(get.get("t1", "a")).toEqual({ id: "a", created_ts: ts, note: "first" });
    expect(get.get("t1", "b")).toEqual({ id: "b", created_ts: ts + 1, note: null });
    expect(get.get("t1", "missing")).toBeUndefined();
    const count = db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM items WHERE tenant_id = ?");
    expect(count.get("t1")).toEqual({ n: 2 });
    expect(db.prepare("DELETE FROM items WHERE created_ts > ?").run(ts - 1).changes).toBe(2);
  });

  it.runIf(run)("orders text byte by byte, as SQLite does", () => {
    const db = open(dialect);
    const insert = db.prepare("INSERT INTO items (tenant_id, id, created_ts) VALUES (?, ?, 1)");
    for (const id of ["b", "B", "a-1", "a1", "_z"]) insert.run("t", id);
    const ids = db
      .prepare<{ id: string }>("SELECT id FROM items WHERE tenant_id = ? ORDER BY id")
      .all("t")
      .map((r) => r.id);
    expect(ids).toEqual(["B", "_z", "a-1", "a1", "b"]);
  });

  it.runIf(run)(
    "commits a transaction whole, rolls a failed one back, and a nested failure only to its savepoint",
    () => {
      const db = open(dialect);
      const insert = db.prepare("INSERT INTO items (tenant_id, id, created_ts) VALUES (?, ?, 1)");
      const ids = () =>
        db
          .prepare<{ id: string }>("SELECT id FROM items ORDER BY id")
          .all()
          .map((r) => r.id);
      expect(db.inTransaction).toBe(false);
      db.transaction(() => {
        expect(db.inTransaction).toBe(true);
        insert.run("t", "kept");
        expect(() =>
          db.transaction(() => {
            insert.run("t", "inner");
            insert.run("t", "kept"); // primary key conflict
          }),
        ).toThrow();
        insert.run("t", "after");
      });
      expect(ids()).toEqual(["after", "kept"]);
      expect(() =>
        db.transaction(() => {
          insert.run("t", "lost");
          throw new Error("no");
        }),
      ).toThrow("no");
      expect(db.inTransaction).toBe(false);
      expect(ids()).toEqual(["after", "kept"]);
    },
  );
});

describe("ddlFor", () => {
  it("gives PostgreSQL 64-bit integers, byte-order text and no WITHOUT ROWID, and SQLite the text as written", () => {
    expect(ddlFor("sqlite", TABLE)).toBe(TABLE);
    const pg = ddlFor("postgres", TABLE);
    expect(pg).toContain("created_ts BIGINT NOT NULL");
    expect(pg).toContain('id TEXT COLLATE "C" NOT NULL');
    expect(pg).not.toContain("WITHOUT ROWID");
    expect(ddlFor("postgres", "seq INTEGER PRIMARY KEY AUTOINCREMENT,")).toBe(
      "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,",
    );
  });
});
