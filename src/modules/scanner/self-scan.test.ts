// "Our own ectrust server scores A+ on our own scanner." The whole server (startTestServer: demo
// data, job queue, web app) is scanned with every check on, as a shop's site would be.
//
// A+ needs HTTPS: over plain http the peer-compatible tests alone cost 40 points
// (`redirection-missing` −20, `hsts-not-implemented-no-https` −20) and the bonuses then do not
// count. ectrust is deployed behind a TLS-terminating proxy (docs/scanner.md, "Our own grade"),
// so the test builds that deployment on loopback: one port that answers TLS with a throwaway
// certificate (test CA, handed to the scanner as `ca`) and forwards the decrypted bytes to the
// server, and answers plain HTTP with a 301 to https (what `return 301 https://$host$request_uri`
// does in nginx). Every header the scanner grades comes from our server, none from the proxy;
// PUBLIC_URL is the https address, as in production, which turns HSTS on.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import { after, before, test } from "node:test";
import { systemClock } from "../../platform/clock.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { makeTestPki } from "../../platform/net/testing.ts";
import { startTestServer, type TestServer } from "../../platform/testing/server.ts";
import { createScannerFetcher, scan } from "./scan.ts";
import type { ScanResult } from "./scanner.types.ts";

interface Front {
  port: number;
  /** Where the decrypted bytes go: the app server, started after the front (its PUBLIC_URL needs the front's port). */
  forwardTo(appPort: number): void;
  close(): Promise<void>;
}

/** Listens on a free loopback port (0); a listen error rejects, never leaves the caller waiting. */
function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * A TLS terminator and http→https redirector sharing one loopback port. The front listens first and
 * the server is started with its port: a port picked free, closed and listened on seconds later
 * (freePort) can be taken in between by another process's connection, and then the front never
 * listened and the test hung until the runner killed it.
 */
async function startTlsFront(cert: { key: string; cert: string }): Promise<Front> {
  const sockets = new Set<net.Socket>();
  let appPort = 0;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const pipeTo = (from: net.Socket, toPort: number, first?: Buffer): void => {
    const up = net.connect(toPort, "127.0.0.1");
    track(up);
    if (first) up.write(first);
    from.pipe(up).pipe(from);
    from.on("close", () => up.destroy());
    up.on("close", () => from.destroy());
  };
  const terminator = tls.createServer({ key: cert.key, cert: cert.cert, minVersion: "TLSv1.2" }, (clear) => {
    track(clear);
    pipeTo(clear, appPort);
  });
  terminator.on("tlsClientError", () => undefined);
  let port = 0;
  const redirector = http.createServer((req, res) => {
    res.writeHead(301, { location: `https://127.0.0.1:${port}${req.url ?? "/"}`, "content-length": "0" }).end();
  });
  const tlsPort = await listen(terminator);
  const plainPort = await listen(redirector);
  const front = net.createServer((sock) => {
    track(sock);
    sock.once("data", (first: Buffer) => {
      sock.pause();
      pipeTo(sock, first[0] === 0x16 ? tlsPort : plainPort, first); // 0x16: a TLS handshake record
      sock.resume();
    });
  });
  port = await listen(front);
  return {
    port,
    forwardTo(p) { appPort = p; },
    async close() {
      for (const s of sockets) s.destroy();
      redirector.closeAllConnections();
      await Promise.all([front, terminator, redirector].map((s) => new Promise<void>((r) => s.close(() => { r(); }))));
    },
  };
}

const pki = makeTestPki();
let ts: TestServer;
let front: Front;
let result: ScanResult;

before(async () => {
  front = await startTlsFront(pki.leaf);
  const { port } = front;
  ts = await startTestServer({ env: { PUBLIC_URL: `https://127.0.0.1:${port}` } });
  front.forwardTo(Number(new URL(ts.url).port));
  const fetcher = createScannerFetcher({ allowHosts: [`127.0.0.1:${port}`], ca: [pki.caCert], resolver: staticResolver({}) });
  result = await scan(`127.0.0.1:${port}`, { fetcher, clock: systemClock });
});
after(async () => {
  await (front as Front | undefined)?.close();
  await (ts as TestServer | undefined)?.close();
});

test("our own server scores A+ with every check on", () => {
  const summary = Object.fromEntries(Object.entries(result.tests).map(([id, t]) => [id, `${t.result} ${String(t.scoreModifier)}`]));
  assert.equal(result.error, null, JSON.stringify(result.error));
  assert.equal(result.grade, "A+", JSON.stringify({ score: result.score, summary, findings: result.findings.map((f) => f.id) }, null, 2));
  assert.equal(result.observatory.grade, "A+", "the peer-compatible part alone is A+ too");
  assert.equal(result.statusCode, 200, "the home page (the web app) answered");
  assert.ok(result.score >= 100, `score ${String(result.score)}`);
});

test("every header the grade rests on is there (a regression fails here by name)", () => {
  const expect: Record<string, string> = {
    "content-security-policy": "csp-implemented-with-no-unsafe-default-src-none",
    "cookies": "cookies-not-found",
    "cross-origin-resource-sharing": "cross-origin-resource-sharing-not-implemented",
    "redirection": "redirection-to-https",
    "referrer-policy": "referrer-policy-private",
    "strict-transport-security": "hsts-implemented-max-age-at-least-six-months",
    "x-content-type-options": "x-content-type-options-nosniff",
    "x-frame-options": "x-frame-options-implemented-via-csp",
    "cross-origin-resource-policy": "corp-implemented-with-same-origin",
    "tls": "tls-ok",
    "exposure": "exposure-none-found",
    "mixed-content": "mixed-content-none",
    "cookies-strict": "cookies-strict-ok",
    "security-txt": "security-txt-valid",
    "privacy-notice": "privacy-notice-complete",
  };
  const got = Object.fromEntries(Object.keys(expect).map((id) => [id, result.tests[id as keyof typeof result.tests]?.result]));
  assert.deepEqual(got, expect, JSON.stringify(result.findings.map((f) => ({ id: f.id, evidence: f.evidence }))));
  assert.equal(result.tests.tls?.data?.hstsPreloadReady, true, "HSTS: two years, includeSubDomains, preload");
  // Nothing at all is reported against us: security.txt from config (SECURITY_CONTACT), and the
  // home page's HTML links /privacy, served with the PDPA Art. 8 notice in its HTML.
  assert.deepEqual(result.findings.map((f) => f.id), []);
  assert.equal(result.tests["privacy-notice"]?.data?.link, `https://127.0.0.1:${new URL(result.url).port}/privacy`);
  assert.deepEqual(result.tls?.versions, { TLSv1: false, "TLSv1.1": false, "TLSv1.3": true });
});

test("the scanner's API is served and described in OpenAPI", async () => {
  const doc = (await (await fetch(`${ts.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
  for (const path of ["/api/v1/scanner/origins/{originId}/scans", "/api/v1/scanner/origins/{originId}/latest", "/api/v1/scanner/grades", "/api/v1/scanner/scans/{scanId}"]) {
    assert.ok(path in doc.paths, path);
  }
  assert.equal((await fetch(`${ts.url}/api/v1/scanner/grades`)).status, 401);
});
