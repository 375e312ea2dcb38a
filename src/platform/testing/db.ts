// A fresh, migrated database for one test file, on the engine the test run asks for
// (ECTRUST_TEST_DB=pglite | postgres). On PostgreSQL each call creates its own database
// and drops it afterwards, so runs never collide.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrate, migrationsFolder, openDatabase, type Database } from "../db/database.ts";

export interface TestDatabase extends Database {
  /** The postgres:// URL of this database, or undefined on PGlite. */
  readonly url: string | undefined;
}

let engineMarked = false;

/**
 * The engine this test run asks for. Every test that depends on the engine asks through here
 * (testDatabase does), so asking is what marks a test file as engine-dependent: with
 * ECTRUST_TEST_ENGINE_MARK set, the first call creates that file, and `npm test` runs the file
 * on PostgreSQL too. A file that never asks runs once.
 */
export function testEngine(): "pglite" | "postgres" {
  const mark = process.env.ECTRUST_TEST_ENGINE_MARK;
  if (mark && !engineMarked) {
    writeFileSync(mark, "");
    engineMarked = true;
  }
  return process.env.ECTRUST_TEST_DB === "postgres" ? "postgres" : "pglite";
}

const baseUrl = (): string => process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

/**
 * PGlite's first start runs initdb (seconds); loading a dumped, already-migrated data folder
 * takes a fraction of that. The template is keyed by the migrations' content, so a changed
 * migration builds a new one.
 */
async function pgliteTemplate(): Promise<Blob> {
  const h = createHash("sha256");
  for (const f of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    if (f.endsWith(".sql") || f.endsWith(".json")) h.update(f).update(readFileSync(join(migrationsFolder, f)));
  }
  const file = join(tmpdir(), `ectrust-pglite-template-${h.digest("hex").slice(0, 16)}.tar.gz`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const database = await openDatabase({});
  await migrate(database);
  const dump = await database.pglite?.dumpDataDir("gzip");
  await database.close();
  if (!dump) throw new Error("PGlite client not reachable for the template dump");
  const tmp = `${file}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  return dump;
}

export async function testDatabase(): Promise<TestDatabase> {
  if (testEngine() === "pglite") {
    const database = await openDatabase({ pgliteTemplate: await pgliteTemplate() });
    await migrate(database);
    return Object.assign(database, { url: undefined });
  }
  const name = `ectrust_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl());
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 5 });
  await migrate(database);
  const close = database.close.bind(database);
  return Object.assign(database, {
    url: url.toString(),
    async close() {
      await close();
      const a = new pg.Client({ connectionString: baseUrl() });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  });
}
