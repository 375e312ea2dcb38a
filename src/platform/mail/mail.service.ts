// The mail outbox. A module writes a message in its own transaction (enqueue): the rendered
// message is stored, and, when an SMTP server is configured, a `mail.deliver` job is stored in
// the same transaction. The job sends it and marks it sent; after the last retry, or when the
// server refuses it for good (5xx), it is marked failed with the server's answer. Without an SMTP
// server messages are `held`: stored and readable by the authority in the outbox view, and sent
// by releaseHeld() once a server is configured.
//
// An attempt that never records its outcome (killed by the job's timeout, or its worker gone) is
// caught by the `mail.reconcile` sweep, and failed mail can be queued again in bulk
// (mail.recovery.ts).
//
// Delivery is at-least-once: a worker that dies after the server accepted a message and before it
// recorded that will send it again. The Message-ID is the same on every attempt
// (`<outbox id@sender domain>`), so receiving systems can drop the duplicate.
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Logger } from "pino";
import type { Actor } from "../actor.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { decodeTimeCursor, encodeTimeCursor } from "../db/pg-values.ts";
import { AppError, invalid, notFound } from "../errors.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { isMailAddress } from "./address.ts";
import { MAIL_DELIVER_JOB, MAIL_RECONCILE_CRON, MAIL_RECONCILE_JOB, reconcileOutbox, retryFailedMail, type RetryFailedQuery, type RetryFailedResult } from "./mail.recovery.ts";
import { mailTemplates } from "./mail.templates.ts";
import { mailOutbox } from "./mail.tables.ts";
import { MailDeliveryError, type Mailer } from "./mailer.ts";
import type { Locale, TemplateRegistry } from "./templates.ts";

export type MailStatus = "queued" | "sent" | "failed" | "held";
export const mailStatuses: readonly MailStatus[] = ["queued", "sent", "failed", "held"];

export interface MailMessage {
  to: string;
  template: string;
  locale: Locale;
  vars: Record<string, string>;
  /** the organisation the message concerns, for the outbox view */
  orgId?: string | null | undefined;
}

export interface OutboxItem {
  id: string;
  to: string;
  subject: string;
  template: string;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  orgId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxMessage extends OutboxItem {
  textBody: string;
  htmlBody: string | null;
}

export interface OutboxQuery {
  status?: MailStatus | undefined;
  orgId?: string | undefined;
  /** the `nextBefore` of the previous page */
  before?: string | undefined;
  /** 1–200 */
  limit: number;
}

export interface OutboxPage {
  items: OutboxItem[];
  /** pass as `before` for the next (older) page; null on the last page */
  nextBefore: string | null;
}

export interface MailService {
  /** Stores a rendered message in the caller's transaction; queued for delivery, or held without SMTP. */
  enqueue(tx: Db, message: MailMessage): Promise<{ id: string; status: "queued" | "held" }>;
  /** Newest first, keyset-paginated. */
  listOutbox(query: OutboxQuery): Promise<OutboxPage>;
  /** One message with its bodies; not_found for an unknown id. */
  getMessage(id: string): Promise<OutboxMessage>;
  /** Queues every held message for delivery (after an SMTP server was configured). Returns how many. */
  releaseHeld(): Promise<number>;
  /** Queues failed messages again (oldest first, bounded, audited); unavailable without SMTP. */
  retryFailed(actor: Actor, query: RetryFailedQuery): Promise<RetryFailedResult>;
  /** Marks failed the queued messages whose delivery job ended without them (what the `mail.reconcile` sweep runs). Returns how many. */
  reconcile(): Promise<number>;
  /** true when this process has an SMTP server to send through */
  readonly delivering: boolean;
}

export interface MailServiceDeps {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  /** undefined: no SMTP server; messages are held */
  mailer: Mailer | undefined;
  /** the From header, e.g. `ectrust <no-reply@example.tw>` */
  from: string;
  logger: Logger;
  templates?: TemplateRegistry;
  /** delivery retries (defaults: 5 retries, 60 s doubling, at most 1 h apart; an attempt times out after 300 s) */
  retry?: { limit?: number; delaySeconds?: number; maxDelaySeconds?: number; pollSeconds?: number; timeoutSeconds?: number };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const outboxColumns = {
  id: mailOutbox.id,
  to: mailOutbox.toAddress,
  subject: mailOutbox.subject,
  template: mailOutbox.template,
  status: mailOutbox.status,
  attempts: mailOutbox.attempts,
  lastError: mailOutbox.lastError,
  orgId: mailOutbox.orgId,
  createdAt: mailOutbox.createdAt,
  sentAt: mailOutbox.sentAt,
};

export function createMailService(deps: MailServiceDeps): MailService {
  const { db, clock, jobs, mailer, logger } = deps;
  const templates = deps.templates ?? mailTemplates;
  const log = logger.child({ component: "mail" });
  const retryLimit = deps.retry?.limit ?? 5;
  const senderDomain = /@([^>\s]+)>?\s*$/.exec(deps.from)?.[1] ?? "ectrust.localhost";

  jobs.register<{ id: string }>(MAIL_DELIVER_JOB, (data, ctx) => deliver(data.id, ctx.lastAttempt), {
    retryLimit,
    retryDelaySeconds: deps.retry?.delaySeconds ?? 60,
    retryBackoff: true,
    retryDelayMaxSeconds: deps.retry?.maxDelaySeconds ?? 3600,
    concurrency: 4,
    timeoutSeconds: deps.retry?.timeoutSeconds ?? 300,
    ...(deps.retry?.pollSeconds ? { pollSeconds: deps.retry.pollSeconds } : {}),
    parse: (data) => {
      const id = (data as { id?: unknown } | null)?.id;
      if (typeof id !== "string" || !UUID.test(id)) throw new Error("mail.deliver: payload needs an outbox id");
      return { id };
    },
  });

  jobs.register(MAIL_RECONCILE_JOB, async () => {
    const marked = await reconcileOutbox(db, jobs);
    if (marked > 0) log.warn({ marked }, "outbox: queued messages whose delivery job ended without them were marked failed");
  }, { retryLimit: 0, cron: MAIL_RECONCILE_CRON });

  /** Sends one outbox message; `final` on the last attempt the queue will make. */
  async function deliver(id: string, final: boolean): Promise<void> {
    const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
    if (!row) {
      log.warn({ outboxId: id }, "mail.deliver: no such outbox message");
      return;
    }
    // Sent already (a repeated job), or held: nothing to do. A failed one is sent again only
    // when an operator retries its job.
    if (row.status === "sent" || row.status === "held") return;
    if (!mailer) throw new Error("this process has no SMTP server configured (SMTP_URL), so it cannot deliver mail");
    try {
      await mailer.send({
        from: deps.from,
        to: row.toAddress,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody ?? undefined,
        messageId: `<${row.id}@${senderDomain}>`,
      });
    } catch (error) {
      const permanent = error instanceof MailDeliveryError && error.permanent;
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      const failed = permanent || final;
      await db
        .update(mailOutbox)
        .set({ attempts: sql`${mailOutbox.attempts} + 1`, lastError: message, ...(failed ? { status: "failed" as const } : {}) })
        .where(eq(mailOutbox.id, id));
      log.warn({ outboxId: id, permanent, failed, err: error }, "mail delivery attempt failed");
      // A permanent refusal ends here (retrying cannot help); anything else goes back to the queue.
      if (permanent) return;
      throw error;
    }
    await db
      .update(mailOutbox)
      .set({ status: "sent", sentAt: clock.now(), attempts: sql`${mailOutbox.attempts} + 1`, lastError: null })
      .where(eq(mailOutbox.id, id));
    log.info({ outboxId: id, template: row.template }, "mail sent");
  }

  return {
    delivering: mailer !== undefined,

    async enqueue(tx, message) {
      const to = message.to.trim();
      if (!isMailAddress(to)) throw invalid("to", "must be one e-mail address");
      if (!templates.has(message.template)) throw new AppError("internal", `unknown mail template "${message.template}"`);
      const rendered = templates.render(message.template, message.locale, message.vars);
      const status = mailer ? ("queued" as const) : ("held" as const);
      const [row] = await tx
        .insert(mailOutbox)
        .values({
          toAddress: to,
          subject: rendered.subject,
          textBody: rendered.text,
          htmlBody: rendered.html,
          status,
          template: message.template,
          orgId: message.orgId ?? null,
          createdAt: clock.now(),
        })
        .returning({ id: mailOutbox.id });
      if (!row) throw new AppError("internal", "the outbox row was not written");
      if (status === "queued") await jobs.send(MAIL_DELIVER_JOB, { id: row.id }, { tx, singletonKey: row.id });
      return { id: row.id, status };
    },

    listOutbox: (query) => listOutbox(db, query),

    async getMessage(id) {
      if (!UUID.test(id)) throw notFound("The message");
      const [row] = await db
        .select({ ...outboxColumns, textBody: mailOutbox.textBody, htmlBody: mailOutbox.htmlBody })
        .from(mailOutbox)
        .where(eq(mailOutbox.id, id));
      if (!row) throw notFound("The message");
      // The authority forwards held mail by hand, so a held invitation keeps its link. A password
      // reset never does: anyone can ask for one for any address, and its link read here would let
      // the outbox's reader take the account over. Without SMTP, resets wait for releaseHeld.
      if (row.status === "held" && row.template !== "password_reset") return row;
      return { ...row, textBody: redactLinkTokens(row.textBody), htmlBody: row.htmlBody === null ? null : redactLinkTokens(row.htmlBody) };
    },

    async releaseHeld() {
      if (!mailer) throw new AppError("unavailable", "No SMTP server is configured (SMTP_URL), so held mail cannot be sent.");
      let released = 0;
      for (;;) {
        const n = await db.transaction(async (tx) => {
          const rows = await tx
            .update(mailOutbox)
            .set({ status: "queued" })
            .where(inArray(mailOutbox.id, tx.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.status, "held")).limit(500)))
            .returning({ id: mailOutbox.id });
          for (const r of rows) await jobs.send(MAIL_DELIVER_JOB, { id: r.id }, { tx, singletonKey: r.id });
          return rows.length;
        });
        released += n;
        if (n === 0) return released;
      }
    },

    async retryFailed(actor, query) {
      if (!mailer) throw new AppError("unavailable", "No SMTP server is configured (SMTP_URL), so failed mail cannot be sent again.");
      return retryFailedMail({ db, clock, jobs }, actor, query);
    },

    reconcile: () => reconcileOutbox(db, jobs),
  };
}

/**
 * A mailed link's secret (`#token=…` of invitations and password resets) replaced by "redacted".
 * Mail that went out (or is going out) was for its recipient: the outbox's reader, an authority
 * administrator, has no use for a live link into someone else's account.
 */
export function redactLinkTokens(body: string): string {
  return body.replace(/([#?&]token=)[A-Za-z0-9_~.%-]+/g, "$1redacted");
}

/** The authority's outbox view: newest first, filtered by status and organisation, keyset-paginated. */
export async function listOutbox(db: Db, query: OutboxQuery): Promise<OutboxPage> {
  const limit = Math.trunc(query.limit);
  if (!(limit >= 1 && limit <= 200)) throw invalid("limit", "must be between 1 and 200");
  if (query.status !== undefined && !mailStatuses.includes(query.status)) throw invalid("status", `must be one of ${mailStatuses.join(", ")}`);
  const conds: SQL[] = [];
  if (query.status) conds.push(eq(mailOutbox.status, query.status));
  if (query.orgId) {
    if (!UUID.test(query.orgId)) throw invalid("orgId", "must be an organisation id");
    conds.push(eq(mailOutbox.orgId, query.orgId));
  }
  if (query.before) {
    const c = decodeTimeCursor(query.before);
    conds.push(sql`(${mailOutbox.createdAt}, ${mailOutbox.id}) < (${new Date(c.at).toISOString()}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await db
    .select(outboxColumns)
    .from(mailOutbox)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextBefore: rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.id) : null };
}
