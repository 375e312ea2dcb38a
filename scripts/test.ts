// The whole test command: type-check, lint, build the browser assets, then run every test
// tier twice — once on the embedded PGlite, once on the real PostgreSQL server.
//
//   npm test                       everything
//   npm test -- --only pglite      one engine (pglite | postgres)
//   npm test -- --skip-checks      no tsc / eslint / build (quick local loop)
//   npm test -- src/modules/pii    only test files under these paths
//
// Type-check, lint and build run side by side; then the engines' tiers run side by side, their
// output lines prefixed with the tier. Browser tests (files that import playwright-core or call
// launchBrowser) run after all the others, BROWSER_TEST_CONCURRENCY at a time per engine (default 1).
//
// TEST_DATABASE_URL names the PostgreSQL server (default postgres://root@127.0.0.1:5432/test);
// each test file creates its own fresh database there and drops it afterwards.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
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

interface Step {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the steps side by side, each line of their output prefixed with the step's name, and
 * fails once all have ended if any of them failed. The suite waits on timers, sockets and
 * Chromium far more than it computes, so lanes that run together finish sooner than in a row.
 */
async function lanes(steps: Step[]): Promise<void> {
  const results = await Promise.all(
    steps.map(
      (step) =>
        new Promise<{ step: Step; code: number | string; seconds: number }>((resolve) => {
          const started = Date.now();
          console.log(`\n== ${step.name}: ${step.cmd} ${step.args.join(" ")}`);
          const child = spawn(step.cmd, step.args, { env: step.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
          const prefix = steps.length > 1 ? `[${step.name}] ` : "";
          for (const stream of [child.stdout, child.stderr]) {
            createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
              (stream === child.stderr ? process.stderr : process.stdout).write(`${prefix}${line}\n`);
            });
          }
          child.on("error", (e) => {
            resolve({ step, code: e.message, seconds: (Date.now() - started) / 1000 });
          });
          child.on("close", (code, signal) => {
            resolve({ step, code: code ?? signal ?? "?", seconds: (Date.now() - started) / 1000 });
          });
        }),
    ),
  );
  for (const r of results) console.log(`== ${r.step.name}: ${r.code === 0 ? "ok" : `FAILED (exit ${String(r.code)})`} in ${r.seconds.toFixed(0)} s`);
  const failed = results.filter((r) => r.code !== 0).map((r) => r.step.name);
  if (failed.length > 0) fail(`${failed.join(", ")} failed`);
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
  const projects = ["tsconfig.json", ...(hasTs("src/web") ? ["src/web/tsconfig.json"] : []), ...(hasTs("src/widget") ? ["src/widget/tsconfig.json"] : [])];
  await lanes([
    { name: "type-check", cmd: "sh", args: ["-c", projects.map((p) => `tsc --noEmit -p ${p}`).join(" && ")] },
    { name: "lint", cmd: "eslint", args: [".", "--max-warnings", "0"] },
    { name: "build", cmd: "npm", args: ["run", "--silent", "build"] },
  ]);
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
const browserConcurrency = process.env.BROWSER_TEST_CONCURRENCY ?? "1";
const engineEnv = (engine: string): NodeJS.ProcessEnv => ({ ...process.env, ECTRUST_TEST_DB: engine, TEST_DATABASE_URL: pgUrl });
// The engines run side by side (two files at a time each, three with one engine): first every
// engine's non-browser files, then every engine's browser files (BROWSER_TEST_CONCURRENCY per
// engine, default 1, so at most one Chromium per engine).
if (otherFiles.length > 0) {
  await lanes(engines.map((engine) => ({ name: `tests on ${engine}`, cmd: process.execPath, args: ["--test", `--test-concurrency=${engines.length > 1 ? 2 : 3}`, "--test-reporter=spec", ...otherFiles], env: engineEnv(engine) })));
}
if (browserFiles.length > 0) {
  await lanes(engines.map((engine) => ({ name: `browser tests on ${engine}`, cmd: process.execPath, args: ["--test", `--test-concurrency=${browserConcurrency}`, "--test-reporter=spec", ...browserFiles], env: engineEnv(engine) })));
}
console.log(`\nAll test tiers passed on ${engines.join(" and ")}.`);
