// Rate limits and the client address they count by: the socket's peer, or, behind proxies named
// in TRUST_PROXY, the address those proxies put in X-Forwarded-For (and never a client's own claim).
import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { loadConfig } from "../config.ts";
import { createHttpApp } from "./app.ts";

async function appWith(env: Record<string, string>) {
  const config = loadConfig({ PUBLIC_URL: "http://localhost:3000", LOG_LEVEL: "silent", DATA_DIR: "/nonexistent-test-dir", ...env });
  const app = await createHttpApp({ config, logger: pino({ level: "silent" }), engine: "pglite", version: "test", authenticator: { session: () => Promise.resolve(undefined), apiToken: () => Promise.resolve(undefined) }, globalRateLimit: 100_000 });
  app.withTypeProvider<ZodTypeProvider>().get("/api/v1/test/whoami", { config: { access: "public", rateLimit: { max: 3, timeWindow: "1 minute" } }, schema: { response: { 200: z.object({ ip: z.string() }) } } }, async (req) => ({ ip: req.ip }));
  await app.ready();
  return app;
}

const ask = (app: Awaited<ReturnType<typeof appWith>>, remoteAddress: string, forwarded?: string) =>
  app.inject({ method: "GET", url: "/api/v1/test/whoami", remoteAddress, headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded } });

test("a public endpoint's limit: the 4th request a minute from one address is a 429 problem with Retry-After; other addresses go on", async () => {
  const app = await appWith({});
  try {
    for (let i = 0; i < 3; i++) assert.equal((await ask(app, "198.51.100.7")).statusCode, 200);
    const r = await ask(app, "198.51.100.7");
    assert.equal(r.statusCode, 429);
    assert.match(String(r.headers["content-type"]), /application\/problem\+json/);
    const body = r.json<{ code: string; retryAfterSeconds: number }>();
    assert.equal(body.code, "rate_limited");
    assert.ok(body.retryAfterSeconds > 0 && body.retryAfterSeconds <= 60);
    assert.ok(Number(r.headers["retry-after"]) > 0);
    assert.equal((await ask(app, "198.51.100.8")).statusCode, 200);
    // without TRUST_PROXY a client's X-Forwarded-For is its own claim: ignored
    const spoof = await ask(app, "198.51.100.7", "203.0.113.99");
    assert.equal(spoof.statusCode, 429, "a made-up X-Forwarded-For must not reset the limit");
  } finally {
    await app.close();
  }
});

test("behind a trusted proxy the client address comes from X-Forwarded-For, and only the proxy's hop is believed", async () => {
  const app = await appWith({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" });
  try {
    const r = await ask(app, "10.1.2.3", "203.0.113.5");
    assert.equal(r.json<{ ip: string }>().ip, "203.0.113.5");
    // a client that sends its own X-Forwarded-For through the proxy gets the address the proxy saw
    assert.equal((await ask(app, "10.1.2.3", "1.2.3.4, 203.0.113.6")).json<{ ip: string }>().ip, "203.0.113.6");
    // from an address that is no trusted proxy, the header is ignored
    assert.equal((await ask(app, "198.51.100.9", "203.0.113.5")).json<{ ip: string }>().ip, "198.51.100.9");
    // each shopper behind the proxy has a limit of their own (without the setting they would share one)
    for (let i = 0; i < 3; i++) assert.equal((await ask(app, "10.1.2.3", "203.0.113.10")).statusCode, 200);
    assert.equal((await ask(app, "10.1.2.3", "203.0.113.10")).statusCode, 429);
    assert.equal((await ask(app, "10.1.2.3", "203.0.113.11")).statusCode, 200);
  } finally {
    await app.close();
  }
  const hops = await appWith({ TRUST_PROXY: "1" });
  try {
    assert.equal((await ask(hops, "192.0.2.1", "1.2.3.4, 203.0.113.7")).json<{ ip: string }>().ip, "203.0.113.7");
  } finally {
    await hops.close();
  }
});
