// The outbox against a real database and a real SMTP server, on both engines.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { FixedClock } from "../clock.ts";
import { AppError } from "../errors.ts";
import { createJobQueue, type JobQueue } from "../jobs/queue.ts";
import { testDatabase, type TestDatabase } from "../testing/db.ts";
import { createMailService, listOutbox, type MailService, type OutboxItem } from "./mail.service.ts";
import { mailOutbox } from "./mail.tables.ts";
import { createSmtpMailer, type Mailer } from "./mailer.ts";
import { startTestSmtpServer, type TestSmtpServer } from "./smtp.testing.ts";

const logger = pino({ level: "silent" });
const clock = new FixedClock("2026-03-01T08:00:00Z");
const hostileOrg = `<script>alert("pwned")</script> & Co`;
let database: TestDatabase;
let smtp: TestSmtpServer;
let mailer: Mailer;
let jobs: JobQueue;
let mail: MailService;
let heldJobs: JobQueue;
let held: MailService;

before(async () => {
  database = await testDatabase();
  smtp = await startTestSmtpServer();
  mailer = createSmtpMailer(smtp.url, { timeoutMs: 5000 });
  jobs = createJobQueue({ database, connectionString: database.url, logger, work: true });
  mail = createMailService({ db: database.db, clock, jobs, mailer, from: "ectrust <no-reply@ectrust.example>", logger, retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 1, pollSeconds: 0.5 } });
  await jobs.start();
  // A second process without SMTP: it only holds mail.
  heldJobs = createJobQueue({ database, connectionString: database.url, logger, work: false });
  // (queue options live in the database, so both processes declare the same retries)
  held = createMailService({ db: database.db, clock, jobs: heldJobs, mailer: undefined, from: "ectrust <no-reply@ectrust.example>", logger, retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 1, pollSeconds: 0.5 } });
  await heldJobs.start();
});

after(async () => {
  await heldJobs.stop();
  await jobs.stop();
  mailer.close();
  await smtp.close();
  await database.close();
});

async function statusOf(id: string): Promise<OutboxItem> {
  return mail.getMessage(id);
}

async function until(what: string, check: () => Promise<boolean>, ms = 9000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("a message written in a transaction is delivered over SMTP, in zh-TW and English, with hostile values escaped", async () => {
  const before = smtp.received.length;
  const ids = await database.db.transaction(async (tx) => {
    const zh = await mail.enqueue(tx, { to: "owner@shop.example", template: "invitation", locale: "zh-TW", vars: { organisation: hostileOrg, role: "merchant_admin", link: "https://ectrust.example/accept-invite#token=t1", days: "7" } });
    const en = await mail.enqueue(tx, { to: "Staff@Shop.example", template: "invitation", locale: "en", vars: { organisation: hostileOrg, role: "merchant_staff", link: "https://ectrust.example/accept-invite#token=t2", days: "7" } });
    return [zh, en] as const;
  });
  assert.deepEqual(ids.map((i) => i.status), ["queued", "queued"]);
  const got = (await smtp.waitFor(before + 2)).slice(before);
  await until("both sent", async () => (await statusOf(ids[0].id)).status === "sent" && (await statusOf(ids[1].id)).status === "sent");

  const zh = got.find((m) => m.envelope.to[0] === "owner@shop.example");
  // (nodemailer lower-cases the domain; the local part is the receiver's business)
  const en = got.find((m) => m.envelope.to[0] === "Staff@shop.example");
  assert.ok(zh && en);
  assert.equal(zh.envelope.from, "no-reply@ectrust.example");
  assert.equal(zh.parsed.from?.value[0]?.address, "no-reply@ectrust.example");
  assert.equal(zh.parsed.messageId, `<${ids[0].id}@ectrust.example>`);
  assert.equal(zh.parsed.subject, `邀請您加入「${hostileOrg}」— ectrust`);
  assert.match(zh.parsed.text ?? "", /以「商家管理者」身分加入/);
  assert.ok((zh.parsed.text ?? "").includes(hostileOrg), "plain text carries the name as written");
  assert.equal(en.parsed.subject, `Invitation to join ${hostileOrg} on ectrust`);
  assert.match(en.parsed.text ?? "", /as merchant staff/);
  for (const m of [zh, en]) {
    const html = typeof m.parsed.html === "string" ? m.parsed.html : "";
    assert.ok(html.length > 0, "an HTML part arrived");
    assert.ok(!html.includes("<script>"), "no script element in the HTML");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; Co"));
  }
  assert.match(typeof zh.parsed.html === "string" ? zh.parsed.html : "", /<a href="https:\/\/ectrust\.example\/accept-invite#token=t1">/);

  // the outbox does not show the live link of mail that went out (an authority reader could use it)
  const shown = await mail.getMessage(ids[0].id);
  assert.ok(!shown.textBody.includes("token=t1") && !(shown.htmlBody ?? "").includes("token=t1"), "a sent invitation's token is shown in the outbox");
  assert.match(shown.textBody, /accept-invite#token=redacted/);
  assert.match(shown.htmlBody ?? "", /accept-invite#token=redacted/);

  const row = await statusOf(ids[0].id);
  assert.equal(row.attempts, 1);
  assert.equal(row.sentAt?.toISOString(), clock.now().toISOString());
  assert.equal(row.lastError, null);
});

test("a header-injection attempt in a value stays inside the subject", async () => {
  const before = smtp.received.length;
  const { id } = await database.db.transaction((tx) =>
    mail.enqueue(tx, { to: "ops@ectrust.example", template: "alert", locale: "en", vars: { title: "Scan done\r\nBcc: victim@example.com", message: "ok", link: "https://ectrust.example/" } }),
  );
  const [m] = (await smtp.waitFor(before + 1)).slice(before);
  assert.ok(m);
  assert.deepEqual(m.envelope.to, ["ops@ectrust.example"]);
  assert.equal(m.parsed.bcc, undefined);
  assert.equal(m.parsed.subject, "[ectrust alert] Scan done Bcc: victim@example.com");
  await until("sent", async () => (await statusOf(id)).status === "sent");
});

test("a temporary refusal is retried and ends failed with the server's answer", async () => {
  smtp.refuse("busy@shop.example", 451);
  const { id } = await database.db.transaction((tx) =>
    mail.enqueue(tx, { to: "busy@shop.example", template: "password_reset", locale: "en", vars: { name: "A", link: "https://ectrust.example/r", minutes: "30" } }),
  );
  await until("failed after retries", async () => (await statusOf(id)).status === "failed");
  const row = await statusOf(id);
  assert.equal(row.attempts, 3, "first attempt + 2 retries");
  assert.match(row.lastError ?? "", /451/);
  // the row is marked before the handler throws; the job's own state follows a moment later
  await until("the job is visible as failed too", async () => (await jobs.failed("mail.deliver")).some((j) => (j.data as { id: string }).id === id));
});

test("a permanent refusal fails at once, without pointless retries", async () => {
  smtp.refuse("nobody@shop.example", 550);
  const { id } = await database.db.transaction((tx) =>
    mail.enqueue(tx, { to: "nobody@shop.example", template: "password_reset", locale: "zh-TW", vars: { name: "A", link: "https://ectrust.example/r", minutes: "30" } }),
  );
  await until("failed", async () => (await statusOf(id)).status === "failed");
  await new Promise((r) => setTimeout(r, 1500));
  const row = await statusOf(id);
  assert.equal(row.attempts, 1);
  assert.match(row.lastError ?? "", /550/);
});

test("nothing is written when the transaction rolls back or the address is bad", async () => {
  const count = async (): Promise<number> => (await database.db.select().from(mailOutbox)).length;
  const n = await count();
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await mail.enqueue(tx, { to: "x@shop.example", template: "alert", locale: "en", vars: { title: "t", message: "m", link: "https://ectrust.example/" } });
      throw new Error("the caller's change failed");
    }),
    /caller's change failed/,
  );
  for (const to of ["not an address", "a@b.example, c@d.example", "Eve <eve@x.example>", "a@b.example\r\nBcc: c@d.example", "@b.example"]) {
    await assert.rejects(
      database.db.transaction((tx) => mail.enqueue(tx, { to, template: "alert", locale: "en", vars: { title: "t", message: "m", link: "https://ectrust.example/" } })),
      (e: unknown) => e instanceof AppError && e.code === "validation" && e.fields[0]?.field === "to",
      to,
    );
  }
  assert.equal(await count(), n);
  await new Promise((r) => setTimeout(r, 800));
  assert.ok(!smtp.received.some((m) => m.envelope.to.includes("x@shop.example")), "no job escaped the rollback");
});

test("without SMTP, messages are held and readable; releasing them delivers them", async () => {
  const before = smtp.received.length;
  const { id, status } = await database.db.transaction((tx) =>
    held.enqueue(tx, { to: "held@shop.example", template: "alert", locale: "zh-TW", orgId: "00000000-0000-4000-8000-000000000001", vars: { title: "測試", message: "<b>hi</b>", link: "https://ectrust.example/" } }),
  );
  assert.equal(status, "held");
  assert.equal(held.delivering, false);
  const msg = await held.getMessage(id);
  assert.equal(msg.status, "held");
  assert.match(msg.textBody, /<b>hi<\/b>/);
  assert.match(msg.htmlBody ?? "", /&lt;b&gt;hi&lt;\/b&gt;/);
  const page = await held.listOutbox({ status: "held", limit: 10 });
  assert.deepEqual(page.items.map((i) => i.id), [id]);
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(smtp.received.length, before, "held mail is not sent");

  await assert.rejects(held.releaseHeld(), (e: unknown) => e instanceof AppError && e.code === "unavailable");
  // nor can failed mail be queued again without a server: it would only wait
  await assert.rejects(held.retryFailed({ kind: "user", userId: "u", orgId: "o", orgKind: "authority", role: "authority_admin" }, { limit: 10 }), (e: unknown) => e instanceof AppError && e.code === "unavailable");
  assert.equal(await mail.releaseHeld(), 1);
  await smtp.waitFor(before + 1);
  await until("released mail sent", async () => (await statusOf(id)).status === "sent");
  assert.equal(await mail.releaseHeld(), 0);

  // a held invitation keeps its link (the authority forwards it); once released and sent, it is redacted
  const inv = await database.db.transaction((tx) =>
    held.enqueue(tx, { to: "invitee@shop.example", template: "invitation", locale: "en", vars: { organisation: "Shop", role: "merchant_staff", link: "https://ectrust.example/accept-invite#token=Abc-123_x", days: "7" } }),
  );
  assert.match((await held.getMessage(inv.id)).textBody, /#token=Abc-123_x/);
  // a held password reset shows no link even while held: anyone can ask for one for any address
  const reset = await database.db.transaction((tx) =>
    held.enqueue(tx, { to: "owner@shop.example", template: "password_reset", locale: "en", vars: { name: "Owner", link: "https://ectrust.example/reset-password#token=Reset-999", minutes: "60" } }),
  );
  const shownReset = await held.getMessage(reset.id);
  assert.equal(shownReset.status, "held");
  assert.ok(!shownReset.textBody.includes("Reset-999") && !(shownReset.htmlBody ?? "").includes("Reset-999"));
  assert.equal(await mail.releaseHeld(), 2);
  await until("released invitation and reset sent", async () => (await statusOf(inv.id)).status === "sent" && (await statusOf(reset.id)).status === "sent");
  assert.doesNotMatch((await held.getMessage(inv.id)).textBody, /Abc-123_x/);
});

test("the outbox lists newest first with keyset pages, filters, and refuses a forged cursor", async () => {
  const orgA = "00000000-0000-4000-8000-00000000000a";
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    if (i !== 2) clock.advance(1000); // two rows share a timestamp: the id breaks the tie
    const r = await database.db.transaction((tx) =>
      held.enqueue(tx, { to: `p${i}@shop.example`, template: "alert", locale: "en", orgId: orgA, vars: { title: `t${i}`, message: "m", link: "https://ectrust.example/" } }),
    );
    ids.push(r.id);
  }
  const seen: string[] = [];
  let before: string | undefined;
  let pages = 0;
  do {
    const page = await listOutbox(database.db, { orgId: orgA, limit: 2, before });
    seen.push(...page.items.map((i) => i.id));
    before = page.nextBefore ?? undefined;
    pages++;
  } while (before);
  assert.equal(pages, 3);
  assert.equal(new Set(seen).size, 5, "no row twice");
  assert.deepEqual(new Set(seen), new Set(ids));
  const times = (await listOutbox(database.db, { orgId: orgA, limit: 5 })).items.map((i) => i.createdAt.getTime());
  assert.deepEqual(times, [...times].sort((a, b) => b - a), "newest first");
  assert.equal((await listOutbox(database.db, { orgId: orgA, status: "sent", limit: 5 })).items.length, 0);

  const forged = (at: string): string => Buffer.from(JSON.stringify([at, "00000000-0000-4000-8000-000000000001"])).toString("base64url");
  for (const bad of [{ before: "bm90IGEgY3Vyc29y" }, { before: forged("-271821-04-20T00:00:00.000Z") }, { before: forged("+275760-09-13T00:00:00.000Z") }, { limit: 0 }, { limit: 201 }, { orgId: "x' or 1=1 --" }, { status: "deleted" as "sent" }]) {
    await assert.rejects(
      listOutbox(database.db, { limit: 5, ...bad }),
      (e: unknown) => e instanceof AppError && e.code === "validation",
      JSON.stringify(bad),
    );
  }
  await assert.rejects(mail.getMessage("00000000-0000-4000-8000-000000000999"), (e: unknown) => e instanceof AppError && e.code === "not_found");
  await assert.rejects(mail.getMessage("../etc"), (e: unknown) => e instanceof AppError && e.code === "not_found");
});

test("delivery skips a message already sent (a repeated job sends nothing twice)", async () => {
  const before = smtp.received.length;
  const { id } = await database.db.transaction((tx) =>
    mail.enqueue(tx, { to: "once@shop.example", template: "alert", locale: "en", vars: { title: "t", message: "m", link: "https://ectrust.example/" } }),
  );
  await until("sent", async () => (await statusOf(id)).status === "sent");
  // the same job again is refused by its singleton key, so nothing else can be sent for this row
  assert.equal(await jobs.send("mail.deliver", { id }, { singletonKey: id }), null);
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(smtp.received.filter((m) => m.envelope.to.includes("once@shop.example")).length, 1);
  assert.equal(smtp.received.length, before + 1);
  const [row] = await database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
  assert.equal(row?.attempts, 1);
});
