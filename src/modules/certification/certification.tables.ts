import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { Cycle, Flag, Status } from "./lifecycle.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A certification body's accreditation for one scheme (authority → CB). */
export const certAccreditations = pgTable(
  "cert_accreditations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    cbOrgId: uuid("cb_org_id").notNull(),
    scheme: text("scheme").notNull(),
    scope: text("scope").notNull(),
    status: text("status").$type<"applied" | "assessment" | "accredited" | "suspended" | "withdrawn" | "refused">().notNull(),
    validFrom: ts("valid_from"),
    validTo: ts("valid_to"),
    reason: text("reason").notNull().default(""),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [index("cert_accreditations_cb_idx").on(t.cbOrgId, t.scheme)],
);

/** The auditor register of each certification body. */
export const certAuditors = pgTable(
  "cert_auditors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    cbOrgId: uuid("cb_org_id").notNull(),
    /** the auditor's user account, when they sign in to ectrust */
    userId: uuid("user_id"),
    name: text("name").notNull(),
    grade: text("grade").$type<"candidate" | "auditor" | "lead_auditor">().notNull(),
    status: text("status").$type<"active" | "suspended" | "lapsed">().notNull(),
    qualifications: jsonb("qualifications").$type<string[]>().notNull(),
    trainingHours: integer("training_hours").notNull().default(0),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [index("cert_auditors_cb_idx").on(t.cbOrgId), uniqueIndex("cert_auditors_user_uq").on(t.cbOrgId, t.userId)],
);

/** Declared conflicts of interest: this auditor must not audit that organisation. */
export const certAuditorConflicts = pgTable(
  "cert_auditor_conflicts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    auditorId: uuid("auditor_id").notNull(),
    orgId: uuid("org_id").notNull(),
    reason: text("reason").notNull(),
    declaredBy: uuid("declared_by"),
    declaredAt: ts("declared_at").notNull(),
  },
  (t) => [index("cert_auditor_conflicts_idx").on(t.auditorId, t.orgId)],
);

/** One application and, once granted, the mark it became (the lifecycle fields of lifecycle.ts). */
export const certApplications = pgTable(
  "cert_applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    /** seam for the registry module: the shop this mark is for, once shops exist */
    shopId: uuid("shop_id"),
    cbOrgId: uuid("cb_org_id").notNull(),
    scheme: text("scheme").notNull(),
    /** the catalogue version the assessment started on (kept through the whole cycle) */
    schemeVersion: text("scheme_version").notNull(),
    scope: text("scope").notNull(),
    status: text("status").$type<Status>().notNull(),
    cycle: text("cycle").$type<Cycle>().notNull(),
    caRound: integer("ca_round").notNull().default(0),
    caDueAt: ts("ca_due_at"),
    activationDueAt: ts("activation_due_at"),
    validFrom: ts("valid_from"),
    validTo: ts("valid_to"),
    renewalCounter: integer("renewal_counter").notNull().default(0),
    surveillanceDueAt: ts("surveillance_due_at"),
    suspendedUntil: ts("suspended_until"),
    reapplyAfter: ts("reapply_after"),
    flags: jsonb("flags").$type<Flag[]>().notNull(),
    markNumber: text("mark_number"),
    agreementSigned: boolean("agreement_signed").notNull().default(false),
    feePaid: boolean("fee_paid").notNull().default(false),
    auditPlan: jsonb("audit_plan").$type<Record<string, unknown> | null>(),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [
    index("cert_applications_cb_status_idx").on(t.cbOrgId, t.status, t.updatedAt),
    index("cert_applications_merchant_idx").on(t.merchantOrgId, t.scheme),
    uniqueIndex("cert_applications_mark_uq").on(t.markNumber),
    index("cert_applications_due_idx").on(t.status, t.caDueAt),
    index("cert_applications_shop_idx").on(t.shopId),
  ],
);

export const certTeam = pgTable(
  "cert_team",
  {
    applicationId: uuid("application_id").notNull(),
    auditorId: uuid("auditor_id").notNull(),
    userId: uuid("user_id"),
    lead: boolean("lead").notNull(),
    assignedBy: uuid("assigned_by"),
    assignedAt: ts("assigned_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.auditorId] }), index("cert_team_user_idx").on(t.userId)],
);

export const certSelfAssessments = pgTable(
  "cert_self_assessments",
  {
    applicationId: uuid("application_id").notNull(),
    requirementId: text("requirement_id").notNull(),
    status: text("status").$type<"implemented" | "partial" | "not_implemented" | "not_applicable">().notNull(),
    note: text("note").notNull().default(""),
    evidenceIds: jsonb("evidence_ids").$type<string[]>().notNull(),
    updatedBy: uuid("updated_by"),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.requirementId] })],
);

export const certResults = pgTable(
  "cert_results",
  {
    applicationId: uuid("application_id").notNull(),
    requirementId: text("requirement_id").notNull(),
    result: text("result").$type<"conforming" | "minor_nc" | "major_nc" | "observation" | "not_applicable">().notNull(),
    note: text("note").notNull().default(""),
    auditorUserId: uuid("auditor_user_id"),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.requirementId] })],
);

export const certCorrectiveActions = pgTable(
  "cert_corrective_actions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").notNull(),
    requirementId: text("requirement_id").notNull(),
    grade: text("grade").$type<"minor" | "major">().notNull(),
    finding: text("finding").notNull(),
    owner: text("owner").notNull().default(""),
    dueAt: ts("due_at").notNull(),
    status: text("status").$type<"open" | "submitted" | "verified">().notNull(),
    response: text("response").notNull().default(""),
    evidenceIds: jsonb("evidence_ids").$type<string[]>().notNull(),
    verification: text("verification").notNull().default(""),
    verifiedBy: uuid("verified_by"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [index("cert_ca_app_idx").on(t.applicationId, t.status)],
);

/** Every transition: who, what, why, with which evidence (the audit trail has the same, hashed). */
export const certEvents = pgTable(
  "cert_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").notNull(),
    event: text("event").notNull(),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    actorUserId: uuid("actor_user_id"),
    actorKind: text("actor_kind").notNull(),
    reason: text("reason").notNull().default(""),
    evidenceIds: jsonb("evidence_ids").$type<string[]>().notNull(),
    at: ts("at").notNull(),
  },
  (t) => [index("cert_events_app_idx").on(t.applicationId, t.at)],
);

/** Overdue items and reminders, visible to the body and the authority until resolved. */
export const certAlarms = pgTable(
  "cert_alarms",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").notNull(),
    cbOrgId: uuid("cb_org_id").notNull(),
    merchantOrgId: uuid("merchant_org_id").notNull(),
    kind: text("kind").notNull(),
    /** the deadline or date the alarm is about */
    dueAt: ts("due_at").notNull(),
    raisedAt: ts("raised_at").notNull(),
    resolvedAt: ts("resolved_at"),
  },
  (t) => [uniqueIndex("cert_alarms_uq").on(t.applicationId, t.kind, t.dueAt), index("cert_alarms_open_idx").on(t.cbOrgId, t.resolvedAt)],
);

/** The 6-digit company number of a mark holder per scheme: assigned once, never changes. */
export const certCompanyNumbers = pgTable(
  "cert_company_numbers",
  {
    scheme: text("scheme").notNull(),
    orgId: uuid("org_id").notNull(),
    number: integer("number").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scheme, t.orgId] }), uniqueIndex("cert_company_numbers_uq").on(t.scheme, t.number)],
);
