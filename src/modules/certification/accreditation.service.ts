// Accreditation of certification bodies by the authority, and each body's auditor register
// (grades, qualifications, training hours, declared conflicts of interest, audit log).
// The accreditation lifecycle is data too: applied → assessment → accredited ⇄ suspended →
// withdrawn (or refused at assessment).
import { and, desc, eq, sql } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { SchemesService } from "../schemes/schemes.service.ts";
import { addMonths } from "./lifecycle.ts";
import { certAccreditations, certApplications, certAuditorConflicts, certAuditors, certTeam } from "./certification.tables.ts";

export type AccreditationStatus = (typeof certAccreditations.$inferSelect)["status"];
export const accreditationActions = ["start_assessment", "accredit", "refuse", "suspend", "reinstate", "withdraw"] as const;
export type AccreditationAction = (typeof accreditationActions)[number];

/** The accreditation transitions: from, to; every one is the authority's. */
export const accreditationTransitions: Record<AccreditationAction, { from: readonly AccreditationStatus[]; to: AccreditationStatus }> = {
  start_assessment: { from: ["applied"], to: "assessment" },
  accredit: { from: ["assessment"], to: "accredited" },
  refuse: { from: ["applied", "assessment"], to: "refused" },
  suspend: { from: ["accredited"], to: "suspended" },
  reinstate: { from: ["suspended"], to: "accredited" },
  withdraw: { from: ["accredited", "suspended"], to: "withdrawn" },
};

export const auditorGrades = ["candidate", "auditor", "lead_auditor"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Member = Extract<Actor, { kind: "user" | "token" }>;
function member(actor: Actor): Member {
  if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
  return actor;
}
function cbAdmin(actor: Actor): Member {
  const a = member(actor);
  if (a.orgKind !== "certification_body" || a.role !== "cb_admin") throw forbidden("Only a certification body's administrator does this.");
  return a;
}
function authority(actor: Actor): Member {
  const a = member(actor);
  if (a.orgKind !== "authority") throw forbidden("Only the accreditation authority does this.");
  return a;
}

export function createAccreditationService(deps: { db: Db; clock: Clock; schemes: Pick<SchemesService, "current"> }) {
  const { db, clock, schemes } = deps;

  async function loadAuditor(tx: Db, actor: Member, id: string) {
    if (!UUID.test(id)) throw notFound("The auditor");
    const [row] = await tx.select().from(certAuditors).where(eq(certAuditors.id, id));
    if (!row || (row.cbOrgId !== actor.orgId && actor.orgKind !== "authority")) throw notFound("The auditor");
    return row;
  }

  return {
    async applyForAccreditation(actor: Actor, input: { scheme: string; scope: string }) {
      const a = cbAdmin(actor);
      await schemes.current(input.scheme);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [open] = await tx
          .select({ id: certAccreditations.id })
          .from(certAccreditations)
          .where(and(eq(certAccreditations.cbOrgId, a.orgId), eq(certAccreditations.scheme, input.scheme), sql`${certAccreditations.status} in ('applied','assessment','accredited','suspended')`));
        if (open) throw new AppError("conflict", "This body already has an open accreditation for the scheme.");
        const [row] = await tx.insert(certAccreditations).values({ cbOrgId: a.orgId, scheme: input.scheme, scope: input.scope, status: "applied", createdAt: now, updatedAt: now }).returning();
        if (!row) throw new AppError("internal", "accreditation not written");
        await appendAudit(tx, clock, actor, { action: "accreditation.applied", objectType: "cert_accreditation", objectId: row.id, orgId: a.orgId, summary: input });
        return row;
      });
    },

    async decideAccreditation(actor: Actor, id: string, action: AccreditationAction, input: { reason: string; validMonths?: number | undefined; scope?: string | undefined }) {
      authority(actor);
      if (!UUID.test(id)) throw notFound("The accreditation");
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(certAccreditations).where(eq(certAccreditations.id, id)).for("update");
        if (!row) throw notFound("The accreditation");
        const edge = accreditationTransitions[action];
        if (!edge.from.includes(row.status)) throw new AppError("invalid_transition", `"${action}" is not possible while the accreditation is ${row.status}.`);
        if (input.reason.trim().length < 3) throw invalid("reason", "a reason is required");
        const now = clock.now();
        const set: Partial<typeof certAccreditations.$inferInsert> = { status: edge.to, reason: input.reason, updatedAt: now };
        if (action === "accredit") {
          if (!input.validMonths) throw invalid("validMonths", "an accreditation needs a validity");
          set.validFrom = now;
          set.validTo = addMonths(now, input.validMonths);
          if (input.scope) set.scope = input.scope;
        }
        const [updated] = await tx.update(certAccreditations).set(set).where(eq(certAccreditations.id, id)).returning();
        await appendAudit(tx, clock, actor, { action: `accreditation.${action}`, objectType: "cert_accreditation", objectId: id, orgId: row.cbOrgId, summary: { from: row.status, to: edge.to, reason: input.reason } });
        return updated;
      });
    },

    async listAccreditations(actor: Actor, q: { cbOrgId?: string | undefined }) {
      const a = member(actor);
      const cb = a.orgKind === "authority" ? q.cbOrgId : a.orgKind === "certification_body" ? a.orgId : undefined;
      if (a.orgKind !== "authority" && a.orgKind !== "certification_body") {
        // merchants choose among accredited bodies
        return db.select().from(certAccreditations).where(eq(certAccreditations.status, "accredited")).orderBy(certAccreditations.scheme);
      }
      return db.select().from(certAccreditations).where(cb ? eq(certAccreditations.cbOrgId, cb) : undefined).orderBy(desc(certAccreditations.updatedAt));
    },

    // ------------------------------------------------------------------ auditor register
    async addAuditor(actor: Actor, input: { name: string; userId?: string | undefined; grade: (typeof auditorGrades)[number]; qualifications: string[]; trainingHours: number }) {
      const a = cbAdmin(actor);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(certAuditors)
          .values({ cbOrgId: a.orgId, userId: input.userId ?? null, name: input.name, grade: input.grade, status: "active", qualifications: input.qualifications, trainingHours: input.trainingHours, createdAt: now, updatedAt: now })
          .returning();
        if (!row) throw new AppError("internal", "auditor not written");
        await appendAudit(tx, clock, actor, { action: "auditor.added", objectType: "cert_auditor", objectId: row.id, orgId: a.orgId, summary: { name: input.name, grade: input.grade } });
        return row;
      });
    },

    async updateAuditor(actor: Actor, id: string, input: { grade?: (typeof auditorGrades)[number] | undefined; status?: "active" | "suspended" | "lapsed" | undefined; qualifications?: string[] | undefined; trainingHours?: number | undefined }) {
      const a = cbAdmin(actor);
      return db.transaction(async (tx) => {
        const before = await loadAuditor(tx, a, id);
        if (before.cbOrgId !== a.orgId) throw notFound("The auditor");
        const set: Partial<typeof certAuditors.$inferInsert> = {};
        if (input.grade) set.grade = input.grade;
        if (input.status) set.status = input.status;
        if (input.qualifications) set.qualifications = input.qualifications;
        if (input.trainingHours !== undefined) set.trainingHours = input.trainingHours;
        const [row] = await tx.update(certAuditors).set({ ...set, updatedAt: clock.now() }).where(eq(certAuditors.id, id)).returning();
        await appendAudit(tx, clock, actor, { action: "auditor.updated", objectType: "cert_auditor", objectId: id, orgId: a.orgId, summary: { before: { grade: before.grade, status: before.status, trainingHours: before.trainingHours }, after: set } });
        return row;
      });
    },

    /** A declared conflict of interest: the COI check at team assignment refuses this pairing. */
    async declareConflict(actor: Actor, auditorId: string, input: { orgId: string; reason: string }) {
      const a = member(actor);
      return db.transaction(async (tx) => {
        const au = await loadAuditor(tx, a, auditorId);
        const self = a.role === "auditor" && au.userId === a.userId;
        if (!(a.role === "cb_admin" && au.cbOrgId === a.orgId) && !self) throw forbidden("The body's administrator or the auditor declares conflicts.");
        const [row] = await tx.insert(certAuditorConflicts).values({ auditorId, orgId: input.orgId, reason: input.reason, declaredBy: a.userId ?? null, declaredAt: clock.now() }).returning();
        if (!row) throw new AppError("internal", "conflict not written");
        await appendAudit(tx, clock, actor, { action: "auditor.conflict_declared", objectType: "cert_auditor", objectId: auditorId, orgId: au.cbOrgId, summary: input });
        return row;
      });
    },

    async listAuditors(actor: Actor, cbOrgId: string) {
      const a = member(actor);
      if (a.orgKind !== "authority" && a.orgId !== cbOrgId) throw notFound("The organisation");
      return db.select().from(certAuditors).where(eq(certAuditors.cbOrgId, cbOrgId)).orderBy(certAuditors.name);
    },

    /** One auditor's record: conflicts declared and audits taken part in. */
    async auditorRecord(actor: Actor, id: string) {
      const a = member(actor);
      const au = await loadAuditor(db, a, id);
      const conflicts = await db.select().from(certAuditorConflicts).where(eq(certAuditorConflicts.auditorId, id)).orderBy(desc(certAuditorConflicts.declaredAt));
      const audits = await db
        .select({ applicationId: certTeam.applicationId, lead: certTeam.lead, assignedAt: certTeam.assignedAt, scheme: certApplications.scheme, status: certApplications.status })
        .from(certTeam)
        .innerJoin(certApplications, eq(certApplications.id, certTeam.applicationId))
        .where(eq(certTeam.auditorId, id))
        .orderBy(desc(certTeam.assignedAt));
      return { auditor: au, conflicts, audits };
    },
  };
}

export type AccreditationService = ReturnType<typeof createAccreditationService>;
