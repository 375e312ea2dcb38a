// End-to-end scans of fixture sites with every check on (exposure probes, security.txt,
// privacy page, payment pages, TLS version probes), over loopback.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { FixedClock } from "../../platform/clock.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { makeTestPki } from "../../platform/net/testing.ts";
import { startFixtureServers, type FixtureServers } from "./fixtures/server.ts";
import { SITES } from "./fixtures/sites.ts";
import { diffScans } from "./diff.ts";
import { createScannerFetcher, scan } from "./scan.ts";

const pki = makeTestPki();
let servers: FixtureServers;
const clock = new FixedClock("2026-11-26T00:00:00Z");

before(async () => {
  servers = await startFixtureServers(SITES.filter((s) => ["shop-complete", "exposed-files", "good"].includes(s.id)), pki);
});
after(async () => {
  await servers.close();
});

function fetcherFor(port: number): ReturnType<typeof createScannerFetcher> {
  // A resolver that knows no names: nothing outside loopback is ever looked up or contacted.
  return createScannerFetcher({ allowHosts: [`127.0.0.1:${port}`], ca: [pki.caCert], resolver: staticResolver({}) });
}

test("a well-run shop: security.txt, privacy notice, payment-page inventory, TLS details", async () => {
  const port = servers.port("shop-complete");
  const base = `https://127.0.0.1:${port}`;
  const r = await scan(`127.0.0.1:${port}`, { fetcher: fetcherFor(port), clock, paymentPages: [`${base}/checkout`] });
  assert.equal(r.tests["security-txt"]?.result, "security-txt-valid");
  assert.ok(r.tests["security-txt"].issues?.includes("security-txt-expires-too-far"), "valid, with the one-year advice");
  assert.equal(r.tests["privacy-notice"]?.result, "privacy-notice-complete");
  assert.equal(r.tests.exposure?.result, "exposure-none-found");
  assert.equal(r.tests["cookies-strict"]?.result, "cookies-strict-ok");
  assert.equal(r.tests.tls?.result, "tls-ok");
  assert.deepEqual(r.tls?.versions, { TLSv1: false, "TLSv1.1": false, "TLSv1.3": true });
  assert.equal(r.tests["payment-scripts"]?.result, "payment-scripts-ok");
  const scripts = r.paymentScripts[0]?.scripts ?? [];
  assert.deepEqual(scripts.map((s) => s.src.replace(String(port), "PORT")), [
    "https://127.0.0.1:PORT/app.js",
    "https://js.pay.example/v3.js",
    scripts[2]?.src ?? "",
  ]);
  assert.match(scripts[0]?.sha256 ?? "", /^[0-9a-f]{64}$/, "first-party script bytes hashed");
  assert.equal(scripts[1]?.sha256, null, "the third-party host does not resolve in the test (never contacted)");
  assert.equal(r.grade, "A+");
  assert.ok(r.requestCount <= 40);
  assert.deepEqual(diffScans(r, r).alerts, []);
});

test("exposed files are found and confirmed by content; the grade is capped at F", async () => {
  const port = servers.port("exposed-files");
  const r = await scan(`https://127.0.0.1:${port}/`, { fetcher: fetcherFor(port), clock });
  assert.equal(r.tests.exposure?.result, "exposure-sensitive-file");
  assert.deepEqual(r.tests.exposure.issues?.sort(), ["exposure-directory-listing", "exposure-env-file", "exposure-git-repository", "exposure-source-map"]);
  assert.equal(r.grade, "F");
  assert.equal(r.observatory.grade, "A+");
  const f = r.findings.find((x) => x.test === "exposure");
  assert.ok(f?.snippets.nginx?.includes("deny all"));
});

test("the good fixture without a privacy link: A+ from the peer tests, findings for the extras", async () => {
  const port = servers.port("good");
  const r = await scan(`127.0.0.1:${port}`, { fetcher: fetcherFor(port), clock });
  assert.equal(r.observatory.score, 135);
  assert.equal(r.tests["privacy-notice"]?.result, "privacy-notice-missing");
  assert.ok(r.findings.some((f) => f.id === "privacy-notice-missing"));
  assert.equal(r.grade, "A+");
});
