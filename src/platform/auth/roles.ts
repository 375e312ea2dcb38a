// Authorisation in one place: which role may do what. Every route declares one permission
// from this table; object-level checks (same organisation) happen in the services.

export const orgKinds = ["authority", "certification_body", "merchant", "regulator"] as const;
export type OrgKind = (typeof orgKinds)[number];

export const roles = ["authority_admin", "cb_admin", "auditor", "merchant_admin", "merchant_staff", "regulator"] as const;
export type Role = (typeof roles)[number];

/** The roles an organisation of each kind may hand out. */
export const rolesByOrgKind: Record<OrgKind, readonly Role[]> = {
  authority: ["authority_admin"],
  certification_body: ["cb_admin", "auditor"],
  merchant: ["merchant_admin", "merchant_staff"],
  regulator: ["regulator"],
};

/** Roles that must use two-step verification (TOTP). */
export const mfaRequiredRoles: ReadonlySet<Role> = new Set(["authority_admin", "cb_admin", "auditor", "regulator"]);

export const permissions = {
  /** read own organisation, its members */
  "org.read": ["authority_admin", "cb_admin", "auditor", "merchant_admin", "merchant_staff", "regulator"],
  /** invite, change roles, remove members, manage API tokens of own organisation */
  "org.manage": ["authority_admin", "cb_admin", "merchant_admin"],
  /** every organisation: list, confirm or reject merchant registrations, suspend */
  "orgs.admin": ["authority_admin"],
  /** browse the audit trail (authority: all; others: their organisation's rows) */
  "audit.read": ["authority_admin", "cb_admin", "merchant_admin", "regulator"],
  "audit.read_all": ["authority_admin"],
  /** read the mail outbox */
  "outbox.read": ["authority_admin"],
  /** evidence files of own organisation */
  "evidence.write": ["authority_admin", "cb_admin", "auditor", "merchant_admin", "merchant_staff"],
  "evidence.read": ["authority_admin", "cb_admin", "auditor", "merchant_admin", "merchant_staff", "regulator"],
  /** operational: job queue state */
  "jobs.read": ["authority_admin"],
  // registry (shop identity): object-level checks in the registry service
  /** read own shop profile, origins, documents, history */
  "registry.read": ["authority_admin", "merchant_admin", "merchant_staff"],
  /** edit own shop profile, origins and proofs, documents, submit for confirmation */
  "registry.manage": ["authority_admin", "merchant_admin"],
  /** review queue, identity decisions, legal-change decisions, exports */
  "registry.review": ["authority_admin"],
  // --- certification (issue 4): schemes, accreditation, mark lifecycle ---
  /** import and publish scheme catalogue versions */
  "schemes.manage": ["authority_admin"],
  /** read applications, marks and their work items (object checks in the certification service) */
  "cert.read": ["authority_admin", "cb_admin", "auditor", "merchant_admin", "merchant_staff", "regulator"],
  /** act on an application: each lifecycle edge names the roles it allows (certification/lifecycle.ts) */
  "cert.act": ["authority_admin", "cb_admin", "auditor", "merchant_admin", "merchant_staff"],
  /** merchant: apply for a scheme, fill in the self-assessment */
  "cert.apply": ["merchant_admin", "merchant_staff"],
  /** certification body: auditor register, teams, conflicts of interest */
  "cert.cb_manage": ["cb_admin"],
  /** authority: accreditation of certification bodies, sanctions */
  "cert.accredit": ["authority_admin"],
  // --- end certification ---
  // --- scanner (issue 6): object checks (own shop's origins) in the scanner platform service ---
  /** read own shop's watched origins, scan history, results, script inventory */
  "scanner.read": ["authority_admin", "merchant_admin", "merchant_staff"],
  /** start a scan of own shop's origin, declare its payment pages */
  "scanner.scan": ["authority_admin", "merchant_admin"],
  /** authority: grade distribution, scan cadence */
  "scanner.admin": ["authority_admin"],
  // --- end scanner ---
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function roleHas(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}
