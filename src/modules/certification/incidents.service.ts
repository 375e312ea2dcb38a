// Incident reports from a mark holder to its certification body (pims-scheme.md §2, INC-05, cf.
// P-Mark 速報/確報): a quick report within the scheme's `incidentReportHours` of discovery, then a
// confirmed report and a recurrence-prevention report; the body records the measure it takes and
// closes the incident (a sanction, if any, is a separate lifecycle transition). A late quick report
// is flagged and raises an alarm. Each step is one transaction with its audit row and a notice.
import { and, desc, eq, ne, type SQL } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { MailTemplate } from "../../platform/mail/templates.ts";
import type { Notifier } from "./certification.jobs.ts";
import type { CertificationService } from "./certification.service.ts";
import { certAlarms, certApplications } from "./certification.tables.ts";
import { certIncidents, type IncidentStage } from "./records.tables.ts";

export type Incident = typeof certIncidents.$inferSelect;

export interface IncidentsDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "load" | "partiesOf" | "version" | "warm">;
  notifier: Notifier;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOLDING = new Set(["active", "active_under_surveillance", "renewal_in_review", "suspended"]);
const NEXT: Record<string, IncidentStage | undefined> = { quick: "confirmed", confirmed: "prevention" };

export const incidentNoticeTemplate: MailTemplate = {
  name: "certification.incident_notice",
  vars: ["stage", "title", "mark"],
  labels: {
    stage: {
      quick: { "zh-TW": "事故速報", en: "quick incident report" },
      confirmed: { "zh-TW": "事故確報", en: "confirmed incident report" },
      prevention: { "zh-TW": "再發防止報告", en: "recurrence-prevention report" },
      closed: { "zh-TW": "驗證機構已處置並結案", en: "closed by the certification body" },
    },
  },
  "zh-TW": { subject: "ectrust 標章 {{mark}}：{{stage}}", text: "您好：\n\n標章 {{mark}} 的事故「{{title}}」：{{stage}}。\n\n請登入 ectrust 查看。" },
  en: { subject: "ectrust mark {{mark}}: {{stage}}", text: "Hello,\n\nIncident \"{{title}}\" of mark {{mark}}: {{stage}}.\n\nSign in to ectrust to review it." },
};

export interface IncidentInput {
  title: string;
  occurredAt: Date;
  discoveredAt: Date;
  recordsAffected: number;
  specialData: boolean;
  text: string;
}

export function createIncidentsService(deps: IncidentsDeps) {
  const { db, clock, certification, notifier } = deps;

  const holderAdmin = (a: Actor): a is Extract<Actor, { kind: "user" | "token" }> => (a.kind === "user" || a.kind === "token") && a.role === "merchant_admin";

  async function loadIncident(tx: Db, actor: Actor, incidentId: string, lock = false): Promise<Incident> {
    if (!UUID.test(incidentId) || (actor.kind !== "user" && actor.kind !== "token")) throw notFound("The incident");
    const q = tx.select().from(certIncidents).where(eq(certIncidents.id, incidentId));
    const [row] = lock ? await q.for("update") : await q;
    const sees = row && (actor.orgKind === "authority" || actor.orgId === row.merchantOrgId || (actor.orgId === row.cbOrgId && actor.role === "cb_admin"));
    if (!row || !sees) throw notFound("The incident");
    return row;
  }

  const markOf = async (applicationId: string): Promise<string> => (await db.select({ m: certApplications.markNumber }).from(certApplications).where(eq(certApplications.id, applicationId)))[0]?.m ?? applicationId;

  return {
    /** The holder's quick report (速報). */
    async report(actor: Actor, id: string, input: IncidentInput): Promise<Incident> {
      if (!holderAdmin(actor)) throw forbidden("The mark holder's administrator reports incidents.");
      const now = clock.now();
      if (input.discoveredAt < input.occurredAt) throw invalid("discoveredAt", "must not be before occurredAt");
      if (input.discoveredAt > now) throw invalid("discoveredAt", "must not be in the future");
      await certification.warm(id);
      const app0 = UUID.test(id) ? (await db.select({ m: certApplications.merchantOrgId, c: certApplications.cbOrgId }).from(certApplications).where(eq(certApplications.id, id)))[0] : undefined;
      const send = await notifier.prepare(app0 ? [app0.c, app0.m] : []);
      return db.transaction(async (tx) => {
        const app = await certification.load(tx, actor, id, true);
        if (actor.orgId !== app.merchantOrgId) throw forbidden("Only the mark holder reports its incidents.");
        if (!HOLDING.has(app.status)) throw new AppError("invalid_transition", `Incidents are reported by mark holders; the application is ${app.status}.`);
        const { params } = await certification.version(app.scheme, app.schemeVersion);
        const deadline = new Date(input.discoveredAt.getTime() + params.incidentReportHours * 3_600_000);
        const late = now > deadline;
        const [row] = await tx
          .insert(certIncidents)
          .values({
            applicationId: id,
            merchantOrgId: app.merchantOrgId,
            cbOrgId: app.cbOrgId,
            title: input.title,
            occurredAt: input.occurredAt,
            discoveredAt: input.discoveredAt,
            recordsAffected: input.recordsAffected,
            specialData: input.specialData,
            stage: "quick",
            reports: [{ stage: "quick", text: input.text, at: now.toISOString(), by: actor.userId ?? null }],
            lateQuickReport: late,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!row) throw new AppError("internal", "incident not written");
        if (late) await tx.insert(certAlarms).values({ applicationId: id, cbOrgId: app.cbOrgId, merchantOrgId: app.merchantOrgId, kind: "incident_late_report", dueAt: deadline, raisedAt: now }).onConflictDoNothing();
        await appendAudit(tx, clock, actor, { action: "certification.incident_reported", objectType: "cert_incident", objectId: row.id, orgId: app.merchantOrgId, summary: { applicationId: id, recordsAffected: input.recordsAffected, specialData: input.specialData, late } });
        await send(tx, { template: incidentNoticeTemplate.name, vars: { stage: "quick", title: input.title, mark: app.markNumber ?? id } });
        return row;
      });
    },

    /** The next report: confirmed (確報), then recurrence prevention. */
    async followUp(actor: Actor, incidentId: string, input: { stage: IncidentStage; text: string }): Promise<Incident> {
      if (!holderAdmin(actor)) throw forbidden("The mark holder's administrator reports incidents.");
      const pre = UUID.test(incidentId) ? (await db.select().from(certIncidents).where(eq(certIncidents.id, incidentId)))[0] : undefined;
      const send = await notifier.prepare(pre ? [pre.cbOrgId, pre.merchantOrgId] : []);
      const mark = pre ? await markOf(pre.applicationId) : "";
      return db.transaction(async (tx) => {
        const cur = await loadIncident(tx, actor, incidentId, true);
        if (actor.orgId !== cur.merchantOrgId) throw forbidden("Only the mark holder reports its incidents.");
        const expected = NEXT[cur.stage];
        if (input.stage !== expected) throw new AppError("invalid_transition", expected ? `The next report is the ${expected} report.` : "This incident takes no more reports.");
        const now = clock.now();
        const [row] = await tx
          .update(certIncidents)
          .set({ stage: input.stage, reports: [...cur.reports, { stage: input.stage, text: input.text, at: now.toISOString(), by: actor.userId ?? null }], updatedAt: now })
          .where(eq(certIncidents.id, cur.id))
          .returning();
        if (!row) throw new AppError("internal", "incident not updated");
        await appendAudit(tx, clock, actor, { action: `certification.incident_${input.stage}`, objectType: "cert_incident", objectId: cur.id, orgId: cur.merchantOrgId, summary: { stage: input.stage } });
        await send(tx, { template: incidentNoticeTemplate.name, vars: { stage: input.stage, title: cur.title, mark } });
        return row;
      });
    },

    /** The body records its measure and closes the incident (after the recurrence-prevention report). */
    async close(actor: Actor, incidentId: string, measure: string): Promise<Incident> {
      const pre = UUID.test(incidentId) ? (await db.select().from(certIncidents).where(eq(certIncidents.id, incidentId)))[0] : undefined;
      const send = await notifier.prepare(pre ? [pre.merchantOrgId] : []);
      const mark = pre ? await markOf(pre.applicationId) : "";
      return db.transaction(async (tx) => {
        const cur = await loadIncident(tx, actor, incidentId, true);
        if ((actor.kind !== "user" && actor.kind !== "token") || actor.orgId !== cur.cbOrgId || actor.role !== "cb_admin") throw forbidden("The certification body's administrator closes incidents.");
        if (cur.stage !== "prevention") throw new AppError("invalid_transition", cur.stage === "closed" ? "The incident is already closed." : "An incident is closed after the recurrence-prevention report.");
        const now = clock.now();
        const [row] = await tx.update(certIncidents).set({ stage: "closed", bodyMeasure: measure, closedBy: actor.userId ?? null, closedAt: now, updatedAt: now }).where(eq(certIncidents.id, cur.id)).returning();
        if (!row) throw new AppError("internal", "incident not updated");
        await appendAudit(tx, clock, actor, { action: "certification.incident_closed", objectType: "cert_incident", objectId: cur.id, orgId: cur.merchantOrgId, summary: { measure } });
        await send(tx, { template: incidentNoticeTemplate.name, vars: { stage: "closed", title: cur.title, mark } });
        return row;
      });
    },

    async listForApplication(actor: Actor, id: string): Promise<Incident[]> {
      await certification.load(db, actor, id);
      return db.select().from(certIncidents).where(eq(certIncidents.applicationId, id)).orderBy(desc(certIncidents.createdAt));
    },

    /** A body's incidents, a merchant's own, or all for the authority. */
    async list(actor: Actor, q: { open?: boolean | undefined; limit: number; offset: number }): Promise<Incident[]> {
      if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
      const conds: SQL[] = [];
      if (actor.orgKind === "certification_body") {
        if (actor.role !== "cb_admin") throw forbidden("The body's administrator handles incidents.");
        conds.push(eq(certIncidents.cbOrgId, actor.orgId));
      } else if (actor.orgKind === "merchant") conds.push(eq(certIncidents.merchantOrgId, actor.orgId));
      else if (actor.orgKind !== "authority") throw forbidden();
      if (q.open) conds.push(ne(certIncidents.stage, "closed"));
      return db.select().from(certIncidents).where(and(...conds)).orderBy(desc(certIncidents.createdAt)).limit(q.limit).offset(q.offset);
    },
  };
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;
