// Evidence items: a merchant's uploaded file (platform evidence: bytes, type, SHA-256) registered
// with a title and the period it is valid for, then linked to requirements of an application.
// One item serves many requirements and, carried over, later renewals; an item past its expiry is
// flagged everywhere it appears and cannot be linked again.
//
// A link belongs to an assessment cycle: the mark counter the assessment leads to (1 for the
// initial application and the mark it becomes, 2 for the first renewal …).
import { and, asc, count, eq, inArray, lt, max } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { EvidenceService } from "../../platform/storage/evidence.service.ts";
import type { Application, CertificationService } from "./certification.service.ts";
import { certEvidence, certEvidenceLinks } from "./records.tables.ts";

type Row = typeof certEvidence.$inferSelect;
export type EvidenceItem = Omit<Row, "updatedAt" | "createdBy"> & { expired: boolean; uses: number };

export interface EvidenceItemsDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "load" | "version" | "warm">;
  evidence: Pick<EvidenceService, "get">;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOSED = new Set(["withdrawn", "rejected", "expired", "revoked"]);
/** While the decision is being taken no evidence link of the assessment changes. */
const DECIDING = new Set(["decision_pending"]);
/** Once the decision is being taken or made, the evidence it rested on stays linked (links may be added after it). */
const DECIDED = new Set(["decision_pending", "approved_pending_activation", "active", "active_under_surveillance", "suspended"]);

/** The mark counter the application's current assessment leads to. */
export const assessmentCycle = (app: Pick<Application, "cycle" | "renewalCounter">): number => (app.cycle === "renewal" ? app.renewalCounter + 1 : Math.max(app.renewalCounter, 1));

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

type Member = Extract<Actor, { kind: "user" | "token" }>;
function merchantMember(actor: Actor): Member {
  if ((actor.kind !== "user" && actor.kind !== "token") || actor.orgKind !== "merchant" || (actor.role !== "merchant_admin" && actor.role !== "merchant_staff")) {
    throw forbidden("Evidence items are kept by the merchant's organisation.");
  }
  return actor;
}

export function createEvidenceItemsService(deps: EvidenceItemsDeps) {
  const { db, clock, certification, evidence } = deps;

  async function withUses(tx: Db, rows: Row[]): Promise<EvidenceItem[]> {
    if (!rows.length) return [];
    const uses = await tx.select({ id: certEvidenceLinks.evidenceId, n: count() }).from(certEvidenceLinks).where(inArray(certEvidenceLinks.evidenceId, rows.map((r) => r.id))).groupBy(certEvidenceLinks.evidenceId);
    const now = clock.now();
    return rows.map(({ updatedAt: _u, createdBy: _c, ...r }) => ({ ...r, expired: r.expiresAt !== null && r.expiresAt <= now, uses: uses.find((u) => u.id === r.id)?.n ?? 0 }));
  }

  async function writableApp(tx: Db, actor: Actor, id: string): Promise<Application> {
    const a = merchantMember(actor);
    const app = await certification.load(tx, actor, id, true);
    if (app.merchantOrgId !== a.orgId) throw forbidden("Only the applicant links its evidence.");
    if (CLOSED.has(app.status)) throw new AppError("invalid_transition", `Evidence cannot be linked: the application is ${app.status}.`);
    return app;
  }

  return {
    async register(actor: Actor, input: { fileId: string; title: string; effectiveFrom: string; expiresOn: string | null }): Promise<EvidenceItem> {
      const a = merchantMember(actor);
      const file = await evidence.get(actor, input.fileId);
      if (file.orgId !== a.orgId) throw notFound("The file");
      const from = day(input.effectiveFrom);
      const to = input.expiresOn === null ? null : day(input.expiresOn);
      if (to && to <= from) throw invalid("expiresOn", "must be after effectiveFrom");
      return db.transaction(async (tx) => {
        const [dup] = await tx.select({ id: certEvidence.id }).from(certEvidence).where(and(eq(certEvidence.merchantOrgId, a.orgId), eq(certEvidence.fileId, file.id)));
        if (dup) throw new AppError("conflict", "This file is already an evidence item; link that item instead.", { extra: { evidenceId: dup.id } });
        const now = clock.now();
        const [row] = await tx
          .insert(certEvidence)
          .values({ merchantOrgId: a.orgId, fileId: file.id, title: input.title, filename: file.filename, mediaType: file.mediaType, sizeBytes: file.sizeBytes, sha256: file.sha256, effectiveFrom: from, expiresAt: to, createdBy: a.userId ?? null, createdAt: now, updatedAt: now })
          .returning();
        if (!row) throw new AppError("internal", "evidence item not written");
        await appendAudit(tx, clock, actor, { action: "certification.evidence_registered", objectType: "cert_evidence", objectId: row.id, orgId: a.orgId, summary: { fileId: file.id, sha256: file.sha256, effectiveFrom: input.effectiveFrom, expiresOn: input.expiresOn } });
        return (await withUses(tx, [row]))[0] as EvidenceItem;
      });
    },

    async update(actor: Actor, evidenceId: string, patch: { title?: string | undefined; effectiveFrom?: string | undefined; expiresOn?: string | null | undefined }): Promise<EvidenceItem> {
      const a = merchantMember(actor);
      if (!UUID.test(evidenceId)) throw notFound("The evidence item");
      return db.transaction(async (tx) => {
        const [cur] = await tx.select().from(certEvidence).where(and(eq(certEvidence.id, evidenceId), eq(certEvidence.merchantOrgId, a.orgId))).for("update");
        if (!cur) throw notFound("The evidence item");
        const from = patch.effectiveFrom ? day(patch.effectiveFrom) : cur.effectiveFrom;
        const to = patch.expiresOn === undefined ? cur.expiresAt : patch.expiresOn === null ? null : day(patch.expiresOn);
        if (to && to <= from) throw invalid("expiresOn", "must be after effectiveFrom");
        const [row] = await tx.update(certEvidence).set({ title: patch.title ?? cur.title, effectiveFrom: from, expiresAt: to, updatedAt: clock.now() }).where(eq(certEvidence.id, cur.id)).returning();
        if (!row) throw new AppError("internal", "evidence item not updated");
        await appendAudit(tx, clock, actor, { action: "certification.evidence_changed", objectType: "cert_evidence", objectId: row.id, orgId: a.orgId, summary: patch });
        return (await withUses(tx, [row]))[0] as EvidenceItem;
      });
    },

    /** The merchant's items (the authority may name an organisation). */
    async list(actor: Actor, q: { orgId?: string | undefined; limit: number; offset: number }) {
      if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
      const orgId = actor.orgKind === "authority" && q.orgId ? q.orgId : actor.orgId;
      if (q.orgId && q.orgId !== orgId) throw forbidden("Evidence items are listed for your own organisation.");
      if (actor.orgKind !== "merchant" && actor.orgKind !== "authority") throw forbidden("Evidence items are kept by merchants; bodies see them through the applications they audit.");
      const rows = await db.select().from(certEvidence).where(eq(certEvidence.merchantOrgId, orgId)).orderBy(asc(certEvidence.title), asc(certEvidence.id)).limit(q.limit).offset(q.offset);
      const [n] = await db.select({ n: count() }).from(certEvidence).where(eq(certEvidence.merchantOrgId, orgId));
      return { items: await withUses(db, rows), total: n?.n ?? 0 };
    },

    /** Links items to requirements of the current assessment (idempotent per link). */
    async link(actor: Actor, id: string, links: { evidenceId: string; requirementId: string }[]) {
      await certification.warm(id);
      return db.transaction(async (tx) => {
        const app = await writableApp(tx, actor, id);
        if (DECIDING.has(app.status)) throw new AppError("invalid_transition", "Evidence cannot be linked while the certification decision is being taken.");
        const v = await certification.version(app.scheme, app.schemeVersion);
        const ids = [...new Set(links.map((l) => l.evidenceId))];
        const items = await tx.select().from(certEvidence).where(and(inArray(certEvidence.id, ids), eq(certEvidence.merchantOrgId, app.merchantOrgId)));
        const now = clock.now();
        links.forEach((l, i) => {
          if (!v.requirementIds.has(l.requirementId)) throw invalid(`links.${i}.requirementId`, `${l.requirementId} is not in ${app.scheme} ${app.schemeVersion}`);
          const item = items.find((x) => x.id === l.evidenceId);
          if (!item) throw invalid(`links.${i}.evidenceId`, "is not one of your evidence items");
          if (item.expiresAt && item.expiresAt <= now) throw invalid(`links.${i}.evidenceId`, `"${item.title}" expired on ${item.expiresAt.toISOString().slice(0, 10)}; upload a current version`);
        });
        const cycle = assessmentCycle(app);
        await tx
          .insert(certEvidenceLinks)
          .values(links.map((l) => ({ evidenceId: l.evidenceId, applicationId: id, requirementId: l.requirementId, cycle, linkedBy: actor.userId ?? null, linkedAt: now })))
          .onConflictDoNothing();
        await appendAudit(tx, clock, actor, { action: "certification.evidence_linked", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { cycle, links } });
        return { cycle, linked: links.length };
      });
    },

    async unlink(actor: Actor, id: string, link: { evidenceId: string; requirementId: string }) {
      await db.transaction(async (tx) => {
        const app = await writableApp(tx, actor, id);
        if (DECIDED.has(app.status)) throw new AppError("invalid_transition", `Evidence the certification decision rests on stays linked: the application is ${app.status}.`);
        const cycle = assessmentCycle(app);
        const gone = await tx
          .delete(certEvidenceLinks)
          .where(and(eq(certEvidenceLinks.applicationId, id), eq(certEvidenceLinks.cycle, cycle), eq(certEvidenceLinks.evidenceId, link.evidenceId), eq(certEvidenceLinks.requirementId, link.requirementId)))
          .returning({ e: certEvidenceLinks.evidenceId });
        if (!gone.length) throw notFound("The link");
        await appendAudit(tx, clock, actor, { action: "certification.evidence_unlinked", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { cycle, ...link } });
      });
    },

    /** Links of one cycle (default: the current assessment), each with its item and expiry flag. */
    async links(actor: Actor, id: string, cycle?: number) {
      const app = await certification.load(db, actor, id);
      const c = cycle ?? assessmentCycle(app);
      const rows = await db.select().from(certEvidenceLinks).where(and(eq(certEvidenceLinks.applicationId, id), eq(certEvidenceLinks.cycle, c))).orderBy(asc(certEvidenceLinks.requirementId), asc(certEvidenceLinks.linkedAt));
      const items = rows.length ? await withUses(db, await db.select().from(certEvidence).where(inArray(certEvidence.id, [...new Set(rows.map((r) => r.evidenceId))]))) : [];
      return {
        cycle: c,
        items: rows.flatMap((r) => {
          const evidenceItem = items.find((x) => x.id === r.evidenceId);
          return evidenceItem ? [{ requirementId: r.requirementId, cycle: r.cycle, evidence: evidenceItem, linkedAt: r.linkedAt }] : [];
        }),
      };
    },

    /** Renewal: the previous cycle's links that are still valid become this cycle's; expired ones are listed. */
    async carryOver(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const app = await writableApp(tx, actor, id);
        const cycle = assessmentCycle(app);
        const [prev] = await tx.select({ c: max(certEvidenceLinks.cycle) }).from(certEvidenceLinks).where(and(eq(certEvidenceLinks.applicationId, id), lt(certEvidenceLinks.cycle, cycle)));
        if (prev?.c === null || prev?.c === undefined) throw new AppError("invalid_transition", "There is no earlier cycle to carry evidence over from.");
        const now = clock.now();
        const old = await tx
          .select({ evidenceId: certEvidenceLinks.evidenceId, requirementId: certEvidenceLinks.requirementId, expiresAt: certEvidence.expiresAt })
          .from(certEvidenceLinks)
          .innerJoin(certEvidence, eq(certEvidence.id, certEvidenceLinks.evidenceId))
          .where(and(eq(certEvidenceLinks.applicationId, id), eq(certEvidenceLinks.cycle, prev.c)));
        const valid = old.filter((o) => !o.expiresAt || o.expiresAt > now);
        const skippedExpired = old.filter((o) => o.expiresAt && o.expiresAt <= now).map(({ evidenceId, requirementId }) => ({ evidenceId, requirementId }));
        if (valid.length) {
          await tx
            .insert(certEvidenceLinks)
            .values(valid.map((o) => ({ evidenceId: o.evidenceId, applicationId: id, requirementId: o.requirementId, cycle, linkedBy: actor.userId ?? null, linkedAt: now })))
            .onConflictDoNothing();
        }
        await appendAudit(tx, clock, actor, { action: "certification.evidence_carried_over", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { from: prev.c, to: cycle, carried: valid.length, skippedExpired } });
        return { cycle, carried: valid.length, skippedExpired };
      });
    },

  };
}

export type EvidenceItemsService = ReturnType<typeof createEvidenceItemsService>;
