// Change reports: a mark holder tells its certification body that its name, address,
// representative, PIMS manager or scope changed; the body accepts the change or requires a
// re-audit. Filing also records the lifecycle's `change_report` event (status unchanged) while the
// mark is active; an accepted scope change updates the mark's scope; a required re-audit raises an
// alarm for the body and the authority. Each step is one transaction with its audit row.
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { CertificationService } from "./certification.service.ts";
import { certAlarms, certApplications } from "./certification.tables.ts";
import { certChangeReports, type ChangeKind } from "./records.tables.ts";

export type ChangeReport = typeof certChangeReports.$inferSelect;

export interface ChangesDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "load" | "partiesOf" | "transitionIn" | "warm" | "runHooks">;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A holder reports changes while it holds a mark (also while renewing or suspended). */
const HOLDING = new Set(["active", "active_under_surveillance", "renewal_in_review", "suspended"]);
const LIFECYCLE_EDGE = new Set(["active", "active_under_surveillance"]);

export interface ChangeInput {
  kind: ChangeKind;
  before: string;
  after: string;
  effectiveOn: string;
  reason: string;
  evidenceIds: string[];
}

export function createChangesService(deps: ChangesDeps) {
  const { db, clock, certification } = deps;

  return {
    async file(actor: Actor, id: string, input: ChangeInput): Promise<ChangeReport> {
      if ((actor.kind !== "user" && actor.kind !== "token") || actor.role !== "merchant_admin") throw forbidden("The mark holder's administrator files change reports.");
      if (input.before === input.after) throw invalid("after", "is the same as before");
      if (input.evidenceIds.some((e) => !UUID.test(e))) throw invalid("evidenceIds", "must be evidence file ids");
      await certification.warm(id);
      const { row, change } = await db.transaction(async (tx) => {
        const app = await certification.load(tx, actor, id, true);
        if (actor.orgId !== app.merchantOrgId) throw forbidden("Only the mark holder reports its changes.");
        if (!HOLDING.has(app.status)) throw new AppError("invalid_transition", `Change reports are for mark holders; the application is ${app.status}.`);
        const now = clock.now();
        const [report] = await tx
          .insert(certChangeReports)
          .values({ applicationId: id, merchantOrgId: app.merchantOrgId, cbOrgId: app.cbOrgId, ...input, status: "submitted", filedBy: actor.userId ?? null, filedAt: now })
          .returning();
        if (!report) throw new AppError("internal", "change report not written");
        await appendAudit(tx, clock, actor, { action: "certification.change_reported", objectType: "cert_change_report", objectId: report.id, orgId: app.merchantOrgId, summary: { applicationId: id, kind: input.kind, effectiveOn: input.effectiveOn } });
        const t = LIFECYCLE_EDGE.has(app.status) ? await certification.transitionIn(tx, actor, id, "change_report", { reason: `${input.kind}: ${input.reason}`, evidenceIds: input.evidenceIds }) : undefined;
        return { row: report, change: t?.change };
      });
      await certification.runHooks(change);
      return row;
    },

    async review(actor: Actor, id: string, changeId: string, input: { decision: "accept" | "require_reaudit"; note: string }): Promise<ChangeReport> {
      return db.transaction(async (tx) => {
        const app = await certification.load(tx, actor, id, true);
        if (!(await certification.partiesOf(tx, actor, app)).includes("cb_admin")) throw forbidden("The certification body's administrator reviews change reports.");
        if (!UUID.test(changeId)) throw notFound("The change report");
        const [cur] = await tx.select().from(certChangeReports).where(and(eq(certChangeReports.id, changeId), eq(certChangeReports.applicationId, id))).for("update");
        if (!cur) throw notFound("The change report");
        if (cur.status !== "submitted") throw new AppError("invalid_transition", `This change report was already reviewed (${cur.status}).`);
        const now = clock.now();
        const status = input.decision === "accept" ? "accepted" : "reaudit_required";
        const [row] = await tx.update(certChangeReports).set({ status, reviewNote: input.note, reviewedBy: actor.userId ?? null, reviewedAt: now }).where(eq(certChangeReports.id, cur.id)).returning();
        if (!row) throw new AppError("internal", "change report not updated");
        if (status === "accepted" && cur.kind === "scope") await tx.update(certApplications).set({ scope: cur.after, updatedAt: now }).where(eq(certApplications.id, id));
        if (status === "reaudit_required") {
          await tx.insert(certAlarms).values({ applicationId: id, cbOrgId: app.cbOrgId, merchantOrgId: app.merchantOrgId, kind: "change_reaudit", dueAt: now, raisedAt: now }).onConflictDoNothing();
        }
        await appendAudit(tx, clock, actor, { action: `certification.change_${status}`, objectType: "cert_change_report", objectId: row.id, orgId: app.merchantOrgId, summary: { applicationId: id, kind: cur.kind, note: input.note } });
        return row;
      });
    },

    async listForApplication(actor: Actor, id: string): Promise<ChangeReport[]> {
      await certification.load(db, actor, id);
      return db.select().from(certChangeReports).where(eq(certChangeReports.applicationId, id)).orderBy(desc(certChangeReports.filedAt));
    },

    /** The body's queue (its own), a merchant's reports, or all for the authority. */
    async list(actor: Actor, q: { status?: ChangeReport["status"] | undefined; limit: number; offset: number }): Promise<ChangeReport[]> {
      if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
      const conds: SQL[] = [];
      if (actor.orgKind === "certification_body") {
        if (actor.role !== "cb_admin") throw forbidden("The body's administrator reviews change reports.");
        conds.push(eq(certChangeReports.cbOrgId, actor.orgId));
      } else if (actor.orgKind === "merchant") conds.push(eq(certChangeReports.merchantOrgId, actor.orgId));
      else if (actor.orgKind !== "authority") throw forbidden();
      if (q.status) conds.push(eq(certChangeReports.status, q.status));
      return db.select().from(certChangeReports).where(and(...conds)).orderBy(desc(certChangeReports.filedAt)).limit(q.limit).offset(q.offset);
    },
  };
}

export type ChangesService = ReturnType<typeof createChangesService>;
