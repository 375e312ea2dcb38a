// The operator CLI as a user runs it: a real process, on the engine of this test run.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openDatabase, type Database } from "./db/database.ts";
import { testDatabase, testEngine, type TestDatabase } from "./testing/db.ts";

const cli = join(import.meta.dirname, "..", "cli.ts");
let dataDir: string;
let pgDatabase: TestDatabase | undefined;
let env: Record<string, string>;

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // --liftoff-only: each command compiles PGlite anew, and tiering it up costs more than it saves
    // in a command's life (scripts/test.ts); what the command does is the same.
    const child = spawn(process.execPath, ["--liftoff-only", cli, ...args], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function openSame(): Promise<Database> {
  return pgDatabase?.url ? openDatabase({ url: pgDatabase.url, poolSize: 1 }) : openDatabase({ pgliteDir: join(dataDir, "pglite") });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "ectrust-cli-"));
  env = { DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  if (testEngine() === "postgres") {
    pgDatabase = await testDatabase();
    env.DATABASE_URL = pgDatabase.url ?? "";
  }
});
after(async () => {
  await pgDatabase?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test("--help lists the commands, and every command has its own --help", async () => {
  const top = await run(["--help"]);
  assert.equal(top.code, 0);
  for (const c of ["serve", "worker", "migrate", "demo", "audit", "start"]) assert.match(top.stdout, new RegExp(`\\b${c}\\b`));
  for (const c of [["serve"], ["worker"], ["migrate"], ["demo"], ["audit", "verify"]]) {
    const r = await run([...c, "--help"]);
    assert.equal(r.code, 0, c.join(" "));
    assert.match(r.stdout, /Usage: ectrust/);
  }
  const unknown = await run(["no-such-command"]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown command/);
});

test("a bad configuration stops with a readable list of every problem", async () => {
  const r = await run(["migrate"], { PORT: "not-a-port", DATABASE_URL: "mysql://x", SECRET_KEY: "short" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Invalid configuration/);
  assert.match(r.stderr, /PORT/);
  assert.match(r.stderr, /DATABASE_URL: must be a URL starting with postgres:/);
  assert.match(r.stderr, /SECRET_KEY: must be 64 hexadecimal characters/);
  assert.doesNotMatch(r.stderr, /short/, "the secret's value is never echoed");
});

test("migrate, demo (idempotent), audit verify; a tampered audit row is detected", async () => {
  assert.equal((await run(["migrate"])).code, 0);
  const first = await run(["demo", "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const created = (JSON.parse(first.stdout) as { created: string[] }).created;
  assert.ok(created.includes("admin@authority.example"));
  const second = await run(["demo"]);
  assert.match(second.stdout, /already present; nothing changed/);
  assert.match(second.stdout, /TOTP secret [A-Z2-7]{32}/);

  const ok = await run(["audit", "verify", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const clean = JSON.parse(ok.stdout) as { ok: boolean; rows: number; checkpoint: { seq: number } | null };
  assert.equal(clean.ok, true);
  assert.equal(clean.checkpoint?.seq, clean.rows, "demo's server committed the head to DATA_DIR/audit when it closed");

  // the newest row removed with database access alone: the checkpoint outside the database catches it
  let db = await openSame();
  await db.query(`delete from audit_log where seq = $1`, [clean.rows]);
  await db.close();
  const cut = await run(["audit", "verify"]);
  assert.equal(cut.code, 1);
  assert.match(cut.stdout, /BROKEN at row \d+: .*newest rows were removed/);

  db = await openSame();
  await db.query(`update audit_log set action = 'user.deleted' where seq = 3`);
  await db.close();
  const broken = await run(["audit", "verify"]);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /BROKEN at row 3/);
});
