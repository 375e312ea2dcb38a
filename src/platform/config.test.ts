import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";
import { pino } from "pino";
import { ConfigError, loadConfig, Secret } from "./config.ts";

test("defaults give a working embedded configuration", () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, "http://localhost:3000");
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.inlineWorker, true);
  assert.ok(c.dataDir.endsWith("/data"));
});

test("every bad value is listed at once, by name", () => {
  assert.throws(
    () => loadConfig({ PORT: "70000", PUBLIC_URL: "ftp://x", SMTP_URL: "http://mail", SESSION_IDLE_MINUTES: "0" }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 4);
      for (const name of ["PORT", "PUBLIC_URL", "SMTP_URL", "SESSION_IDLE_MINUTES"]) assert.ok(e.problems.some((p) => p.startsWith(name)), name);
      return true;
    },
  );
});

test("secrets never print: not in JSON, inspect, string templates or pino logs", () => {
  const c = loadConfig({ DATABASE_URL: "postgres://u:hunter2@db/x", SECRET_KEY: "ab".repeat(32), SMTP_URL: "smtp://u:mailpass@mail" });
  const rendered = [JSON.stringify(c), inspect(c, { depth: 5 }), String(c.databaseUrl)];
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(s) });
  log.info({ config: c }, "starting");
  rendered.push(...lines);
  for (const r of rendered) {
    assert.ok(!r.includes("hunter2"), r);
    assert.ok(!r.includes("mailpass"), r);
    assert.ok(!r.includes("ab".repeat(32)), r);
  }
  assert.equal(c.databaseUrl?.reveal(), "postgres://u:hunter2@db/x");
  assert.ok(new Secret("x") instanceof Secret);
});

test("TRUST_PROXY: the proxies' addresses, ranges or a hop count; never everyone", () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1, fd00::/8,loopback" }).trustProxy, ["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "loopback"]);
  assert.equal(loadConfig({ TRUST_PROXY: "2" }).trustProxy, 2);
  for (const bad of ["true", "*", "0", "11", "10.0.0.0/33", "::/129", "proxy.example", "10.0.0.1/8/2", "1.2.3.4,"]) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith("TRUST_PROXY:")), bad);
  }
});
