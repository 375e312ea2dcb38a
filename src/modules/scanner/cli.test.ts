// The `ectrust scan` command, spawned as a user would run it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeTestPki } from "../../platform/net/testing.ts";
import { startFixtureServers, type FixtureServers } from "./fixtures/server.ts";
import { SITES } from "./fixtures/sites.ts";

const pki = makeTestPki();
let servers: FixtureServers;
const dir = mkdtempSync(join(tmpdir(), "ectrust-cli-"));
const caFile = join(dir, "ca.pem");

before(async () => {
  writeFileSync(caFile, pki.caCert);
  servers = await startFixtureServers(SITES.filter((s) => s.id === "good" || s.id === "bare-http"), pki);
});
after(async () => {
  await servers.close();
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["src/cli.ts", "scan", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => { resolve({ code, stdout, stderr }); });
  });
}

test("scan --json prints the documented shape for each target", async () => {
  const good = servers.port("good");
  const bare = servers.port("bare-http");
  const list = join(dir, "targets.txt");
  writeFileSync(list, `# fixture sites\nhttp://127.0.0.1:${bare}/\n`);
  const r = await run([`127.0.0.1:${good}`, "--file", list, "--json", "--concurrency", "2", "--allow-host", `127.0.0.1:${good}`, "--allow-host", `127.0.0.1:${bare}`, "--ca-file", caFile]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { url: string; grade: string; score: number; tests: Record<string, { pass: boolean; result: string; scoreModifier: number }>; findings: { id: string; title: Record<string, string> }[] });
  assert.equal(lines.length, 2);
  const [a, b] = lines;
  assert.ok(a && b);
  assert.equal(a.url, `http://127.0.0.1:${good}/`);
  assert.equal(a.tests["content-security-policy"]?.result, "csp-implemented-with-no-unsafe-default-src-none");
  assert.equal(a.tests.redirection?.pass, true);
  assert.match(a.grade, /^A/);
  assert.equal(typeof a.score, "number");
  assert.equal(b.grade, "F");
  assert.equal(b.tests.cookies?.result, "cookies-session-without-secure-flag");
  assert.equal(b.tests.cookies.scoreModifier, -40);
  const f = b.findings.find((x) => x.id === "cookies-session-without-secure-flag");
  assert.ok(f?.title["zh-TW"] && f.title.en);
});

test("--no-probes keeps a scan to the peer's handful of requests", async () => {
  const good = servers.port("good");
  const r = await run([`127.0.0.1:${good}`, "--json", "--no-probes", "--allow-host", `127.0.0.1:${good}`, "--ca-file", caFile]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { requestCount: number; tests: Record<string, { result: string }> };
  assert.ok(out.requestCount <= 6, String(out.requestCount));
  assert.equal(out.tests.exposure?.result, "exposure-not-checked");
  assert.equal(out.tests["privacy-notice"]?.result, "privacy-notice-not-checked");
});

test("loopback targets are refused unless --allow-host names them", async () => {
  const good = servers.port("good");
  const r = await run([`127.0.0.1:${good}`, "--json"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /loopback address.*--allow-host/s);
});

test("malformed flags and targets fail with a clear message", async () => {
  for (const [args, re] of [
    [[], /at least one target/],
    [["ftp://example.com"], /only http and https/],
    [["exa mple.com"], /not a scan target/],
    [["--allow-host", "localhost", "example.com"], /must be host:port/],
    [["--file", join(dir, "missing.txt")], /cannot read --file/],
    [["http://user:pw@example.com/"], /user name or password/],
    [["--bogus", "example.com"], /unknown option/],
    [["--concurrency", "0", "example.com"], /--concurrency must be/],
  ] as [string[], RegExp][]) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
