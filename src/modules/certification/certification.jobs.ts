// Timers of the mark lifecycle, as one idempotent sweep run on the job queue (every 15 minutes
// and on demand). Each due item raises an alarm (once: unique per application, kind and date),
// mails the people concerned, and where the lifecycle says so takes the timer's transition as
// the system. Items are handled one transaction each; one failure does not stop the rest.
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { systemActor } from "../../platform/actor.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import type { JobQueue } from "../../platform/jobs/queue.ts";
import type { MailTemplate, TemplateRegistry } from "../../platform/mail/templates.ts";
import type { CertificationService } from "./certification.service.ts";
import { certAlarms, certApplications } from "./certification.tables.ts";
import { addMonths } from "./lifecycle.ts";
import { certEvidence, certEvidenceLinks } from "./records.tables.ts";

export const SWEEP_JOB = "certification.sweep";

export const alarmKinds = ["ca_overdue", "activation_overdue", "surveillance_due", "suspension_ended", "expired", "renewal_reminder", "evidence_expired"] as const;

export interface NoticeMessage {
  template: string;
  vars: Record<string, string>;
}
/** Queues a message to the prepared recipients inside the caller's transaction. */
export type NoticeSender = (tx: Db, message: NoticeMessage) => Promise<void>;

/**
 * Who to tell: the port the composition root fills from the accounts service. Two steps, because
 * the recipients are read through another service on its own connection, which on PGlite (one
 * connection) must happen before our transaction opens, never inside it.
 */
export interface Notifier {
  /** reads the organisations' administrators now; the sender queues mail to them in a transaction */
  prepare(orgIds: readonly string[]): Promise<NoticeSender>;
}

export const alarmTemplate: MailTemplate = {
  name: "certification.alarm",
  vars: ["kind", "scheme", "application", "due"],
  labels: {
    kind: {
      ca_overdue: { "zh-TW": "矯正措施逾期", en: "corrective actions overdue" },
      activation_overdue: { "zh-TW": "標章啟用期限已過", en: "activation deadline passed" },
      surveillance_due: { "zh-TW": "追查稽核到期", en: "surveillance audit due" },
      suspension_ended: { "zh-TW": "暫停期間屆滿", en: "suspension period ended" },
      expired: { "zh-TW": "標章效期屆滿", en: "mark expired" },
      renewal_reminder: { "zh-TW": "標章續約提醒", en: "mark renewal reminder" },
      evidence_expired: { "zh-TW": "佐證資料已過期", en: "linked evidence has expired" },
    },
  },
  "zh-TW": { subject: "ectrust 驗證提醒：{{kind}}", text: "您好：\n\n{{scheme}} 申請案 {{application}}：{{kind}}（日期 {{due}}）。\n\n請登入 ectrust 查看並處理。" },
  en: { subject: "ectrust certification: {{kind}}", text: "Hello,\n\n{{scheme}} application {{application}}: {{kind}} (date {{due}}).\n\nSign in to ectrust to review it." },
};

export function addCertificationTemplates(registry: TemplateRegistry): void {
  if (!registry.has(alarmTemplate.name)) registry.add(alarmTemplate);
}

interface Due {
  kind: (typeof alarmKinds)[number];
  /** the system transition the timer takes, if any */
  event: string | null;
  status: string[];
  column: typeof certApplications.caDueAt;
}

const timers: Due[] = [
  { kind: "ca_overdue", event: "ca_timeout", status: ["corrective_action"], column: certApplications.caDueAt },
  { kind: "activation_overdue", event: "activation_timeout", status: ["approved_pending_activation"], column: certApplications.activationDueAt },
  { kind: "surveillance_due", event: "surveillance_due", status: ["active"], column: certApplications.surveillanceDueAt },
  { kind: "suspension_ended", event: "suspension_timeout", status: ["suspended"], column: certApplications.suspendedUntil },
  { kind: "expired", event: "expire", status: ["active", "active_under_surveillance", "suspended"], column: certApplications.validTo },
];

export interface SweepResult {
  alarms: number;
  transitions: number;
  errors: number;
}

export function createCertificationTimers(deps: { db: Db; clock: Clock; certification: CertificationService; notifier: Notifier; logger?: Logger }) {
  const { db, clock, certification, notifier } = deps;
  const actor = systemActor("certification.timers");

  /** Raises an alarm once; mails the body and the merchant when it is new. */
  async function raise(tx: Db, app: typeof certApplications.$inferSelect, kind: string, dueAt: Date, send: NoticeSender): Promise<boolean> {
    const [row] = await tx
      .insert(certAlarms)
      .values({ applicationId: app.id, cbOrgId: app.cbOrgId, merchantOrgId: app.merchantOrgId, kind, dueAt, raisedAt: clock.now() })
      .onConflictDoNothing()
      .returning({ id: certAlarms.id });
    if (!row) return false;
    const vars = { kind: kind.startsWith("renewal_reminder") ? "renewal_reminder" : kind, scheme: app.scheme, application: app.markNumber ?? app.id, due: dueAt.toISOString().slice(0, 10) };
    await send(tx, { template: alarmTemplate.name, vars });
    return true;
  }

  async function sweep(): Promise<SweepResult> {
    const now = clock.now();
    const out: SweepResult = { alarms: 0, transitions: 0, errors: 0 };
    for (const t of timers) {
      const due = await db.select().from(certApplications).where(and(inArray(certApplications.status, t.status as never[]), lte(t.column, now))).limit(1000);
      for (const app of due) {
        const at = app[t.column.name === "ca_due_at" ? "caDueAt" : t.column.name === "activation_due_at" ? "activationDueAt" : t.column.name === "surveillance_due_at" ? "surveillanceDueAt" : t.column.name === "suspended_until" ? "suspendedUntil" : "validTo"];
        if (!at) continue;
        try {
          const send = await notifier.prepare([app.merchantOrgId, app.cbOrgId]);
          if (await db.transaction((tx) => raise(tx, app, t.kind, at, send))) out.alarms++;
          if (t.event) {
            await certification.transition(actor, app.id, t.event, { reason: `timer: ${t.kind}` });
            out.transitions++;
          }
        } catch (error) {
          out.errors++;
          deps.logger?.warn({ err: error, applicationId: app.id, kind: t.kind }, "certification timer failed");
        }
      }
    }
    // renewal reminders at the scheme's months before valid_to (default −8, −6, −4)
    const holders = await db.select().from(certApplications).where(and(inArray(certApplications.status, ["active", "active_under_surveillance"]), sql`${certApplications.validTo} is not null`)).limit(10_000);
    for (const app of holders) {
      const validTo = app.validTo;
      if (!validTo) continue;
      const { params } = await certification.version(app.scheme, app.schemeVersion);
      for (const m of params.renewalRemindersMonthsBefore) {
        const at = addMonths(validTo, -m);
        if (at > now) continue;
        // only the latest reminder that is due, not the earlier ones a late sweep skipped
        const later = params.renewalRemindersMonthsBefore.filter((x) => x < m && addMonths(validTo, -x) <= now);
        if (later.length) continue;
        try {
          const send = await notifier.prepare([app.merchantOrgId, app.cbOrgId]);
          if (await db.transaction((tx) => raise(tx, app, `renewal_reminder_${m}`, at, send))) out.alarms++;
        } catch (error) {
          out.errors++;
          deps.logger?.warn({ err: error, applicationId: app.id }, "renewal reminder failed");
        }
      }
    }
    // evidence linked to a live application or mark that has passed its expiry: one alarm per expiry date
    const stale = await db
      .selectDistinct({ applicationId: certEvidenceLinks.applicationId, expiresAt: certEvidence.expiresAt })
      .from(certEvidenceLinks)
      .innerJoin(certEvidence, eq(certEvidence.id, certEvidenceLinks.evidenceId))
      .innerJoin(certApplications, eq(certApplications.id, certEvidenceLinks.applicationId))
      .where(and(lte(certEvidence.expiresAt, now), sql`${certApplications.status} not in ('draft','withdrawn','rejected','expired','revoked')`))
      .limit(1000);
    for (const s of stale) {
      if (!s.expiresAt) continue;
      try {
        const [app] = await db.select().from(certApplications).where(eq(certApplications.id, s.applicationId));
        if (!app) continue;
        const send = await notifier.prepare([app.merchantOrgId, app.cbOrgId]);
        const at = s.expiresAt;
        if (await db.transaction((tx) => raise(tx, app, "evidence_expired", at, send))) out.alarms++;
      } catch (error) {
        out.errors++;
        deps.logger?.warn({ err: error, applicationId: s.applicationId }, "evidence expiry alarm failed");
      }
    }
    return out;
  }

  return {
    sweep,
    /** Open alarms: a body sees its own, the authority all. */
    async openAlarms(q: { cbOrgId?: string | undefined; merchantOrgId?: string | undefined }) {
      const conds = [isNull(certAlarms.resolvedAt)];
      if (q.cbOrgId) conds.push(eq(certAlarms.cbOrgId, q.cbOrgId));
      if (q.merchantOrgId) conds.push(eq(certAlarms.merchantOrgId, q.merchantOrgId));
      return db.select().from(certAlarms).where(and(...conds)).orderBy(certAlarms.dueAt).limit(500);
    },
    register(jobs: JobQueue): void {
      jobs.register(SWEEP_JOB, async () => {
        await sweep();
      }, { retryLimit: 2 });
    },
    async schedule(jobs: JobQueue): Promise<void> {
      await jobs.schedule(SWEEP_JOB, "*/15 * * * *");
    },
  };
}

export type CertificationTimers = ReturnType<typeof createCertificationTimers>;
