// Mail that stopped on its way: failed mail queued again in bulk over HTTP after an SMTP outage,
// and a final attempt killed by the job timeout marked failed by the sweep. Real pg-boss, a real
// SMTP server on 127.0.0.1, the real Fastify app.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eq, inArray } from "drizzle-orm";
import { pino } from "pino";
import { auditLog } from "../audit/audit.tables.ts";
import { createJobQueue, JOBS_SCHEMA, type JobQueue } from "../jobs/queue.ts";
import { platformRoutes } from "../platform.routes.ts";
import { buildTestApp, Client, seedOrg, signedInClient, TEST_PASSWORD, type SeededOrg, type TestApp } from "../testing/http.ts";
import { MAIL_DELIVER_JOB, MAIL_RECONCILE_CRON, MAIL_RECONCILE_JOB, strandedReason } from "./mail.recovery.ts";
import { createMailService, type MailService } from "./mail.service.ts";
import { mailOutbox } from "./mail.tables.ts";
import { createSmtpMailer, type Mailer } from "./mailer.ts";
import { startTestSmtpServer, type TestSmtpServer } from "./smtp.testing.ts";

const logger = pino({ level: "silent" });
const RETRY = "/api/v1/outbox/retry-failed";
let t: TestApp;
let smtp: TestSmtpServer;
let mailer: Mailer;
let jobs: JobQueue;
let mail: MailService;
let authority: SeededOrg;
let admin: Client;

before(async () => {
  smtp = await startTestSmtpServer();
  mailer = createSmtpMailer(smtp.url, { timeoutMs: 30_000 });
  t = await buildTestApp({
    register: async (app, p) => {
      jobs = createJobQueue({ database: p.database, connectionString: p.database.url, logger, work: true });
      // no retries: a message's first attempt is its final one, and an attempt times out after 1 s
      mail = createMailService({ db: p.database.db, clock: p.clock, jobs, mailer, from: "ectrust <no-reply@ectrust.example>", logger, retry: { limit: 0, timeoutSeconds: 1, pollSeconds: 0.5 } });
      await jobs.start();
      await app.register(platformRoutes, { database: p.database, mail, evidence: {} as never, jobs, evidenceMaxBytes: 1024 });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
});

after(async () => {
  await jobs.stop(2000);
  await t.close();
  mailer.close();
  await smtp.close();
});

async function until(what: string, check: () => Promise<boolean>, ms = 9000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const statuses = async (ids: string[]): Promise<string[]> => {
  const rows = await t.database.db.select({ id: mailOutbox.id, status: mailOutbox.status }).from(mailOutbox).where(inArray(mailOutbox.id, ids));
  return ids.map((id) => rows.find((r) => r.id === id)?.status ?? "missing");
};
const retryAudits = () => t.database.db.select().from(auditLog).where(eq(auditLog.action, "mail.retried")).orderBy(auditLog.seq);
const alert = (to: string) => t.database.db.transaction(async (tx) => (await mail.enqueue(tx, { to, template: "alert", locale: "en", vars: { title: "t", message: "m", link: "https://ectrust.example/" } })).id);

test("after an outage the authority queues failed mail again in bulk: authorised, audited, bounded, idempotent, delivered", async () => {
  // an outage: three messages an hour apart, each refused (451) on its only attempt
  const to = ["one@shop.example", "two@shop.example", "three@shop.example"];
  const ids: string[] = [];
  const created: Date[] = [];
  for (const address of to) {
    smtp.refuse(address, 451);
    created.push(t.clock.now());
    ids.push(await alert(address));
    t.clock.advance(3600_000);
  }
  await until("the outage failed all three", async () => (await statuses(ids)).every((s) => s === "failed"));

  admin = await signedInClient(t, authority.users.admin?.email ?? "", authority.users.admin?.totp);
  // who may not: nobody else, and not without the session's CSRF token or from another site
  const shop = await seedOrg(t.accounts, "merchant", "Shop", [{ key: "owner", role: "merchant_admin" }]);
  const cb = await seedOrg(t.accounts, "certification_body", "CB", [{ key: "head", role: "cb_admin", mfa: true }]);
  const regulator = await seedOrg(t.accounts, "regulator", "Regulator", [{ key: "officer", role: "regulator", mfa: true }]);
  const halfway = new Client(t.app); // the authority's administrator before the second step
  assert.equal((await halfway.post("/api/v1/auth/login", { email: authority.users.admin?.email, password: TEST_PASSWORD })).json<{ stage: string }>().stage, "mfa");
  const refusals: [string, Promise<import("fastify").LightMyRequestResponse>, number, string][] = [
    ["anonymous", new Client(t.app).post(RETRY, {}), 401, "unauthenticated"],
    ["merchant", (await signedInClient(t, shop.users.owner?.email ?? "")).post(RETRY, {}), 403, "forbidden"],
    ["certification body", (await signedInClient(t, cb.users.head?.email ?? "", cb.users.head?.totp)).post(RETRY, {}), 403, "forbidden"],
    ["regulator", (await signedInClient(t, regulator.users.officer?.email ?? "", regulator.users.officer?.totp)).post(RETRY, {}), 403, "forbidden"],
    ["authority before its second step", halfway.post(RETRY, {}), 401, "mfa_required"],
    ["authority without the CSRF token", admin.post(RETRY, {}, { "x-csrf-token": "not-the-token" }), 403, "csrf"],
    ["authority, from another site", admin.post(RETRY, {}, { origin: "https://evil.example" }), 403, "csrf"],
  ];
  for (const [who, pending, status, code] of refusals) {
    const res = await pending;
    assert.equal(res.statusCode, status, `${who}: ${res.body}`);
    assert.equal(res.json<{ code: string }>().code, code, who);
  }
  for (const bad of [{ limit: 0 }, { limit: 501 }, { from: created[1], to: created[1] }, { from: "yesterday" }, { ids }]) {
    assert.equal((await admin.post(RETRY, bad)).statusCode, 400, JSON.stringify(bad));
  }
  assert.deepEqual(await statuses(ids), ["failed", "failed", "failed"], "a refused call changed nothing");
  assert.equal((await retryAudits()).length, 0);

  for (const address of to) smtp.accept(address);
  const before = smtp.received.length;
  const call = async (body: object) => {
    const res = await admin.post(RETRY, body);
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ retried: number; remaining: number; ids: string[] }>();
  };
  // a time range: the second hour only
  assert.deepEqual(await call({ from: created[1]?.toISOString(), to: created[2]?.toISOString() }), { retried: 1, remaining: 0, ids: [ids[1]] });
  // bounded, oldest first, and the answer says how many are left
  assert.deepEqual(await call({ limit: 1 }), { retried: 1, remaining: 1, ids: [ids[0]] });
  assert.deepEqual(await call({}), { retried: 1, remaining: 0, ids: [ids[2]] });
  // idempotent: what is queued (or sent) already is not queued again
  assert.deepEqual(await call({}), { retried: 0, remaining: 0, ids: [] });

  await smtp.waitFor(before + 3);
  await until("all three sent", async () => (await statuses(ids)).every((s) => s === "sent"));
  for (const address of to) assert.equal(smtp.received.filter((m) => m.envelope.to.includes(address)).length, 1, `${address} got it once`);

  // one audit entry per call that queued something, naming who and what
  const audits = await retryAudits();
  assert.deepEqual(audits.map((a) => (a.summary as { messageIds: string[] }).messageIds), [[ids[1]], [ids[0]], [ids[2]]]);
  for (const a of audits) {
    assert.equal(a.actorUserId, authority.users.admin?.id);
    assert.equal(a.actorOrgId, authority.orgId);
    assert.equal(a.objectType, "mail_outbox");
    assert.ok(a.requestId);
  }
  assert.deepEqual(audits[0]?.summary, { count: 1, from: created[1]?.toISOString(), to: created[2]?.toISOString(), messageIds: [ids[1]] });
});

test("a message whose final attempt the job timeout killed ends failed, with the reason, by the scheduled sweep", async () => {
  const hang = smtp.stall("slow@shop.example");
  const id = await alert("slow@shop.example");
  await until("the attempt is running", async () => (await jobs.keyed(MAIL_DELIVER_JOB, [id])).get(id)?.state === "active");
  // in flight: the sweep leaves it alone
  assert.equal(await mail.reconcile(), 0);
  assert.deepEqual(await statuses([id]), ["queued"]);

  await until("pg-boss failed the job on its timeout", async () => (await jobs.keyed(MAIL_DELIVER_JOB, [id])).get(id)?.state === "failed");
  assert.deepEqual(await statuses([id]), ["queued"], "the handler has not returned, so nothing marked the row");

  // the sweep, as its schedule sends it
  await jobs.send(MAIL_RECONCILE_JOB, {});
  await until("the sweep marked the row failed", async () => (await statuses([id]))[0] === "failed");
  const row = await mail.getMessage(id);
  assert.match(row.lastError ?? "", /^the delivery job failed: .*exceeded 1s/);
  assert.equal(row.attempts, 1);
  assert.equal(await mail.reconcile(), 0, "nothing left to mark");
  // the queue's start stored the sweep's schedule
  const { rows } = await t.database.query<{ cron: string }>(`select cron from ${JOBS_SCHEMA}.schedule where name = $1`, [MAIL_RECONCILE_JOB]);
  assert.deepEqual(rows.map((r) => r.cron), [MAIL_RECONCILE_CRON]);

  // the abandoned attempt ends (the server answers at last) and records its own outcome
  hang.release();
  await until("the abandoned attempt recorded its end", async () => (await mail.getMessage(id)).attempts === 2);
  assert.equal((await mail.getMessage(id)).status, "failed");
});

test("a job still waiting or running is on its way; a finished or missing one says why", () => {
  const job = (state: "created" | "retry" | "active" | "completed" | "cancelled" | "failed", error: unknown = null) => ({ id: "j", key: "k", state, error, attempts: 1 });
  for (const state of ["created", "retry", "active"] as const) assert.equal(strandedReason(job(state)), undefined, state);
  // a worker that crashed mid-attempt: pg-boss's supervisor fails the job once its timeout has passed
  assert.equal(strandedReason(job("failed", { value: { message: "job timed out" } })), "the delivery job failed: job timed out");
  assert.equal(strandedReason(job("failed", { name: "Error", message: "handler execution exceeded 300s", stack: "…" })), "the delivery job failed: handler execution exceeded 300s");
  assert.equal(strandedReason(job("failed")), "the delivery job failed: no reason recorded");
  assert.equal(strandedReason(job("cancelled")), "the delivery job was cancelled");
  assert.equal(strandedReason(job("completed")), "the delivery job ended without recording a result");
  assert.equal(strandedReason(undefined), "the delivery job no longer exists");
});
