// Keeping the outbox truthful when delivery stops without a word, and sending failed mail again.
//
// reconcileOutbox: a `mail.deliver` job records its outcome on the outbox row itself. An attempt
// that never returns cannot: killed by the job's timeout, or its worker gone (a crash, a kill -9,
// a lost machine); pg-boss then fails the job, and the row would say `queued` for ever. The sweep
// (`mail.reconcile`, every 5 minutes) marks such rows failed, with the job's reason.
//
// retryFailedMail: after an SMTP outage longer than the retries (about half an hour), the authority
// queues failed mail again in bulk, oldest first, a bounded number a call.
import { and, asc, count, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../actor.ts";
import { appendAudit } from "../audit/audit.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { forbidden, invalid } from "../errors.ts";
import type { JobQueue, KeyedJob } from "../jobs/queue.ts";
import { MAIL_RETRY_MAX } from "./mail.limits.ts";
import { mailOutbox } from "./mail.tables.ts";

export const MAIL_DELIVER_JOB = "mail.deliver";
export const MAIL_RECONCILE_JOB = "mail.reconcile";
/** how often the sweep runs (cron, UTC) */
export const MAIL_RECONCILE_CRON = "*/5 * * * *";
const SWEEP_BATCH = 500;

/**
 * Why a queued row's delivery has stopped, or undefined while it is still on its way (its job waits
 * or runs). Every path that queues a row stores its job in the same transaction, so a queued row
 * without a job lost it (deleted after `keepDays`).
 */
export function strandedReason(job: KeyedJob | undefined): string | undefined {
  if (!job) return "the delivery job no longer exists";
  switch (job.state) {
    case "failed":
      return `the delivery job failed: ${jobErrorMessage(job.error)}`;
    case "cancelled":
      return "the delivery job was cancelled";
    case "completed":
      return "the delivery job ended without recording a result";
    default:
      return undefined;
  }
}

/** The message in a job's error: a thrown Error ({ message }) or pg-boss's own ({ value: { message } }). */
function jobErrorMessage(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  const message = typeof o?.message === "string" ? o.message : typeof o?.value?.message === "string" ? o.value.message : undefined;
  if (message !== undefined) return message;
  return output === null || output === undefined ? "no reason recorded" : JSON.stringify(output).slice(0, 300);
}

/** Marks failed every queued row whose delivery job has finished without it (see strandedReason). Returns how many. */
export async function reconcileOutbox(db: Db, jobs: JobQueue): Promise<number> {
  let marked = 0;
  let after: { at: Date; id: string } | undefined;
  for (;;) {
    const conds: SQL[] = [eq(mailOutbox.status, "queued")];
    if (after) conds.push(sql`(${mailOutbox.createdAt}, ${mailOutbox.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`);
    const rows = await db
      .select({ id: mailOutbox.id, lastError: mailOutbox.lastError, createdAt: mailOutbox.createdAt })
      .from(mailOutbox)
      .where(and(...conds))
      .orderBy(asc(mailOutbox.createdAt), asc(mailOutbox.id))
      .limit(SWEEP_BATCH);
    const found = await jobs.keyed(MAIL_DELIVER_JOB, rows.map((r) => r.id));
    for (const row of rows) {
      const job = found.get(row.id);
      const reason = strandedReason(job);
      if (reason === undefined) continue;
      const lastError = (row.lastError ? `${reason}; the attempt before: ${row.lastError}` : reason).slice(0, 1000);
      // Still queued only: an attempt that recorded its outcome meanwhile has the last word.
      const done = await db
        .update(mailOutbox)
        .set({ status: "failed", lastError, ...(job ? { attempts: sql`greatest(${mailOutbox.attempts}, ${job.attempts})` } : {}) })
        .where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.status, "queued")))
        .returning({ id: mailOutbox.id });
      marked += done.length;
    }
    const last = rows[rows.length - 1];
    if (rows.length < SWEEP_BATCH || !last) return marked;
    after = { at: last.createdAt, id: last.id };
  }
}

export interface RetryFailedQuery {
  /** created at or after */
  from?: Date | undefined;
  /** created before */
  to?: Date | undefined;
  /** 1–MAIL_RETRY_MAX */
  limit: number;
}

export interface RetryFailedResult {
  /** messages queued again by this call */
  retried: number;
  /** failed messages in the range still left (call again for them) */
  remaining: number;
  ids: string[];
}

/**
 * Queues failed messages again, oldest first, at most `limit`, each with a fresh delivery job (the
 * queue's full retries), in one transaction with its audit entry. A message queued, sent or held
 * is never touched, so a repeated call sends nothing twice.
 */
export async function retryFailedMail(deps: { db: Db; clock: Clock; jobs: JobQueue }, actor: Actor, query: RetryFailedQuery): Promise<RetryFailedResult> {
  if (actor.kind !== "user" && actor.kind !== "token") throw forbidden();
  const limit = Math.trunc(query.limit);
  if (!(limit >= 1 && limit <= MAIL_RETRY_MAX)) throw invalid("limit", `must be between 1 and ${MAIL_RETRY_MAX}`);
  if (query.from && query.to && !(query.from < query.to)) throw invalid("to", "must be later than from");
  const range: SQL[] = [eq(mailOutbox.status, "failed")];
  if (query.from) range.push(gte(mailOutbox.createdAt, query.from));
  if (query.to) range.push(lt(mailOutbox.createdAt, query.to));
  return deps.db.transaction(async (tx) => {
    // skip locked: two administrators pressing at once queue different messages, not the same twice
    const picked = await tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(...range))
      .orderBy(asc(mailOutbox.createdAt), asc(mailOutbox.id))
      .limit(limit)
      .for("update", { skipLocked: true });
    const ids = picked.map((r) => r.id);
    if (ids.length > 0) {
      await tx.update(mailOutbox).set({ status: "queued" }).where(inArray(mailOutbox.id, ids));
      await deps.jobs.resend(MAIL_DELIVER_JOB, ids.map((id) => ({ singletonKey: id, data: { id } })), { tx });
      await appendAudit(tx, deps.clock, actor, {
        action: "mail.retried",
        objectType: "mail_outbox",
        objectId: ids.length === 1 && ids[0] ? ids[0] : "bulk",
        summary: { count: ids.length, from: query.from?.toISOString() ?? null, to: query.to?.toISOString() ?? null, messageIds: ids },
      });
    }
    const [left] = await tx.select({ n: count() }).from(mailOutbox).where(and(...range));
    return { retried: ids.length, remaining: left?.n ?? 0, ids };
  });
}
