// The bundled `ectrust pii` (scripts/build-pii.ts, chosen by bin/ectrust.js): built into a temporary
// folder, it scans with its own bundled worker and prints what the TypeScript sources print; the
// launcher takes it only while every source it was built from is older.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freshPiiBundle, piiReexec } from "../../../bin/pii-bundle.js";

const root = new URL("../../../", import.meta.url).pathname;

function node(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("the bundled pii CLI, with its own worker, prints exactly what the sources print", () => {
  // inside the project, so that the bundle's imports of packages resolve to node_modules (dist/ is not in git)
  mkdirSync(join(root, "dist"), { recursive: true });
  const dir = mkdtempSync(join(root, "dist", "test-pii-bundle-"));
  try {
    const out = join(dir, "pii");
    const b = node(["scripts/build-pii.ts", "--out", out]);
    assert.equal(b.code, 0, b.err);
    const entry = freshPiiBundle(join(out, "cli"));
    assert.equal(entry?.href, pathToFileURL(join(out, "cli", "pii.main.js")).href);

    const log = join(dir, "app.log"), csv = join(dir, "orders.csv");
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(i % 5 === 0 ? `第${i}行 收件人：陳志明 手機 0912-345-678 身分證 A123456789 email chen${i}@example.tw` : `普通的一行 ${i}`);
    writeFileSync(log, lines.join("\n") + "\n");
    writeFileSync(csv, "姓名,手機,身分證字號\n陳志明,0912-345-678,A123456789\n林美玲,0987654321,F131104093\n");
    // two workers: the bundle must find its worker, ../scan-worker.mjs (a worker not found fails every file)
    const args = ["pii", "scan", "--workers", "2", log, csv];
    const bundled = node([join(out, "cli", "pii.main.js"), ...args]);
    const sources = node(["src/cli.ts", ...args]);
    assert.equal(bundled.code, 0, bundled.err);
    assert.equal(sources.code, 0, sources.err);
    // files finish in either order and the summary has timings: compare the findings as sets, and the counts
    const findings = (s: string): string[] => s.trim().split("\n").filter((l) => !l.startsWith("{\"summary\"")).sort();
    const count = (s: string): unknown => (JSON.parse(s.trim().split("\n").pop() ?? "{}") as { summary: { findings: number; byType: unknown } }).summary;
    assert.equal(findings(bundled.out).length, 800 * 4 + 6); // name, mobile, ID and e-mail on every fifth line
    assert.deepEqual(findings(bundled.out), findings(sources.out));
    assert.deepEqual({ ...(count(bundled.out) as object), seconds: 0, mbPerSecond: 0 }, { ...(count(sources.out) as object), seconds: 0, mbPerSecond: 0 });

    const help = node([join(out, "cli", "pii.main.js"), "pii", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: ectrust pii/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the launcher takes the bundle only while it is newer than every source it lists", () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-bundle-fresh-"));
  try {
    const cli = join(dir, "cli"), src = join(dir, "src");
    mkdirSync(cli); mkdirSync(src);
    const a = join(src, "a.ts"), b = join(src, "b.ts"), entry = join(cli, "pii.main.js");
    const at = (p: string, s: number): void => { utimesSync(p, s, s); };
    assert.equal(freshPiiBundle(cli), null, "not built");
    writeFileSync(a, ""); writeFileSync(b, ""); writeFileSync(entry, "");
    writeFileSync(join(cli, "inputs.json"), JSON.stringify({ entry: "pii.main.js", inputs: [a, b] }));
    at(a, 1000); at(b, 1000); at(entry, 2000);
    assert.equal(freshPiiBundle(cli)?.href, pathToFileURL(entry).href, "fresh");
    at(b, 3000);
    assert.equal(freshPiiBundle(cli), null, "a source edited after the build");
    at(b, 1000);
    rmSync(a);
    assert.equal(freshPiiBundle(cli), null, "a source gone");
    for (const bad of ["{", "[]", JSON.stringify({ entry: "pii.main.js", inputs: [] }), JSON.stringify({ entry: 7, inputs: [b] })]) {
      writeFileSync(join(cli, "inputs.json"), bad);
      assert.equal(freshPiiBundle(cli), null, bad);
    }
    writeFileSync(join(cli, "inputs.json"), JSON.stringify({ entry: "missing.js", inputs: [b] }));
    assert.equal(freshPiiBundle(cli), null, "the entry itself missing");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bin/ectrust.js starts whichever entry it picks, for pii and for the other commands", () => {
  for (const args of [["pii", "scan", "--help"], ["--help"]]) {
    const r = node(["bin/ectrust.js", ...args]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Usage: ectrust/);
  }
  const bad = node(["bin/ectrust.js", "pii", "scan", "--format", "xml", "x"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /xml/);
});

test("ectrust pii re-executes itself once with MALLOC_ARENA_MAX=2, keeping its arguments and node options; a set value stands", () => {
  const argv = ["/usr/bin/node", "/p/bin/ectrust.js", "pii", "scan", "--workers", "2", "a b.csv"];
  const r = piiReexec(argv, ["--max-old-space-size=900"], { PATH: "/bin" }, "linux", true);
  assert.deepEqual(r, {
    file: "/usr/bin/node",
    args: ["/usr/bin/node", "--max-old-space-size=900", "/p/bin/ectrust.js", "pii", "scan", "--workers", "2", "a b.csv"],
    env: { PATH: "/bin", MALLOC_ARENA_MAX: "2" },
  });
  assert.equal(piiReexec(argv, [], { MALLOC_ARENA_MAX: "8" }, "linux", true), null, "a user's value (and the second start) is left alone");
  assert.equal(piiReexec(argv, [], {}, "darwin", true), null);
  assert.equal(piiReexec(argv, [], {}, "linux", false), null);
  assert.equal(piiReexec(["/usr/bin/node", "/p/bin/ectrust.js", "serve"], [], {}, "linux", true), null, "only pii commands");

  // End to end: a preload prints the variable in each process image that starts; the pii command starts twice
  // (launcher, then itself with the variable), the other commands once.
  const dir = mkdtempSync(join(tmpdir(), "pii-reexec-"));
  try {
    const preload = join(dir, "arena.cjs");
    writeFileSync(preload, "process.stderr.write(`arena=${process.env.MALLOC_ARENA_MAX ?? \"unset\"} pid=${process.pid}\\n`);\n");
    const run = (args: string[], env: NodeJS.ProcessEnv): { code: number | null; starts: string[] } => {
      const rest: NodeJS.ProcessEnv = { ...process.env, ...env, NODE_OPTIONS: `--require ${preload}` };
      if (env.MALLOC_ARENA_MAX === undefined) delete rest.MALLOC_ARENA_MAX;
      const c = spawnSync(process.execPath, ["bin/ectrust.js", ...args], { cwd: root, encoding: "utf8", timeout: 120_000, env: rest });
      return { code: c.status, starts: c.stderr.split("\n").filter((l) => l.startsWith("arena=")) };
    };
    const pii = run(["pii", "scan", "--help"], {});
    assert.equal(pii.code, 0);
    assert.equal(pii.starts.length, 2, pii.starts.join("; "));
    assert.match(pii.starts[0] ?? "", /^arena=unset /);
    assert.match(pii.starts[1] ?? "", /^arena=2 /);
    assert.equal(pii.starts[0]?.split("pid=")[1], pii.starts[1]?.split("pid=")[1], "the same process, not a child");
    assert.deepEqual(run(["pii", "scan", "--help"], { MALLOC_ARENA_MAX: "4" }).starts.map((l) => l.split(" ")[0]), ["arena=4"]);
    assert.deepEqual(run(["--help"], {}).starts.map((l) => l.split(" ")[0]), ["arena=unset"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
