// Request and response schemas of the certification records API: inventory, evidence items,
// audit report, certificates, change reports and complaints (one per endpoint).
import { z } from "zod";
import { inventoryItemInput, legalBases } from "./inventory.io.ts";
import { partyNames } from "./certification.schema.ts";
import { changeKinds, complaintCategories } from "./records.tables.ts";
import { COMPLAINT_LIMITS } from "./complaints.limits.ts";

const date = z.date();
const text = (max: number) => z.string().trim().max(max);
const UUID = z.uuid();

export const appParams = z.strictObject({ id: UUID });
export const itemParams = z.strictObject({ id: UUID, itemId: UUID });
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

// ------------------------------------------------------------------ inventory
export const inventoryBody = inventoryItemInput;
export const inventoryItem = z.object({
  id: z.string(),
  applicationId: z.string(),
  name: z.string(),
  purpose: z.string(),
  purposeCodes: z.array(z.string()),
  dataCategories: z.array(z.string()),
  source: z.string(),
  legalBasis: z.enum(Object.keys(legalBases) as [keyof typeof legalBases, ...(keyof typeof legalBases)[]]),
  systems: z.array(z.string()),
  recipients: z.array(z.string()),
  retention: z.string(),
  retentionMonths: z.number().nullable(),
  recordCount: z.number(),
  crossBorder: z.boolean(),
  crossBorderCountries: z.array(z.string()),
  notes: z.string(),
  origin: z.enum(["manual", "import", "pii_draft"]),
  updatedAt: date,
});
export const inventoryList = z.object({ items: z.array(inventoryItem), total: z.number() });
export const inventoryImportBody = z
  .strictObject({
    evidenceId: UUID.optional(),
    /** the JSON printed by `ectrust pii inventory --format json` */
    piiJson: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()).max(5_000)]).optional(),
    mode: z.enum(["append", "replace"]).default("append"),
    dryRun: z.boolean().default(false),
  })
  .refine((b) => (b.evidenceId === undefined) !== (b.piiJson === undefined), { error: "send exactly one of evidenceId and piiJson", path: ["evidenceId"] });
export const inventoryImportResult = z.object({ kind: z.enum(["register", "pii_draft"]), rows: z.number(), written: z.number(), replaced: z.number(), dryRun: z.boolean() });
export const exportQuery = z.strictObject({ format: z.enum(["csv", "xlsx"]).default("csv") });
export const legalBasesResponse = z.object({ items: z.array(z.object({ key: z.string(), zh: z.string(), en: z.string() })) });

// ------------------------------------------------------------------ evidence items
export const evidenceParams = z.strictObject({ evidenceId: UUID });
export const evidenceBody = z.strictObject({
  fileId: UUID,
  title: text(300).min(1),
  effectiveFrom: z.iso.date(),
  expiresOn: z.iso.date().nullable().default(null),
});
export const evidencePatch = z.strictObject({ title: text(300).min(1).optional(), effectiveFrom: z.iso.date().optional(), expiresOn: z.iso.date().nullable().optional() });
export const evidenceItem = z.object({
  id: z.string(),
  merchantOrgId: z.string(),
  fileId: z.string(),
  title: z.string(),
  filename: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  effectiveFrom: date,
  expiresAt: date.nullable(),
  expired: z.boolean(),
  /** how many requirement links (all applications, all cycles) use it */
  uses: z.number(),
  createdAt: date,
});
export const evidenceListQuery = z.strictObject({ orgId: UUID.optional(), limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) });
export const linkBody = z.strictObject({ links: z.array(z.strictObject({ evidenceId: UUID, requirementId: z.string().min(1).max(40) })).min(1).max(2_000) });
export const unlinkBody = z.strictObject({ evidenceId: UUID, requirementId: z.string().min(1).max(40) });
export const evidenceLink = z.object({ requirementId: z.string(), cycle: z.number(), evidence: evidenceItem, linkedAt: date });
export const linksResponse = z.object({ cycle: z.number(), items: z.array(evidenceLink) });
export const carryOverResponse = z.object({ cycle: z.number(), carried: z.number(), skippedExpired: z.array(z.object({ evidenceId: z.string(), requirementId: z.string() })) });

// ------------------------------------------------------------------ certificates and marks
export const markNumberParams = z.strictObject({ markNumber: z.string().regex(/^[A-Z]{2,8}-\d{6}-\d{2}$/, "a mark number such as TWPIMS-000123-02") });
export const shopParams = z.strictObject({ shopId: UUID });
export const certificate = z.object({
  markNumber: z.string(),
  status: z.enum(["active", "suspended", "revoked", "expired", "withdrawn"]),
  scheme: z.string(),
  schemeTitle: z.object({ "zh-TW": z.string(), en: z.string() }),
  schemeVersion: z.string(),
  holder: z.object({ nameZh: z.string(), nameEn: z.string().nullable(), shopId: z.string().nullable() }),
  certificationBody: z.object({ id: z.string(), name: z.string() }),
  scope: z.string(),
  validFrom: date.nullable(),
  validTo: date.nullable(),
  suspendedUntil: date.nullable(),
  renewalCounter: z.number(),
  /** public sanctions in force: caution and recommendation flags (reasons stay with the body) */
  notices: z.array(z.object({ kind: z.string(), at: z.string() })),
});
export const shopMarks = z.object({ items: z.array(certificate) });

// ------------------------------------------------------------------ change reports
export const changeBody = z.strictObject({
  kind: z.enum(changeKinds),
  before: text(1000).min(1),
  after: text(1000).min(1),
  effectiveOn: z.iso.date(),
  reason: text(2000).min(3),
  evidenceIds: z.array(UUID).max(20).default([]),
});
export const changeReviewBody = z.strictObject({ decision: z.enum(["accept", "require_reaudit"]), note: text(2000).min(3) });
export const changeParams = z.strictObject({ id: UUID, changeId: UUID });
export const changeReport = z.object({
  id: z.string(),
  applicationId: z.string(),
  kind: z.enum(changeKinds),
  before: z.string(),
  after: z.string(),
  effectiveOn: z.string(),
  reason: z.string(),
  evidenceIds: z.array(z.string()),
  status: z.enum(["submitted", "accepted", "reaudit_required"]),
  reviewNote: z.string(),
  filedAt: date,
  reviewedAt: date.nullable(),
});
export const changeList = z.object({ items: z.array(changeReport) });

// ------------------------------------------------------------------ complaints
export const complaintBody = z.strictObject({
  markNumber: z.string().regex(COMPLAINT_LIMITS.markNumber, "a mark number such as TWPIMS-000123-02"),
  category: z.enum(complaintCategories),
  description: text(COMPLAINT_LIMITS.descriptionMax).min(COMPLAINT_LIMITS.descriptionMin, "describe what happened (at least 20 characters)"),
  name: text(COMPLAINT_LIMITS.nameMax).min(1),
  email: z.email().max(COMPLAINT_LIMITS.emailMax),
  /** the complainant agrees that the body and the holder may use the complaint to handle it */
  consent: z.literal(true, { error: "consent is required to handle the complaint" }),
});
export const complaintReceipt = z.object({ reference: z.string(), markNumber: z.string(), filedAt: date });
export const complaintParams = z.strictObject({ complaintId: UUID });
export const complaintReferenceParams = z.strictObject({ reference: z.string().regex(COMPLAINT_LIMITS.reference, "a complaint reference such as C-7K2M9Q4X") });
export const complaintStatus = z.object({
  reference: z.string(),
  markNumber: z.string(),
  status: z.enum(["received", "responded", "upheld", "dismissed"]),
  filedAt: date,
  respondedAt: date.nullable(),
  determinedAt: date.nullable(),
});
export const complaintResponseBody = z.strictObject({ response: text(4000).min(3) });
export const sanctionEvents = ["sanction_caution", "sanction_recommendation", "sanction_suspend", "sanction_revoke"] as const;
export const complaintDetermineBody = z.strictObject({
  outcome: z.enum(["upheld", "dismissed"]),
  determination: text(4000).min(3),
  sanction: z.strictObject({ event: z.enum(sanctionEvents), level: z.number().int().min(1).max(20), months: z.number().int().min(1).max(120).optional() }).optional(),
});
export const complaint = z.object({
  id: z.string(),
  reference: z.string(),
  applicationId: z.string(),
  markNumber: z.string(),
  merchantOrgId: z.string(),
  cbOrgId: z.string(),
  category: z.enum(complaintCategories),
  description: z.string(),
  /** the complainant's contact: only the body and the authority see it (null for the holder) */
  complainantName: z.string().nullable(),
  complainantEmail: z.string().nullable(),
  status: z.enum(["received", "responded", "upheld", "dismissed"]),
  merchantResponse: z.string(),
  respondedAt: date.nullable(),
  determination: z.string(),
  sanctionEvent: z.string().nullable(),
  determinedAt: date.nullable(),
  filedAt: date,
});
export const complaintListQuery = z.strictObject({
  status: z.enum(["received", "responded", "upheld", "dismissed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const complaintNamed = complaint.extend(partyNames);
export const complaintList = z.object({ items: z.array(complaintNamed), total: z.number() });

// ------------------------------------------------------------------ incident reports
const pastInstant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
export const incidentBody = z.strictObject({
  title: text(300).min(3),
  occurredAt: pastInstant,
  discoveredAt: pastInstant,
  recordsAffected: z.number().int().min(0).max(1_000_000_000),
  specialData: z.boolean(),
  /** the quick report (速報): what happened, what was done so far */
  text: text(8000).min(10),
});
export const incidentParams = z.strictObject({ incidentId: UUID });
export const incidentFollowUpBody = z.strictObject({ stage: z.enum(["confirmed", "prevention"]), text: text(8000).min(10) });
export const incidentCloseBody = z.strictObject({ measure: text(4000).min(3) });
export const incident = z.object({
  id: z.string(),
  applicationId: z.string(),
  title: z.string(),
  occurredAt: date,
  discoveredAt: date,
  recordsAffected: z.number(),
  specialData: z.boolean(),
  stage: z.enum(["quick", "confirmed", "prevention", "closed"]),
  reports: z.array(z.object({ stage: z.string(), text: z.string(), at: z.string() })),
  lateQuickReport: z.boolean(),
  bodyMeasure: z.string(),
  closedAt: date.nullable(),
  createdAt: date,
});
export const incidentList = z.object({ items: z.array(incident) });
