/** The SQL surface (sql.ts) over better-sqlite3: a thin pass-through, so SQLite keeps its speed. */
import type Database from "better-sqlite3";
import type { SqlDatabase, SqlStatement, SqlValue } from "./sql.js";

export function sqliteSql(db: Database.Database): SqlDatabase {
  return {
    dialect: "sqlite",
    prepare: <Row>(sql: string): SqlStatement<Row> => {
      const statement = db.prepare<SqlValue[], Row>(sql);
      return {
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
        run: (...params) => ({ changes: statement.run(...params).changes }),
      };
    },
    exec: (sql) => {
      db.exec(sql);
    },
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}
