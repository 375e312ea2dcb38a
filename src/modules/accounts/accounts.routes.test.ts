import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generateSync } from "otplib";
import { buildTestApp, Client, seedOrg, signedInClient, TEST_PASSWORD, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { LOCKOUT_THRESHOLD } from "./accounts.service.ts";

let t: TestApp;
let authority: SeededOrg;
let shopA: SeededOrg;
let shopB: SeededOrg;
let cb: SeededOrg;

const TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const epoch = () => Math.floor(t.clock.now().getTime() / 1000);

async function rowCount(table: string): Promise<number> {
  return (await t.database.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]?.n ?? -1;
}

const signedIn = (email: string, totp?: string): Promise<Client> => signedInClient(t, email, totp);

before(async () => {
  t = await buildTestApp();
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  shopA = await seedOrg(t.accounts, "merchant", "Shop A", [
    { key: "owner", role: "merchant_admin" },
    { key: "staff", role: "merchant_staff" },
  ]);
  shopB = await seedOrg(t.accounts, "merchant", "Shop B", [{ key: "owner", role: "merchant_admin" }]);
  cb = await seedOrg(t.accounts, "certification_body", "CB One", [
    { key: "admin", role: "cb_admin" }, // no MFA yet: must enrol
  ]);
});
after(async () => {
  await t.close();
});

describe("problem details", () => {
  test("unknown endpoints, health and headers", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/nope" });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers["content-type"] ?? "", /application\/problem\+json/);
    const p = res.json<Record<string, unknown>>();
    assert.equal(p.type, "urn:ectrust:problem:not_found");
    assert.deepEqual(Object.keys(p.titles as object).sort(), ["en", "zh-TW"]);
    assert.equal(p.requestId, res.headers["x-request-id"]);

    const health = await t.app.inject({ method: "GET", url: "/api/health" });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json<{ database: string }>().database, t.database.engine);
    const csp = String(health.headers["content-security-policy"]);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(health.headers["x-content-type-options"], "nosniff");
    assert.equal(health.headers["cross-origin-resource-policy"], "same-origin");
    assert.ok(health.headers["referrer-policy"]);
  });

  test("titles follow the caller's language", async () => {
    const zh = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout" });
    assert.equal(zh.json<{ title: string }>().title, "請先登入");
    const en = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { "accept-language": "en-GB,en;q=0.9" } });
    assert.equal(en.json<{ title: string }>().title, "Sign-in required");
  });

  test("OpenAPI 3.1 describes the routes", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/openapi.json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/v1/auth/login"]);
    assert.ok(doc.paths["/api/v1/organisations/{orgId}/members"]);
  });
});

describe("sign-in", () => {
  test("wrong password and unknown e-mail answer the same; the account locks after repeated failures", async () => {
    const c = new Client(t.app);
    const unknown = await c.post("/api/v1/auth/login", { email: "nobody@x.test", password: "whatever-password" });
    const wrong = await c.post("/api/v1/auth/login", { email: shopB.users.owner?.email, password: "wrong-password-123" });
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.json<{ detail: string }>().detail, wrong.json<{ detail: string }>().detail);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await c.post("/api/v1/auth/login", { email: shopB.users.owner?.email, password: "wrong-password-123" });
    // locked: even the right password is refused, in the words of a wrong one (accounts.verification.test.ts)
    const locked = await c.post("/api/v1/auth/login", { email: shopB.users.owner?.email, password: TEST_PASSWORD });
    assert.equal(locked.statusCode, 401);
    assert.equal(locked.json<{ detail: string }>().detail, unknown.json<{ detail: string }>().detail);
    t.clock.advance(16 * 60_000);
    const again = await c.post("/api/v1/auth/login", { email: shopB.users.owner?.email, password: TEST_PASSWORD });
    assert.equal(again.statusCode, 200);
  });

  test("the password is stored as argon2id", async () => {
    const row = (await t.database.query<{ password_hash: string }>("select password_hash from users where email = $1", [shopA.users.owner?.email])).rows[0];
    assert.match(row?.password_hash ?? "", /^\$argon2id\$/);
  });

  test("a merchant without MFA is fully signed in; the cookie is __Host-, HttpOnly, SameSite=Lax", async () => {
    const c = new Client(t.app);
    const r = await c.post("/api/v1/auth/login", { email: shopA.users.owner?.email, password: TEST_PASSWORD });
    assert.equal(r.json<{ stage: string }>().stage, "full");
    const cookie = r.cookies.find((x) => x.name === "__Host-ectrust_session");
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "Lax");
    assert.equal(cookie.path, "/");
    const s = await c.get("/api/v1/auth/session");
    assert.equal(s.statusCode, 200);
    assert.equal(s.json<{ role: string }>().role, "merchant_admin");
  });

  test("authority must pass TOTP; codes are single-use; recovery codes work once", async () => {
    const c = new Client(t.app);
    t.clock.advance(31_000);
    const r = await c.post("/api/v1/auth/login", { email: authority.users.admin?.email, password: TEST_PASSWORD });
    assert.equal(r.json<{ stage: string }>().stage, "mfa");
    const blocked = await c.get("/api/v1/organisations");
    assert.equal(blocked.statusCode, 401);
    assert.equal(blocked.json<{ code: string }>().code, "mfa_required");
    const bad = await c.post("/api/v1/auth/mfa", { code: "000000" });
    assert.equal(bad.statusCode, 401);
    const code = generateSync({ secret: TOTP, epoch: epoch() });
    assert.equal((await c.post("/api/v1/auth/mfa", { code })).statusCode, 200);
    assert.equal((await c.get("/api/v1/organisations")).statusCode, 200);

    // replay the same code in a new sign-in: refused
    const c2 = new Client(t.app);
    await c2.post("/api/v1/auth/login", { email: authority.users.admin?.email, password: TEST_PASSWORD });
    const replay = await c2.post("/api/v1/auth/mfa", { code });
    assert.equal(replay.statusCode, 401);
  });

  test("a CB admin without MFA must enrol before doing anything; recovery codes are single-use", async () => {
    const c = new Client(t.app);
    const r = await c.post("/api/v1/auth/login", { email: cb.users.admin?.email, password: TEST_PASSWORD });
    assert.equal(r.json<{ stage: string }>().stage, "enrol");
    const blocked = await c.get(`/api/v1/organisations/${cb.orgId}/members`);
    assert.equal(blocked.json<{ code: string }>().code, "mfa_enrolment_required");
    const start = await c.post("/api/v1/auth/mfa/enrol/start", {});
    assert.equal(start.statusCode, 200);
    const { secret, otpauthUrl } = start.json<{ secret: string; otpauthUrl: string }>();
    assert.match(otpauthUrl, /^otpauth:\/\/totp\//);
    const wrong = await c.post("/api/v1/auth/mfa/enrol/confirm", { code: "123456" });
    assert.equal(wrong.statusCode, 401);
    t.clock.advance(31_000);
    const ok = await c.post("/api/v1/auth/mfa/enrol/confirm", { code: generateSync({ secret, epoch: epoch() }) });
    assert.equal(ok.statusCode, 200);
    const codes = ok.json<{ recoveryCodes: string[] }>().recoveryCodes;
    assert.equal(codes.length, 10);
    assert.equal((await c.get(`/api/v1/organisations/${cb.orgId}/members`)).statusCode, 200);
    // the secret is sealed at rest
    const row = (await t.database.query<{ mfa_secret_enc: string }>("select mfa_secret_enc from users where email = $1", [cb.users.admin?.email])).rows[0];
    assert.ok(row?.mfa_secret_enc.startsWith("v1."));
    assert.ok(!row?.mfa_secret_enc.includes(secret));

    const c2 = new Client(t.app);
    await c2.post("/api/v1/auth/login", { email: cb.users.admin?.email, password: TEST_PASSWORD });
    assert.equal((await c2.post("/api/v1/auth/mfa", { recoveryCode: codes[0] })).statusCode, 200);
    const c3 = new Client(t.app);
    await c3.post("/api/v1/auth/login", { email: cb.users.admin?.email, password: TEST_PASSWORD });
    assert.equal((await c3.post("/api/v1/auth/mfa", { recoveryCode: codes[0] })).statusCode, 401);
  });

  test("asking for the session with nobody signed in is no error: 204, no body", async () => {
    const anon = await t.app.inject({ method: "GET", url: "/api/v1/auth/session" });
    assert.equal(anon.statusCode, 204);
    assert.equal(anon.body, "");
  });

  test("sessions expire when idle; logout-everywhere ends every session", async () => {
    const c = await signedIn(shopA.users.staff?.email ?? "");
    const c2 = await signedIn(shopA.users.staff?.email ?? "");
    t.clock.advance(29 * 60_000);
    assert.equal((await c.get("/api/v1/auth/session")).statusCode, 200);
    assert.equal((await c2.get("/api/v1/auth/session")).statusCode, 200);
    assert.equal((await c.post("/api/v1/auth/logout-everywhere")).statusCode, 204);
    assert.equal((await c2.get("/api/v1/auth/session")).statusCode, 204, "signed out: nobody is signed in");
    const c3 = await signedIn(shopA.users.staff?.email ?? "");
    t.clock.advance(31 * 60_000);
    assert.equal((await c3.get("/api/v1/auth/session")).statusCode, 204);
  });
});

describe("CSRF", () => {
  test("cookie-authenticated writes need the session's CSRF token and a same-origin Origin", async () => {
    const c = await signedIn(shopA.users.owner?.email ?? "");
    const before = await rowCount("invitations");
    const noToken = await c.post(`/api/v1/organisations/${shopA.orgId}/invitations`, { email: "x@y.test", role: "merchant_staff" }, { "x-csrf-token": "" });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json<{ code: string }>().code, "csrf");
    const crossSite = await c.post(`/api/v1/organisations/${shopA.orgId}/invitations`, { email: "x@y.test", role: "merchant_staff" }, { origin: "https://evil.example" });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(await rowCount("invitations"), before);
  });
});

describe("registration and review", () => {
  test("a registered merchant confirms the address and waits for the authority; approval mails the admin and opens sign-in", async () => {
    const anon = new Client(t.app);
    const weak = await anon.post("/api/v1/registrations", { organisation: { nameZh: "弱密碼店", nameEn: "Weak" }, admin: { email: "weak@shop.test", displayName: "W", password: "password1234" } });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json<{ errors: { field: string }[] }>().errors[0]?.field, "admin.password");

    const reg = await anon.post("/api/v1/registrations", { organisation: { nameZh: "新店家", nameEn: "New Shop" }, admin: { email: "New@Shop.test", displayName: "New owner", password: "a-long-enough-passphrase" } });
    assert.equal(reg.statusCode, 202);
    const orgId = (await t.accounts.findOrganisationByName("New Shop"))?.id ?? "";
    const token = /#token=([A-Za-z0-9_-]+)/.exec(t.mail.at(-1)?.vars.link ?? "")?.[1] ?? "";
    const dup = await anon.post("/api/v1/registrations", { organisation: { nameZh: "x", nameEn: "x" }, admin: { email: "new@shop.test", displayName: "x", password: "a-long-enough-passphrase" } });
    assert.equal(dup.statusCode, 202);
    assert.equal((await anon.post("/api/v1/auth/email-verification/complete", { token, password: "a-long-enough-passphrase" })).statusCode, 204);
    const early = await anon.post("/api/v1/auth/login", { email: "new@shop.test", password: "a-long-enough-passphrase" });
    assert.equal(early.statusCode, 403);
    assert.match(early.json<{ detail: string }>().detail, /waiting for the authority/);

    const merchant = await signedIn(shopA.users.owner?.email ?? "");
    assert.equal((await merchant.post(`/api/v1/organisations/${orgId}/decision`, { decision: "approve", reason: "" })).statusCode, 403);

    const unconfirmed = await anon.post("/api/v1/registrations", { organisation: { nameZh: "未確認店", nameEn: "Unconfirmed Shop" }, admin: { email: "later@shop.test", displayName: "Later", password: "a-long-enough-passphrase" } });
    assert.equal(unconfirmed.statusCode, 202);
    const admin = await signedIn(authority.users.admin?.email ?? "", TOTP);
    const list = await admin.get("/api/v1/organisations?status=pending");
    // whether the registrant confirmed the address, which approval needs
    const confirmed = Object.fromEntries(list.json<{ items: { nameEn: string; emailConfirmed: boolean }[] }>().items.map((o) => [o.nameEn, o.emailConfirmed]));
    assert.deepEqual(confirmed, { "New Shop": true, "Unconfirmed Shop": false });
    const mailsBefore = t.mail.length;
    const ok = await admin.post(`/api/v1/organisations/${orgId}/decision`, { decision: "approve", reason: "documents in order" });
    assert.equal(ok.statusCode, 200);
    assert.equal(t.mail.length, mailsBefore + 1);
    assert.equal(t.mail.at(-1)?.to, "new@shop.test");
    const twice = await admin.post(`/api/v1/organisations/${orgId}/decision`, { decision: "reject", reason: "" });
    assert.equal(twice.statusCode, 409);
    assert.equal((await anon.post("/api/v1/auth/login", { email: "new@shop.test", password: "a-long-enough-passphrase" })).statusCode, 200);

    const trail = await admin.get(`/api/v1/organisations?q=${encodeURIComponent("New Shop")}`);
    assert.equal(trail.json<{ items: unknown[] }>().items.length, 1);
  });
});

describe("members and invitations", () => {
  test("an admin invites by mail; the invitee accepts and signs in; the link works once", async () => {
    const owner = await signedIn(shopA.users.owner?.email ?? "");
    const inv = await owner.post(`/api/v1/organisations/${shopA.orgId}/invitations`, { email: "helper@shop-a.test", role: "merchant_staff" });
    assert.equal(inv.statusCode, 201);
    const mail = t.mail.at(-1);
    assert.equal(mail?.template, "invitation");
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.vars.link ?? "")?.[1] ?? "";
    assert.ok(token.length > 20);
    const anon = new Client(t.app);
    const look = await anon.post("/api/v1/invitations/lookup", { token });
    assert.equal(look.json<{ email: string; existingUser: boolean }>().email, "helper@shop-a.test");
    assert.equal((await anon.post("/api/v1/invitations/accept", { token, displayName: "Helper", password: "short" })).statusCode, 400);
    assert.equal((await anon.post("/api/v1/invitations/accept", { token, displayName: "Helper", password: "staff-member-passphrase" })).statusCode, 204);
    assert.equal((await anon.post("/api/v1/invitations/accept", { token, displayName: "Helper", password: "staff-member-passphrase" })).statusCode, 410);
    assert.equal((await anon.post("/api/v1/auth/login", { email: "helper@shop-a.test", password: "staff-member-passphrase" })).statusCode, 200);
    const members = await owner.get(`/api/v1/organisations/${shopA.orgId}/members`);
    assert.ok(members.json<{ items: { email: string }[] }>().items.some((m) => m.email === "helper@shop-a.test"));
  });

  test("roles are limited to the organisation's kind; the last admin cannot be removed; staff cannot manage", async () => {
    const owner = await signedIn(shopA.users.owner?.email ?? "");
    const wrongRole = await owner.post(`/api/v1/organisations/${shopA.orgId}/invitations`, { email: "z@z.test", role: "authority_admin" });
    assert.equal(wrongRole.statusCode, 400);
    const last = await owner.del(`/api/v1/organisations/${shopA.orgId}/members/${shopA.users.owner?.id ?? ""}`);
    assert.equal(last.statusCode, 409);
    const staff = await signedIn(shopA.users.staff?.email ?? "");
    const denied = await staff.post(`/api/v1/organisations/${shopA.orgId}/invitations`, { email: "q@q.test", role: "merchant_staff" });
    assert.equal(denied.statusCode, 403);
    assert.equal((await staff.get(`/api/v1/organisations/${shopA.orgId}/members`)).statusCode, 200);
  });
});

describe("password reset", () => {
  test("the same answer for unknown e-mails; the link resets once and ends all sessions", async () => {
    const anon = new Client(t.app);
    const n = t.mail.length;
    assert.equal((await anon.post("/api/v1/auth/password-reset/request", { email: "nobody@nowhere.test" })).statusCode, 202);
    await t.runJobs();
    assert.equal(t.mail.length, n);
    const session = await signedIn(shopB.users.owner?.email ?? "");
    assert.equal((await anon.post("/api/v1/auth/password-reset/request", { email: shopB.users.owner?.email })).statusCode, 202);
    await t.runJobs();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(t.mail.at(-1)?.vars.link ?? "")?.[1] ?? "";
    assert.equal((await anon.post("/api/v1/auth/password-reset/complete", { token, password: "a-brand-new-passphrase" })).statusCode, 204);
    assert.equal((await anon.post("/api/v1/auth/password-reset/complete", { token, password: "another-new-passphrase" })).statusCode, 410);
    assert.equal((await session.get("/api/v1/auth/session")).statusCode, 204);
    assert.equal((await anon.post("/api/v1/auth/login", { email: shopB.users.owner?.email, password: "a-brand-new-passphrase" })).statusCode, 200);
    // put it back for other tests
    await t.database.query("update users set password_hash = (select password_hash from users where email = $1) where email = $2", [shopA.users.owner?.email, shopB.users.owner?.email]);
  });
});

describe("API tokens", () => {
  test("shown once, stored hashed, scoped to the organisation, revocable", async () => {
    const owner = await signedIn(shopA.users.owner?.email ?? "");
    const created = await owner.post(`/api/v1/organisations/${shopA.orgId}/api-tokens`, { name: "ERP sync", role: "merchant_staff", expiresInDays: 30 });
    assert.equal(created.statusCode, 201);
    const { token, id } = created.json<{ token: string; id: string }>();
    assert.match(token, /^ect_/);
    const stored = (await t.database.query<{ token_hash: string }>("select token_hash from api_tokens where id = $1", [id])).rows[0];
    assert.notEqual(stored?.token_hash, token);
    const list = await owner.get(`/api/v1/organisations/${shopA.orgId}/api-tokens`);
    assert.ok(!list.body.includes(token));

    const bearer = { authorization: `Bearer ${token}` };
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shopA.orgId}`, headers: bearer })).statusCode, 200);
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shopB.orgId}`, headers: bearer })).statusCode, 404);
    // a staff-role token may not manage members
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shopA.orgId}/api-tokens`, headers: bearer })).statusCode, 403);
    assert.equal((await owner.del(`/api/v1/organisations/${shopA.orgId}/api-tokens/${id}`)).statusCode, 204);
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shopA.orgId}`, headers: bearer })).statusCode, 401);
    assert.equal((await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { authorization: "Bearer not a token" } })).statusCode, 401);
  });
});

describe("object-level authorisation: another organisation's ids", () => {
  test("every endpoint that takes an organisation id refuses a merchant from another organisation", async () => {
    const intruder = await signedIn(shopB.users.owner?.email ?? "");
    const a = shopA.orgId;
    const someUser = shopA.users.staff?.id ?? "";
    const before = { inv: await rowCount("invitations"), tok: await rowCount("api_tokens"), mem: await rowCount("memberships") };
    const attempts = [
      await intruder.get(`/api/v1/organisations/${a}`),
      await intruder.get(`/api/v1/organisations/${a}/members`),
      await intruder.patch(`/api/v1/organisations/${a}/members/${someUser}`, { role: "merchant_admin" }),
      await intruder.del(`/api/v1/organisations/${a}/members/${someUser}`),
      await intruder.get(`/api/v1/organisations/${a}/invitations`),
      await intruder.post(`/api/v1/organisations/${a}/invitations`, { email: "spy@evil.test", role: "merchant_admin" }),
      await intruder.del(`/api/v1/organisations/${a}/invitations/00000000-0000-4000-8000-000000000000`),
      await intruder.get(`/api/v1/organisations/${a}/api-tokens`),
      await intruder.post(`/api/v1/organisations/${a}/api-tokens`, { name: "steal", role: "merchant_admin", expiresInDays: 1 }),
      await intruder.del(`/api/v1/organisations/${a}/api-tokens/00000000-0000-4000-8000-000000000000`),
    ];
    for (const res of attempts) assert.equal(res.statusCode, 404, `${res.statusCode} ${res.body}`);
    const forbidden = [await intruder.get("/api/v1/organisations"), await intruder.post(`/api/v1/organisations/${a}/decision`, { decision: "reject", reason: "x" }), await intruder.post("/api/v1/organisations", { kind: "merchant", nameZh: "x", nameEn: "x", adminEmail: "x@x.test" })];
    for (const res of forbidden) assert.equal(res.statusCode, 403);
    assert.deepEqual({ inv: await rowCount("invitations"), tok: await rowCount("api_tokens"), mem: await rowCount("memberships") }, before);
  });

  test("anonymous callers are refused on every non-public route", async () => {
    const anon = new Client(t.app);
    for (const [m, u] of [
      ["GET", `/api/v1/organisations/${shopA.orgId}/members`],
      ["GET", "/api/v1/organisations"],
      ["POST", "/api/v1/auth/logout-everywhere"],
      ["POST", `/api/v1/organisations/${shopA.orgId}/invitations`],
    ] as const) {
      const res = await anon.request(m, u, m === "GET" ? undefined : {});
      assert.equal(res.statusCode, 401, u);
    }
  });
});

describe("bad input: clear errors, nothing written", () => {
  test("malformed JSON, wrong types, unknown fields, oversized bodies, injection strings", async () => {
    const owner = await signedIn(shopA.users.owner?.email ?? "");
    const url = `/api/v1/organisations/${shopA.orgId}/invitations`;
    const before = await rowCount("invitations");

    const malformed = await owner.request("POST", url, '{"email": "a@b.test", ', { "content-type": "application/json" });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json<{ code: string }>().code, "malformed_request");

    const wrongType = await owner.post(url, { email: 42, role: "merchant_staff" });
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json<{ errors: { field: string }[] }>().errors[0]?.field, "email");

    const unknownField = await owner.post(url, { email: "ok@ok.test", role: "merchant_staff", isAdmin: true });
    assert.equal(unknownField.statusCode, 400);
    assert.ok(unknownField.json<{ errors: { field: string }[] }>().errors.some((e) => e.field === "isAdmin"));

    const huge = await owner.request("POST", url, JSON.stringify({ email: "a@b.test", role: "merchant_staff", pad: "x".repeat(2_000_000) }), { "content-type": "application/json" });
    assert.equal(huge.statusCode, 413);

    const sqli = await owner.post(url, { email: "x'; drop table users; --@x.test", role: "merchant_staff" });
    assert.equal(sqli.statusCode, 400);
    const badId = await owner.get("/api/v1/organisations/1%20or%201=1/members");
    assert.equal(badId.statusCode, 400);
    const wrongCt = await owner.request("POST", url, "email=a@b.test", { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(wrongCt.statusCode, 415);
    assert.equal(await rowCount("invitations"), before);

    // HTML and SQL in free text are stored and returned literally, as JSON data
    const anon = new Client(t.app);
    const name = `<script>alert(1)</script>'); drop table organisations; --`;
    const reg = await anon.post("/api/v1/registrations", { organisation: { nameZh: name, nameEn: name }, admin: { email: "inj@shop.test", displayName: name, password: "injection-test-passphrase" } });
    assert.equal(reg.statusCode, 202);
    const admin = await signedIn(authority.users.admin?.email ?? "", TOTP);
    const org = await admin.get(`/api/v1/organisations/${(await t.accounts.findOrganisationByName(name))?.id ?? ""}`);
    assert.equal(org.json<{ nameEn: string }>().nameEn, name);
    assert.match(String(org.headers["content-type"]), /application\/json/);
  });
});

test("a route that does not declare who may call it does not start", async () => {
  await assert.rejects(
    buildTestApp({
      register: async (app) => {
        app.get("/api/v1/undeclared", async () => ({}));
      },
    }),
    /does not declare config.access/,
  );
});
