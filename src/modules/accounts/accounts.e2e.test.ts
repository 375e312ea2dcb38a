// The accounts mail through the whole server (no demo data): the real job queue takes reset and
// confirmation links off the request path, and the real outbox delivers them to a local SMTP server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { buildServer, type Server } from "../../server.ts";
import { loadConfig } from "../../platform/config.ts";
import { startTestSmtpServer, type TestSmtpServer } from "../../platform/mail/smtp.testing.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { JOBS_SCHEMA } from "../../platform/jobs/queue.ts";
import { ACCOUNTS_JOBS } from "./accounts.jobs.ts";

let smtp: TestSmtpServer;
let database: TestDatabase;
let server: Server;
let app: FastifyInstance;

before(async () => {
  smtp = await startTestSmtpServer();
  database = await testDatabase();
  const config = loadConfig({ PUBLIC_URL: "http://localhost:3000", LOG_LEVEL: "silent", DATA_DIR: `/tmp/ectrust-accounts-e2e-${String(process.pid)}`, SMTP_URL: smtp.url.reveal() });
  server = await buildServer({ config, database, fastHashing: true, work: true, logger: pino({ level: "silent" }) });
  app = await server.http();
});
after(async () => {
  await server.close();
  await database.close();
  await smtp.close();
});

const post = (path: string, body: unknown) => app.inject({ method: "POST", url: `/api/v1${path}`, headers: { "accept-language": "en" }, payload: body as object });
const tokenIn = (text: string): string => /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? "";
async function mailTo(address: string, pred: (text: string) => boolean) {
  for (let i = 0; i < 200; i++) {
    const hit = smtp.received.find((m) => m.envelope.to.includes(address) && pred(m.parsed.text ?? ""));
    if (hit) return { subject: hit.parsed.subject ?? "", text: hit.parsed.text ?? "" };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${address}`);
}

test("a registration's link arrives by SMTP and confirms the address; reset requests are worked by the queue", async () => {
  // the daily sweep of unconfirmed registrations: scheduled at start, and worked by the queue (nothing is stale here)
  const { rows: schedules } = await database.query<{ cron: string }>(`select cron from ${JOBS_SCHEMA}.schedule where name = $1`, [ACCOUNTS_JOBS.purgeUnconfirmed]);
  assert.deepEqual(schedules, [{ cron: "41 3 * * *" }]);
  await server.jobs.send(ACCOUNTS_JOBS.purgeUnconfirmed, {});
  const email = "e2e.owner@merchant.test";
  const password = "a long and unusual pass phrase 42";
  const reg = await post("/registrations", { organisation: { nameZh: "端對端商店", nameEn: "E2E Shop" }, admin: { email, displayName: "E2E Owner", password }, locale: "en" });
  assert.deepEqual([reg.statusCode, reg.json()], [202, { status: "check_mail" }]);
  for (const address of [email, "nobody@merchant.test"]) {
    const r = await post("/auth/password-reset/request", { email: address });
    assert.deepEqual([r.statusCode, r.body], [202, ""]);
  }
  const [confirm, reset] = await Promise.all([mailTo(email, (t) => t.includes("/verify-email#token=")), mailTo(email, (t) => t.includes("/reset-password#token="))]);
  assert.equal(confirm.subject, "Confirm your e-mail address — ectrust");

  const refused = await post("/auth/login", { email, password });
  assert.deepEqual([refused.statusCode, refused.json<{ code?: string }>().code], [401, "invalid_credentials"], "unconfirmed: answered as a wrong password");
  assert.equal((await post("/auth/email-verification/complete", { token: tokenIn(confirm.text), password })).statusCode, 204);
  assert.match((await post("/auth/login", { email, password })).json<{ detail: string }>().detail, /waiting for the authority/);
  assert.equal((await post("/auth/password-reset/complete", { token: tokenIn(reset.text), password: "yet another long pass phrase 93" })).statusCode, 204);

  // both link jobs ran (on pg-boss, without failing); the unknown address got nothing
  const stats = (await server.jobs.stats()).find((q) => q.name === ACCOUNTS_JOBS.link);
  assert.deepEqual([stats?.completed, stats?.failed], [2, 0]);
  for (let i = 0; i < 100 && (await server.jobs.stats()).find((q) => q.name === ACCOUNTS_JOBS.purgeUnconfirmed)?.completed !== 1; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await server.jobs.stats()).find((q) => q.name === ACCOUNTS_JOBS.purgeUnconfirmed)?.completed, 1);
  assert.equal(smtp.received.filter((m) => m.envelope.to.includes("nobody@merchant.test")).length, 0);
  // the queue keeps its jobs for days: they name the account (or none), never the address that was typed
  const { rows } = await database.query<{ data: unknown }>(`select data from ${JOBS_SCHEMA}.job where name = $1 and state = 'completed'`, [ACCOUNTS_JOBS.link]);
  assert.equal(rows.length, 2);
  for (const address of [email, "nobody@merchant.test"]) assert.ok(rows.every((r) => !JSON.stringify(r.data).toLowerCase().includes(address)), `a job holds ${address}`);
});
