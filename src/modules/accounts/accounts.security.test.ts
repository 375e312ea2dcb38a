// Security regressions found in review: each test failed before its fix.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { randomUUID } from "node:crypto";
import { generateSync } from "otplib";
import { appendAudit } from "../../platform/audit/audit.ts";
import { platformRoutes } from "../../platform/platform.routes.ts";
import { buildTestApp, Client, seedOrg, signedInClient, TEST_PASSWORD, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { LOCKOUT_THRESHOLD } from "./accounts.service.ts";

let t: TestApp;
let authority: SeededOrg;
let shop: SeededOrg;
let cb: SeededOrg;
const TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const epoch = () => Math.floor(t.clock.now().getTime() / 1000);
/** whether sign-in is locked for the address now (the API no longer says: it answers as to a wrong password) */
async function locked(email: string): Promise<boolean> {
  const row = (await t.database.query<{ locked_until: Date | null }>("select locked_until from users where email = $1", [email])).rows[0];
  return row?.locked_until != null && new Date(row.locked_until) > t.clock.now();
}

before(async () => {
  t = await buildTestApp({
    register: async (app, p) => {
      // the audit routes only; mail, evidence and jobs are not reached by these tests
      await app.register(platformRoutes, { database: p.database, mail: {} as never, evidence: {} as never, jobs: {} as never, evidenceMaxBytes: 1024, userNames: (ids) => p.accounts.userNames(ids) });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  shop = await seedOrg(t.accounts, "merchant", "Shop", [
    { key: "owner", role: "merchant_admin" },
    { key: "owner2", role: "merchant_admin" },
    { key: "victim", role: "merchant_staff" },
  ]);
  cb = await seedOrg(t.accounts, "certification_body", "CB", [{ key: "auditor", role: "auditor", mfa: true }]);
});
after(async () => {
  await t.close();
});

describe("sign-in lockout", () => {
  test("wrong passwords sent in parallel still lock the account", async () => {
    const email = shop.users.victim?.email ?? "";
    const attempts = Array.from({ length: LOCKOUT_THRESHOLD * 2 }, (_, i) =>
      t.app.inject({ method: "POST", url: "/api/v1/auth/login", remoteAddress: `10.0.0.${i + 1}`, payload: { email, password: `wrong-password-${i}` } }),
    );
    const results = await Promise.all(attempts);
    for (const r of results) assert.equal(r.statusCode, 401, r.body);
    const after = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password: TEST_PASSWORD } });
    assert.equal(after.statusCode, 401, "the account must be locked after LOCKOUT_THRESHOLD wrong passwords");
    assert.ok(await locked(email));
    t.clock.advance(16 * 60_000);
  });
});

describe("second factor", () => {
  test("guessing TOTP codes on a signed-in-with-password session is capped", async () => {
    const email = cb.users.auditor?.email ?? "";
    t.clock.advance(31_000);
    const c = new Client(t.app);
    assert.equal((await c.post("/api/v1/auth/login", { email, password: TEST_PASSWORD })).json<{ stage: string }>().stage, "mfa");
    const good = generateSync({ secret: TOTP, epoch: epoch() });
    const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 20; i++) {
      const r = await c.post("/api/v1/auth/mfa", { code: wrong });
      assert.notEqual(r.statusCode, 200);
    }
    // after 20 wrong guesses the right code must no longer open the session
    const r = await c.post("/api/v1/auth/mfa", { code: good });
    assert.notEqual(r.statusCode, 200, "unlimited guesses: the 21st try with the right code got in");
    // nor does signing in again reset the guess counter
    const c2 = new Client(t.app);
    const again = await c2.post("/api/v1/auth/login", { email, password: TEST_PASSWORD });
    assert.equal(again.statusCode, 401);
    assert.ok(await locked(email));
    t.clock.advance(16 * 60_000);
    await signedInClient(t, email, TOTP); // unlocked later, and a correct sign-in works
  });
});

describe("API tokens", () => {
  test("a removed administrator's API tokens stop working", async () => {
    const owner2 = await signedInClient(t, shop.users.owner2?.email ?? "");
    const created = await owner2.post(`/api/v1/organisations/${shop.orgId}/api-tokens`, { name: "mine", role: "merchant_admin", expiresInDays: 90 });
    assert.equal(created.statusCode, 201);
    const bearer = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
    const owner = await signedInClient(t, shop.users.owner?.email ?? "");
    assert.equal((await owner.del(`/api/v1/organisations/${shop.orgId}/members/${shop.users.owner2?.id ?? ""}`)).statusCode, 204);
    const r = await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shop.orgId}/members`, headers: bearer });
    assert.equal(r.statusCode, 401, "the ex-member still reads (and manages) the organisation through the token");
  });
});

describe("audit trail browsing", () => {
  test("dates outside PostgreSQL's range are a 400, not a 500", async () => {
    const admin = await signedInClient(t, authority.users.admin?.email ?? "", TOTP);
    for (const q of ["from=-200000-01-01T00:00:00Z", "to=-010000-06-01T00:00:00Z"]) {
      const r = await admin.get(`/api/v1/audit?${q}`);
      assert.equal(r.statusCode, 400, `${q}: ${r.statusCode} ${r.body}`);
    }
  });

  test("rows name the acting user, looked up when read: a deleted user is null, no e-mail, no other organisation's rows", async () => {
    type Row = { seq: number; actorUserId: string | null; actorKind: string; actorName: string | null };
    const ownerId = shop.users.owner?.id ?? "";
    const adminId = authority.users.admin?.id ?? "";
    const owner = await signedInClient(t, shop.users.owner?.email ?? "");
    assert.equal((await owner.post(`/api/v1/organisations/${shop.orgId}/api-tokens`, { name: "named", role: "merchant_staff", expiresInDays: 30 })).statusCode, 201);
    // a user who acted and is gone since; and the authority acting in its own organisation
    const gone = randomUUID();
    await appendAudit(t.database.db, t.clock, { kind: "user", userId: gone, orgId: shop.orgId, orgKind: "merchant", role: "merchant_staff" }, { action: "test.gone", objectType: "thing", objectId: "1", orgId: shop.orgId });
    await appendAudit(t.database.db, t.clock, { kind: "user", userId: adminId, orgId: authority.orgId, orgKind: "authority", role: "authority_admin" }, { action: "test.authority", objectType: "thing", objectId: "2", orgId: authority.orgId });

    const page = await owner.get("/api/v1/audit?limit=100");
    assert.equal(page.statusCode, 200);
    const items = page.json<{ items: Row[] }>().items;
    assert.equal(items.find((r) => r.actorUserId === ownerId)?.actorName, "owner", "the owner's rows carry the owner's display name");
    assert.equal(items.find((r) => r.actorUserId === gone)?.actorName, null, "a user who no longer exists has no name");
    assert.ok(items.every((r) => r.actorUserId !== null || r.actorName === null), "only users' rows carry a name");
    assert.ok(items.every((r) => !r.actorName?.includes("@")), "no e-mail addresses");
    assert.ok(!page.body.includes(shop.users.owner?.email ?? "?"), "the owner's address is nowhere in the answer");
    assert.ok(items.every((r) => r.actorUserId !== adminId && r.actorName !== "admin"), "the authority's rows, and so its name, stay out of the shop's trail");

    const admin = await signedInClient(t, authority.users.admin?.email ?? "", TOTP);
    const all = (await admin.get(`/api/v1/audit?orgId=${authority.orgId}&action=test.authority`)).json<{ items: Row[] }>().items;
    assert.equal(all[0]?.actorName, "admin", "the authority, who may read that row, sees its actor's name");
  });
});

describe("password reset links", () => {
  test("a reset ends every other outstanding reset link; so does a password change", async () => {
    const email = shop.users.victim?.email ?? "";
    const anon = new Client(t.app);
    const link = async () => {
      await t.runJobs(); // the request only queues the link
      return /#token=([A-Za-z0-9_-]+)/.exec(t.mail.at(-1)?.vars.link ?? "")?.[1] ?? "";
    };
    assert.equal((await anon.post("/api/v1/auth/password-reset/request", { email })).statusCode, 202);
    const older = await link(); // say, in a mailbox someone else read
    assert.equal((await anon.post("/api/v1/auth/password-reset/request", { email })).statusCode, 202);
    const newer = await link();
    assert.equal((await anon.post("/api/v1/auth/password-reset/complete", { token: newer, password: "the-owners-new-passphrase" })).statusCode, 204);
    const r = await anon.post("/api/v1/auth/password-reset/complete", { token: older, password: "an-intruders-passphrase" });
    assert.equal(r.statusCode, 410, "the older link still set a new password after the owner's reset");

    assert.equal((await anon.post("/api/v1/auth/password-reset/request", { email })).statusCode, 202);
    const leaked = await link();
    const owner = new Client(t.app);
    await owner.signIn(email, "the-owners-new-passphrase");
    assert.equal((await owner.post("/api/v1/auth/password", { currentPassword: "the-owners-new-passphrase", newPassword: TEST_PASSWORD + "-x" })).statusCode, 204);
    const r2 = await anon.post("/api/v1/auth/password-reset/complete", { token: leaked, password: "an-intruders-passphrase" });
    assert.equal(r2.statusCode, 410, "a link mailed before the password change still works");
  });
});

describe("session cookie", () => {
  test("a stale __Host- cookie is cleared with the attributes the prefix demands", async () => {
    const r = await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie: "__Host-ectrust_session=stale-session-token-that-is-long-enough" } });
    assert.equal(r.statusCode, 204);
    const set = r.cookies.find((c) => c.name === "__Host-ectrust_session");
    assert.ok(set, "the cookie is cleared");
    // RFC 6265bis §4.1.3.2: a __Host- cookie without Secure is ignored by the browser, so the clear would do nothing
    assert.equal(set.secure, true);
    assert.equal(set.path, "/");
  });
});

describe("invitations", () => {
  test("two invitations for one new address accepted at once: one account, no 500", async () => {
    const other = await seedOrg(t.accounts, "merchant", "Shop Two", [{ key: "owner", role: "merchant_admin" }]);
    const tokens: string[] = [];
    for (const [org, key] of [[shop, "owner"], [other, "owner"]] as const) {
      const admin = await signedInClient(t, org.users[key]?.email ?? "");
      assert.equal((await admin.post(`/api/v1/organisations/${org.orgId}/invitations`, { email: "twice@new.test", role: "merchant_staff" })).statusCode, 201);
      tokens.push(/#token=([A-Za-z0-9_-]+)/.exec(t.mail.at(-1)?.vars.link ?? "")?.[1] ?? "");
    }
    const results = await Promise.all(tokens.map((token) => t.app.inject({ method: "POST", url: "/api/v1/invitations/accept", payload: { token, displayName: "Twice", password: "harbour-lantern-meadow" } })));
    // Whichever runs second either meets the account the first just made (it joins with its password:
    // 204) or loses the race for the address (409, the invitation still open): never a 500.
    for (const r of results) assert.ok(r.statusCode === 204 || r.statusCode === 409, `${r.statusCode} ${r.body}`);
    assert.ok(results.some((r) => r.statusCode === 204));
    const users = await t.database.query<{ n: number }>("select count(*)::int as n from users where email = 'twice@new.test'");
    assert.equal(users.rows[0]?.n, 1, "one account for the address");
    // a refused invitation is still open: accepted again with the new account's password it joins; an accepted one is used up
    const retry = await Promise.all(tokens.map((token) => t.app.inject({ method: "POST", url: "/api/v1/invitations/accept", payload: { token, password: "harbour-lantern-meadow" } })));
    assert.deepEqual(retry.map((r) => r.statusCode), results.map((r) => (r.statusCode === 409 ? 204 : 410)));
  });
});

describe("last administrator", () => {
  test("two administrators removing or demoting each other at the same moment leave one administrator", async () => {
    // (on PostgreSQL the two transactions overlap; each counted the other as the remaining admin)
    const rounds = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const org = await seedOrg(t.accounts, "merchant", `Pair ${String(i)}`, [{ key: "a", role: "merchant_admin" }, { key: "b", role: "merchant_admin" }]);
        const a = await signedInClient(t, org.users.a?.email ?? "");
        const b = await signedInClient(t, org.users.b?.email ?? "");
        const url = (u: string | undefined): string => `/api/v1/organisations/${org.orgId}/members/${u ?? ""}`;
        const [ra, rb] = await Promise.all(i % 2 === 0 ? [a.del(url(org.users.b?.id)), b.del(url(org.users.a?.id))] : [a.patch(url(org.users.b?.id), { role: "merchant_staff" }), b.patch(url(org.users.a?.id), { role: "merchant_staff" })]);
        return { org, codes: [ra.statusCode, rb.statusCode].sort() };
      }),
    );
    for (const { org, codes } of rounds) {
      assert.ok(codes.includes(409), `both changes went through (${codes.join(", ")}): no administrator is left`);
      const admin = await signedInClient(t, authority.users.admin?.email ?? "", TOTP);
      const members = (await admin.get(`/api/v1/organisations/${org.orgId}/members`)).json<{ items: { role: string }[] }>();
      assert.equal(members.items.filter((m) => m.role === "merchant_admin").length, 1);
    }
  });
});

describe("session token", () => {
  test("passing the second factor gives the session a new token; the one from the password step stops working", async () => {
    const email = authority.users.admin?.email ?? "";
    t.clock.advance(31_000);
    const c = new Client(t.app);
    assert.equal((await c.post("/api/v1/auth/login", { email, password: TEST_PASSWORD })).statusCode, 200);
    const before = c.cookie;
    assert.ok(before);
    assert.equal((await c.post("/api/v1/auth/mfa", { code: generateSync({ secret: TOTP, epoch: epoch() }) })).statusCode, 200);
    assert.ok(c.cookie && c.cookie !== before, "the session cookie is replaced");
    const stale = await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie: before } });
    assert.equal(stale.statusCode, 204, "the token of the password step (a stolen password's session) no longer signs anyone in");
    assert.equal((await c.get("/api/v1/auth/session")).statusCode, 200);
  });
});

describe("password change", () => {
  test("guessing the current password from a signed-in session counts towards the lock, which ends the session", async () => {
    const org = await seedOrg(t.accounts, "merchant", "Guessed", [{ key: "owner", role: "merchant_admin" }]);
    const c = await signedInClient(t, org.users.owner?.email ?? "");
    const codes: number[] = [];
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) codes.push((await c.post("/api/v1/auth/password", { currentPassword: `guess-number-${String(i)}`, newPassword: "a-brand-new-passphrase" })).statusCode);
    assert.deepEqual(codes, [...Array.from({ length: LOCKOUT_THRESHOLD - 1 }, () => 400), 423]);
    assert.equal((await c.get("/api/v1/auth/session")).statusCode, 204, "the session that guessed is signed out");
    const again = await new Client(t.app).post("/api/v1/auth/login", { email: org.users.owner?.email ?? "", password: TEST_PASSWORD });
    assert.equal(again.statusCode, 401);
    assert.ok(await locked(org.users.owner?.email ?? ""));
    t.clock.advance(16 * 60_000);
  });
});

describe("authority tokens", () => {
  test("a token an authority member made for another organisation stops working when they leave the authority", async () => {
    const auth2 = await seedOrg(t.accounts, "authority", "Authority Two", [{ key: "a", role: "authority_admin", mfa: true }, { key: "b", role: "authority_admin", mfa: true }]);
    const shopX = await seedOrg(t.accounts, "merchant", "Shop X", [{ key: "owner", role: "merchant_admin" }]);
    t.clock.advance(31_000);
    const b = await signedInClient(t, auth2.users.b?.email ?? "", TOTP);
    const created = await b.post(`/api/v1/organisations/${shopX.orgId}/api-tokens`, { name: "support", role: "merchant_admin", expiresInDays: 30 });
    assert.equal(created.statusCode, 201, created.body);
    const bearer = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shopX.orgId}/members`, headers: bearer })).statusCode, 200);
    t.clock.advance(31_000);
    const a = await signedInClient(t, auth2.users.a?.email ?? "", TOTP);
    assert.equal((await a.del(`/api/v1/organisations/${auth2.orgId}/members/${auth2.users.b?.id ?? ""}`)).statusCode, 204);
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${shopX.orgId}/members`, headers: bearer })).statusCode, 401, "the token outlived its maker's place in the authority");
  });
});

describe("token revocation scope", () => {
  test("a promotion revokes nothing; leaving the authority keeps the tokens of an organisation one still belongs to", async () => {
    const org = await seedOrg(t.accounts, "merchant", "Promoted", [{ key: "admin", role: "merchant_admin" }, { key: "other", role: "merchant_admin" }]);
    t.clock.advance(31_000);
    const admin = await signedInClient(t, org.users.admin?.email ?? "");
    const other = await signedInClient(t, org.users.other?.email ?? "");
    const made0 = await other.post(`/api/v1/organisations/${org.orgId}/api-tokens`, { name: "read-only job", role: "merchant_staff", expiresInDays: 30 });
    assert.equal(made0.statusCode, 201, made0.body);
    const staffBearer = { authorization: `Bearer ${made0.json<{ token: string }>().token}` };
    const reads = async (): Promise<number> => (await t.app.inject({ method: "GET", url: `/api/v1/organisations/${org.orgId}`, headers: staffBearer })).statusCode;
    const member = `/api/v1/organisations/${org.orgId}/members/${org.users.other?.id ?? ""}`;
    assert.equal((await admin.patch(member, { role: "merchant_staff" })).statusCode, 204);
    assert.equal(await reads(), 200, "a staff token survives its maker's move to staff");
    assert.equal((await admin.patch(member, { role: "merchant_admin" })).statusCode, 204);
    assert.equal(await reads(), 200, "a promotion revoked the token");
    // an authority member who is also a member of a shop keeps the token made there when leaving the authority
    const auth3 = await seedOrg(t.accounts, "authority", "Authority Three", [{ key: "a", role: "authority_admin", mfa: true }, { key: "b", role: "authority_admin", mfa: true }]);
    const bId = auth3.users.b?.id ?? "";
    const bEmail = auth3.users.b?.email ?? "";
    const invite = await admin.post(`/api/v1/organisations/${org.orgId}/invitations`, { email: bEmail, role: "merchant_admin" });
    assert.equal(invite.statusCode, 201, invite.body);
    const token = /#token=([A-Za-z0-9_-]+)/.exec(t.mail.at(-1)?.vars.link ?? "")?.[1] ?? "";
    assert.equal((await t.app.inject({ method: "POST", url: "/api/v1/invitations/accept", payload: { token, password: TEST_PASSWORD } })).statusCode, 204);
    t.clock.advance(31_000);
    const b = await signedInClient(t, bEmail, TOTP);
    const made = await b.post(`/api/v1/organisations/${org.orgId}/api-tokens`, { name: "mine", role: "merchant_admin", expiresInDays: 30 });
    assert.equal(made.statusCode, 201, made.body);
    const bearer = { authorization: `Bearer ${made.json<{ token: string }>().token}` };
    t.clock.advance(31_000);
    const a = await signedInClient(t, auth3.users.a?.email ?? "", TOTP);
    assert.equal((await a.del(`/api/v1/organisations/${auth3.orgId}/members/${bId}`)).statusCode, 204);
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/organisations/${org.orgId}/members`, headers: bearer })).statusCode, 200, "the token of an organisation b still belongs to was revoked");
  });
});
