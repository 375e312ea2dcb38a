// Certification: applications through the mark lifecycle (lifecycle.ts), the work items of an
// audit (self-assessment, audit team, plan, per-requirement results, corrective actions), and
// marks as other modules see them. Every command is one transaction that also writes the audit
// trail; a refused command writes nothing.
//
// Who sees an application: the applicant's organisation, the assigned certification body's
// administrators, the auditors on its team, and the authority. Anyone else is told it does
// not exist.
import { and, count, desc, eq, gt, inArray, isNull, max, or, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { SchemeParameters } from "../schemes/catalogue.ts";
import type { SchemesService } from "../schemes/schemes.service.ts";
import {
  certAccreditations,
  certAlarms,
  certApplications,
  certAuditorConflicts,
  certAuditors,
  certCompanyNumbers,
  certCorrectiveActions,
  certEvents,
  certResults,
  certSelfAssessments,
  certTeam,
} from "./certification.tables.ts";
import { certEvidence, certEvidenceLinks } from "./records.tables.ts";
import { availableEvents, decide, markStatusOf, type CaseState, type Facts, type MarkStatus, type Party, type Status } from "./lifecycle.ts";
import { lockForTransaction } from "../../platform/db/locks.ts";

export type Application = typeof certApplications.$inferSelect;
type Member = Extract<Actor, { kind: "user" | "token" }>;

export interface MarkView {
  markNumber: string;
  applicationId: string;
  scheme: string;
  schemeVersion: string;
  holderOrgId: string;
  /** the registry's shop, once the registry module links it (null until then) */
  shopId: string | null;
  certificationBodyId: string;
  scope: string;
  status: MarkStatus;
  lifecycleStatus: Status;
  validFrom: Date | null;
  validTo: Date | null;
  suspendedUntil: Date | null;
  renewalCounter: number;
  flags: Application["flags"];
}

export interface MarkChange {
  mark: MarkView;
  previous: MarkStatus | null;
  event: string;
}
/** Called after a commit that changed a mark (the seals module issues and revokes credentials). */
export type MarkHook = (change: MarkChange) => Promise<void>;

export interface CertificationDeps {
  db: Db;
  clock: Clock;
  schemes: Pick<SchemesService, "getVersion" | "current">;
  markHooks?: MarkHook[];
  /** The organisation a registry shop belongs to (undefined: no such shop): a named shop must be the applicant's. */
  shopOwner: (shopId: string) => Promise<string | undefined>;
}

export interface TransitionInput {
  reason?: string | undefined;
  level?: number | undefined;
  months?: number | undefined;
  evidenceIds?: string[] | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const resultValues = ["conforming", "minor_nc", "major_nc", "observation", "not_applicable"] as const;
export const selfStatuses = ["implemented", "partial", "not_implemented", "not_applicable"] as const;

function member(actor: Actor): Member {
  if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
  return actor;
}

const pad = (n: number, w: number): string => String(n).padStart(w, "0");
export const formatMarkNumber = (prefix: string, company: number, counter: number): string => `${prefix}-${pad(company, 6)}-${pad(counter, 2)}`;

export function createCertificationService(deps: CertificationDeps) {
  const { db, clock, schemes } = deps;
  const hooks = deps.markHooks ?? [];
  const paramCache = new Map<string, { params: SchemeParameters; requirementIds: Set<string>; prefix: string }>();

  async function version(scheme: string, v: string) {
    const key = `${scheme}@${v}`;
    let hit = paramCache.get(key);
    if (!hit) {
      const sv = await schemes.getVersion(scheme, v);
      hit = { params: sv.catalogue.parameters, requirementIds: new Set(sv.catalogue.requirements.map((r) => r.id)), prefix: sv.markPrefix };
      paramCache.set(key, hit);
    }
    return hit;
  }

  /**
   * Loads the application's catalogue version before a transaction opens: the schemes service
   * reads on its own connection, which on PGlite (one connection) must not wait inside ours.
   */
  async function warm(id: string): Promise<void> {
    if (!UUID.test(id)) return;
    const [row] = await db.select({ scheme: certApplications.scheme, v: certApplications.schemeVersion }).from(certApplications).where(eq(certApplications.id, id));
    if (row) await version(row.scheme, row.v);
  }

  /** The actor's place on the application's team; `active`: registered active and no conflict of interest declared with the applicant. */
  async function onTeam(tx: Db, app: Application, userId: string | undefined): Promise<{ lead: boolean; active: boolean } | undefined> {
    if (!userId) return undefined;
    const [row] = await tx
      .select({ lead: certTeam.lead, status: certAuditors.status, auditorId: certTeam.auditorId })
      .from(certTeam)
      .innerJoin(certAuditors, eq(certAuditors.id, certTeam.auditorId))
      .where(and(eq(certTeam.applicationId, app.id), eq(certTeam.userId, userId)));
    if (!row) return undefined;
    const [conflict] = await tx.select({ id: certAuditorConflicts.auditorId }).from(certAuditorConflicts).where(and(eq(certAuditorConflicts.auditorId, row.auditorId), eq(certAuditorConflicts.orgId, app.merchantOrgId))).limit(1);
    return { lead: row.lead, active: row.status === "active" && conflict === undefined };
  }

  /** The lifecycle parties this actor is for this application (empty: none). */
  async function partiesOf(tx: Db, actor: Actor, app: Application): Promise<Party[]> {
    if (actor.kind === "system") return ["system"];
    if (actor.kind === "anonymous") return [];
    if (actor.orgKind === "authority" && actor.role === "authority_admin") return ["authority"];
    if (actor.orgId === app.merchantOrgId) return actor.role === "merchant_admin" ? ["applicant"] : [];
    if (actor.orgId === app.cbOrgId) {
      if (actor.role === "cb_admin") return ["cb_admin"];
      // an auditor the body has since suspended (or whose registration lapsed), or who has declared a
      // conflict of interest with the applicant since being assigned, keeps read access to the audits
      // it took part in, but takes no further part in them (the body assigns another team)
      const t = await onTeam(tx, app, actor.userId);
      if (t?.active) return t.lead ? ["lead_auditor", "team_auditor"] : ["team_auditor"];
    }
    return [];
  }

  async function canSee(tx: Db, actor: Actor, app: Application): Promise<boolean> {
    if (actor.kind === "system") return true;
    if (actor.kind === "anonymous") return false;
    if (actor.orgKind === "authority") return true;
    if (actor.orgId === app.merchantOrgId) return true;
    if (actor.orgId === app.cbOrgId) return actor.role === "cb_admin" || (await onTeam(tx, app, actor.userId)) !== undefined;
    return false;
  }

  async function load(tx: Db, actor: Actor, id: string, lock = false): Promise<Application> {
    const missing = notFound("The application");
    if (!UUID.test(id)) throw missing;
    const q = tx.select().from(certApplications).where(eq(certApplications.id, id));
    const [app] = lock ? await q.for("update") : await q;
    if (!app || !(await canSee(tx, actor, app))) throw missing;
    return app;
  }

  async function facts(tx: Db, actor: Actor, app: Application, input: TransitionInput): Promise<Facts> {
    const v = await version(app.scheme, app.schemeVersion);
    const total = v.requirementIds.size;
    const [sa] = await tx.select({ n: count() }).from(certSelfAssessments).where(eq(certSelfAssessments.applicationId, app.id));
    const [res] = await tx
      .select({ n: count(), nc: sql<number>`count(*) filter (where ${certResults.result} in ('minor_nc','major_nc'))`.mapWith(Number) })
      .from(certResults)
      .where(eq(certResults.applicationId, app.id));
    const [ca] = await tx
      .select({ n: count(), open: sql<number>`count(*) filter (where ${certCorrectiveActions.status} <> 'verified')`.mapWith(Number) })
      .from(certCorrectiveActions)
      .where(eq(certCorrectiveActions.applicationId, app.id));
    const [bar] = await tx
      .select({ until: max(certApplications.reapplyAfter) })
      .from(certApplications)
      .where(and(eq(certApplications.merchantOrgId, app.merchantOrgId), eq(certApplications.scheme, app.scheme), eq(certApplications.status, "revoked")));
    const team = await teamWithConflicts(tx, app);
    const now = clock.now();
    const [acc] = await tx
      .select({ validTo: certAccreditations.validTo })
      .from(certAccreditations)
      .where(and(eq(certAccreditations.cbOrgId, app.cbOrgId), eq(certAccreditations.scheme, app.scheme), eq(certAccreditations.status, "accredited"), or(isNull(certAccreditations.validTo), gt(certAccreditations.validTo, now))))
      .limit(1);
    return {
      now,
      params: v.params,
      actorUserId: actor.userId ?? null,
      selfAssessment: { total, answered: sa?.n ?? 0 },
      barredUntil: bar?.until ?? null,
      team: team.map((m) => ({ userId: m.userId ?? m.auditorId, lead: m.lead, conflictFree: m.conflictFree })),
      results: { total, assessed: res?.n ?? 0, nonconformities: res?.nc ?? 0 },
      correctiveActions: { open: ca?.open ?? 0, unverified: ca?.open ?? 0 },
      agreementSigned: app.agreementSigned,
      feePaid: app.feePaid,
      bodyAccredited: acc !== undefined,
      input: { reason: input.reason ?? "", level: input.level, months: input.months },
    };
  }

  async function teamWithConflicts(tx: Db, app: Application) {
    const rows = await tx
      .select({ auditorId: certTeam.auditorId, userId: certTeam.userId, name: certAuditors.name, lead: certTeam.lead, status: certAuditors.status, cbOrgId: certAuditors.cbOrgId })
      .from(certTeam)
      .innerJoin(certAuditors, eq(certAuditors.id, certTeam.auditorId))
      .where(eq(certTeam.applicationId, app.id));
    const conflicts = rows.length
      ? await tx
          .select({ auditorId: certAuditorConflicts.auditorId })
          .from(certAuditorConflicts)
          .where(and(inArray(certAuditorConflicts.auditorId, rows.map((r) => r.auditorId)), eq(certAuditorConflicts.orgId, app.merchantOrgId)))
      : [];
    const conflicted = new Set(conflicts.map((c) => c.auditorId));
    return rows.map((r) => ({ ...r, conflictFree: !conflicted.has(r.auditorId) && r.status === "active" && r.cbOrgId === app.cbOrgId }));
  }

  function markOf(app: Application, now: Date): MarkView | null {
    const status = markStatusOf(app, now);
    if (!status || !app.markNumber) return null;
    return {
      markNumber: app.markNumber,
      applicationId: app.id,
      scheme: app.scheme,
      schemeVersion: app.schemeVersion,
      holderOrgId: app.merchantOrgId,
      shopId: app.shopId,
      certificationBodyId: app.cbOrgId,
      scope: app.scope,
      status,
      lifecycleStatus: app.status,
      validFrom: app.validFrom,
      validTo: app.validTo,
      suspendedUntil: app.suspendedUntil,
      renewalCounter: app.renewalCounter,
      flags: app.flags,
    };
  }

  async function companyNumber(tx: Db, scheme: string, orgId: string): Promise<number> {
    await lockForTransaction(tx, `cert-company:${scheme}`);
    const [have] = await tx.select({ number: certCompanyNumbers.number }).from(certCompanyNumbers).where(and(eq(certCompanyNumbers.scheme, scheme), eq(certCompanyNumbers.orgId, orgId)));
    if (have) return have.number;
    const [top] = await tx.select({ n: max(certCompanyNumbers.number) }).from(certCompanyNumbers).where(eq(certCompanyNumbers.scheme, scheme));
    const number = (top?.n ?? 0) + 1;
    await tx.insert(certCompanyNumbers).values({ scheme, orgId, number });
    return number;
  }

  /** The one door through which every status change passes. */
  async function transition(actor: Actor, id: string, event: string, input: TransitionInput = {}): Promise<Application> {
    await warm(id);
    const { row, change } = await db.transaction(async (tx) => transitionIn(tx, actor, id, event, input));
    await runHooks(change);
    return row;
  }

  /** After the commit: tell the subscribers (seals) that a mark changed. */
  async function runHooks(change: MarkChange | undefined): Promise<void> {
    if (change) for (const h of hooks) await h(change);
  }

  /**
   * transition() inside a caller's transaction (a complaint determination that sanctions the
   * holder writes both in one). Call warm(id) before the transaction and runHooks() after it.
   */
  async function transitionIn(tx: Db, actor: Actor, id: string, event: string, input: TransitionInput = {}): Promise<{ row: Application; change: MarkChange | undefined }> {
    const evidenceIds = input.evidenceIds ?? [];
    if (evidenceIds.some((e) => !UUID.test(e))) throw invalid("evidenceIds", "must be evidence file ids");
    if (actor.kind === "user" || actor.kind === "token") {
      if (actor.role === "regulator" || actor.role === "merchant_staff") throw forbidden(`Your role (${actor.role}) may not change an application.`);
    }
    let change: MarkChange | undefined;
    const app = await load(tx, actor, id, true);
    const ps = await partiesOf(tx, actor, app);
    const f = await facts(tx, actor, app, input);
    const state: CaseState = { ...app };
    const d = decide(state, event, ps, f);
    const next: CaseState = { ...state, ...d.changes, status: d.to };
    const now = f.now;
    let markNumber = app.markNumber;
    if (event === "activate") {
      // the counter goes on from the holder's earlier marks of this scheme (revoked, expired,
      // withdrawn): a new mark never reuses an old number
      const [prior] = await tx
        .select({ n: max(certApplications.renewalCounter) })
        .from(certApplications)
        .where(and(eq(certApplications.merchantOrgId, app.merchantOrgId), eq(certApplications.scheme, app.scheme), sql`${certApplications.id} <> ${app.id}`));
      next.renewalCounter = (prior?.n ?? 0) + 1;
    }
    if (next.renewalCounter !== app.renewalCounter) {
      const v = await version(app.scheme, app.schemeVersion);
      markNumber = formatMarkNumber(v.prefix, await companyNumber(tx, app.scheme, app.merchantOrgId), next.renewalCounter);
    }
    const [row] = await tx
      .update(certApplications)
      .set({
        status: next.status,
        cycle: next.cycle,
        caRound: next.caRound,
        caDueAt: next.caDueAt,
        activationDueAt: next.activationDueAt,
        validFrom: next.validFrom,
        validTo: next.validTo,
        renewalCounter: next.renewalCounter,
        surveillanceDueAt: next.surveillanceDueAt,
        suspendedUntil: next.suspendedUntil,
        reapplyAfter: next.reapplyAfter,
        flags: next.flags,
        markNumber,
        updatedAt: now,
      })
      .where(eq(certApplications.id, app.id))
      .returning();
    if (!row) throw new AppError("internal", "application not updated");

    if (event === "audit_done_with_findings") await raiseCorrectiveActions(tx, row, now);
    if (event === "ca_rejected" && row.caDueAt) {
      await tx.update(certCorrectiveActions).set({ dueAt: row.caDueAt, status: "open", updatedAt: now }).where(and(eq(certCorrectiveActions.applicationId, row.id), sql`${certCorrectiveActions.status} <> 'verified'`));
    }
    if (event === "renewal_submitted") {
      // a renewal is a new assessment: new self-assessment answers, results and findings
      await tx.delete(certResults).where(eq(certResults.applicationId, row.id));
      await tx.delete(certTeam).where(eq(certTeam.applicationId, row.id));
    }
    await tx.update(certAlarms).set({ resolvedAt: now }).where(and(eq(certAlarms.applicationId, row.id), sql`${certAlarms.resolvedAt} is null`, sql`${certAlarms.kind} not like 'renewal_reminder%'`));
    await tx.insert(certEvents).values({ applicationId: row.id, event, fromStatus: d.from, toStatus: d.to, actorUserId: actor.userId ?? null, actorKind: actor.kind === "system" ? `system:${actor.name}` : actor.kind, reason: f.input.reason, evidenceIds, at: now });
    await appendAudit(tx, clock, actor, {
      action: `certification.${event}`,
      objectType: "cert_application",
      objectId: row.id,
      orgId: row.merchantOrgId,
      summary: { from: d.from, to: d.to, reason: f.input.reason, evidenceIds, cbOrgId: row.cbOrgId, ...(input.level ? { level: input.level } : {}), ...(markNumber ? { markNumber } : {}) },
    });
    const before = markStatusOf(app, now);
    const mark = markOf(row, now);
    if (mark && (before !== mark.status || app.status !== row.status || app.validTo?.getTime() !== row.validTo?.getTime() || app.markNumber !== row.markNumber)) change = { mark, previous: app.markNumber ? before : null, event };
    return { row, change };
  }

  async function raiseCorrectiveActions(tx: Db, app: Application, now: Date): Promise<void> {
    if (!app.caDueAt) return;
    const ncs = await tx
      .select()
      .from(certResults)
      .where(and(eq(certResults.applicationId, app.id), inArray(certResults.result, ["minor_nc", "major_nc"])));
    const existing = new Set((await tx.select({ r: certCorrectiveActions.requirementId }).from(certCorrectiveActions).where(eq(certCorrectiveActions.applicationId, app.id))).map((x) => x.r));
    const fresh = ncs.filter((n) => !existing.has(n.requirementId));
    if (fresh.length) {
      await tx.insert(certCorrectiveActions).values(
        fresh.map((n) => ({ applicationId: app.id, requirementId: n.requirementId, grade: n.result === "major_nc" ? ("major" as const) : ("minor" as const), finding: n.note, dueAt: app.caDueAt ?? now, status: "open" as const, evidenceIds: [], createdAt: now, updatedAt: now })),
      );
    }
  }

  return {
    transition,
    transitionIn,
    runHooks,
    warm,
    load,
    canSee,
    markOf,
    partiesOf,
    version,

    /** A merchant applies for a scheme and scope with an accredited certification body. */
    async apply(actor: Actor, input: { scheme: string; cbOrgId: string; scope: string; shopId?: string | undefined }): Promise<Application> {
      const a = member(actor);
      if (a.orgKind !== "merchant" || a.role !== "merchant_admin") throw forbidden("Only a merchant's administrator applies for a mark.");
      const current = await schemes.current(input.scheme);
      // (before the transaction: the registry reads on its own connection, and PGlite has one)
      if (input.shopId !== undefined && (await deps.shopOwner(input.shopId)) !== a.orgId) throw invalid("shopId", "is not a shop of your organisation");
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [acc] = await tx
          .select()
          .from(certAccreditations)
          .where(and(eq(certAccreditations.cbOrgId, input.cbOrgId), eq(certAccreditations.scheme, input.scheme), eq(certAccreditations.status, "accredited")));
        if (!acc || (acc.validTo && acc.validTo <= now)) throw invalid("cbOrgId", "is not a certification body accredited for this scheme");
        const [bar] = await tx
          .select({ until: max(certApplications.reapplyAfter) })
          .from(certApplications)
          .where(and(eq(certApplications.merchantOrgId, a.orgId), eq(certApplications.scheme, input.scheme), eq(certApplications.status, "revoked")));
        if (bar?.until && bar.until > now) throw new AppError("conflict", `A revoked mark bars a new application until ${bar.until.toISOString()}.`, { extra: { barredUntil: bar.until.toISOString() } });
        const [open] = await tx
          .select({ id: certApplications.id })
          .from(certApplications)
          .where(and(eq(certApplications.merchantOrgId, a.orgId), eq(certApplications.scheme, input.scheme), sql`${certApplications.status} not in ('revoked','expired','withdrawn','rejected')`));
        if (open) throw new AppError("conflict", "This organisation already has an open application or mark for the scheme.", { extra: { applicationId: open.id } });
        const [row] = await tx
          .insert(certApplications)
          .values({ merchantOrgId: a.orgId, shopId: input.shopId ?? null, cbOrgId: input.cbOrgId, scheme: input.scheme, schemeVersion: current.version, scope: input.scope, status: "draft", cycle: "initial", flags: [], createdAt: now, updatedAt: now })
          .returning();
        if (!row) throw new AppError("internal", "application not written");
        await appendAudit(tx, clock, actor, { action: "certification.applied", objectType: "cert_application", objectId: row.id, orgId: a.orgId, summary: { scheme: row.scheme, schemeVersion: row.schemeVersion, cbOrgId: row.cbOrgId, scope: row.scope } });
        return row;
      });
    },

    async get(actor: Actor, id: string) {
      const app = await load(db, actor, id);
      const ps = await partiesOf(db, actor, app);
      return { ...app, mark: markOf(app, clock.now()), availableEvents: availableEvents(app.status, ps) };
    },

    /** Pipeline: a body sees its applications, a merchant its own, the authority all. */
    async list(actor: Actor, q: { status?: Status | undefined; scheme?: string | undefined; limit: number; offset: number }) {
      const a = member(actor);
      const conds: SQL[] = [];
      if (a.orgKind === "merchant") conds.push(eq(certApplications.merchantOrgId, a.orgId));
      else if (a.orgKind === "certification_body") {
        conds.push(eq(certApplications.cbOrgId, a.orgId));
        if (a.role !== "cb_admin") conds.push(sql`exists (select 1 from ${certTeam} where ${certTeam.applicationId} = ${certApplications.id} and ${certTeam.userId} = ${a.userId ?? null})`);
      } else if (a.orgKind !== "authority") throw forbidden();
      if (q.status) conds.push(eq(certApplications.status, q.status));
      if (q.scheme) conds.push(eq(certApplications.scheme, q.scheme));
      const where = conds.length ? and(...conds) : undefined;
      const items = await db.select().from(certApplications).where(where).orderBy(desc(certApplications.updatedAt), desc(certApplications.id)).limit(q.limit).offset(q.offset);
      const counts = await db.select({ status: certApplications.status, n: count() }).from(certApplications).where(where).groupBy(certApplications.status);
      return { items, countsByStatus: Object.fromEntries(counts.map((c) => [c.status, c.n])) as Record<string, number> };
    },

    async events(actor: Actor, id: string) {
      await load(db, actor, id);
      return db.select().from(certEvents).where(eq(certEvents.applicationId, id)).orderBy(certEvents.at);
    },

    async saveSelfAssessment(actor: Actor, id: string, items: { requirementId: string; status: (typeof selfStatuses)[number]; note: string; evidenceIds: string[] }[]) {
      const a = member(actor);
      await warm(id);
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        if (a.orgId !== app.merchantOrgId || (a.role !== "merchant_admin" && a.role !== "merchant_staff")) throw forbidden("Only the applicant fills in the self-assessment.");
        if (app.status !== "draft" && app.status !== "renewal_in_review" && !(app.status === "active" && app.cycle === "initial")) {
          throw new AppError("invalid_transition", `The self-assessment is closed while the application is ${app.status}.`);
        }
        const v = await version(app.scheme, app.schemeVersion);
        items.forEach((it, i) => {
          if (!v.requirementIds.has(it.requirementId)) throw invalid(`items.${i}.requirementId`, `${it.requirementId} is not in ${app.scheme} ${app.schemeVersion}`);
          if (it.evidenceIds.some((e) => !UUID.test(e))) throw invalid(`items.${i}.evidenceIds`, "must be evidence file ids");
        });
        const now = clock.now();
        for (const it of items) {
          await tx
            .insert(certSelfAssessments)
            .values({ applicationId: id, requirementId: it.requirementId, status: it.status, note: it.note, evidenceIds: it.evidenceIds, updatedBy: a.userId ?? null, updatedAt: now })
            .onConflictDoUpdate({ target: [certSelfAssessments.applicationId, certSelfAssessments.requirementId], set: { status: it.status, note: it.note, evidenceIds: it.evidenceIds, updatedBy: a.userId ?? null, updatedAt: now } });
        }
        await appendAudit(tx, clock, actor, { action: "certification.self_assessment_saved", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { requirements: items.map((i) => i.requirementId) } });
        const [n] = await tx.select({ n: count() }).from(certSelfAssessments).where(eq(certSelfAssessments.applicationId, id));
        return { answered: n?.n ?? 0, total: v.requirementIds.size };
      });
    },

    async selfAssessment(actor: Actor, id: string) {
      await load(db, actor, id);
      return db.select().from(certSelfAssessments).where(eq(certSelfAssessments.applicationId, id)).orderBy(certSelfAssessments.requirementId);
    },

    /** The body assigns the audit team; each auditor passes the conflict-of-interest check first. */
    async assignTeam(actor: Actor, id: string, members: { auditorId: string; lead: boolean }[]) {
      const a = member(actor);
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        if (a.orgId !== app.cbOrgId || a.role !== "cb_admin") throw forbidden("Only the body's administrator assigns the audit team.");
        // (corrective_action too: a suspended or conflicted auditor takes no further part, and the
        // corrective actions still need someone to verify them before their deadline)
        if (!["submitted", "intake_review", "renewal_in_review", "document_review", "onsite_audit", "corrective_action", "active", "active_under_surveillance"].includes(app.status)) {
          throw new AppError("invalid_transition", `The team cannot change while the application is ${app.status}.`);
        }
        if (members.filter((m) => m.lead).length !== 1) throw invalid("members", "exactly one lead auditor");
        const ids = members.map((m) => m.auditorId);
        if (new Set(ids).size !== ids.length || ids.some((x) => !UUID.test(x))) throw invalid("members", "auditor ids must be distinct auditor ids");
        const auditors = await tx.select().from(certAuditors).where(inArray(certAuditors.id, ids));
        const conflicts = await tx.select().from(certAuditorConflicts).where(and(inArray(certAuditorConflicts.auditorId, ids), eq(certAuditorConflicts.orgId, app.merchantOrgId)));
        members.forEach((m, i) => {
          const au = auditors.find((x) => x.id === m.auditorId);
          if (!au || au.cbOrgId !== app.cbOrgId) throw invalid(`members.${i}.auditorId`, "is not an auditor of this body");
          if (au.status !== "active") throw invalid(`members.${i}.auditorId`, `${au.name} is ${au.status}`);
          const c = conflicts.find((x) => x.auditorId === au.id);
          if (c) throw new AppError("conflict", `${au.name} declared a conflict of interest with this applicant: ${c.reason}`, { fields: [{ field: `members.${i}.auditorId`, message: "declared conflict of interest" }], extra: { auditorId: au.id } });
          if (m.lead && au.grade !== "lead_auditor") throw invalid(`members.${i}.lead`, `${au.name} is not a lead auditor`);
        });
        const now = clock.now();
        await tx.delete(certTeam).where(eq(certTeam.applicationId, id));
        await tx.insert(certTeam).values(members.map((m) => ({ applicationId: id, auditorId: m.auditorId, userId: auditors.find((x) => x.id === m.auditorId)?.userId ?? null, lead: m.lead, assignedBy: a.userId ?? null, assignedAt: now })));
        await appendAudit(tx, clock, actor, { action: "certification.team_assigned", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { members, conflictChecked: true } });
        return teamWithConflicts(tx, app);
      });
    },

    async team(actor: Actor, id: string) {
      const app = await load(db, actor, id);
      return teamWithConflicts(db, app);
    },

    async setAuditPlan(actor: Actor, id: string, plan: { documentReviewOn?: string | undefined; onsiteOn?: string | undefined; mode: "onsite" | "remote" | "hybrid"; notes: string }) {
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        const ps = await partiesOf(tx, actor, app);
        if (!ps.includes("cb_admin") && !ps.includes("lead_auditor")) throw forbidden("The body's administrator or the lead auditor sets the audit plan.");
        const now = clock.now();
        for (const [k, v] of [["documentReviewOn", plan.documentReviewOn], ["onsiteOn", plan.onsiteOn]] as const) {
          if (v !== undefined && new Date(v) < new Date(now.toISOString().slice(0, 10))) throw invalid(k, "must not be in the past");
        }
        await tx.update(certApplications).set({ auditPlan: plan, updatedAt: now }).where(eq(certApplications.id, id));
        await appendAudit(tx, clock, actor, { action: "certification.audit_plan_set", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: plan });
        return plan;
      });
    },

    /** Per-requirement results, by an auditor on the team, during document review or the audit. */
    async recordResults(actor: Actor, id: string, items: { requirementId: string; result: (typeof resultValues)[number]; note: string }[]) {
      await warm(id);
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        const ps = await partiesOf(tx, actor, app);
        if (!ps.includes("team_auditor")) throw forbidden("Only an auditor on this application's team records results.");
        if (!["document_review", "onsite_audit", "active_under_surveillance"].includes(app.status)) throw new AppError("invalid_transition", `Results are recorded during the audit, not while ${app.status}.`);
        const v = await version(app.scheme, app.schemeVersion);
        items.forEach((it, i) => {
          if (!v.requirementIds.has(it.requirementId)) throw invalid(`items.${i}.requirementId`, `${it.requirementId} is not in ${app.scheme} ${app.schemeVersion}`);
          if ((it.result === "minor_nc" || it.result === "major_nc") && it.note.trim().length < 3) throw invalid(`items.${i}.note`, "a nonconformity needs a finding");
        });
        const now = clock.now();
        for (const it of items) {
          await tx
            .insert(certResults)
            .values({ applicationId: id, requirementId: it.requirementId, result: it.result, note: it.note, auditorUserId: actor.userId ?? null, updatedAt: now })
            .onConflictDoUpdate({ target: [certResults.applicationId, certResults.requirementId], set: { result: it.result, note: it.note, auditorUserId: actor.userId ?? null, updatedAt: now } });
        }
        await appendAudit(tx, clock, actor, { action: "certification.results_recorded", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { results: items.map((i) => [i.requirementId, i.result]) } });
        return { recorded: items.length };
      });
    },

    async results(actor: Actor, id: string) {
      await load(db, actor, id);
      return db.select().from(certResults).where(eq(certResults.applicationId, id)).orderBy(certResults.requirementId);
    },

    async correctiveActions(actor: Actor, id: string) {
      await load(db, actor, id);
      return db.select().from(certCorrectiveActions).where(eq(certCorrectiveActions.applicationId, id)).orderBy(certCorrectiveActions.requirementId);
    },

    /** The applicant answers a corrective action before its deadline. */
    async submitCorrectiveAction(actor: Actor, id: string, caId: string, input: { owner: string; response: string; evidenceIds: string[] }) {
      const a = member(actor);
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        if (a.orgId !== app.merchantOrgId) throw forbidden("Only the applicant answers corrective actions.");
        if (app.status !== "corrective_action") throw new AppError("invalid_transition", `Corrective actions are answered during the corrective-action step, not while ${app.status}.`);
        if (!UUID.test(caId)) throw notFound("The corrective action");
        const [ca] = await tx.select().from(certCorrectiveActions).where(and(eq(certCorrectiveActions.id, caId), eq(certCorrectiveActions.applicationId, id)));
        if (!ca) throw notFound("The corrective action");
        const now = clock.now();
        if (ca.dueAt <= now) throw new AppError("invalid_transition", `The deadline (${ca.dueAt.toISOString()}) has passed.`, { extra: { dueAt: ca.dueAt.toISOString() } });
        if (ca.status === "verified") throw new AppError("invalid_transition", "This corrective action is already verified.");
        if (input.evidenceIds.some((e) => !UUID.test(e))) throw invalid("evidenceIds", "must be evidence file ids");
        const [row] = await tx.update(certCorrectiveActions).set({ owner: input.owner, response: input.response, evidenceIds: input.evidenceIds, status: "submitted", updatedAt: now }).where(eq(certCorrectiveActions.id, caId)).returning();
        await appendAudit(tx, clock, actor, { action: "certification.ca_submitted", objectType: "cert_corrective_action", objectId: caId, orgId: app.merchantOrgId, summary: { applicationId: id, evidenceIds: input.evidenceIds } });
        return row;
      });
    },

    /** An auditor on the team verifies (or sends back) a submitted corrective action. */
    async verifyCorrectiveAction(actor: Actor, id: string, caId: string, input: { accept: boolean; verification: string }) {
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        if (!(await partiesOf(tx, actor, app)).includes("team_auditor")) throw forbidden("Only an auditor on the team verifies corrective actions.");
        if (!UUID.test(caId)) throw notFound("The corrective action");
        const [ca] = await tx.select().from(certCorrectiveActions).where(and(eq(certCorrectiveActions.id, caId), eq(certCorrectiveActions.applicationId, id)));
        if (!ca) throw notFound("The corrective action");
        if (ca.status !== "submitted") throw new AppError("invalid_transition", `Only a submitted corrective action is verified (this one is ${ca.status}).`);
        const now = clock.now();
        const [row] = await tx
          .update(certCorrectiveActions)
          .set({ status: input.accept ? "verified" : "open", verification: input.verification, verifiedBy: input.accept ? (actor.userId ?? null) : null, updatedAt: now })
          .where(eq(certCorrectiveActions.id, caId))
          .returning();
        await appendAudit(tx, clock, actor, { action: input.accept ? "certification.ca_verified" : "certification.ca_returned", objectType: "cert_corrective_action", objectId: caId, orgId: app.merchantOrgId, summary: { applicationId: id, verification: input.verification } });
        return row;
      });
    },

    /** The body records the signed mark-use agreement and the fee (guards of `activate`). */
    async recordAgreement(actor: Actor, id: string, input: { agreementSigned: boolean; feePaid: boolean }) {
      return db.transaction(async (tx) => {
        const app = await load(tx, actor, id, true);
        if (!(await partiesOf(tx, actor, app)).includes("cb_admin")) throw forbidden("The body's administrator records the agreement.");
        if (app.status !== "approved_pending_activation") throw new AppError("invalid_transition", `The agreement is recorded after the grant, not while ${app.status}.`);
        await tx.update(certApplications).set({ ...input, updatedAt: clock.now() }).where(eq(certApplications.id, id));
        await appendAudit(tx, clock, actor, { action: "certification.agreement_recorded", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: input });
        return input;
      });
    },

    // ------------------------------------------------------------------ marks (for other modules)
    async getMark(markNumber: string): Promise<MarkView> {
      const [app] = await db.select().from(certApplications).where(eq(certApplications.markNumber, markNumber));
      const mark = app ? markOf(app, clock.now()) : null;
      if (!mark) throw notFound("The mark");
      return mark;
    },

    async listMarksForOrg(orgId: string): Promise<MarkView[]> {
      if (!UUID.test(orgId)) return [];
      const now = clock.now();
      const rows = await db.select().from(certApplications).where(and(eq(certApplications.merchantOrgId, orgId), sql`${certApplications.markNumber} is not null`)).orderBy(desc(certApplications.updatedAt));
      return rows.map((r) => markOf(r, now)).filter((m): m is MarkView => m !== null);
    },

    /**
     * Evidence read grant (platform EvidenceReadGrant): the assigned body's administrator, or an
     * auditor on the team, may read a file of the applicant that is linked to an open
     * application with that body (self-assessment, corrective action, transition evidence or an evidence item linked to a requirement).
     */
    async mayReadApplicantEvidence(actor: Member, file: { id: string; orgId: string }): Promise<boolean> {
      if (actor.orgKind !== "certification_body" || (actor.role !== "cb_admin" && actor.role !== "auditor")) return false;
      const linked = JSON.stringify([file.id]);
      const conds: SQL[] = [
        eq(certApplications.merchantOrgId, file.orgId),
        eq(certApplications.cbOrgId, actor.orgId),
        sql`${certApplications.status} not in ('draft','withdrawn','rejected','expired','revoked')`,
        sql`(exists (select 1 from ${certSelfAssessments} where ${certSelfAssessments.applicationId} = ${certApplications.id} and ${certSelfAssessments.evidenceIds} @> ${linked}::jsonb)
          or exists (select 1 from ${certCorrectiveActions} where ${certCorrectiveActions.applicationId} = ${certApplications.id} and ${certCorrectiveActions.evidenceIds} @> ${linked}::jsonb)
          or exists (select 1 from ${certEvents} where ${certEvents.applicationId} = ${certApplications.id} and ${certEvents.evidenceIds} @> ${linked}::jsonb)
          or exists (select 1 from ${certEvidenceLinks} join ${certEvidence} on ${certEvidence.id} = ${certEvidenceLinks.evidenceId} where ${certEvidenceLinks.applicationId} = ${certApplications.id} and ${certEvidence.fileId} = ${file.id}))`,
      ];
      if (actor.role === "auditor") {
        if (!actor.userId) return false;
        conds.push(sql`exists (select 1 from ${certTeam} where ${certTeam.applicationId} = ${certApplications.id} and ${certTeam.userId} = ${actor.userId})`);
      }
      const [hit] = await db.select({ id: certApplications.id }).from(certApplications).where(and(...conds)).limit(1);
      return hit !== undefined;
    },
  };
}

export type CertificationService = ReturnType<typeof createCertificationService>;
