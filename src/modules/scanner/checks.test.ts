import assert from "node:assert/strict";
import { test } from "node:test";
import { RESULT_ADVICE, TEST_ADVICE } from "./advice.ts";
import { EXPOSURE_PROBES } from "./checks/exposure.ts";
import { diffScans } from "./diff.ts";
import { gradeForScore, scoreOf } from "./grade.ts";
import { analyze } from "./scan.ts";
import type { ProbeRecord, TestResult } from "./scanner.types.ts";
import { buildResponse, buildRetrieval, buildTls } from "./testing.ts";
import { parseTarget } from "./target.ts";

const now = new Date("2026-11-26T00:00:00Z");

test("grade chart and the extra-credit rule (peer algorithm v4)", () => {
  const cases: [number, string][] = [[145, "A+"], [100, "A+"], [95, "A"], [90, "A"], [85, "A-"], [80, "B+"], [70, "B"], [65, "B-"], [60, "C+"], [50, "C"], [45, "C-"], [40, "D+"], [30, "D"], [25, "D-"], [24, "F"], [0, "F"], [-10, "F"]];
  for (const [s, g] of cases) assert.equal(gradeForScore(s), g, String(s));
  const t = (m: number): TestResult => ({ id: "cookies", expectation: "", result: "", pass: true, scoreModifier: m });
  assert.equal(scoreOf([t(-5), t(10)]), 105, "95 ≥ 90 keeps the bonus");
  assert.equal(scoreOf([t(-15), t(10)]), 85, "85 < 90 drops the bonus");
  assert.equal(scoreOf([t(-200)]), 0);
});

test("targets: bare host[:port] → both schemes; URLs keep path and port", () => {
  assert.deepEqual(parseTarget("shop.example:8443"), { input: "shop.example:8443", hostname: "shop.example", httpUrl: "http://shop.example:8443/", httpsUrl: "https://shop.example:8443/", url: "http://shop.example:8443/" });
  const u = parseTarget("https://shop.example/checkout?a=1");
  assert.equal(u.httpUrl, "http://shop.example/checkout?a=1");
  assert.equal(parseTarget("[::1]:8080").hostname, "::1");
  for (const bad of ["", "a b", "ftp://x", "http://u:p@x/", "-bad-.example", "x:99999"]) assert.throws(() => parseTarget(bad), bad);
});

test("tls: expired, mismatched, legacy protocols, expiring soon, weak key", () => {
  const expired = analyze(buildRetrieval({ tls: buildTls({}, "2026-11-01T00:00:00Z") }), { now });
  assert.equal(expired.tests.tls?.result, "tls-certificate-expired");
  assert.equal(expired.grade, "F", "capped");
  const soon = analyze(buildRetrieval({ tls: buildTls({}, "2026-12-10T00:00:00Z") }), { now });
  assert.equal(soon.tests.tls?.result, "tls-certificate-expiring-soon");
  assert.equal(soon.tests.tls.data?.daysToExpiry, 14);
  const mismatch = analyze(buildRetrieval({ tls: buildTls({ authorized: false, authorizationError: "ERR_TLS_CERT_ALTNAME_INVALID" }) }), { now });
  assert.equal(mismatch.tests.tls?.result, "tls-hostname-mismatch");
  const legacy = analyze(buildRetrieval({}, { tlsVersions: { TLSv1: true, "TLSv1.1": false } }), { now });
  assert.equal(legacy.tests.tls?.result, "tls-legacy-protocol-offered");
  const weakTls = buildTls();
  const leaf = weakTls.chain[0];
  assert.ok(leaf);
  weakTls.chain[0] = { ...leaf, keyType: "rsa", keyBits: 1024, curve: undefined };
  assert.equal(analyze(buildRetrieval({ tls: weakTls }), { now }).tests.tls?.result, "tls-weak-key");
  assert.equal(analyze(buildRetrieval(), { now }).tests.tls?.pass, true);
});

test("cookies beyond the peer: prefixes, Domain scope, lifetime, tracking before consent", () => {
  const r = buildRetrieval({ headers: [["content-type", "text/html"], ["set-cookie", "__Host-sid=1; Secure; Path=/; Domain=shop.example.com.tw"], ["set-cookie", "session=2; Secure; HttpOnly; Domain=example.com.tw; Max-Age=99999999"], ["set-cookie", "_ga=GA1.2.3; Max-Age=63072000"]] });
  const t = analyze(r, { now }).tests["cookies-strict"];
  assert.equal(t?.result, "cookies-tracking-before-consent");
  for (const i of ["cookie-prefix-invalid", "cookie-domain-too-broad", "cookie-lifetime-too-long", "cookies-tracking-before-consent"]) assert.ok(t.issues?.includes(i), i);
  const trackers = buildRetrieval({ body: '<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>' });
  assert.ok(analyze(trackers, { now }).tests["cookies-strict"]?.issues?.includes("tracking-scripts-without-consent-tool"));
  const withCmp = buildRetrieval({ body: '<script src="https://consent.cookiebot.com/uc.js"></script><script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>' });
  assert.equal(analyze(withCmp, { now }).tests["cookies-strict"]?.issues?.includes("tracking-scripts-without-consent-tool"), false);
});

test("exposure is confirmed by content, not status", () => {
  const probe = (probe: string, url: string, head: string, status = 200): ProbeRecord => ({ probe, url, status, contentType: "", head, error: null });
  const soft404 = buildRetrieval({}, { probes: [probe("git-repository", "https://shop.example.com.tw/.git/HEAD", "<!doctype html><title>Not found</title>"), probe("env-file", "https://shop.example.com.tw/.env", "<html><body>APP=1</body></html>")] });
  assert.equal(analyze(soft404, { now }).tests.exposure?.result, "exposure-none-found");
  const git = buildRetrieval({}, { probes: [probe("git-repository", "https://shop.example.com.tw/.git/HEAD", "ref: refs/heads/main\n")] });
  const g = analyze(git, { now });
  assert.equal(g.tests.exposure?.result, "exposure-sensitive-file");
  assert.equal(g.grade, "F");
  const leak = buildRetrieval({}, { probes: [probe("directory-listing", "https://shop.example.com.tw/uploads/", "<html><head><title>Index of /uploads</title>"), probe("env-file", "https://shop.example.com.tw/.env", "DB_PASSWORD=x", 403)] });
  assert.equal(analyze(leak, { now }).tests.exposure?.result, "exposure-information-leak");
});

test("mixed content: active and passive", () => {
  const active = buildRetrieval({ body: '<form action="http://shop.example.com.tw/pay"></form><img src="http://x/y.png">' });
  assert.equal(analyze(active, { now }).tests["mixed-content"]?.result, "mixed-content-active");
  const passive = buildRetrieval({ body: '<img src="http://x/y.png"><script src="https://a/b.js"></script>' });
  assert.equal(analyze(passive, { now }).tests["mixed-content"]?.result, "mixed-content-passive");
});

test("security.txt (RFC 9116)", () => {
  const txt = (body: string, type = "text/plain; charset=utf-8"): ReturnType<typeof buildResponse> => buildResponse({ url: "https://shop.example.com.tw/.well-known/security.txt", headers: [["content-type", type]], body });
  const ok = analyze(buildRetrieval({}, { securityTxt: txt("Contact: mailto:sec@shop.example.com.tw\nExpires: 2027-06-01T00:00:00Z\n") }), { now });
  assert.equal(ok.tests["security-txt"]?.result, "security-txt-valid");
  const expired = analyze(buildRetrieval({}, { securityTxt: txt("Contact: mailto:a@b\nExpires: 2025-01-01T00:00:00Z\n") }), { now });
  assert.ok(expired.tests["security-txt"]?.issues?.includes("security-txt-expired"));
  const noContact = analyze(buildRetrieval({}, { securityTxt: txt("Expires: 2027-01-01T00:00:00Z\n", "text/html") }), { now });
  assert.deepEqual(noContact.tests["security-txt"]?.issues, ["security-txt-not-text-plain", "security-txt-no-contact"]);
  assert.equal(analyze(buildRetrieval(), { now }).tests["security-txt"]?.result, "security-txt-missing");
});

test("privacy notice: link from the home page and PDPA Art. 8 items (zh-TW and English)", () => {
  const home = '<footer><a href="/privacy">隱私權政策</a></footer>';
  const zh = "<h1>隱私權政策</h1><p>本公司（蒐集者：好物商店股份有限公司）蒐集之目的為訂單處理；個人資料之類別包括姓名、電子郵件；利用之期間、地區、對象及方式：於營運期間在臺灣由本公司利用；您得依個資法第3條請求查詢、閱覽、更正或刪除；若不提供個人資料，將無法完成訂單。</p>";
  const complete = analyze(buildRetrieval({ body: home }, { privacyPage: buildResponse({ url: "https://shop.example.com.tw/privacy", body: zh }) }), { now });
  assert.equal(complete.tests["privacy-notice"]?.result, "privacy-notice-complete");
  const en = "<p>We collect your name for the purposes of delivery.</p>";
  const partial = analyze(buildRetrieval({ body: '<a href="/legal/privacy-policy">Privacy</a>' }, { privacyPage: buildResponse({ body: en }) }), { now });
  assert.equal(partial.tests["privacy-notice"]?.result, "privacy-notice-incomplete");
  const pn = partial.tests["privacy-notice"];
  assert.deepEqual(pn.data?.missing, ["collector", "period-region-recipients-method", "rights", "effect-of-not-providing"]);
  assert.equal(analyze(buildRetrieval(), { now }).tests["privacy-notice"]?.result, "privacy-notice-missing");
  // everyday words are not notice items: a shop page about service, payment methods and return periods
  const chatter = "<h1>隱私權政策</h1><p>本公司的目的是提供最好的服務，付款方式多元，退貨期間七天，配送地區遍及全臺。</p>";
  const vague = analyze(buildRetrieval({ body: home }, { privacyPage: buildResponse({ body: chatter }) }), { now }).tests["privacy-notice"];
  assert.equal(vague?.result, "privacy-notice-incomplete");
  assert.deepEqual(vague.data?.missing, ["purposes", "categories", "period-region-recipients-method", "rights", "effect-of-not-providing"]);
});

test("payment-page script inventory, first seen, and diff alerts (PCI DSS 6.4.3 / 11.6.1)", () => {
  const page = (body: string): ReturnType<typeof buildRetrieval> =>
    buildRetrieval({}, { paymentPages: [{ url: "https://shop.example.com.tw/checkout", response: buildResponse({ url: "https://shop.example.com.tw/checkout", body }), error: null }] });
  const v1 = analyze(page('<script src="/app.js"></script><script src="https://js.pay.example/v3.js" integrity="sha384-a"></script><script>init(1)</script>'), { now });
  assert.equal(v1.tests["payment-scripts"]?.result, "payment-scripts-ok");
  const scripts = v1.paymentScripts[0]?.scripts ?? [];
  assert.equal(scripts.length, 3);
  assert.deepEqual(scripts.map((s) => s.origin), ["https://shop.example.com.tw", "https://js.pay.example", "https://shop.example.com.tw"]);
  assert.match(scripts[2]?.src ?? "", /^inline:[0-9a-f]{64}$/);
  const later = new Date("2026-12-03T00:00:00Z");
  const v2 = analyze(page('<script src="/app.js"></script><script src="https://js.pay.example/v3.js" integrity="sha384-b"></script><script>init(2)</script><script src="https://evil.example/skim.js"></script>'), { now: later, previous: v1 });
  assert.equal(v2.tests["payment-scripts"]?.result, "payment-scripts-without-integrity");
  assert.equal(v2.paymentScripts[0]?.scripts[0]?.firstSeen, now.toISOString(), "first seen carried over");
  const d = diffScans(v1, v2);
  const kinds = d.alerts.map((a) => `${a.kind} ${a.src ?? ""}`);
  assert.ok(kinds.includes("payment-script-added https://evil.example/skim.js"), kinds.join("\n"));
  assert.ok(kinds.some((k) => k.startsWith("payment-script-added inline:")));
  assert.ok(kinds.some((k) => k.startsWith("payment-script-removed inline:")));
  assert.ok(kinds.includes("payment-script-changed https://js.pay.example/v3.js"));
  assert.ok(d.scoreDelta < 0);
  const dropped = diffScans({ ...v1, grade: "A" }, { ...v2, grade: "C" });
  assert.ok(dropped.gradeDropped);
  assert.ok(dropped.alerts.some((a) => a.kind === "grade-dropped" && a.from === "A" && a.to === "C"));
  assert.equal(diffScans({ ...v2, grade: "C" }, { ...v1, grade: "A" }).gradeDropped, false);
  assert.deepEqual(diffScans(v1, v1).alerts, []);
  // Same URL, different bytes (a Magecart edit of a first-party file) is a change.
  const withHash = (hash: string): ReturnType<typeof buildRetrieval> =>
    buildRetrieval({}, { paymentPages: [{ url: "https://shop.example.com.tw/checkout", response: buildResponse({ url: "https://shop.example.com.tw/checkout", body: '<script src="/app.js"></script>' }), error: null, scriptHashes: { "https://shop.example.com.tw/app.js": hash } }] });
  const h1 = analyze(withHash("11".repeat(32)), { now });
  assert.equal(h1.paymentScripts[0]?.scripts[0]?.sha256, "11".repeat(32));
  const h2 = analyze(withHash("22".repeat(32)), { now: later, previous: h1 });
  assert.deepEqual(diffScans(h1, h2).alerts.map((a) => a.kind), ["payment-script-changed"]);
});

test("every failed test yields a bilingual finding with a fix", () => {
  const r = analyze(buildRetrieval({ headers: [["content-type", "text/html"], ["set-cookie", "sessionid=1"]] }), { now });
  assert.ok(r.findings.length >= 5);
  for (const f of r.findings) {
    assert.ok(f.title["zh-TW"] && f.title.en && f.risk["zh-TW"] && f.risk.en && f.fix["zh-TW"] && f.fix.en, f.id);
  }
  assert.ok(r.findings.find((f) => f.test === "strict-transport-security")?.snippets.nginx?.includes("Strict-Transport-Security"));
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(r)));
});

test("tls: untrusted chain, OCSP stapling and HSTS preload readiness are reported", () => {
  const untrusted = analyze(buildRetrieval({ tls: buildTls({ authorized: false, authorizationError: "SELF_SIGNED_CERT_IN_CHAIN" }) }), { now });
  assert.equal(untrusted.tests.tls?.result, "tls-certificate-invalid");
  assert.equal(untrusted.grade, "F", "capped");
  const stapled = analyze(buildRetrieval({ tls: buildTls({ ocspStapled: true }) }), { now }).tests.tls?.data;
  assert.equal(stapled?.ocspStapled, true);
  assert.equal(analyze(buildRetrieval(), { now }).tests.tls?.data?.ocspStapled, false);
  const hsts = (value: string): unknown => analyze(buildRetrieval({ headers: [["content-type", "text/html"], ["strict-transport-security", value]] }), { now }).tests.tls?.data?.hstsPreloadReady;
  assert.equal(hsts("max-age=63072000; includeSubDomains; preload"), true);
  assert.equal(hsts("max-age=63072000; includeSubDomains"), false, "no preload directive");
  assert.equal(hsts("max-age=15768000; includeSubDomains; preload"), false, "under a year");
  assert.equal(hsts("max-age=63072000; preload"), false, "no includeSubDomains");
  const rsa = buildTls();
  const leaf = rsa.chain[0];
  assert.ok(leaf);
  rsa.chain[0] = { ...leaf, keyType: "rsa", keyBits: 2048, curve: undefined };
  const data = analyze(buildRetrieval({ tls: rsa }), { now }).tests.tls?.data;
  assert.deepEqual([data?.keyType, data?.keyBits, data?.daysToExpiry], ["rsa", 2048, 187]);
});

test("advice: every test and result has zh-TW and English text; server settings come with nginx and Apache snippets", () => {
  for (const [id, a] of Object.entries(TEST_ADVICE)) {
    for (const part of [a.title, a.risk, a.fix]) assert.ok(part["zh-TW"].trim() && part.en.trim(), id);
  }
  for (const [id, a] of Object.entries(RESULT_ADVICE)) {
    for (const part of [a.title, a.risk, a.fix]) if (part) assert.ok(part["zh-TW"].trim() && part.en.trim(), id);
  }
  const serverSettings = ["content-security-policy", "cookies", "cross-origin-resource-sharing", "redirection", "referrer-policy", "strict-transport-security", "x-content-type-options", "x-frame-options", "cross-origin-resource-policy", "tls", "exposure", "mixed-content", "payment-scripts"] as const;
  for (const id of serverSettings) {
    const snippets = TEST_ADVICE[id].snippets ?? {};
    assert.ok(snippets.nginx && snippets.apache, `${id}: nginx and Apache`);
  }
  // platforms where shops cannot edit the server: Shopify, WooCommerce, Cloudflare, PHP, Express
  const platforms = new Set(Object.values(TEST_ADVICE).flatMap((a) => Object.keys(a.snippets ?? {})));
  for (const p of ["shopify", "woocommerce", "cloudflare", "php", "express"]) assert.ok(platforms.has(p), p);
});

test("exposure: each probe is confirmed by its own content, a soft 404 never; the probe list is bounded", () => {
  const samples: Record<string, string> = {
    "git-repository": "[core]\n\trepositoryformatversion = 0\n",
    "env-file": "APP_KEY=base64:abc\nDB_PASSWORD=secret\n",
    "backup-archive": "PK\u0003\u0004\u0014\u0000",
    "database-dump": "-- MySQL dump 10.13\nCREATE TABLE `orders` (",
    "config-backup": "<?php define('DB_USER', 'shop'); define('DB_PASSWORD', 'x');",
    "ds-store": "\u0000\u0000\u0000\u0001Bud1\u0000",
    "phpinfo": "<!DOCTYPE html><html><head><title>PHP 8.2.1 - phpinfo()</title>",
    "server-status": "<html><head><title>Apache Status</title></head><body><h1>Apache Server Status for shop</h1>",
    "directory-listing": "<html><head><title>Index of /uploads</title></head>",
    "source-map": '{"version":3,"sources":["src/app.ts"],"mappings":"AAAA"}',
    "admin-panel": "<html><head><title>phpMyAdmin</title></head>",
    "installer": "<html><title>WordPress &rsaquo; Installation</title><h1>Welcome to the famous five-minute WordPress installation process",
  };
  const soft404 = "<!doctype html><html><head><title>找不到頁面 Not found</title></head><body>phpMyAdmin? Index of? no.</body></html>";
  for (const probe of EXPOSURE_PROBES) {
    const sample = samples[probe.id];
    assert.ok(sample !== undefined, `a sample for ${probe.id}`);
    const rec = (head: string, status = 200): ProbeRecord => ({ probe: probe.id, url: `https://shop.example.com.tw/${probe.id}`, status, contentType: "", head, error: null });
    assert.equal(probe.confirm(rec(sample)), true, `${probe.id} confirmed by content`);
    assert.equal(probe.confirm(rec(sample, 404)), false, `${probe.id}: not on a 404`);
    assert.equal(probe.confirm(rec(soft404)), false, `${probe.id}: not on a catch-all page`);
  }
  const paths = EXPOSURE_PROBES.flatMap((p) => p.paths(["/a.js", "/b.js", "/c.js", "/d.js"], "https://shop.example.com.tw/"));
  assert.ok(paths.length <= 17, `${String(paths.length)} probe requests at most`);
});
