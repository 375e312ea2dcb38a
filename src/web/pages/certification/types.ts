// Shapes of the certification API responses the pages read. They mirror the server's zod
// response schemas (src/modules/certification/certification.schema.ts); unions come from the
// server's own constants as types only (nothing of the server is bundled).
import type { Status } from "../../../modules/certification/lifecycle.ts";

export type { Status };
export type ResultValue = "conforming" | "minor_nc" | "major_nc" | "observation" | "not_applicable";
export type SelfStatus = "implemented" | "partial" | "not_implemented" | "not_applicable";
export type MarkStatus = "active" | "suspended" | "revoked" | "expired" | "withdrawn";
export type Grade = "candidate" | "auditor" | "lead_auditor";
export type AccreditationAction = "start_assessment" | "accredit" | "refuse" | "suspend" | "reinstate" | "withdraw";

export interface Flag {
  kind: string;
  level: number | null;
  at: string;
  reason: string;
}

export interface MarkView {
  markNumber: string;
  applicationId: string;
  scheme: string;
  schemeVersion: string;
  holderOrgId: string;
  shopId: string | null;
  certificationBodyId: string;
  scope: string;
  status: MarkStatus;
  lifecycleStatus: Status;
  validFrom: string | null;
  validTo: string | null;
  suspendedUntil: string | null;
  renewalCounter: number;
  flags: Flag[];
}

export interface Application {
  id: string;
  merchantOrgId: string;
  shopId: string | null;
  cbOrgId: string;
  scheme: string;
  schemeVersion: string;
  scope: string;
  status: Status;
  cycle: "initial" | "renewal";
  caRound: number;
  caDueAt: string | null;
  activationDueAt: string | null;
  validFrom: string | null;
  validTo: string | null;
  renewalCounter: number;
  surveillanceDueAt: string | null;
  suspendedUntil: string | null;
  reapplyAfter: string | null;
  flags: Flag[];
  markNumber: string | null;
  agreementSigned: boolean;
  feePaid: boolean;
  auditPlan: AuditPlan | null;
  createdAt: string;
  updatedAt: string;
}

/** Organisation names the API sends beside the ids (null when the organisation is unknown). */
export interface PartyNames {
  merchantNameZh: string | null;
  merchantNameEn: string | null;
  cbNameZh: string | null;
  cbNameEn: string | null;
}
/** An application as the list and the detail send it: with the parties' names. */
export type NamedApplication = Application & PartyNames;

export interface ApplicationDetail extends NamedApplication {
  mark: MarkView | null;
  availableEvents: string[];
}

export interface ApplicationList {
  items: NamedApplication[];
  countsByStatus: Partial<Record<Status, number>>;
}

export interface CertEvent {
  id: string;
  event: string;
  fromStatus: Status;
  toStatus: Status;
  actorUserId: string | null;
  actorKind: string;
  reason: string;
  evidenceIds: string[];
  at: string;
}

export interface SelfRow {
  requirementId: string;
  status: SelfStatus;
  note: string;
  evidenceIds: string[];
  updatedAt: string;
}

export interface TeamRow {
  auditorId: string;
  userId: string | null;
  /** the auditor's name in the body's register */
  name: string;
  lead: boolean;
  status: string;
  conflictFree: boolean;
}

export interface AuditPlan {
  documentReviewOn?: string;
  onsiteOn?: string;
  mode: "onsite" | "remote" | "hybrid";
  notes: string;
}

export interface ResultRow {
  requirementId: string;
  result: ResultValue;
  note: string;
  auditorUserId: string | null;
  updatedAt: string;
}

export interface CorrectiveAction {
  id: string;
  requirementId: string;
  grade: "minor" | "major";
  finding: string;
  owner: string;
  dueAt: string;
  status: "open" | "submitted" | "verified";
  response: string;
  evidenceIds: string[];
  verification: string;
  verifiedBy: string | null;
  updatedAt: string;
}

export interface Accreditation {
  id: string;
  cbOrgId: string;
  scheme: string;
  scope: string;
  status: string;
  validFrom: string | null;
  validTo: string | null;
  reason: string;
  createdAt: string;
  updatedAt: string;
}
/** An accreditation as the list sends it: with the body's name. */
export type NamedAccreditation = Accreditation & Pick<PartyNames, "cbNameZh" | "cbNameEn">;

export interface Auditor {
  id: string;
  cbOrgId: string;
  userId: string | null;
  name: string;
  grade: Grade;
  status: string;
  qualifications: string[];
  trainingHours: number;
}

export interface Conflict {
  id: string;
  auditorId: string;
  orgId: string;
  reason: string;
  declaredAt: string;
}
export type NamedConflict = Conflict & { orgNameZh: string | null; orgNameEn: string | null };

export interface AuditorRecord {
  auditor: Auditor;
  conflicts: NamedConflict[];
  audits: { applicationId: string; lead: boolean; assignedAt: string; scheme: string; status: Status }[];
}

export interface Alarm extends PartyNames {
  id: string;
  applicationId: string;
  cbOrgId: string;
  merchantOrgId: string;
  kind: string;
  dueAt: string;
  raisedAt: string;
}

export interface EvidenceFile {
  id: string;
  orgId: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

export interface Certificate {
  markNumber: string;
  status: MarkStatus;
  scheme: string;
  schemeTitle: { "zh-TW": string; en: string };
  schemeVersion: string;
  holder: { nameZh: string; nameEn: string | null; shopId: string | null };
  certificationBody: { id: string; name: string };
  scope: string;
  validFrom: string | null;
  validTo: string | null;
  suspendedUntil: string | null;
  renewalCounter: number;
  notices: { kind: string; at: string }[];
}

export type ChangeKind = "name" | "address" | "representative" | "pims_manager" | "scope";
export interface ChangeReport {
  id: string;
  applicationId: string;
  kind: ChangeKind;
  before: string;
  after: string;
  effectiveOn: string;
  reason: string;
  evidenceIds: string[];
  status: "submitted" | "accepted" | "reaudit_required";
  reviewNote: string;
  filedAt: string;
  reviewedAt: string | null;
}

export type ComplaintCategory = "privacy_notice" | "excess_collection" | "unwanted_marketing" | "data_breach" | "access_request" | "mark_misuse" | "other";
export type ComplaintStatus = "received" | "responded" | "upheld" | "dismissed";
export interface Complaint {
  id: string;
  reference: string;
  applicationId: string;
  markNumber: string;
  merchantOrgId: string;
  cbOrgId: string;
  category: ComplaintCategory;
  description: string;
  complainantName: string | null;
  complainantEmail: string | null;
  status: ComplaintStatus;
  merchantResponse: string;
  respondedAt: string | null;
  determination: string;
  sanctionEvent: string | null;
  determinedAt: string | null;
  filedAt: string;
}
/** A complaint as the list and the detail send it: with the holder's and the body's names. */
export type NamedComplaint = Complaint & PartyNames;
