// Test helpers for the certification module: services on a fresh test database, actors, and a
// driver that takes an application from draft to an active mark through the real service.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../platform/actor.ts";
import type { OrgKind, Role } from "../../platform/auth/roles.ts";
import { FixedClock, type Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { createEvidenceService, type EvidenceService } from "../../platform/storage/evidence.service.ts";
import { createLocalStorage } from "../../platform/storage/storage.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { createSchemesService, type SchemesService } from "../schemes/schemes.service.ts";
import { createAccreditationService, type AccreditationService } from "./accreditation.service.ts";
import { createCertificationService, type CertificationService, type MarkChange, type MarkHook } from "./certification.service.ts";
import { createCertificationTimers, type CertificationTimers, type Notifier } from "./certification.jobs.ts";
import { createCertificationRecords, type CertificationRecords, type Directory } from "./records.ts";

export const cataloguesDir = new URL("../../../catalogues/", import.meta.url).pathname;

export const buildActor = (orgKind: OrgKind, role: Role, orgId: string = randomUUID(), userId: string = randomUUID()): Extract<Actor, { kind: "user" }> => ({ kind: "user", userId, orgId, orgKind, role });

export interface CertWorld {
  database: TestDatabase;
  clock: FixedClock;
  schemes: SchemesService;
  accreditation: AccreditationService;
  certification: CertificationService;
  timers: CertificationTimers;
  evidence: EvidenceService;
  records: CertificationRecords;
  /** names the records services show on public pages (tests add organisations and shops) */
  names: { orgs: Map<string, { nameZh: string; nameEn: string }>; shops: Map<string, { id: string; orgId: string; nameZh: string; nameEn: string | null }> };
  markChanges: MarkChange[];
  notices: { orgId: string; template: string; vars: Record<string, string> }[];
  /** messages to people without an account (complainants) */
  mails: { to: string; template: string; vars: Record<string, string> }[];
  close(): Promise<void>;
}

export interface CertServices {
  schemes: SchemesService;
  certification: CertificationService;
  accreditation: AccreditationService;
  timers: CertificationTimers;
  /** the requirement ids of the bundled tw-pims catalogue's current version */
  requirementIds: string[];
}

/** The certification services over a database, with the bundled catalogues loaded (no notices sent unless a notifier is given). */
/** shopOwner: the registry's answer to "whose shop is this" (default: no shop exists, so an application naming one is refused). */
export async function buildCertServices(db: Db, clock: Clock, options: { markHooks?: MarkHook[]; notifier?: Notifier; shopOwner?: (shopId: string) => Promise<string | undefined> } = {}): Promise<CertServices> {
  const schemes = createSchemesService({ db, clock });
  await schemes.loadBundled(cataloguesDir);
  const requirementIds = (await schemes.current("tw-pims")).catalogue.requirements.map((r) => r.id);
  const certification = createCertificationService({ db, clock, schemes, markHooks: options.markHooks ?? [], shopOwner: options.shopOwner ?? (async () => undefined) });
  const accreditation = createAccreditationService({ db, clock, schemes });
  const timers = createCertificationTimers({ db, clock, certification, notifier: options.notifier ?? { prepare: async () => async () => undefined } });
  return { schemes, certification, accreditation, timers, requirementIds };
}

/** extraHooks: further mark subscribers (the seals hook, in the test that checks it fires). */
export async function buildCertWorld(database?: TestDatabase, clock = new FixedClock("2027-01-04T09:00:00Z"), extraHooks: MarkHook[] = []): Promise<CertWorld> {
  const db = database ?? (await testDatabase());
  const markChanges: MarkChange[] = [];
  const notices: CertWorld["notices"] = [];
  const mails: CertWorld["mails"] = [];
  const notifier: Notifier = { prepare: async (orgIds) => async (_tx, m) => void notices.push(...orgIds.map((orgId) => ({ orgId, ...m }))) };
  const names: CertWorld["names"] = { orgs: new Map(), shops: new Map() };
  const shopOwner = async (shopId: string): Promise<string | undefined> => names.shops.get(shopId)?.orgId;
  const { schemes, certification, accreditation, timers } = await buildCertServices(db.db, clock, { markHooks: [async (c) => void markChanges.push(c), ...extraHooks], notifier, shopOwner });
  const root = mkdtempSync(join(tmpdir(), "ectrust-cert-evidence-"));
  const evidence = createEvidenceService({ db: db.db, clock, storage: createLocalStorage(root), maxBytes: 5 * 1024 * 1024, readGrants: [(actor, file) => certification.mayReadApplicantEvidence(actor, file)] });
  const directory: Directory = {
    organisation: async (orgId) => names.orgs.get(orgId),
    shop: async (shopId) => names.shops.get(shopId),
    shopOfOrg: async (orgId) => [...names.shops.values()].find((x) => x.orgId === orgId),
  };
  const mail = { enqueue: async (_tx: unknown, m: { to: string; template: string; vars: Record<string, string> }) => void mails.push(m) };
  const records = createCertificationRecords({ db: db.db, clock, certification, schemes, evidence, directory, notifier, mail });
  const close = async (): Promise<void> => {
    await db.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { database: db, clock, schemes, accreditation, certification, timers, evidence, records, names, markChanges, notices, mails, close };
}

export interface Body {
  admin: Extract<Actor, { kind: "user" }>;
  lead: Extract<Actor, { kind: "user" }>;
  auditor: Extract<Actor, { kind: "user" }>;
  leadId: string;
  auditorId: string;
}

/** An accredited body with a lead auditor and an auditor, both with user accounts. */
export async function accreditedBody(w: CertWorld, scheme = "tw-pims"): Promise<Body> {
  const cbOrg = randomUUID();
  const admin = buildActor("certification_body", "cb_admin", cbOrg);
  const authority = buildActor("authority", "authority_admin");
  const acc = await w.accreditation.applyForAccreditation(admin, { scheme, scope: "all sectors" });
  await w.accreditation.decideAccreditation(authority, acc.id, "start_assessment", { reason: "documents complete" });
  await w.accreditation.decideAccreditation(authority, acc.id, "accredit", { reason: "witnessed audit passed", validMonths: 48 });
  const lead = buildActor("certification_body", "auditor", cbOrg);
  const auditor = buildActor("certification_body", "auditor", cbOrg);
  const l = await w.accreditation.addAuditor(admin, { name: "Lead", userId: lead.userId, grade: "lead_auditor", qualifications: ["ISO 27001 LA"], trainingHours: 40 });
  const a = await w.accreditation.addAuditor(admin, { name: "Auditor", userId: auditor.userId, grade: "auditor", qualifications: [], trainingHours: 16 });
  return { admin, lead, auditor, leadId: l.id, auditorId: a.id };
}

export async function answerAll(w: CertWorld, merchant: Actor, appId: string, scheme = "tw-pims"): Promise<void> {
  const c = await w.schemes.current(scheme);
  await w.certification.saveSelfAssessment(merchant, appId, c.catalogue.requirements.map((r) => ({ requirementId: r.id, status: "implemented" as const, note: "", evidenceIds: [] })));
}

export async function conformAll(w: CertWorld, auditor: Actor, appId: string, scheme = "tw-pims"): Promise<void> {
  const c = await w.schemes.current(scheme);
  await w.certification.recordResults(auditor, appId, c.catalogue.requirements.map((r) => ({ requirementId: r.id, result: "conforming" as const, note: "" })));
}

/** Draft → active without findings; returns the application id. */
export async function driveToActive(w: CertWorld, body: Body, merchant: Extract<Actor, { kind: "user" }>, scheme = "tw-pims"): Promise<string> {
  const c = w.certification;
  const app = await c.apply(merchant, { scheme, cbOrgId: body.admin.orgId, scope: "online shop" });
  await answerAll(w, merchant, app.id, scheme);
  await c.transition(merchant, app.id, "submit");
  await c.transition(body.admin, app.id, "start_intake");
  await c.assignTeam(body.admin, app.id, [{ auditorId: body.leadId, lead: true }, { auditorId: body.auditorId, lead: false }]);
  await c.transition(body.admin, app.id, "intake_accepted");
  await c.transition(body.lead, app.id, "doc_review_done");
  await conformAll(w, body.lead, app.id, scheme);
  await c.transition(body.lead, app.id, "audit_done_no_findings");
  await c.transition(body.admin, app.id, "grant", { reason: "committee: all requirements met" });
  await c.recordAgreement(body.admin, app.id, { agreementSigned: true, feePaid: true });
  await c.transition(body.admin, app.id, "activate");
  return app.id;
}
