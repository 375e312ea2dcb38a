// The certification records around a mark (issue 4, second part): the personal-data inventory
// (個資清冊), evidence items with validity and their links to requirements across renewals,
// change reports and consumer complaints.
import type { LegalBasis } from "./inventory.io.ts";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One processing activity of the applicant's personal-data inventory (個資清冊). */
export const certInventoryItems = pgTable(
  "cert_inventory_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").notNull(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    /** the data item / file, e.g. "order customers" (個資項目) */
    name: text("name").notNull(),
    /** the specific purpose (特定目的) in words, and its code(s) from the MOJ list (e.g. 148) */
    purpose: text("purpose").notNull(),
    purposeCodes: jsonb("purpose_codes").$type<string[]>().notNull(),
    /** PDPA personal-data categories (C001 …) */
    dataCategories: jsonb("data_categories").$type<string[]>().notNull(),
    source: text("source").notNull(),
    legalBasis: text("legal_basis").$type<LegalBasis>().notNull(),
    systems: jsonb("systems").$type<string[]>().notNull(),
    recipients: jsonb("recipients").$type<string[]>().notNull(),
    retention: text("retention").notNull(),
    retentionMonths: integer("retention_months"),
    recordCount: bigint("record_count", { mode: "number" }).notNull(),
    crossBorder: boolean("cross_border").notNull(),
    crossBorderCountries: jsonb("cross_border_countries").$type<string[]>().notNull(),
    notes: text("notes").notNull().default(""),
    /** how the row came in: typed, imported from a register file, or from `ectrust pii inventory` */
    origin: text("origin").$type<"manual" | "import" | "pii_draft">().notNull(),
    updatedBy: uuid("updated_by"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [index("cert_inventory_app_idx").on(t.applicationId, t.name)],
);

/** An evidence item: a stored file (platform evidence) with the period it is valid for. */
export const certEvidence = pgTable(
  "cert_evidence",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    fileId: uuid("file_id").notNull(),
    title: text("title").notNull(),
    filename: text("filename").notNull(),
    mediaType: text("media_type").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    effectiveFrom: ts("effective_from").notNull(),
    expiresAt: ts("expires_at"),
    createdBy: uuid("created_by"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [uniqueIndex("cert_evidence_file_uq").on(t.merchantOrgId, t.fileId)],
);

/** Which evidence supports which requirement of which application in which cycle (mark counter). */
export const certEvidenceLinks = pgTable(
  "cert_evidence_links",
  {
    evidenceId: uuid("evidence_id").notNull(),
    applicationId: uuid("application_id").notNull(),
    requirementId: text("requirement_id").notNull(),
    /** the application's renewal counter when linked: 0 initial, 1 after activation, 2 after the first renewal … */
    cycle: integer("cycle").notNull(),
    linkedBy: uuid("linked_by"),
    linkedAt: ts("linked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.cycle, t.requirementId, t.evidenceId] }), index("cert_evidence_links_ev_idx").on(t.evidenceId)],
);

export const changeKinds = ["name", "address", "representative", "pims_manager", "scope"] as const;
export type ChangeKind = (typeof changeKinds)[number];

/** A mark holder's report of a change (name, address, representative, PIMS manager, scope). */
export const certChangeReports = pgTable(
  "cert_change_reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").notNull(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    cbOrgId: uuid("cb_org_id").notNull(),
    kind: text("kind").$type<ChangeKind>().notNull(),
    before: text("before").notNull(),
    after: text("after").notNull(),
    effectiveOn: text("effective_on").notNull(),
    reason: text("reason").notNull(),
    evidenceIds: jsonb("evidence_ids").$type<string[]>().notNull(),
    status: text("status").$type<"submitted" | "accepted" | "reaudit_required">().notNull(),
    reviewNote: text("review_note").notNull().default(""),
    filedBy: uuid("filed_by"),
    filedAt: ts("filed_at").notNull(),
    reviewedBy: uuid("reviewed_by"),
    reviewedAt: ts("reviewed_at"),
  },
  (t) => [index("cert_change_reports_app_idx").on(t.applicationId, t.filedAt), index("cert_change_reports_cb_idx").on(t.cbOrgId, t.status)],
);

export const complaintCategories = ["privacy_notice", "excess_collection", "unwanted_marketing", "data_breach", "access_request", "mark_misuse", "other"] as const;
export type ComplaintCategory = (typeof complaintCategories)[number];

/** A consumer complaint against a mark holder, filed publicly. */
export const certComplaints = pgTable(
  "cert_complaints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** short public reference the complainant keeps, e.g. C-7K2M9Q4X */
    reference: text("reference").notNull(),
    applicationId: uuid("application_id").notNull(),
    markNumber: text("mark_number").notNull(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    cbOrgId: uuid("cb_org_id").notNull(),
    category: text("category").$type<ComplaintCategory>().notNull(),
    description: text("description").notNull(),
    /** the complainant's contact: personal data, shown to the body only */
    complainantName: text("complainant_name").notNull(),
    complainantEmail: text("complainant_email").notNull(),
    status: text("status").$type<"received" | "responded" | "upheld" | "dismissed">().notNull(),
    merchantResponse: text("merchant_response").notNull().default(""),
    respondedAt: ts("responded_at"),
    determination: text("determination").notNull().default(""),
    sanctionEvent: text("sanction_event"),
    determinedBy: uuid("determined_by"),
    determinedAt: ts("determined_at"),
    filedAt: ts("filed_at").notNull(),
  },
  (t) => [uniqueIndex("cert_complaints_ref_uq").on(t.reference), index("cert_complaints_cb_idx").on(t.cbOrgId, t.status, t.filedAt), index("cert_complaints_app_idx").on(t.applicationId)],
);

export const incidentStages = ["quick", "confirmed", "prevention"] as const;
export type IncidentStage = (typeof incidentStages)[number];

/** A holder's incident report to its certification body: quick (速報), confirmed (確報), recurrence prevention. */
export const certIncidents = pgTable(
  "cert_incidents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").notNull(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    cbOrgId: uuid("cb_org_id").notNull(),
    title: text("title").notNull(),
    occurredAt: ts("occurred_at").notNull(),
    discoveredAt: ts("discovered_at").notNull(),
    recordsAffected: integer("records_affected").notNull(),
    specialData: boolean("special_data").notNull(),
    /** the last report filed; closed once the body recorded its measure */
    stage: text("stage").$type<IncidentStage | "closed">().notNull(),
    reports: jsonb("reports").$type<{ stage: IncidentStage; text: string; at: string; by: string | null }[]>().notNull(),
    /** the quick report came after the scheme's deadline (discoveredAt + incidentReportHours) */
    lateQuickReport: boolean("late_quick_report").notNull(),
    bodyMeasure: text("body_measure").notNull().default(""),
    closedBy: uuid("closed_by"),
    closedAt: ts("closed_at"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [index("cert_incidents_app_idx").on(t.applicationId, t.createdAt), index("cert_incidents_cb_idx").on(t.cbOrgId, t.stage)],
);
