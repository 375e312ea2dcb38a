// Start-up cost of an ectrust process, against Node's own resolver and compilers, in one run:
//   1. importing the database layer (drizzle-orm's hundreds of modules) and the server, with Node's
//      resolver and with src/platform/boot/fast-resolve.ts;
//   2. the same import with and without a warm compile cache (NODE_COMPILE_CACHE, which scripts/test.ts
//      gives each run's test processes);
//   3. opening and closing a migrated PGlite database (what every test file on PGlite does), with
//      V8's default WebAssembly tiering and with --liftoff-only (what scripts/test.ts passes).
// Each variant runs as a fresh child process, alternated with its pair. CPU time and peak RSS are
// GNU time's (/usr/bin/time): the whole process to its exit, which waits for V8's background
// compile jobs (the process's own process.resourceUsage() at its last line misses those).
//
//   node bench/startup.ts [--runs 7]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
  console.error("startup: --runs takes a whole number from 1 to 100");
  process.exit(2);
}
const root = join(import.meta.dirname, "..");
const register = join(root, "src", "platform", "boot", "register.ts");
const href = (p: string): string => JSON.stringify(pathToFileURL(join(root, p)).href);

if (!existsSync("/usr/bin/time")) {
  console.error("startup: needs GNU time (/usr/bin/time; Debian's package time)");
  process.exit(2);
}
const importApp = `await import(${href("src/platform/db/database.ts")}); await import(${href("src/server.ts")})`;
const openPglite = `process.env.ECTRUST_TEST_DB = "pglite"; const { testDatabase } = await import(${href("src/platform/testing/db.ts")}); const db = await testDatabase(); await db.query("select count(*) from audit_log"); await db.close()`;

interface Sample { cpu: number; rss: number }

// Without a compile cache unless a row asks for one (a cache set in the caller's environment is not used).
const { NODE_COMPILE_CACHE: _callersCache, ...baseEnv } = process.env;

function child(flags: string[], code: string, env: NodeJS.ProcessEnv = baseEnv): Sample {
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, ...flags, "--input-type=module", "-e", code], { cwd: root, encoding: "utf8", timeout: 120_000, env });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  const [user, sys, kb] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  if (user === undefined || sys === undefined || kb === undefined) throw new Error(`no GNU time line in: ${r.stderr}`);
  return { cpu: user + sys, rss: kb / 1024 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

function pair(name: string, peerName: string, peerFlags: string[], oursName: string, oursFlags: string[], code: string, oursEnv?: NodeJS.ProcessEnv): void {
  const peer: Sample[] = [], ours: Sample[] = [];
  child(peerFlags, code); // warm the page cache (and PGlite's template file)
  child(oursFlags, code, oursEnv); // and the compile cache, when there is one
  for (let i = 0; i < runs; i++) {
    peer.push(child(peerFlags, code));
    ours.push(child(oursFlags, code, oursEnv));
  }
  const pc = median(peer.map((s) => s.cpu)), oc = median(ours.map((s) => s.cpu));
  console.log(`| ${name} | ${peerName}: ${pc.toFixed(2)} CPU-s, ${median(peer.map((s) => s.rss)).toFixed(0)} MiB | ${oursName}: ${oc.toFixed(2)} CPU-s, ${median(ours.map((s) => s.rss)).toFixed(0)} MiB | ${(oc / pc).toFixed(2)} |`);
}

console.log(`Node ${process.version}, ${runs} alternated runs each, medians of the child's user + system CPU and peak RSS.\n`);
console.log("| what | peer | ectrust | CPU ratio |");
console.log("|---|---|---|---|");
pair("import the database layer and the server", "Node's resolver", [], "fast-resolve", ["--import", register], importApp);
const cache = mkdtempSync(join(tmpdir(), "ectrust-bench-compile-cache-"));
try {
  pair("the same import, fast-resolve in both", "no compile cache", ["--import", register], "warm compile cache", ["--import", register], importApp, { ...baseEnv, NODE_COMPILE_CACHE: cache });
} finally {
  rmSync(cache, { recursive: true, force: true });
}
pair("open a migrated PGlite database and close it", "default tiering", ["--import", register], "--liftoff-only", ["--liftoff-only", "--import", register], openPglite);
