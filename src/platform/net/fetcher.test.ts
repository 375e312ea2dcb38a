import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { promises as dnsPromises } from "node:dns";
import { after, before, mock, test } from "node:test";
import tls from "node:tls";
import { createFetcher, header, parseAllowHost } from "./fetcher.ts";
import { isNetError } from "./net.errors.ts";
import { dnsServerResolver, isReservedExampleName, systemResolver, type Resolver } from "./resolver.ts";
import { makeTestPki, startTestDns, type TestDns } from "./testing.ts";

const pki = makeTestPki();
const servers: { close(): void }[] = [];
let plain = 0; // plain HTTP fixture port
let secure = 0; // HTTPS with the test CA's leaf
let selfSigned = 0;
let wrongName = 0;
let tls10 = 0;
let stapling = 0;
let dns: TestDns;

async function listen(server: http.Server | tls.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

function routes(req: http.IncomingMessage, res: http.ServerResponse): void {
  const u = new URL(req.url ?? "/", "http://x");
  switch (u.pathname) {
    case "/":
      res.setHeader("x-test", "ok");
      res.end("hello");
      return;
    case "/loop":
      res.writeHead(302, { location: `/loop?n=${Number(u.searchParams.get("n") ?? 0) + 1}` }).end();
      return;
    case "/to":
      res.writeHead(301, { location: u.searchParams.get("l") ?? "/" }).end();
      return;
    case "/big-headers":
      res.setHeader("x-big", "a".repeat(64 * 1024));
      res.end("x");
      return;
    case "/big-body":
      res.end(Buffer.alloc(3 * 1024 * 1024, 97));
      return;
    case "/drip": {
      res.writeHead(200, { "content-type": "text/html" });
      const every = Number(u.searchParams.get("every") ?? 1000);
      const t = setInterval(() => res.write("."), every);
      res.on("close", () => { clearInterval(t); });
      return;
    }
    default:
      res.writeHead(404).end("no");
  }
}

before(async () => {
  plain = await listen(http.createServer(routes));
  secure = await listen(https.createServer({ ...pki.leaf }, routes));
  selfSigned = await listen(https.createServer({ ...pki.selfSigned }, routes));
  wrongName = await listen(https.createServer({ ...pki.wrongName }, routes));
  tls10 = await listen(
    https.createServer({ ...pki.leaf, minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" }, routes),
  );
  const stapler = https.createServer({ ...pki.leaf }, routes);
  // Any bytes will do: the fetcher reports that a response was stapled; it does not judge OCSP.
  stapler.on("OCSPRequest", (_cert: Buffer, _issuer: Buffer, cb: (err: Error | null, resp: Buffer) => void) => { cb(null, Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x00])); });
  stapling = await listen(stapler);
  dns = await startTestDns({
    "shop.test": { a: ["127.0.0.1"], txt: ["ectrust-proof=abc123"] },
    "internal.test": { a: ["10.0.0.5"] },
    "meta.test": { a: ["169.254.169.254"] },
    "mapped.test": { aaaa: ["::ffff:7f00:1"] },
  });
});

after(async () => {
  for (const s of servers) s.close();
  await dns.close();
});

const allowAll = (): string[] => [plain, secure, selfSigned, wrongName, tls10, stapling].map((p) => `127.0.0.1:${p}`);

async function rejectsWith(p: Promise<unknown>, code: string, re?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isNetError(e), `expected a NetError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test("loopback is refused unless its host:port is allow-listed", async () => {
  await rejectsWith(createFetcher().fetch(`http://127.0.0.1:${plain}/`), "blocked-address", /loopback/);
  const res = await createFetcher({ allowHosts: [`127.0.0.1:${plain}`] }).fetch(`http://127.0.0.1:${plain}/`);
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), "hello");
  assert.equal(header(res.headers, "X-Test"), "ok");
  assert.equal(res.address, "127.0.0.1");
});

test("other spellings of loopback and private addresses are refused", async () => {
  const f = createFetcher();
  for (const u of [
    "http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://[::1]/", "http://0.0.0.0/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.64.0.1/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://224.0.0.1/", "http://10.0.0.1/",
  ]) {
    await rejectsWith(f.fetch(u), "blocked-address");
  }
});

test("names are checked on the resolved address (real DNS server on loopback)", async () => {
  const f = createFetcher({ resolver: dnsServerResolver([dns.server]) });
  await rejectsWith(f.fetch(`http://shop.test:${plain}/`), "blocked-address", /shop\.test resolves to 127\.0\.0\.1/);
  await rejectsWith(f.fetch("http://internal.test/"), "blocked-address", /private/);
  await rejectsWith(f.fetch("http://meta.test/"), "blocked-address", /metadata/);
  await rejectsWith(f.fetch("http://mapped.test/"), "blocked-address", /loopback/);
  await rejectsWith(f.fetch("http://nowhere.test/"), "dns-failed");
  const ok = createFetcher({ resolver: dnsServerResolver([dns.server]), allowHosts: [`shop.test:${plain}`] });
  assert.equal((await ok.fetch(`http://shop.test:${plain}/`)).status, 200);
});

test("reserved example names (RFC 2606) are refused without a DNS query; a fetch of one fails as a DNS failure", async () => {
  for (const n of ["www.taipei3c.example", "SHOP.EXAMPLE.", "example", "x.invalid", "example.com", "a.b.example.org", "www.example.net"]) assert.ok(isReservedExampleName(n), n);
  for (const n of ["example.com.tw", "myexample.com", "shop.test", "localhost", "examples.org", "example.co"]) assert.ok(!isReservedExampleName(n), n);
  const lookup = mock.method(dnsPromises, "lookup");
  const resolveTxt = mock.method(dnsPromises, "resolveTxt");
  try {
    await assert.rejects(systemResolver.lookup("www.taipei3c.example"), (e: unknown) => isNetError(e) && e.code === "dns-failed" && /reserved example name/.test(e.message));
    assert.deepEqual(await systemResolver.txt("_ectrust.www.taipei3c.example"), []);
    await assert.rejects(createFetcher().fetch("https://www.taipei3c.example/"), (e: unknown) => isNetError(e) && e.code === "dns-failed");
    assert.equal(lookup.mock.callCount() + resolveTxt.mock.callCount(), 0, "no query was sent");
  } finally {
    lookup.mock.restore();
    resolveTxt.mock.restore();
  }
});

test("TXT records come through the same resolver", async () => {
  const f = createFetcher({ resolver: dnsServerResolver([dns.server]) });
  assert.deepEqual(await f.txt("shop.test"), ["ectrust-proof=abc123"]);
  assert.deepEqual(await f.txt("nowhere.test"), []);
});

test("the connection is pinned to the checked answer (DNS rebinding)", async () => {
  let calls = 0;
  const flipping: Resolver = {
    lookup: () => {
      calls++;
      // First answer is allow-listed loopback; any later answer would be a metadata address.
      return Promise.resolve([{ address: calls === 1 ? "127.0.0.1" : "169.254.169.254", family: 4 as const }]);
    },
    txt: () => Promise.resolve([]),
  };
  const f = createFetcher({ resolver: flipping, allowHosts: [`127.0.0.1:${plain}`] });
  const res = await f.fetch(`http://rebind.test:${plain}/`);
  assert.equal(res.status, 200);
  assert.equal(res.address, "127.0.0.1");
  assert.equal(calls, 1, "exactly one resolution per connection; node did not resolve again");
  await rejectsWith(f.fetch(`http://rebind.test:${plain}/`), "blocked-address", /metadata/);
});

test("every redirect hop is checked again", async () => {
  const f = createFetcher({ allowHosts: [`127.0.0.1:${plain}`] });
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/to?l=${encodeURIComponent("http://169.254.169.254/")}`), "blocked-address", /metadata/);
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/to?l=${encodeURIComponent(`http://127.0.0.1:${secure}/`)}`), "blocked-address", /loopback/);
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/to?l=${encodeURIComponent("file:///etc/passwd")}`), "scheme-not-allowed");
  const ok = await f.fetch(`http://127.0.0.1:${plain}/to?l=/`);
  assert.equal(ok.status, 200);
  assert.equal(ok.redirects.length, 1);
  assert.equal(ok.redirects[0]?.status, 301);
});

test("endless redirects stop at the limit", async () => {
  const f = createFetcher({ allowHosts: allowAll(), maxRedirects: 4 });
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/loop`), "too-many-redirects", /more than 4 redirects/);
  const manual = await f.fetch(`http://127.0.0.1:${plain}/loop`, { redirect: "manual" });
  assert.equal(manual.status, 302);
});

test("header, body, idle and total limits", async () => {
  const f = createFetcher({ allowHosts: allowAll(), idleTimeoutMs: 300, totalTimeoutMs: 2000 });
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/big-headers`), "headers-too-large");
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/big-body`), "body-too-large");
  const cut = await f.fetch(`http://127.0.0.1:${plain}/big-body`, { onBodyLimit: "truncate", maxBodyBytes: 1000 });
  assert.equal(cut.truncated, true);
  assert.equal(cut.body.length, 1000);
  const t0 = Date.now();
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/drip?every=1000`), "idle-timeout");
  await rejectsWith(f.fetch(`http://127.0.0.1:${plain}/drip?every=50`, { totalTimeoutMs: 600 }), "timeout");
  assert.ok(Date.now() - t0 < 2500);
});

test("URLs that are not plain http(s) are refused", async () => {
  const f = createFetcher();
  await rejectsWith(f.fetch("ftp://example.com/"), "scheme-not-allowed");
  await rejectsWith(f.fetch("http://user:pw@example.com/"), "invalid-url");
  await rejectsWith(f.fetch("not a url"), "invalid-url");
  assert.throws(() => parseAllowHost("127.0.0.1"), /host:port/);
  assert.throws(() => parseAllowHost("127.0.0.1:99999"), /host:port/);
  assert.equal(parseAllowHost("[::1]:8080"), "[0:0:0:0:0:0:0:1]:8080");
});

test("HTTPS: certificate details, verification against an injected CA", async () => {
  const f = createFetcher({ allowHosts: allowAll(), ca: [pki.caCert] });
  const res = await f.fetch(`https://127.0.0.1:${secure}/`);
  assert.equal(res.status, 200);
  const t = res.tls;
  assert.ok(t);
  assert.equal(t.authorized, true);
  assert.equal(t.protocol, "TLSv1.3");
  const leaf = t.chain[0];
  assert.ok(leaf);
  assert.match(leaf.fingerprint256, /^[0-9a-f]{64}$/);
  assert.equal(leaf.keyType, "ec");
  assert.equal(leaf.curve, "prime256v1");
  assert.ok(leaf.subjectAltNames.includes("IP Address:127.0.0.1"));
  assert.match(leaf.issuer, /ectrust test CA/);
  assert.ok(Date.parse(leaf.validTo) > Date.now());
  assert.equal(t.ocspStapled, false);
  const stapled = await f.fetch(`https://127.0.0.1:${stapling}/`);
  assert.equal(stapled.tls?.ocspStapled, true);
});

test("HTTPS: untrusted or mismatched certificates fail, or are reported when asked", async () => {
  const f = createFetcher({ allowHosts: allowAll(), ca: [pki.caCert] });
  await rejectsWith(f.fetch(`https://127.0.0.1:${selfSigned}/`), "tls-failed", /not trusted/);
  await rejectsWith(f.fetch(`https://127.0.0.1:${wrongName}/`), "tls-failed", /ALTNAME/);
  const self = await f.fetch(`https://127.0.0.1:${selfSigned}/`, { verifyTls: false });
  assert.equal(self.tls?.authorized, false);
  assert.match(self.tls.authorizationError ?? "", /SELF_SIGNED/);
  await rejectsWith(createFetcher({ allowHosts: allowAll() }).fetch(`https://127.0.0.1:${secure}/`), "tls-failed");
  await rejectsWith(f.fetch(`https://127.0.0.1:${plain}/`), "tls-failed");
});

test("TLS protocol probe sees TLS 1.0 offered", async () => {
  const f = createFetcher({ allowHosts: allowAll() });
  const old = await f.probeTls(`https://127.0.0.1:${tls10}/`, { min: "TLSv1", max: "TLSv1" });
  assert.equal(old.offered, true);
  assert.equal(old.protocol, "TLSv1");
  const modern = await f.probeTls(`https://127.0.0.1:${secure}/`, { min: "TLSv1", max: "TLSv1.1" });
  assert.equal(modern.offered, false);
  await rejectsWith(createFetcher().probeTls(`https://127.0.0.1:${secure}/`, { min: "TLSv1", max: "TLSv1" }), "blocked-address");
});
