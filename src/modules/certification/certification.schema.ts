// Request and response schemas of the certification API (one per endpoint; types come from them).
import { z } from "zod";
import { auditorGrades, accreditationActions } from "./accreditation.service.ts";
import { resultValues, selfStatuses } from "./certification.service.ts";
import { events, statuses } from "./lifecycle.ts";

const date = z.date();
const text = (max: number) => z.string().trim().max(max);
const ids = z.array(z.uuid()).max(50).default([]);

export const idParams = z.strictObject({ id: z.uuid() });
export const caParams = z.strictObject({ id: z.uuid(), caId: z.uuid() });
export const accreditationActionParams = z.strictObject({ id: z.uuid(), action: z.enum(accreditationActions) });
export const cbParams = z.strictObject({ cbOrgId: z.uuid() });
export const markParams = z.strictObject({ markNumber: z.string().regex(/^[A-Z]{2,8}-\d{6}-\d{2}$/) });

export const accreditationBody = z.strictObject({ scheme: z.string().min(2).max(40), scope: text(500).min(1) });
export const accreditationDecisionBody = z.strictObject({ reason: text(2000), validMonths: z.number().int().min(1).max(120).optional(), scope: text(500).optional() });
/** Organisation names beside the ids (from the accounts module; null if the organisation is gone). */
const orgName = z.string().nullable();
export const partyNames = { merchantNameZh: orgName, merchantNameEn: orgName, cbNameZh: orgName, cbNameEn: orgName };
export const bodyNames = { cbNameZh: orgName, cbNameEn: orgName };
export const accreditation = z.object({
  id: z.string(),
  cbOrgId: z.string(),
  scheme: z.string(),
  scope: z.string(),
  status: z.string(),
  validFrom: date.nullable(),
  validTo: date.nullable(),
  reason: z.string(),
  createdAt: date,
  updatedAt: date,
});

export const auditorBody = z.strictObject({
  name: text(200).min(1),
  userId: z.uuid().optional(),
  grade: z.enum(auditorGrades),
  qualifications: z.array(text(200)).max(50).default([]),
  trainingHours: z.number().int().min(0).max(100_000).default(0),
});
export const auditorPatch = z.strictObject({
  grade: z.enum(auditorGrades).optional(),
  status: z.enum(["active", "suspended", "lapsed"]).optional(),
  qualifications: z.array(text(200)).max(50).optional(),
  trainingHours: z.number().int().min(0).max(100_000).optional(),
});
export const auditor = z.object({
  id: z.string(),
  cbOrgId: z.string(),
  userId: z.string().nullable(),
  name: z.string(),
  grade: z.enum(auditorGrades),
  status: z.string(),
  qualifications: z.array(z.string()),
  trainingHours: z.number(),
});
export const conflictBody = z.strictObject({ orgId: z.uuid(), reason: text(1000).min(3) });
export const conflict = z.object({ id: z.string(), auditorId: z.string(), orgId: z.string(), reason: z.string(), declaredAt: date });
export const auditorRecord = z.object({
  auditor,
  conflicts: z.array(conflict.extend({ orgNameZh: orgName, orgNameEn: orgName })),
  audits: z.array(z.object({ applicationId: z.string(), lead: z.boolean(), assignedAt: date, scheme: z.string(), status: z.string() })),
});

export const applyBody = z.strictObject({ scheme: z.string().min(2).max(40), cbOrgId: z.uuid(), scope: text(1000).min(1), shopId: z.uuid().optional() });
const flag = z.object({ kind: z.string(), level: z.number().nullable(), at: z.string(), reason: z.string() });
export const markView = z.object({
  markNumber: z.string(),
  applicationId: z.string(),
  scheme: z.string(),
  schemeVersion: z.string(),
  holderOrgId: z.string(),
  shopId: z.string().nullable(),
  certificationBodyId: z.string(),
  scope: z.string(),
  status: z.enum(["active", "suspended", "revoked", "expired", "withdrawn"]),
  lifecycleStatus: z.enum(statuses),
  validFrom: date.nullable(),
  validTo: date.nullable(),
  suspendedUntil: date.nullable(),
  renewalCounter: z.number(),
  flags: z.array(flag),
});
export const application = z.object({
  id: z.string(),
  merchantOrgId: z.string(),
  shopId: z.string().nullable(),
  cbOrgId: z.string(),
  scheme: z.string(),
  schemeVersion: z.string(),
  scope: z.string(),
  status: z.enum(statuses),
  cycle: z.enum(["initial", "renewal"]),
  caRound: z.number(),
  caDueAt: date.nullable(),
  activationDueAt: date.nullable(),
  validFrom: date.nullable(),
  validTo: date.nullable(),
  renewalCounter: z.number(),
  surveillanceDueAt: date.nullable(),
  suspendedUntil: date.nullable(),
  reapplyAfter: date.nullable(),
  flags: z.array(flag),
  markNumber: z.string().nullable(),
  agreementSigned: z.boolean(),
  feePaid: z.boolean(),
  auditPlan: z.record(z.string(), z.unknown()).nullable(),
  createdAt: date,
  updatedAt: date,
});
export const accreditationNamed = accreditation.extend(bodyNames);
export const applicationNamed = application.extend(partyNames);
export const applicationDetail = applicationNamed.extend({ mark: markView.nullable(), availableEvents: z.array(z.string()) });
export const listQuery = z.strictObject({
  status: z.enum(statuses).optional(),
  scheme: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const listResponse = z.object({ items: z.array(applicationNamed), countsByStatus: z.record(z.string(), z.number()) });

export const transitionBody = z.strictObject({
  event: z.enum(events as [string, ...string[]]),
  reason: text(2000).optional(),
  level: z.number().int().min(1).max(20).optional(),
  months: z.number().int().min(1).max(120).optional(),
  evidenceIds: ids,
});
export const event = z.object({ id: z.string(), event: z.string(), fromStatus: z.string(), toStatus: z.string(), actorUserId: z.string().nullable(), actorKind: z.string(), reason: z.string(), evidenceIds: z.array(z.string()), at: date });

export const selfAssessmentBody = z.strictObject({
  items: z.array(z.strictObject({ requirementId: z.string().max(40), status: z.enum(selfStatuses), note: text(4000).default(""), evidenceIds: ids })).min(1).max(10_000),
});
export const selfAssessmentRow = z.object({ requirementId: z.string(), status: z.enum(selfStatuses), note: z.string(), evidenceIds: z.array(z.string()), updatedAt: date });

export const teamBody = z.strictObject({ members: z.array(z.strictObject({ auditorId: z.uuid(), lead: z.boolean() })).min(1).max(20) });
export const teamRow = z.object({ auditorId: z.string(), userId: z.string().nullable(), name: z.string(), lead: z.boolean(), status: z.string(), conflictFree: z.boolean() });

export const auditPlanBody = z.strictObject({ documentReviewOn: z.iso.date().optional(), onsiteOn: z.iso.date().optional(), mode: z.enum(["onsite", "remote", "hybrid"]), notes: text(4000).default("") });

export const resultsBody = z.strictObject({ items: z.array(z.strictObject({ requirementId: z.string().max(40), result: z.enum(resultValues), note: text(4000).default("") })).min(1).max(10_000) });
export const resultRow = z.object({ requirementId: z.string(), result: z.enum(resultValues), note: z.string(), auditorUserId: z.string().nullable(), updatedAt: date });

export const correctiveAction = z.object({
  id: z.string(),
  requirementId: z.string(),
  grade: z.enum(["minor", "major"]),
  finding: z.string(),
  owner: z.string(),
  dueAt: date,
  status: z.enum(["open", "submitted", "verified"]),
  response: z.string(),
  evidenceIds: z.array(z.string()),
  verification: z.string(),
  verifiedBy: z.string().nullable(),
  updatedAt: date,
});
export const caSubmitBody = z.strictObject({ owner: text(200).min(1), response: text(4000).min(1), evidenceIds: ids });
export const caVerifyBody = z.strictObject({ accept: z.boolean(), verification: text(4000).min(1) });
export const agreementBody = z.strictObject({ agreementSigned: z.boolean(), feePaid: z.boolean() });
export const alarm = z.object({ id: z.string(), applicationId: z.string(), cbOrgId: z.string(), merchantOrgId: z.string(), kind: z.string(), dueAt: date, raisedAt: date, ...partyNames });
