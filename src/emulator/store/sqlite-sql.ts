/** The SQL surface (sql.ts) over better-sqlite3: a thin pass-through, so SQLite keeps its speed. */
import type Database from "better-sqlite3";
import type { SqlDatabase, SqlStatement, SqlValue } from "./sql.js";

export function sqliteSql(db: Database.Database): SqlDatabase {
  let writes = 0;
  return {
    dialect: "sqlite",
    prepare: <Row>(sql: string): SqlStatement<Row> => {
      const statement = db.prepare<SqlValue[], Row>(sql);
      if (statement.readonly)
        return {
          get: (...params) => statement.get(...params),
          all: (...params) => statement.all(...params),
          run: (...params) => ({ changes: statement.run(...params).changes }),
        };
      return {
        get: (...params) => {
          writes += 1;
          return statement.get(...params);
        },
        all: (...params) => {
          writes += 1;
          return statement.all(...params);
        },
        run: (...params) => {
          writes += 1;
          return { changes: statement.run(...params).changes };
        },
      };
    },
    exec: (sql) => {
      writes += 1;
      db.exec(sql);
    },
    get localWrites() {
      return writes;
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
