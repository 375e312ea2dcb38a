// Analysis is pure and must never throw, whatever a hostile site sends: random combinations of
// nasty header values, cookies and bodies (seeded, so a failure is reproducible).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HeaderList } from "../../platform/net/fetcher.ts";
import { analyze } from "./scan.ts";
import { buildResponse, buildRetrieval } from "./testing.ts";

const NASTY = [
  "", " ", ",", ";", ";;;", "=", "\u0000", "%", "%zz", "'", "\"", "\\", "*", "'none'", "'strict-dynamic'", "'nonce-", "'sha256-",
  "default-src", "script-src 'self'; script-src 'self'", "report-uri /a; report-uri /b", "max-age=", "max-age=-1", "max-age=1e309",
  "max-age=99999999999999999999999", "SameSite", "SameSite=", "Domain=.", "Domain=com", "Path", "Expires=garbage", "Max-Age=abc",
  "__Host-x=1", "__Secure-x=1", "a".repeat(5000), "日本語", "💥", "http:", "ftp://x", "https://*", "data:", "//", "javascript:alert(1)",
];
const BODIES = [
  "", "<", "<script", "<script src=", "<script src='//'></script>", "<meta http-equiv=content-security-policy content=>", "<meta name=referrer>",
  "<a href='http://[::1'>privacy</a>", "<a href=privacy>隱私</a>", "<form action='http://'>", "<img src='http://x'>".repeat(100), "\uFFFD".repeat(100),
  "<script>".repeat(1000), "<!--", "<![CDATA[", "<svg><script href=x>", "<base href='http://evil/'>",
];
const NAMES = ["content-security-policy", "content-security-policy-report-only", "strict-transport-security", "set-cookie", "referrer-policy", "x-frame-options", "x-content-type-options", "cross-origin-resource-policy", "content-type", "access-control-allow-origin", "access-control-allow-credentials", "location"];

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

test("analyze never throws on hostile responses (1,000 seeded cases)", () => {
  const next = rng(20261126);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)] as T;
  for (let i = 0; i < 1000; i++) {
    const headers: HeaderList = [["content-type", next() < 0.8 ? "text/html" : pick(NASTY)]];
    const n = Math.floor(next() * 8);
    for (let j = 0; j < n; j++) headers.push([pick(NAMES), `${pick(NASTY)}${next() < 0.5 ? pick(NASTY) : ""}`]);
    const body = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(BODIES)).join("");
    const r = buildRetrieval({ headers, body }, { cors: { requestOrigin: "https://scanner.ectrust.invalid", response: buildResponse({ headers }) } });
    assert.doesNotThrow(() => {
      const out = analyze(r, { now: new Date("2026-11-26T00:00:00Z") });
      JSON.stringify(out);
    }, `case ${i}: ${JSON.stringify(headers).slice(0, 300)}`);
  }
});
