// Our own pages' security headers, over http (local) and https (deployed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../config.ts";
import { createHttpApp, sessionCookieName } from "./app.ts";

async function headersFor(publicUrl: string): Promise<Record<string, unknown>> {
  const app = await createHttpApp({
    config: loadConfig({ PUBLIC_URL: publicUrl, LOG_LEVEL: "silent" }),
    logger: pino({ level: "silent" }),
    engine: "pglite",
    version: "test",
    authenticator: { session: async () => undefined, apiToken: async () => undefined },
  });
  await app.ready();
  const res = await app.inject({ method: "GET", url: "/api/health" });
  await app.close();
  return res.headers;
}

test("over https: HSTS with preload; over local http: none", async () => {
  const https = await headersFor("https://trust.example.tw");
  assert.match(String(https["strict-transport-security"]), /max-age=63072000; includeSubDomains; preload/);
  const http = await headersFor("http://localhost:3000");
  assert.equal(http["strict-transport-security"], undefined);
});

test("strict CSP without inline script or style; framing denied; no MIME sniffing; isolation", async () => {
  const h = await headersFor("https://trust.example.tw");
  const csp = String(h["content-security-policy"]);
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) assert.ok(csp.includes(d), d);
  assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
  assert.equal(h["x-frame-options"], "DENY");
  assert.equal(h["x-content-type-options"], "nosniff");
  assert.equal(h["cross-origin-resource-policy"], "same-origin");
  assert.equal(h["cross-origin-opener-policy"], "same-origin");
  assert.equal(h["referrer-policy"], "strict-origin-when-cross-origin");
});

test("the session cookie is __Host- wherever the browser accepts Secure cookies", () => {
  assert.equal(sessionCookieName(loadConfig({ PUBLIC_URL: "https://trust.example.tw" })), "__Host-ectrust_session");
  assert.equal(sessionCookieName(loadConfig({ PUBLIC_URL: "http://localhost:3000" })), "__Host-ectrust_session");
  assert.equal(sessionCookieName(loadConfig({ PUBLIC_URL: "http://intranet.example:8080" })), "ectrust_session");
});
