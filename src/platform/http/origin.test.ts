// The Origin check on writes, over real HTTP: only pages of PUBLIC_URL's origin may change
// anything; another site and the opaque origin `null` (sandboxed frames, data: and file: pages,
// cross-site redirects) are refused with a problem+json 403 before any session is looked up.
// Requests without Origin (API clients with a bearer token, scripts) and reads are unaffected.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { pino } from "pino";
import { z } from "zod";
import { loadConfig } from "../config.ts";
import { createHttpApp, SESSION_COOKIE_SECURE, type SessionContext } from "./app.ts";

const PUBLIC = "https://trust.example.tw";
const SESSION = "session-token-0123456789";
const CSRF = "csrf-token-0123456789";
const BEARER = "api-token-0123456789";

let app: FastifyInstance;
let port: number;
/** how many times a session cookie was looked up (a refused write must not touch the session) */
let sessionLookups = 0;

before(async () => {
  const session: SessionContext = { actor: { kind: "user", userId: "u1", orgId: "o1", orgKind: "merchant", role: "merchant_admin" }, stage: "full", csrfToken: CSRF, idHash: "h" };
  app = await createHttpApp({
    config: loadConfig({ PUBLIC_URL: PUBLIC, LOG_LEVEL: "silent", DATA_DIR: "/nonexistent-test-dir" }),
    logger: pino({ level: "silent" }),
    engine: "pglite",
    version: "test",
    authenticator: {
      session: (token) => {
        sessionLookups++;
        return Promise.resolve(token === SESSION ? session : undefined);
      },
      apiToken: (token) => Promise.resolve(token === BEARER ? { kind: "token" as const, tokenId: "t1", orgId: "o1", orgKind: "merchant" as const, role: "merchant_admin" as const } : undefined),
    },
  });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const done = { schema: { response: { 200: z.object({ actor: z.string() }) } } };
  typed.route({ method: ["POST", "PUT", "PATCH", "DELETE"], url: "/api/v1/test/change", config: { access: "signed-in" }, ...done, handler: async (req) => ({ actor: req.actor.kind }) });
  typed.post("/api/v1/test/public-form", { config: { access: "public" }, ...done }, async (req) => ({ actor: req.actor.kind }));
  typed.get("/api/v1/test/read", { config: { access: "signed-in" }, ...done }, async (req) => ({ actor: req.actor.kind }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as AddressInfo).port;
});

after(async () => {
  await (app as FastifyInstance | undefined)?.close();
});

interface Answer {
  status: number;
  type: string;
  body: { actor?: string; code?: string; status?: number; title?: string; detail?: string };
}

/** One real HTTP request to the listening app. */
function send(method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = method === "GET" ? undefined : "{}";
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers: { ...headers, ...(body ? { "content-type": "application/json", "content-length": String(body.length) } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body: JSON.parse(text) as Answer["body"] });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const cookie = { cookie: `${SESSION_COOKIE_SECURE}=${SESSION}`, "x-csrf-token": CSRF };
const bearer = { authorization: `Bearer ${BEARER}` };

function assertRefused(answer: Answer, detail: RegExp): void {
  assert.equal(answer.status, 403);
  assert.match(answer.type, /^application\/problem\+json/);
  assert.equal(answer.body.code, "csrf");
  assert.equal(answer.body.status, 403);
  assert.match(answer.body.detail ?? "", detail);
}

test("a write from the opaque origin `null` is refused, whatever it carries, before the session is looked up", async () => {
  const lookups = sessionLookups;
  assertRefused(await send("POST", "/api/v1/test/change", { ...cookie, origin: "null" }), /accepted only from pages of https:\/\/trust\.example\.tw.*Origin: null/);
  assert.equal(sessionLookups, lookups, "the session was not touched");
  assertRefused(await send("POST", "/api/v1/test/public-form", { origin: "null" }), /Origin: null/);
  assertRefused(await send("POST", "/api/v1/test/change", { ...bearer, origin: "null" }), /Origin: null/);
  for (const method of ["PUT", "PATCH", "DELETE"]) assertRefused(await send(method, "/api/v1/test/change", { ...cookie, origin: "null" }), /Origin: null/);
});

test("a write from another site is refused, naming it only when it is a well-formed origin", async () => {
  assertRefused(await send("POST", "/api/v1/test/change", { ...cookie, origin: "https://evil.example" }), /came from https:\/\/evil\.example\.$/);
  assertRefused(await send("POST", "/api/v1/test/public-form", { origin: "http://trust.example.tw" }), /came from http:\/\/trust\.example\.tw\.$/);
  assertRefused(await send("POST", "/api/v1/test/change", { ...bearer, origin: "https://trust.example.tw.evil.example" }), /evil\.example/);
  const odd = await send("POST", "/api/v1/test/change", { ...cookie, origin: "https://evil.example/<script>" });
  assertRefused(odd, /came from a malformed Origin header\.$/);
});

test("our own pages, API clients without Origin, and reads from anywhere go on", async () => {
  assert.deepEqual((await send("POST", "/api/v1/test/change", { ...cookie, origin: PUBLIC })).body, { actor: "user" });
  assert.deepEqual((await send("POST", "/api/v1/test/public-form", { origin: PUBLIC })).body, { actor: "anonymous" });
  assert.deepEqual((await send("POST", "/api/v1/test/change", bearer)).body, { actor: "token" });
  assert.deepEqual((await send("DELETE", "/api/v1/test/change", cookie)).body, { actor: "user" });
  const read = await send("GET", "/api/v1/test/read", { cookie: cookie.cookie, origin: "null" });
  assert.equal(read.status, 200);
  // the session's CSRF token is still needed from our own origin
  const noToken = await send("POST", "/api/v1/test/change", { cookie: cookie.cookie, origin: PUBLIC });
  assertRefused(noToken, /X-CSRF-Token/);
});
