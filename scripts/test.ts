// The whole test command: type-check, lint, build the browser assets, then run every test
// tier twice — once on the embedded PGlite, once on the real PostgreSQL server.
//
//   npm test                       everything
//   npm test -- --only pglite      one engine (pglite | postgres)
//   npm test -- --skip-checks      no tsc / eslint / build (quick local loop)
//   npm test -- src/modules/pii    only test files under these paths
//
// Browser tests (files that import playwright-core or call launchBrowser) run after the others
// in each tier, BROWSER_TEST_CONCURRENCY at a time (default 2).
//
// TEST_DATABASE_URL names the PostgreSQL server (default postgres://root@127.0.0.1:5432/test);
// each test file creates its own fresh database there and drops it afterwards.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

const args = process.argv.slice(2);
const only = valueOf("--only");
const skipChecks = args.includes("--skip-checks");
const paths = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--only");
const engines = only ? [only] : ["pglite", "postgres"];
for (const e of engines) {
  if (e !== "pglite" && e !== "postgres") fail(`--only takes pglite or postgres, not "${e}"`);
}
const pgUrl = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

function valueOf(flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message: string): never {
  console.error(`test: ${message}`);
  process.exit(1);
}

function run(step: string, cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n== ${step}: ${cmd} ${cmdArgs.join(" ")}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: "inherit", env });
  if (r.status !== 0) fail(`${step} failed (exit ${r.status ?? r.signal ?? "?"})`);
}

function hasTs(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? hasTs(p) : /\.tsx?$/.test(f);
  });
}

function testFiles(): string[] {
  const roots = paths.length > 0 ? paths : ["src", "bench", "scripts"];
  const out: string[] = [];
  const walk = (p: string): void => {
    if (!existsSync(p)) fail(`no such path: ${p}`);
    if (statSync(p).isDirectory()) {
      if (p.includes("node_modules") || p.endsWith("fixtures")) return;
      for (const f of readdirSync(p).sort()) walk(join(p, f));
    } else if (/\.test\.ts$/.test(p)) out.push(p);
  };
  roots.forEach(walk);
  return out;
}

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (!skipChecks) {
  run("type-check server", "tsc", ["--noEmit", "-p", "tsconfig.json"]);
  if (hasTs("src/web")) run("type-check web app", "tsc", ["--noEmit", "-p", "src/web/tsconfig.json"]);
  if (hasTs("src/widget")) run("type-check widget", "tsc", ["--noEmit", "-p", "src/widget/tsconfig.json"]);
  run("lint", "eslint", [".", "--max-warnings", "0"]);
  run("build browser assets", "npm", ["run", "--silent", "build"]);
}

const files = testFiles();
if (files.length === 0) fail("no test files found");
if (engines.includes("postgres")) {
  const why = await postgresReachable();
  if (why) fail(`PostgreSQL at ${pgUrl} is not reachable (${why}). Start it, or set TEST_DATABASE_URL.`);
}
// Browser tests drive Chromium against a server of their own: three of them at once on a
// two-core machine starve each other into timeouts, so they run after the rest, fewer at a time.
const isBrowserTest = (file: string): boolean => /from "playwright-core"|launchBrowser\(/.test(readFileSync(file, "utf8"));
const browserFiles = files.filter(isBrowserTest);
const otherFiles = files.filter((f) => !browserFiles.includes(f));
const browserConcurrency = process.env.BROWSER_TEST_CONCURRENCY ?? "2";
for (const engine of engines) {
  const env = { ...process.env, ECTRUST_TEST_DB: engine, TEST_DATABASE_URL: pgUrl };
  if (otherFiles.length > 0) run(`tests on ${engine}`, process.execPath, ["--test", "--test-concurrency=3", "--test-reporter=spec", ...otherFiles], env);
  if (browserFiles.length > 0) run(`browser tests on ${engine}`, process.execPath, ["--test", `--test-concurrency=${browserConcurrency}`, "--test-reporter=spec", ...browserFiles], env);
}
console.log(`\nAll test tiers passed on ${engines.join(" and ")}.`);
