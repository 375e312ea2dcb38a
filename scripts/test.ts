// The whole test command: build, type-check, lint, and every test file on the embedded PGlite and,
// when it uses a database, on the real PostgreSQL server.
//
//   npm test                       everything
//   npm test -- --only pglite      one engine (pglite | postgres)
//   npm test -- --skip-checks      no tsc / eslint / build (quick local loop)
//   npm test -- src/modules/pii    only test files under these paths
//
// The build runs first (browser tests serve its assets). Then the type-check and lint (one job,
// scripts/check.ts) and the test files share one pool of TEST_JOBS slots (default 4): a job is one
// test file on one engine, run as its own process. A file runs on PostgreSQL as well as PGlite
// when it uses a database (see below).
// Browser tests (files that import playwright-core or call launchBrowser) start first, at most
// TEST_BROWSER_JOBS at a time (default 2), because they are the longest; the other
// files fill the free slots, larger files first. The suite waits on timers, sockets and Chromium
// more than it computes, so a full pool finishes far sooner than tiers run one after another.
// Each job's output is printed when it ends (in full when it failed), then the slowest jobs.
//
// TEST_DATABASE_URL names the PostgreSQL server (default postgres://root@127.0.0.1:5432/test);
// each test file creates its own fresh database there and drops it afterwards.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
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

const files = testFiles();
if (files.length === 0) fail("no test files found");
if (engines.includes("postgres")) {
  const why = await postgresReachable();
  if (why) fail(`PostgreSQL at ${pgUrl} is not reachable (${why}). Start it, or set TEST_DATABASE_URL.`);
}

const slots = positiveInt("TEST_JOBS", 4);
const browserSlots = positiveInt("TEST_BROWSER_JOBS", 2);
/** A job that runs longer than this is killed and reported (a hang must not eat CI's budget). */
const jobTimeoutMs = positiveInt("TEST_JOB_TIMEOUT_S", 600) * 1000;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a positive whole number, not "${raw}"`);
  return n;
}

interface Job {
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  browser: boolean;
  /** the build, type-check or lint rather than a test file: what it prints is shown even when it passes */
  check: boolean;
  /** the job to queue once this one has ended (the same file on PostgreSQL), if any */
  followUp?: (() => Job | undefined) | undefined;
}

interface Outcome {
  job: Job;
  ok: boolean;
  why: string;
  seconds: number;
  output: string;
}

const isBrowserTest = (file: string): boolean => /from "playwright-core"|launchBrowser\(/.test(readFileSync(file, "utf8"));
// Every test file starts with the fast resolver (src/platform/boot/fast-resolve.ts: about 1.4 CPU-s
// less per process that loads the database layer) and with WebAssembly compiled by Liftoff only: each
// process compiles PGlite anew, and tiering its hot functions up with TurboFan cost more CPU (and
// about 280 MB more memory) than it saved in a test file's life (bench/RESULTS.md "startup").
const testNodeFlags = ["--liftoff-only", "--import", join(import.meta.dirname, "..", "src", "platform", "boot", "register.ts")];
// Node's compile cache (V8 code cache of each module, TypeScript stripped), shared by this run's test
// processes and what they start, in a private folder made for the run: about 0.36 CPU-s less per
// process that loads the server (bench/RESULTS.md "startup"). A cache the caller set is kept.
const compileCache = process.env.NODE_COMPILE_CACHE ?? mkdtempSync(join(tmpdir(), "ectrust-test-compile-cache-"));
const engineEnv = (engine: string): NodeJS.ProcessEnv => ({ ...process.env, ECTRUST_TEST_DB: engine, TEST_DATABASE_URL: pgUrl, NODE_COMPILE_CACHE: compileCache });
// Longest first, as far as we can tell before running: browser files, then by size.
const ordered = files
  .map((file) => ({ file, browser: isBrowserTest(file), size: statSync(file).size }))
  .sort((a, b) => Number(b.browser) - Number(a.browser) || b.size - a.size);
// With both engines, each file runs on PGlite first; it runs on PostgreSQL too when it asked which
// engine to use (testEngine() in src/platform/testing/db.ts, which testDatabase and the test
// server call, leaves a mark). A file that never touches a database behaves the same on both, so
// it runs once. With --only, every file runs on that engine.
const markDir = mkdtempSync(join(tmpdir(), "ectrust-test-marks-"));
process.on("exit", () => {
  rmSync(markDir, { recursive: true, force: true });
  if (compileCache !== process.env.NODE_COMPILE_CACHE) rmSync(compileCache, { recursive: true, force: true });
});
const bothEngines = engines.length === 2;
let jobCount = 0;
function fileJob(file: string, engine: string, browser: boolean): Job {
  const env = engineEnv(engine);
  let followUp: Job["followUp"];
  if (bothEngines && engine === "pglite") {
    env.ECTRUST_TEST_ENGINE_MARK = join(markDir, String(jobCount++));
    const mark = env.ECTRUST_TEST_ENGINE_MARK;
    followUp = () => (existsSync(mark) ? fileJob(file, "postgres", browser) : undefined);
  }
  return { name: `${file} on ${engine}`, cmd: process.execPath, args: [...testNodeFlags, "--test-reporter=spec", file], env, browser, check: false, followUp };
}
// Browser files run once, on PostgreSQL (the system of record): they drive the same HTTP API whose
// every route the other files test on both engines, and a second Chromium run per flow was about a sixth
// of the suite's CPU time, Chromium included. `--only pglite` runs them on PGlite.
const jobs: Job[] = ordered.map(({ file, browser }) => fileJob(file, bothEngines ? (browser ? "postgres" : "pglite") : (engines[0] ?? "pglite"), browser));

/** Process groups of the running jobs: stopped with the runner (Ctrl-C, CI's kill). */
const runningGroups = new Set<number>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const pid of runningGroups) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

function runJob(job: Job): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    // Its own process group, so a timeout or Ctrl-C stops the servers and browsers it started too.
    const child = spawn(job.cmd, job.args, { env: job.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) runningGroups.add(pid);
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (pid !== undefined) process.kill(-pid, "SIGKILL"); // the job and what it started
      } catch {
        child.kill("SIGKILL");
      }
    }, jobTimeoutMs);
    const done = (ok: boolean, why: string): void => {
      clearTimeout(timer);
      if (pid !== undefined) runningGroups.delete(pid);
      resolve({ job, ok, why, seconds: (Date.now() - started) / 1000, output: Buffer.concat(chunks).toString("utf8") });
    };
    child.on("error", (e) => {
      done(false, e.message);
    });
    child.on("close", (code, signal) => {
      if (timedOut) done(false, `killed after ${jobTimeoutMs / 1000} s`);
      else done(code === 0, code === 0 ? "ok" : `exit ${code ?? signal ?? "?"}`);
    });
  });
}

function report(o: Outcome): void {
  const line = `${o.ok ? "ok" : "FAILED"}  ${o.seconds.toFixed(1).padStart(6)} s  ${o.job.name}${o.ok ? "" : ` (${o.why})`}`;
  if (o.ok) {
    // A passing test file says how many tests it ran; a check says what it checked, or warns.
    const tests = testsIn(o.output);
    console.log(`${line}${tests === undefined ? "" : `  [${tests} tests]`}`);
    if (o.job.check && o.output.trim() !== "") console.log(indent(o.output));
  } else {
    console.log(`${line}\n${indent(o.output)}`);
  }
}

/** The number of tests a test file's spec report says it ran. */
function testsIn(output: string): number | undefined {
  const m = /ℹ tests (\d+)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

const indent = (text: string): string =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");

async function runPool(queue: Job[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let running = 0;
  let runningBrowsers = 0;
  await new Promise<void>((resolveAll) => {
    const next = (): void => {
      while (running < slots) {
        const i = queue.findIndex((j) => !j.browser || runningBrowsers < browserSlots);
        if (i < 0) break;
        const [job] = queue.splice(i, 1);
        if (!job) break;
        running++;
        if (job.browser) runningBrowsers++;
        void runJob(job).then((o) => {
          running--;
          if (job.browser) runningBrowsers--;
          outcomes.push(o);
          report(o);
          // A follow-up starts as soon as a slot allows: ahead of the files not yet started.
          const more = job.followUp?.();
          if (more) queue.unshift(more);
          next();
        });
      }
      if (running === 0 && queue.length === 0) resolveAll();
    };
    next();
  });
  return outcomes;
}

if (!skipChecks) {
  const projects = ["tsconfig.json", ...(hasTs("src/web") ? ["src/web/tsconfig.json"] : []), ...(hasTs("src/widget") ? ["src/widget/tsconfig.json"] : [])];
  console.log("== build: npm run build");
  const build = await runJob({ name: "build", cmd: "npm", args: ["run", "--silent", "build"], env: process.env, browser: false, check: true });
  report(build);
  if (!build.ok) fail("the build failed");
  // The type-check and the lint are one job (scripts/check.ts): it builds each project's program
  // once and lints with it, where `tsc --noEmit` and `eslint .` apart built and checked every
  // program twice. It takes a slot after the browser files and before the rest.
  const checks: Job = { name: "type-check and lint", cmd: process.execPath, args: ["scripts/check.ts", ...projects], env: process.env, browser: false, check: true };
  const firstOther = jobs.findIndex((j) => !j.browser);
  jobs.splice(firstOther < 0 ? jobs.length : firstOther, 0, checks);
}

const started = Date.now();
console.log(`== ${files.length} test files on ${engines.join(" and ")}${bothEngines ? " (on PostgreSQL, those that use a database)" : ""}${skipChecks ? "" : ", type-check and lint"}: ${slots} jobs at a time, at most ${browserSlots} in a browser`);
const outcomes = await runPool(jobs);
const failed = outcomes.filter((o) => !o.ok);
console.log(`\n== slowest jobs`);
for (const o of [...outcomes].sort((a, b) => b.seconds - a.seconds).slice(0, 10)) console.log(`${o.seconds.toFixed(1).padStart(8)} s  ${o.job.name}`);
const testCount = outcomes.reduce((n, o) => n + (testsIn(o.output) ?? 0), 0);
console.log(`\n== ${outcomes.length} jobs, ${testCount} tests, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failed.length > 0) {
  console.log(`\n== failed:`);
  for (const o of failed) console.log(`  ${o.job.name} (${o.why})`);
  fail(`${failed.length} of ${outcomes.length} jobs failed`);
}
console.log(`\nAll checks and tests passed on ${engines.join(" and ")}.`);
