// Hostile sites: every scan must end within its budget with a clear finding, never hang or throw.
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { after, test } from "node:test";
import { FixedClock } from "../../platform/clock.ts";
import { makeTestPki } from "../../platform/net/testing.ts";
import { createScannerFetcher, scan } from "./scan.ts";
import type { ScanResult } from "./scanner.types.ts";

const pki = makeTestPki();
const servers: (http.Server | https.Server)[] = [];
const sockets = new Set<Socket>();
const BUDGET_MS = 6000;

after(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

async function serve(handler: http.RequestListener, secure?: "wrong-name"): Promise<number> {
  const s = secure ? https.createServer({ ...pki.wrongName }, handler) : http.createServer({ maxHeaderSize: 1024 * 1024 }, handler);
  s.on("connection", (c: Socket) => { sockets.add(c); c.on("close", () => sockets.delete(c)); });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}

async function hostileScan(url: string, port: number): Promise<{ r: ScanResult; ms: number }> {
  const fetcher = createScannerFetcher({ allowHosts: [`127.0.0.1:${port}`], ca: [pki.caCert], idleTimeoutMs: 1000, totalTimeoutMs: 3000 });
  const t = Date.now();
  const r = await scan(url, { fetcher, clock: new FixedClock(new Date()), budgetMs: BUDGET_MS, perRequestMs: 3000 });
  const ms = Date.now() - t;
  // The budget bounds the requests; analysis comes after. The margin absorbs a loaded CI machine.
  assert.ok(ms < BUDGET_MS + 6000, `scan took ${ms} ms`);
  assert.ok(JSON.stringify(r).length < 2_000_000, "result stays small");
  return { r, ms };
}

const ids = (r: ScanResult): string[] => r.findings.map((f) => f.id);

test("endless redirects end at the hop limit with a finding", async () => {
  const port = await serve((req, res) => { res.writeHead(302, { location: `/r${Math.random()}` }).end(); });
  const { r } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.ok(ids(r).includes("retrieval-too-many-redirects"), ids(r).join(","));
  assert.equal(r.tests.redirection?.result, "redirection-not-to-https");
});

test("a redirect to a private or metadata address is refused and reported", async () => {
  const port = await serve((req, res) => { res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" }).end(); });
  const { r } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.ok(ids(r).includes("retrieval-blocked-address"), ids(r).join(","));
  assert.equal(r.tests.redirection?.result, "redirection-missing");
});

test("huge headers: the site is reported unreachable, not crashed", async () => {
  const port = await serve((req, res) => { res.setHeader("x-junk", "a".repeat(400 * 1024)); res.end("x"); });
  const { r } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.equal(r.grade, "F");
  assert.match(r.error?.message ?? "", /header/i);
});

test("huge body is truncated and still analysed", async () => {
  const port = await serve((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    const chunk = Buffer.alloc(64 * 1024, "<p>spam</p>");
    let sent = 0;
    const pump = (): void => { while (sent < 200 * 1024 * 1024 && res.write(chunk)) sent += chunk.length; if (sent < 200 * 1024 * 1024) res.once("drain", pump); else res.end(); };
    res.on("close", () => { sent = Infinity; });
    pump();
  });
  const { r } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.equal(r.statusCode, 200);
  assert.equal(r.tests["content-security-policy"]?.result, "csp-not-implemented");
});

test("slow drip and silent servers hit the idle timeout", async () => {
  const drip = await serve((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    const t = setInterval(() => res.write("."), 1500);
    res.on("close", () => { clearInterval(t); });
  });
  const { r } = await hostileScan(`http://127.0.0.1:${drip}/`, drip);
  assert.equal(r.grade, "F");
  assert.match(r.error?.message ?? "", /sent nothing|time budget/);
  const silent = await serve(() => { /* never answers */ });
  const s2 = await hostileScan(`http://127.0.0.1:${silent}/`, silent);
  assert.equal(s2.r.grade, "F");
});

test("invalid TLS (name mismatch) is a capped grade with a TLS finding", async () => {
  const headers = { "content-type": "text/html", "strict-transport-security": "max-age=63072000", "content-security-policy": "default-src 'none'" };
  const port = await serve((req, res) => { res.writeHead(200, headers).end("<p>x</p>"); }, "wrong-name");
  const { r } = await hostileScan(`https://127.0.0.1:${port}/`, port);
  assert.equal(r.tests.tls?.result, "tls-hostname-mismatch");
  assert.equal(r.tests["strict-transport-security"]?.result, "hsts-invalid-cert");
  assert.equal(r.grade, "F");
  assert.ok(ids(r).includes("tls-hostname-mismatch"));
});

test("non-UTF-8 bytes and malformed HTML are analysed without throwing", async () => {
  const junk = Buffer.concat([Buffer.from("<html><head><meta http-equiv=Content-Security-Policy content=\"default-src 'self'\"><script src=//x.example/a.js"), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1]), Buffer.from("<<<>>><a href='/privacy'>隱私權</a></scr")]);
  const port = await serve((req, res) => { res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(junk); });
  const { r } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.equal(r.statusCode, 200);
  assert.equal(r.tests["content-security-policy"]?.result, "csp-implemented-with-no-unsafe");
});

test("thousands of cookies are bounded", async () => {
  const cookies = Array.from({ length: 5000 }, (_, i) => `c${i}=v; Path=/`);
  const port = await serve((req, res) => { res.setHeader("set-cookie", cookies); res.writeHead(200, { "content-type": "text/html" }).end("<p>x</p>"); });
  const { r } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.equal(r.tests.cookies?.result, "cookies-without-secure-flag");
});

test("a 100 KB CSP is parsed and graded", async () => {
  const sources = Array.from({ length: 4000 }, (_, i) => `https://cdn${i}.example.com`).join(" ");
  const csp = `default-src 'self'; script-src 'self' ${sources}`.slice(0, 100 * 1024);
  assert.ok(csp.length > 90 * 1024);
  const port = await serve((req, res) => { res.writeHead(200, { "content-type": "text/html", "content-security-policy": csp }).end("<p>x</p>"); });
  const { r, ms } = await hostileScan(`http://127.0.0.1:${port}/`, port);
  assert.equal(r.tests["content-security-policy"]?.result, "csp-implemented-with-no-unsafe");
  assert.ok(ms < 8000);
});
