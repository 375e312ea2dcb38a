// Shapes of the /api/v1 responses the web app reads. They mirror the server's zod response
// schemas (src/modules/accounts/accounts.schema.ts); role and kind unions come from the one
// authorisation table the server uses.
import type { OrgKind, Role } from "../../platform/auth/roles.ts";

export type { OrgKind, Role };
export type Stage = "mfa" | "enrol" | "full";
export type Locale = "zh-TW" | "en";
export type OrgStatus = "pending" | "active" | "rejected" | "suspended";

export interface Membership {
  orgId: string;
  orgNameZh: string;
  orgNameEn: string;
  orgKind: OrgKind;
  role: Role;
}

export interface Session {
  user: { id: string; email: string; displayName: string; locale: Locale; mfaEnabled: boolean };
  organisation: { id: string; kind: OrgKind; nameZh: string; nameEn: string; status: OrgStatus };
  role: Role;
  stage: Stage;
  csrfToken: string;
  memberships: Membership[];
}

export interface StageResponse {
  stage: Stage;
  csrfToken: string;
}

export interface Organisation {
  id: string;
  kind: OrgKind;
  nameZh: string;
  nameEn: string;
  status: OrgStatus;
  createdAt: string;
}

/** An organisation in the authority's list: whether a member confirmed their address (approval needs it). */
export interface ListedOrganisation extends Organisation {
  emailConfirmed: boolean;
}

export interface Page<T, Cursor = string> {
  items: T[];
  nextBefore: Cursor | null;
}

export interface Member {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  mfaEnabled: boolean;
  createdAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
  status: string;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditRow {
  seq: number;
  at: string;
  actorUserId: string | null;
  actorOrgId: string | null;
  /** the acting user's display name, looked up when read; null: not a user, or the user is gone */
  actorName: string | null;
  actorKind: string;
  action: string;
  objectType: string;
  objectId: string | null;
  orgId: string | null;
  summary: unknown;
  requestId: string | null;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  rows: number;
  /** rows from before the trail was keyed (plain SHA-256, anchored by the first checkpoint) */
  legacyRows: number;
  /** the newest checkpoint kept outside the database; null: none, so removed newest rows go unnoticed */
  checkpoint: { seq: number; at: string } | null;
  /** the first problem: `kind` from src/platform/audit/audit.ts (AuditProblemKind), `detail` in English */
  problem?: { seq: number; kind: string; detail: string };
}

/** An outbox row. The list may name the recipient `to` (mail service) or `toAddress` (API contract). */
export interface OutboxMessage {
  id: string;
  to?: string;
  toAddress?: string;
  subject: string;
  textBody?: string;
  status: string;
  attempts: number;
  lastError: string | null;
  template: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface InvitationLookup {
  email: string;
  role: Role;
  organisation: { nameZh: string; nameEn: string };
  existingUser: boolean;
}
