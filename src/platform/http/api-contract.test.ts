// Every API route of the whole server, read from its own OpenAPI document, is sent hostile
// input: no credentials, malformed JSON, wrong content type, an oversized body, unknown fields,
// malformed ids, injection strings. Each answer must be a problem+json error — never a 500,
// never a success — and nothing may be written.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { generateSync } from "otplib";
import { pino } from "pino";
import { DEMO_PASSWORD, demoAccounts, seedDemo } from "../../demo.ts";
import { buildServer, type Server } from "../../server.ts";
import { loadConfig } from "../config.ts";
import { testDatabase, type TestDatabase } from "../testing/db.ts";

let database: TestDatabase;
let server: Server;
let app: FastifyInstance;
/** signed-in sessions of several roles, so every route meets a caller allowed to use it */
const sessions: { role: string; cookie: string; csrf: string }[] = [];
let cookie = "";
let csrf = "";

async function signIn(email: string): Promise<{ role: string; cookie: string; csrf: string }> {
  const account = demoAccounts.find((a) => a.email === email);
  const login = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password: DEMO_PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  let c = `${login.cookies[0]?.name ?? ""}=${login.cookies[0]?.value ?? ""}`;
  let token = login.json<{ csrfToken: string; stage: string }>().csrfToken;
  if (login.json<{ stage: string }>().stage === "mfa") {
    const mfa = await app.inject({ method: "POST", url: "/api/v1/auth/mfa", headers: { cookie: c, "x-csrf-token": token }, payload: { code: generateSync({ secret: account?.totpSecret ?? "" }) } });
    assert.equal(mfa.statusCode, 200, mfa.body);
    token = mfa.json<{ csrfToken: string }>().csrfToken;
    c = `${mfa.cookies[0]?.name ?? ""}=${mfa.cookies[0]?.value ?? ""}`; // the session gets a new token once the code passes
  }
  return { role: account?.role ?? "?", cookie: c, csrf: token };
}

/** The first session whose role may call the operation (the route answers something other than 403). */
async function callerFor(op: Operation, url: string): Promise<Record<string, string>> {
  for (const s of sessions) {
    const probe = await app.inject({ method: op.method as "POST", url, headers: { cookie: s.cookie, "x-csrf-token": s.csrf, "content-type": "application/json" }, payload: "{" });
    if (probe.statusCode !== 403) return { cookie: s.cookie, "x-csrf-token": s.csrf };
  }
  return { cookie, "x-csrf-token": csrf };
}

interface Operation {
  method: string;
  path: string;
  hasBody: boolean;
  security: "public" | "protected";
}

let operations: Operation[] = [];

async function auditRows(): Promise<number> {
  return (await database.query<{ n: number }>("select count(*)::int as n from audit_log")).rows[0]?.n ?? -1;
}

function isProblem(res: LightMyRequestResponse): boolean {
  return /application\/problem\+json/.test(String(res.headers["content-type"]));
}

/** Fills path parameters: with a well-formed id that exists nowhere, or with a hostile string. */
function fill(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, encodeURIComponent(value));
}

before(async () => {
  database = await testDatabase();
  const config = loadConfig({ PUBLIC_URL: "http://localhost:3000", LOG_LEVEL: "silent", DATA_DIR: "/tmp/ectrust-contract-test", RATE_LIMIT_PER_MINUTE: "1000000" });
  server = await buildServer({ config, database, fastHashing: true, work: false, logger: pino({ level: "silent" }), rateLimits: { login: 1000 } });
  await seedDemo(server);
  app = await server.http();
  const doc = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json<{ paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown }>> }>();
  // which routes are public: ask each route (anonymous GET/POST that is not 401 is public)
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([m]) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path, hasBody: op.requestBody !== undefined, security: "protected" as const })),
  );
  for (const email of ["admin@authority.example", "admin@cb-alpha.example", "owner@shop1.example", "officer@regulator.example"]) sessions.push(await signIn(email));
  cookie = sessions[0]?.cookie ?? "";
  csrf = sessions[0]?.csrf ?? "";
});

after(async () => {
  await server.close();
  await database.close();
});

test("the OpenAPI document lists the API", () => {
  assert.ok(operations.length >= 30, `only ${operations.length} operations`);
});

test("without credentials, every non-public operation answers 401 problem+json and writes nothing", async () => {
  const before = await auditRows();
  let refused = 0;
  for (const op of operations) {
    const res = await app.inject({ method: op.method as "GET", url: fill(op.path, "00000000-0000-4000-8000-000000000000"), ...(op.hasBody ? { payload: {} } : {}) });
    assert.notEqual(res.statusCode, 500, `${op.method} ${op.path}: ${res.body}`);
    if (res.statusCode === 401) {
      assert.ok(isProblem(res), `${op.method} ${op.path}`);
      refused++;
    }
  }
  assert.ok(refused >= operations.length / 2, `${refused} of ${operations.length} refused`);
  assert.equal(await auditRows(), before);
});

test("malformed JSON, wrong content type, oversized bodies and unknown fields are refused with problem+json", async () => {
  const writes = operations.filter((o) => o.hasBody);
  assert.ok(writes.length >= 15);
  const before = await auditRows();
  for (const op of writes) {
    const url = fill(op.path, "00000000-0000-4000-8000-000000000000");
    const label = `${op.method} ${op.path}`;
    const headers = await callerFor(op, url);
    const malformed = await app.inject({ method: op.method as "POST", url, headers: { ...headers, "content-type": "application/json" }, payload: '{"a": [1, 2' });
    // a route that takes files answers 415 to JSON; every other one 400
    assert.ok([400, 404, 415].includes(malformed.statusCode), `${label} malformed → ${malformed.statusCode} ${malformed.body}`);
    assert.ok(isProblem(malformed), label);

    // larger than any route accepts (the largest, catalogue import, takes 4 MiB)
    const huge = await app.inject({ method: op.method as "POST", url, headers: { ...headers, "content-type": "application/json" }, payload: JSON.stringify({ x: "a".repeat(8 * 1024 * 1024) }) });
    assert.ok([413, 404, 415].includes(huge.statusCode), `${label} oversized → ${huge.statusCode}`);

    const unknown = await app.inject({ method: op.method as "POST", url, headers, payload: { zzUnknownField: "<script>alert(1)</script>' or 1=1 --" } });
    assert.ok([400, 404, 415, 409].includes(unknown.statusCode), `${label} unknown field → ${unknown.statusCode} ${unknown.body}`);
    assert.ok(isProblem(unknown), label);
    assert.ok(!unknown.body.includes("<script>alert(1)</script>") || /json/.test(String(unknown.headers["content-type"])), label);
  }
  assert.equal(await auditRows(), before, "no hostile write left an audit row");
});

test("malformed and hostile path ids are refused, never a 500", async () => {
  const withIds = operations.filter((o) => o.path.includes("{"));
  assert.ok(withIds.length >= 10);
  const headers = { cookie, "x-csrf-token": csrf };
  for (const op of withIds) {
    for (const bad of ["1 or 1=1", "../../etc/passwd", "<svg onload=alert(1)>", "x".repeat(150)]) {
      const res = await app.inject({ method: op.method as "GET", url: fill(op.path, bad), headers, ...(op.hasBody ? { payload: {} } : {}) });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${op.method} ${op.path} with ${bad.slice(0, 20)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      assert.ok(isProblem(res), `${op.method} ${op.path}`);
    }
  }
});
