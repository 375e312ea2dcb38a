// Found in a security review: registration did not confirm the e-mail address, and registration,
// the sign-in lock and password-reset requests told strangers which addresses have accounts.
// Each test failed before its fix.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { Actor } from "../../platform/actor.ts";
import { migrationsFolder } from "../../platform/db/database.ts";
import { AppError } from "../../platform/errors.ts";
import { buildTestApp, Client, seedOrg, signedInClient, TEST_PASSWORD, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { ACCOUNTS_JOBS } from "./accounts.jobs.ts";
import { ACCOUNTS_TEMPLATES } from "./accounts.mail.ts";
import { UNCONFIRMED_PURGE_DAYS, VERIFICATION_HOURS } from "./accounts.limits.ts";
import { LOCKOUT_THRESHOLD } from "./accounts.service.ts";

let t: TestApp;
let shop: SeededOrg;
let authorityActor: Actor;
const PASSPHRASE = "quiet-harbour-lantern-77";

before(async () => {
  t = await buildTestApp();
  shop = await seedOrg(t.accounts, "merchant", "Known Shop", [{ key: "owner", role: "merchant_admin" }, { key: "staff", role: "merchant_staff" }]);
  const authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin" }]);
  authorityActor = { kind: "user", userId: authority.users.admin?.id ?? "", orgId: authority.orgId, orgKind: "authority", role: "authority_admin" };
});
after(async () => {
  await t.close();
});

const anon = (): Client => new Client(t.app);
let client = 0;
/** each from its own address: registrations are limited to a few a minute per client */
const register = (email: string, nameEn = `Shop of ${email}`, password = PASSPHRASE): Promise<LightMyRequestResponse> =>
  t.app.inject({
    method: "POST",
    url: "/api/v1/registrations",
    remoteAddress: `10.9.0.${String(++client)}`,
    payload: { organisation: { nameZh: `${nameEn}（測試）`, nameEn }, admin: { email, displayName: "Registrant", password }, locale: "en" },
  });
const login = (email: string, password: string): Promise<LightMyRequestResponse> => anon().post("/api/v1/auth/login", { email, password });
const tokenIn = (link: string | undefined): string => /#token=([A-Za-z0-9_-]+)/.exec(link ?? "")?.[1] ?? "";
const mailTo = (email: string) => t.mail.filter((m) => m.to === email);
/** status and problem body, without the request id (which differs on every request) */
const answer = (r: LightMyRequestResponse) => {
  const { requestId: _id, ...body }: Record<string, unknown> = r.body ? r.json<Record<string, unknown>>() : {};
  return { status: r.statusCode, body };
};
async function count(table: string): Promise<number> {
  return (await t.database.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]?.n ?? -1;
}
const tables = ["users", "organisations", "memberships", "email_verifications", "password_resets", "audit_log"] as const;
const counts = async (): Promise<Record<(typeof tables)[number], number>> => {
  const n = await Promise.all(tables.map(count));
  return { users: n[0] ?? -1, organisations: n[1] ?? -1, memberships: n[2] ?? -1, email_verifications: n[3] ?? -1, password_resets: n[4] ?? -1, audit_log: n[5] ?? -1 };
};

describe("e-mail confirmation", () => {
  test("a registration cannot sign in until its mailed link is opened with its password; the link works once", async () => {
    const email = "fresh@merchant.test";
    assert.deepEqual(answer(await register(email)), { status: 202, body: { status: "check_mail" } });
    const mail = mailTo(email).at(-1);
    assert.equal(mail?.template, ACCOUNTS_TEMPLATES.verifyEmail);
    assert.equal(mail.locale, "en");
    assert.equal(mail.vars.hours, String(VERIFICATION_HOURS));
    const token = tokenIn(mail.vars.link);
    assert.ok(token.length > 20);
    const stored = (await t.database.query<{ token_hash: string }>("select token_hash from email_verifications")).rows;
    assert.ok(stored.length > 0 && stored.every((r) => r.token_hash !== token), "only the token's hash is stored");

    // refused as a wrong password is: the right password of an unconfirmed account learns nothing either
    const refused = answer(await login(email, PASSPHRASE));
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, "invalid_credentials");
    assert.deepEqual(answer(await login(email, "not-the-passphrase-1")), refused);

    // the link alone is not enough: whoever registered chose the password
    const wrong = await anon().post("/api/v1/auth/email-verification/complete", { token, password: "someone-elses-guess-12" });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json<{ errors: { field: string }[] }>().errors[0]?.field, "password");
    assert.equal((await anon().post("/api/v1/auth/email-verification/complete", { token, password: PASSPHRASE })).statusCode, 204);
    assert.equal((await anon().post("/api/v1/auth/email-verification/complete", { token, password: PASSPHRASE })).statusCode, 410, "single-use");
    const pending = await login(email, PASSPHRASE);
    assert.equal(pending.statusCode, 403);
    assert.match(pending.json<{ detail: string }>().detail, /waiting for the authority/);

    const bad = await anon().post("/api/v1/auth/email-verification/complete", { token: "not a token", password: PASSPHRASE });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers["content-type"]), /application\/problem\+json/);
  });

  test("a link expires; 'send it again' mails a new one, only to an unconfirmed account, and answers the same for any address", async () => {
    const email = "slow@merchant.test";
    await register(email, "Slow Shop");
    const orgId = (await t.accounts.findOrganisationByName("Slow Shop"))?.id ?? "";
    const approve = () => t.accounts.decideRegistration(authorityActor, orgId, "approve", "");
    await assert.rejects(approve(), (e: unknown) => e instanceof AppError && e.code === "invalid_transition", "the authority cannot approve a registration whose address is unconfirmed");
    const first = tokenIn(mailTo(email).at(-1)?.vars.link);
    t.clock.advance((VERIFICATION_HOURS * 60 + 1) * 60_000);
    assert.equal((await anon().post("/api/v1/auth/email-verification/complete", { token: first, password: PASSPHRASE })).statusCode, 410);

    const answers = [];
    for (const address of [email, "nobody@nowhere.test", shop.users.owner?.email ?? ""]) {
      answers.push(answer(await anon().post("/api/v1/auth/email-verification/request", { email: address })));
    }
    assert.deepEqual(answers, Array.from({ length: 3 }, () => ({ status: 202, body: {} })));
    const mails = t.mail.length;
    await t.runJobs();
    assert.deepEqual(t.mail.slice(mails).map((m) => [m.to, m.template]), [[email, ACCOUNTS_TEMPLATES.verifyEmail]], "a confirmed or unknown address gets nothing");
    const second = tokenIn(t.mail.at(-1)?.vars.link);
    assert.equal((await anon().post("/api/v1/auth/email-verification/complete", { token: second, password: PASSPHRASE })).statusCode, 204);
    assert.equal((await login(email, PASSPHRASE)).statusCode, 403); // confirmed; the organisation still waits
    assert.equal((await approve()).status, "active");
    assert.equal((await login(email, PASSPHRASE)).statusCode, 200);
  });

  test("an invitation or a password reset confirms the address, and sets aside the password of an unconfirmed account", async () => {
    // someone registers an address that is not theirs; its owner is then invited by a shop
    const email = "squatted@merchant.test";
    await register(email, "Squatter Ltd", "the-squatters-passphrase");
    const owner = await signedInClient(t, shop.users.owner?.email ?? "");
    assert.equal((await owner.post(`/api/v1/organisations/${shop.orgId}/invitations`, { email, role: "merchant_staff" })).statusCode, 201);
    const token = tokenIn(mailTo(email).at(-1)?.vars.link);
    const look = await anon().post("/api/v1/invitations/lookup", { token });
    assert.equal(look.json<{ existingUser: boolean }>().existingUser, false, "the invitee is not asked for a password they never chose");
    assert.equal((await anon().post("/api/v1/invitations/accept", { token, displayName: "Real Owner", password: PASSPHRASE })).statusCode, 204);
    assert.equal((await login(email, "the-squatters-passphrase")).statusCode, 401);
    assert.equal((await login(email, PASSPHRASE)).statusCode, 200);

    const other = "forgetful@merchant.test";
    await register(other);
    await anon().post("/api/v1/auth/password-reset/request", { email: other });
    await t.runJobs();
    const reset = tokenIn(mailTo(other).at(-1)?.vars.link);
    assert.equal((await anon().post("/api/v1/auth/password-reset/complete", { token: reset, password: "a-brand-new-passphrase" })).statusCode, 204);
    const r = await login(other, "a-brand-new-passphrase");
    assert.equal(r.statusCode, 403);
    assert.match(r.json<{ detail: string }>().detail, /waiting for the authority/, "the reset link confirmed the address");
  });
});

test("the migration counts members of approved organisations as confirmed, not registrations still pending", async () => {
  const sql = readFileSync(join(migrationsFolder, "0010_accounts_email_verification.sql"), "utf8").split("--> statement-breakpoint").at(-1) ?? "";
  assert.match(sql, /^\s*(--.*\n)*UPDATE "users"/);
  await register("legacy@merchant.test", "Legacy Shop");
  const owner = shop.users.owner?.email ?? "";
  await t.database.query("update users set email_verified_at = null where email = $1", [owner]);
  await t.database.query(sql);
  const rows = await t.database.query<{ email: string; confirmed: boolean }>("select email, email_verified_at is not null as confirmed from users where email in ($1, $2) order by email", [owner, "legacy@merchant.test"]);
  assert.deepEqual(rows.rows.map((r) => [r.email, r.confirmed]), [["legacy@merchant.test", false], [owner, true]]);
});

describe("no answer tells which addresses have accounts", () => {
  test("registering a known address answers as a new one does, after the same work; its owner is told by mail", async () => {
    const known = shop.users.staff?.email ?? "";
    const hashBefore = (await t.database.query<{ password_hash: string }>("select password_hash from users where email = $1", [known])).rows[0]?.password_hash;
    const before = await counts();
    const mailsBefore = t.mail.length;
    const fresh = await register("brand-new@merchant.test");
    const afterFresh = await counts();
    const repeated = await register(known);
    const afterRepeated = await counts();
    assert.deepEqual(answer(repeated), answer(fresh));
    assert.deepEqual(answer(fresh), { status: 202, body: { status: "check_mail" } });
    // the same work: one mail and one audit row each; nothing is created for the known address
    assert.deepEqual(t.mail.slice(mailsBefore).map((m) => [m.to, m.template]), [
      ["brand-new@merchant.test", ACCOUNTS_TEMPLATES.verifyEmail],
      [known, ACCOUNTS_TEMPLATES.registrationExists],
    ]);
    assert.equal(afterFresh.audit_log - before.audit_log, 1);
    assert.deepEqual(afterRepeated, { ...afterFresh, audit_log: afterFresh.audit_log + 1 });
    const hashAfter = (await t.database.query<{ password_hash: string }>("select password_hash from users where email = $1", [known])).rows[0]?.password_hash;
    assert.equal(hashAfter, hashBefore, "the owner's account is unchanged");
  });

  test("a registration the database cannot store answers the same for a known and a new address (a NUL in the organisation's name was a 500 only for a new one)", async () => {
    const known = shop.users.staff?.email ?? "";
    const nul = (email: string): Promise<LightMyRequestResponse> =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/registrations",
        remoteAddress: `10.9.0.${String(++client)}`,
        payload: { organisation: { nameZh: "無名店\u0000", nameEn: "Nameless\u0000Shop" }, admin: { email, displayName: "Registrant", password: PASSPHRASE } },
      });
    const before = await counts();
    const forKnown = answer(await nul(known));
    const forNew = answer(await nul("nul-in-name@merchant.test"));
    assert.deepEqual(forKnown, forNew, "the answer says whether the address has an account");
    assert.equal(forNew.status, 400);
    assert.deepEqual(await counts(), before);
  });

  test("two registrations of one new address at once: the same answer, one account", async () => {
    const [a, b] = await Promise.all([register("twice@merchant.test", "Twice A"), register("twice@merchant.test", "Twice B")]);
    assert.deepEqual(answer(a), { status: 202, body: { status: "check_mail" } });
    assert.deepEqual(answer(b), answer(a));
    assert.equal((await t.database.query<{ n: number }>("select count(*)::int as n from users where email = 'twice@merchant.test'")).rows[0]?.n, 1);
  });

  test("registering an address with a password of one's choosing and signing in with it answers the same for a free and a taken address, after the same work", async () => {
    // the probe: a free address gets an (unconfirmed) account with the prober's password, a taken one keeps its owner's
    const probe = async (email: string) => {
      const registered = answer(await register(email, `Probe of ${email}`, "the-probers-own-passphrase"));
      const before = await counts();
      const failed = async () => (await t.database.query<{ n: number }>("select failed_logins as n from users where email = $1", [email])).rows[0]?.n;
      const failedBefore = await failed();
      const signIn = answer(await login(email, "the-probers-own-passphrase"));
      const after = await counts();
      return { registered, signIn, written: { audit: after.audit_log - before.audit_log, failedLogins: ((await failed()) ?? 0) - (failedBefore ?? 0) } };
    };
    const free = await probe("probe-free@merchant.test");
    const taken = await probe(shop.users.staff?.email ?? "");
    assert.deepEqual(free, taken);
    assert.deepEqual([free.signIn.status, free.signIn.body.code, free.written], [401, "invalid_credentials", { audit: 1, failedLogins: 1 }]);
    const trail = await t.database.query<{ action: string }>("select action from audit_log order by seq desc limit 3");
    assert.deepEqual(trail.rows.map((r) => r.action), ["user.login_failed", "user.registration_repeated", "user.login_refused_unverified"], "the trail tells the two apart");
  });

  test("a locked account answers as an unknown address and a wrong password do, even to its right password; the attempt is audited and the owner mailed", async () => {
    const org = await seedOrg(t.accounts, "merchant", "Lockable", [{ key: "owner", role: "merchant_admin" }]);
    const email = org.users.owner?.email ?? "";
    const unknown = answer(await login("nobody@lockable.test", TEST_PASSWORD));
    assert.deepEqual(answer(await login(email, "wrong-password-000")), unknown);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await login(email, `wrong-password-${String(i)}`);
    assert.deepEqual(mailTo(email).map((m) => m.template), [ACCOUNTS_TEMPLATES.locked]);
    assert.deepEqual(answer(await login(email, "wrong-password-999")), unknown);
    assert.deepEqual(answer(await login(email, TEST_PASSWORD)), unknown, "the lock is not said: it would say the account exists");
    const trail = await t.database.query<{ action: string }>("select action from audit_log where object_id = $1 order by seq", [org.users.owner?.id ?? ""]);
    assert.deepEqual(trail.rows.map((r) => r.action).slice(-3), ["user.locked", "user.login_refused_locked", "user.login_refused_locked"]);
    t.clock.advance(16 * 60_000);
    assert.equal((await login(email, TEST_PASSWORD)).statusCode, 200, "the lock still held until it ran out");
  });

  test("a reset request does the same work for a known and an unknown address: it queues one job and writes nothing", async () => {
    const known = shop.users.owner?.email ?? "";
    const results = [];
    for (const email of [known, "Nobody@Nowhere.test"]) {
      const before = await counts();
      const mails = t.mail.length;
      const r = await anon().post("/api/v1/auth/password-reset/request", { email });
      results.push(answer(r));
      assert.deepEqual(await counts(), before, "nothing is written while the caller waits");
      assert.equal(t.mail.length, mails);
    }
    assert.deepEqual(results, [{ status: 202, body: {} }, { status: 202, body: {} }]);
    // the job names the account, or none: the queue keeps jobs for days, and not the addresses people typed
    assert.deepEqual(t.jobs, [
      { name: ACCOUNTS_JOBS.link, data: { kind: "password_reset", userId: shop.users.owner?.id } },
      { name: ACCOUNTS_JOBS.link, data: { kind: "password_reset", userId: null } },
    ]);
    const mails = t.mail.length;
    await t.runJobs();
    assert.deepEqual(t.mail.slice(mails).map((m) => [m.to, m.template]), [[known, "password_reset"]]);
  });
});

describe("unconfirmed registrations are deleted", () => {
  test(`${String(UNCONFIRMED_PURGE_DAYS)} days after their last link expired, with their pending organisation unless something else refers to it`, async () => {
    const t0 = t.clock.now().getTime();
    const days = (n: number) => n * 86_400_000;
    const linkDays = VERIFICATION_HOURS / 24;
    for (const who of ["gone", "again", "invited", "confirmed"]) await register(`purge-${who}@merchant.test`, `Purge ${who}`);
    const org = async (who: string) => (await t.accounts.findOrganisationByName(`Purge ${who}`))?.id;
    const user = async (who: string) => (await t.accounts.findUserByEmail(`purge-${who}@merchant.test`))?.id;
    const goneUser = await user("gone");
    const goneOrg = await org("gone");
    const invitedOrg = await org("invited");
    assert.ok(goneUser && goneOrg && invitedOrg);
    assert.equal((await anon().post("/api/v1/auth/email-verification/complete", { token: tokenIn(mailTo("purge-confirmed@merchant.test").at(-1)?.vars.link), password: PASSPHRASE })).statusCode, 204);
    await t.accounts.invite(authorityActor, invitedOrg, { email: "someone-else@merchant.test", role: "merchant_staff" });
    // three days after the first link expired, "send it again": a new link, so a new deadline
    t.clock.set(new Date(t0 + days(linkDays + 3)));
    await anon().post("/api/v1/auth/email-verification/request", { email: "purge-again@merchant.test" });
    await t.runJobs();

    t.clock.set(new Date(t0 + days(linkDays + UNCONFIRMED_PURGE_DAYS) - 60_000));
    const early = await t.accounts.purgeUnconfirmedRegistrations();
    assert.equal(early.purged.includes(goneUser), false, "not before the days have passed");
    t.clock.set(new Date(t0 + days(linkDays + UNCONFIRMED_PURGE_DAYS) + 60_000));
    const { purged } = await t.accounts.purgeUnconfirmedRegistrations();
    assert.ok(purged.includes(goneUser));
    assert.deepEqual([await user("gone"), await org("gone")], [undefined, undefined], "the account and its pending organisation are gone");
    assert.equal(await user("invited"), undefined);
    assert.equal(await org("invited"), invitedOrg, "an organisation someone was invited to stays");
    assert.ok((await user("again")) && (await user("confirmed")) && (await org("again")) && (await org("confirmed")));
    const row = (await t.database.query<{ actor_kind: string; org_id: string; summary: { organisationsDeleted: string[] } }>("select actor_kind, org_id, summary from audit_log where action = 'user.purged_unconfirmed' and object_id = $1", [goneUser])).rows;
    assert.deepEqual(row, [{ actor_kind: "system:accounts.purge-unconfirmed", org_id: goneOrg, summary: { lastLinkExpiredAt: new Date(t0 + days(linkDays)).toISOString(), purgeDays: UNCONFIRMED_PURGE_DAYS, memberships: [goneOrg], organisationsDeleted: [goneOrg] } }]);
    assert.deepEqual((await t.accounts.purgeUnconfirmedRegistrations()).purged, [], "a second run finds nothing");

    t.clock.set(new Date(t0 + days(3 + 2 * linkDays + UNCONFIRMED_PURGE_DAYS) + 60_000));
    const again = await user("again");
    assert.deepEqual((await t.accounts.purgeUnconfirmedRegistrations()).purged, [again]);
    assert.equal(await user("again"), undefined);
    assert.ok(await user("confirmed"));
  });

  test("a registration from before confirmation existed is left alone, even with an old password-reset link (it was never sent a confirmation link)", async () => {
    // migration 0010 left pending registrations unconfirmed ("confirms its address at its next sign-in");
    // reset links from before it never confirmed an address, even when used
    const long = new Date(t.clock.now().getTime() - 400 * 86_400_000);
    const [org] = (await t.database.query<{ id: string }>("insert into organisations (kind, name_zh, name_en, status, created_at) values ('merchant', '舊商店', 'Legacy Pending Shop', 'pending', $1) returning id", [long])).rows;
    const [u] = (await t.database.query<{ id: string }>("insert into users (email, display_name, password_hash, created_at) values ('legacy-reset@merchant.test', 'Legacy', null, $1) returning id", [long])).rows;
    assert.ok(org && u);
    await t.database.query("insert into memberships (user_id, org_id, role, created_at) values ($1, $2, 'merchant_admin', $3)", [u.id, org.id, long]);
    await t.database.query("insert into password_resets (token_hash, user_id, created_at, expires_at, used_at) values ('legacy-reset-token', $1, $2, $3, $3)", [u.id, long, new Date(long.getTime() + 3_600_000)]);
    const { purged } = await t.accounts.purgeUnconfirmedRegistrations();
    assert.equal(purged.includes(u.id), false);
    assert.ok(await t.accounts.findUserByEmail("legacy-reset@merchant.test"));
    assert.equal((await t.accounts.findOrganisationByName("Legacy Pending Shop"))?.id, org.id);
  });
});
