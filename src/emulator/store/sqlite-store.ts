/**
 * The SQLite Store (better-sqlite3, WAL): one file in the data directory, or in memory. It makes the
 * tables that are missing at every start and refuses a database written by a newer cxda.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ensurePrivateDir, ensurePrivateFile } from "../../files/private-files.js";
import { DEFAULT_RETENTION, type HistoryRetention } from "./journal.js";
import { SCHEMA_VERSION, storeTables } from "./schema.js";
import { createSqlStore } from "./sql-store.js";
import { sqliteSql } from "./sqlite-sql.js";
import type { Store } from "./store.js";

export const DATABASE_FILE = "cxda-emulator.sqlite";

export interface SqliteStoreOptions {
  /** Directory holding the database file (created 0700 if missing); omitted = in memory. */
  dataDir?: string;
  /** Told when a file or the directory had to be made private, or could not be. */
  onWarning?: (text: string) => void;
  /** Timestamps of deployments; default Date.now. */
  clock?: () => number;
  /** The client of the current request, recorded with deployments and revisions. */
  author?: () => string | null;
  /** How much history is kept (default 100 revisions per action, 1 000 deployments per tenant). */
  retention?: HistoryRetention;
}

export function openSqliteStore(options: SqliteStoreOptions = {}): Store {
  let file = ":memory:";
  if (options.dataDir !== undefined) {
    const warn = (text: string | undefined) => text !== undefined && options.onWarning?.(text);
    warn(ensurePrivateDir(options.dataDir, "data directory"));
    file = join(options.dataDir, DATABASE_FILE);
    // SQLite gives the WAL and SHM files the database file's mode: a 0600 database makes all three 0600.
    warn(ensurePrivateFile(file, "database"));
    for (const suffix of ["-wal", "-shm"])
      if (existsSync(file + suffix)) warn(ensurePrivateFile(file + suffix, "database"));
  }
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
  db.exec(storeTables("sqlite"));
  const storedVersion = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  if (storedVersion === undefined) {
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  } else if (Number(storedVersion.value) > SCHEMA_VERSION) {
    db.close();
    throw new Error(
      `The emulator database ${file} has schema version ${storedVersion.value}, newer than this cxda ` +
        `understands (${SCHEMA_VERSION}); use a newer cxda or another --data-dir.`,
    );
  }
  const ping = db.prepare("SELECT 1");
  return createSqlStore(sqliteSql(db), {
    clock: options.clock ?? Date.now,
    author: options.author ?? (() => null),
    retention: options.retention ?? DEFAULT_RETENTION,
    ping: () => {
      ping.get();
    },
  });
}
