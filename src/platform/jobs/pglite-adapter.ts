// pg-boss's `db.executeSql` over our Database, for PGlite (one in-process connection).
//
// pg-boss sends two kinds of SQL: parameterised single statements, and parameterless blocks of
// several statements (schema migrations, `BEGIN; … RETURNING …; COMMIT` claims). PGlite's
// `query` runs one statement with parameters; its `exec` runs many without. So parameters go to
// `query` and everything else to `exec`, whose per-statement results are flattened the way
// pg-boss flattens node-postgres's array of results.
//
// On one connection a statement that fails inside BEGIN … COMMIT would leave the session in an
// aborted transaction and poison every later query (a pool would simply hand out another
// connection), so after a failure we roll back. PGlite serialises each call, and our own
// transactions take its transaction lock for their whole length, so the only window is between
// the failed block and this ROLLBACK; it is the same thing pg-boss's own PGlite adapter does.
import type { Db as PgBossDb } from "pg-boss";
import type { Database } from "../db/database.ts";

export function databaseExecutor(database: Database): PgBossDb {
  return {
    async executeSql(text: string, values?: unknown[]) {
      try {
        if (values && values.length > 0) {
          const r = await database.query(text, values);
          return { rows: r.rows };
        }
        const results = await database.exec(text);
        return { rows: results.flatMap((r) => r.rows) };
      } catch (error) {
        await database.query("rollback").catch(() => undefined);
        throw error;
      }
    },
  };
}
