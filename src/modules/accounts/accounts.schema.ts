// One zod schema per endpoint body/query/response. Writes use strict objects: unknown fields
// are refused. Limits shared with the web app live in accounts.limits.ts (zod-free).
import { z } from "zod";
import { orgKinds, roles } from "../../platform/auth/roles.ts";
import { PG_TIME_MAX, PG_TIME_MIN, withoutNul } from "../../platform/db/pg-values.ts";
import { PASSWORD_MAX } from "./password-policy.ts";
import { LIMITS, ORG_STATUSES } from "./accounts.limits.ts";

export { LIMITS };

const email = z.email("Enter a valid e-mail address").max(LIMITS.email);
const password = z.string().min(1, "Enter a password").max(PASSWORD_MAX);
// a NUL is a PostgreSQL error: a 500, and for a registration only when the address is new (an oracle)
const name = z.string().trim().min(1, "Required").max(LIMITS.name).refine(withoutNul, "Must not contain NUL characters");
const opaqueToken = z.string().min(16).max(200).regex(/^[A-Za-z0-9_-]+$/, "Malformed token");
export const role = z.enum(roles);
export const orgKind = z.enum(orgKinds);
export const orgStatus = z.enum(ORG_STATUSES);
export const locale = z.enum(["zh-TW", "en"]);
export const uuid = z.uuid("Must be a UUID");

export const loginBody = z.strictObject({ email, password });
export const stageResponse = z.object({ stage: z.enum(["mfa", "enrol", "full"]), csrfToken: z.string() });
export const mfaBody = z.strictObject({
  code: z.string().regex(/^\d{6}$/, "Enter the 6-digit code").optional(),
  recoveryCode: z.string().min(8).max(40).optional(),
});
export const enrolStartResponse = z.object({ secret: z.string(), otpauthUrl: z.string() });
export const enrolConfirmBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, "Enter the 6-digit code") });
export const enrolConfirmResponse = z.object({ recoveryCodes: z.array(z.string()), stage: z.literal("full"), csrfToken: z.string() });
export const sessionResponse = z.object({
  user: z.object({ id: z.string(), email: z.string(), displayName: z.string(), locale, mfaEnabled: z.boolean() }),
  organisation: z.object({ id: z.string(), kind: orgKind, nameZh: z.string(), nameEn: z.string(), status: orgStatus }),
  role,
  stage: z.enum(["mfa", "enrol", "full"]),
  csrfToken: z.string(),
  memberships: z.array(z.object({ orgId: z.string(), orgNameZh: z.string(), orgNameEn: z.string(), orgKind, role })),
});
export const resetRequestBody = z.strictObject({ email });
export const resetCompleteBody = z.strictObject({ token: opaqueToken, password });
export const verificationRequestBody = z.strictObject({ email });
export const verificationCompleteBody = z.strictObject({ token: opaqueToken, password });
export const changePasswordBody = z.strictObject({ currentPassword: password, newPassword: password });
export const localeBody = z.strictObject({ locale });
export const switchOrgBody = z.strictObject({ orgId: uuid });

export const registrationBody = z.strictObject({
  organisation: z.strictObject({ nameZh: name, nameEn: name }),
  admin: z.strictObject({ email, displayName: name, password }),
  /** the language of the mail that answers (default zh-TW) */
  locale: locale.optional(),
});
/** The same whether or not the address already had an account: what happens next is in the mail. */
export const registrationResponse = z.object({ status: z.literal("check_mail") });

export const invitationTokenBody = z.strictObject({ token: opaqueToken });
export const invitationLookupResponse = z.object({
  email: z.string(),
  role,
  organisation: z.object({ nameZh: z.string(), nameEn: z.string() }),
  existingUser: z.boolean(),
});
export const invitationAcceptBody = z.strictObject({ token: opaqueToken, displayName: name.optional(), password });

export const organisation = z.object({ id: z.string(), kind: orgKind, nameZh: z.string(), nameEn: z.string(), status: orgStatus, createdAt: z.date() });
export const organisationsQuery = z.strictObject({
  kind: orgKind.optional(),
  status: orgStatus.optional(),
  q: z.string().trim().max(LIMITS.name).optional(),
  before: uuid.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageMax).default(25),
});
export const organisationsPage = z.object({
  items: z.array(
    organisation.extend({
      /** a member confirmed their e-mail address (a registration: its administrator); the authority approves a registration only then */
      emailConfirmed: z.boolean(),
    }),
  ),
  nextBefore: z.string().nullable(),
});
export const createOrganisationBody = z.strictObject({ kind: z.enum(["certification_body", "regulator", "authority", "merchant"]), nameZh: name, nameEn: name, adminEmail: email });
export const orgParams = z.strictObject({ orgId: uuid });
export const decisionBody = z.strictObject({ decision: z.enum(["approve", "reject"]), reason: z.string().trim().max(LIMITS.reason).default("") });

export const member = z.object({ userId: z.string(), email: z.string(), displayName: z.string(), role, mfaEnabled: z.boolean(), createdAt: z.date() });
export const memberParams = z.strictObject({ orgId: uuid, userId: uuid });
export const changeRoleBody = z.strictObject({ role });
export const invitation = z.object({ id: z.string(), email: z.string(), role, createdAt: z.date(), expiresAt: z.date(), status: z.enum(["pending", "accepted", "revoked", "expired"]) });
export const inviteBody = z.strictObject({ email, role });
export const invitationParams = z.strictObject({ orgId: uuid, invitationId: uuid });

export const apiToken = z.object({
  id: z.string(),
  name: z.string(),
  role,
  prefix: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});
export const createTokenBody = z.strictObject({ name: name.max(LIMITS.tokenName), role, expiresInDays: z.number().int().min(1).max(366).default(90) });
export const tokenParams = z.strictObject({ orgId: uuid, tokenId: uuid });

// Dates and text PostgreSQL can hold (pg-values.ts): else a database error, a 500.
const auditDate = z.coerce.date().min(PG_TIME_MIN, "Too early").max(PG_TIME_MAX, "Too late");
const auditText = (max: number) => z.string().max(max).refine(withoutNul, "must not contain NUL characters");
export const auditQuery = z.strictObject({
  orgId: uuid.optional(),
  action: auditText(100).optional(),
  objectType: auditText(100).optional(),
  objectId: auditText(200).optional(),
  actorUserId: uuid.optional(),
  from: auditDate.optional(),
  to: auditDate.optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageMax).default(50),
});
export const auditRow = z.object({
  seq: z.number(),
  at: z.date(),
  actorUserId: z.string().nullable(),
  actorOrgId: z.string().nullable(),
  /** the acting user's display name, looked up when read; null: not a user, or the user is gone */
  actorName: z.string().nullable(),
  actorKind: z.string(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string(),
  orgId: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  hash: z.string(),
});
export const auditPage = z.object({ items: z.array(auditRow), nextBefore: z.number().nullable() });
export const auditVerifyResponse = z.object({
  ok: z.boolean(),
  rows: z.number(),
  /** rows from before the trail was keyed (checked by plain SHA-256 and the checkpoint only) */
  legacyRows: z.number(),
  /** the newest checkpoint kept outside the database; null: none, so removed newest rows go unnoticed */
  checkpoint: z.object({ seq: z.number(), at: z.string() }).nullable(),
  problem: z.object({ seq: z.number(), kind: z.string(), detail: z.string() }).optional(),
});
