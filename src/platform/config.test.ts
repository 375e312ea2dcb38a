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

test("a malformed value is refused by name, never read as something else", () => {
  const refused = (name: string, value: string): void => {
    assert.throws(() => loadConfig({ [name]: value }), (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0]?.startsWith(`${name}:`) === true, `${name}=${JSON.stringify(value)}`);
  };
  // Number() reads " " as 0 (a random port), "0x50" as 80, "1e3" as 1000
  for (const v of [" ", "0x50", "1e3", "80.0", "-1", "3000abc"]) refused("PORT", v);
  for (const v of [" ", "0x10", "1e1"]) refused("SESSION_IDLE_MINUTES", v);
  refused("RATE_LIMIT_PER_MINUTE", "Infinity");
  // a From that is no address fails every message at delivery; one with a comma is two addresses
  for (const v of ["ectrust", "ectrust no-reply@trust.example.tw", "Trust, Inc <no-reply@trust.example.tw>", "\"ectrust\" <no-reply@trust.example.tw>", "no-reply@trust.example.tw\r\nBcc: x@y.example", "ectrust <a@b.example>, <c@d.example>"]) refused("MAIL_FROM", v);
  // every mailed link is PUBLIC_URL + path: a fragment or query would break them all, user info would leak
  for (const v of ["https://trust.example.tw/#", "https://trust.example.tw/?a=1", "https://admin:pw@trust.example.tw", "https://trust.example.tw?"]) refused("PUBLIC_URL", v);
  refused("SMTP_URL", "smtp://");

  assert.equal(loadConfig({ PORT: " 8080 " }).port, 8080);
  assert.equal(loadConfig({ PORT: "0" }).port, 0);
  assert.equal(loadConfig({ MAIL_FROM: "no-reply@trust.example.tw" }).mailFrom, "no-reply@trust.example.tw");
  assert.equal(loadConfig({ MAIL_FROM: " 電子商務信任計畫 <no-reply@trust.example.tw> " }).mailFrom, "電子商務信任計畫 <no-reply@trust.example.tw>");
  assert.equal(loadConfig({ PUBLIC_URL: "https://trust.example.tw/ectrust/" }).publicUrl, "https://trust.example.tw/ectrust");
});
