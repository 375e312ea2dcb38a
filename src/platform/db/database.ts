// One database interface over two engines: PGlite (PostgreSQL in WASM, the embedded default)
// and a real PostgreSQL server (node-postgres pool). The same Drizzle queries and the same
// committed SQL migrations run on both.
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";

/** A Drizzle database or transaction handle; repositories take this. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type Engine = "pglite" | "postgresql";

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Database {
  readonly engine: Engine;
  readonly db: Db;
  /** the embedded engine's client, on PGlite only (test templates) */
  readonly pglite?: PGlite;
  /** Raw parameterised SQL, for platform plumbing only (job queue, locks, health). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  /**
   * Several statements without parameters in one round trip; one result per statement,
   * as node-postgres returns them (the job queue relies on this).
   */
  exec(text: string): Promise<QueryResult<Record<string, unknown>>[]>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL("../../../migrations", import.meta.url));

export interface OpenOptions {
  /** postgres:// URL of a real server; without it PGlite is used. */
  url?: string | undefined;
  /** Folder for PGlite's files; omitted → in memory. */
  pgliteDir?: string | undefined;
  /** PGlite only: start from this dumped data folder (tests use a migrated template). */
  pgliteTemplate?: Blob | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * PostgreSQL only: told of an error on an idle pooled connection (the server restarted, an
   * administrator ended the session). The pool drops that connection and opens a new one on the
   * next query; without a listener Node would end the process. Default: a warning on stderr.
   */
  onIdleError?: (error: Error) => void;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10, options.onIdleError) : openPglite(options.pgliteDir, options.pgliteTemplate);
}

/** A process has the PGlite folder open: a second one on the same folder silently loses writes. */
export class DatabaseInUse extends Error {
  override name = "DatabaseInUse";
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM"; // exists, another user's
  }
};

/**
 * Takes the folder's lock file (O_EXCL, holding our pid), or throws DatabaseInUse naming the process
 * that holds it. A lock left by a process that is gone is taken over. Returns its release.
 */
function lockPgliteDir(dir: string): () => void {
  const path = join(dir, "ectrust.lock");
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, "utf8") === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") throw e;
      if (attempt > 0) throw new DatabaseInUse(`the embedded database in ${dir} is in use (lock file ${path})`);
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new DatabaseInUse(`the embedded database in ${dir} is open in process ${String(holder)} (ectrust serve?): stop it first, or use PostgreSQL (DATABASE_URL) to run several processes`);
      }
      unlinkSync(path); // left by a process that is gone
    }
  }
}

async function openPglite(dir: string | undefined, template: Blob | undefined): Promise<Database> {
  let release = (): void => undefined;
  if (dir) {
    // Owner only, like master.key: PGlite writes its files 0666, so the folder is what keeps other
    // local users from reading or rewriting the whole database.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    release = lockPgliteDir(dir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create({ ...(dir ? { dataDir: dir } : {}), ...(template ? { loadDataDir: template } : {}) });
  } catch (e) {
    release();
    throw e;
  }
  const db = drizzlePglite({ client }) as unknown as Db;
  return {
    engine: "pglite",
    pglite: client,
    db,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the row shape
    async query<T>(text: string, params?: unknown[]) {
      const r = await client.query<T>(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(text: string) {
      const results = await client.exec(text);
      return results.map((r) => ({ rows: r.rows, rowCount: r.affectedRows ?? r.rows.length }));
    },
    async close() {
      if (!client.closed) await client.close();
      release();
    },
  };
}

function warnIdleError(error: Error): void {
  process.emitWarning(`PostgreSQL connection lost while idle: ${error.message}`, { code: "ECTRUST_DB_IDLE_ERROR" });
}

async function openPostgres(url: string, poolSize: number, onIdleError: (error: Error) => void = warnIdleError): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on("error", onIdleError);
  // Fail fast with a clear error if the server is not there.
  const probe = await pool.connect();
  probe.release();
  const db = drizzleNodePg({ client: pool }) as unknown as Db;
  return {
    engine: "postgresql",
    db,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the row shape
    async query<T>(text: string, params?: unknown[]) {
      const r = await pool.query(text, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(text: string) {
      const r = (await pool.query(text)) as pg.QueryResult | pg.QueryResult[];
      const list = Array.isArray(r) ? r : [r];
      return list.map((x) => ({ rows: x.rows as Record<string, unknown>[], rowCount: x.rowCount ?? x.rows.length }));
    },
    async close() {
      await pool.end();
    },
  };
}

/** Applies every committed migration not yet applied (idempotent). */
export async function migrate(database: Database): Promise<void> {
  if (database.engine === "pglite") {
    await migratePglite(database.db as unknown as Parameters<typeof migratePglite>[0], { migrationsFolder });
  } else {
    await migrateNodePg(database.db as unknown as Parameters<typeof migrateNodePg>[0], { migrationsFolder });
  }
}
