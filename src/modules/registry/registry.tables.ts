// Registry tables: shops (merchant organisations' legal identity), legal-field change requests,
// origins with their domain-control proofs, TLS bindings, identity history and documents, and
// the offline business register imported from the government's open data.
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, bigint, boolean } from "drizzle-orm/pg-core";
import type { IdentityStatus } from "./identity-status.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export type SalesModel = "own_site" | "marketplace" | "both";
export type Sector = "online_shop" | "marketplace_operator" | "supplier" | "logistics" | "payment";
export type OriginStatus = "unproven" | "proven" | "failing" | "lapsed";
export type ProofMethod = "http" | "dns";
export type RegisterStatus = "active" | "suspended" | "dissolved";

export const registryShops = pgTable(
  "registry_shops",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** the merchant organisation (accounts module); one shop per organisation */
    orgId: uuid("org_id").notNull(),
    legalNameZh: text("legal_name_zh").notNull(),
    legalNameEn: text("legal_name_en").notNull(),
    ubn: text("ubn").notNull(),
    /** passes only the 2023 ÷5 checksum rule, not the legacy ÷10 rule */
    ubnCurrentRuleOnly: boolean("ubn_current_rule_only").notNull().default(false),
    representative: text("representative").notNull(),
    address: text("address").notNull(),
    contactEmail: text("contact_email").notNull(),
    contactPhone: text("contact_phone").notNull(),
    serviceChannel: text("service_channel").notNull(),
    salesModel: text("sales_model").$type<SalesModel>().notNull(),
    sector: text("sector").$type<Sector>().notNull(),
    identityStatus: text("identity_status").$type<IdentityStatus>().notNull().default("unconfirmed"),
    awaitingShop: boolean("awaiting_shop").notNull().default(false),
    statusChangedAt: ts("status_changed_at").notNull(),
    confirmedAt: ts("confirmed_at"),
    expiresAt: ts("expires_at"),
    /** the expiresAt value the shop was last reminded of (a renewal moves expiresAt and re-arms it) */
    expiryRemindedFor: ts("expiry_reminded_for"),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
    /** lower-cased zh + en names, for partial-name search */
    searchText: text("search_text").notNull(),
  },
  (t) => [
    uniqueIndex("registry_shops_org_idx").on(t.orgId),
    index("registry_shops_ubn_idx").on(t.ubn),
    index("registry_shops_status_idx").on(t.identityStatus, t.legalNameEn),
  ],
);

/** Proposed changes to legal fields; applied only when the authority approves. Kept as history. */
export const registryProfileChanges = pgTable(
  "registry_profile_changes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => registryShops.id),
    proposed: jsonb("proposed").$type<Record<string, string>>().notNull(),
    previous: jsonb("previous").$type<Record<string, string>>().notNull(),
    status: text("status").$type<"pending" | "approved" | "rejected">().notNull(),
    reason: text("reason").notNull().default(""),
    requestedBy: uuid("requested_by"),
    decidedBy: uuid("decided_by"),
    createdAt: ts("created_at").notNull(),
    decidedAt: ts("decided_at"),
  },
  (t) => [index("registry_profile_changes_shop_idx").on(t.shopId, t.createdAt)],
);

export const registryOrigins = pgTable(
  "registry_origins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => registryShops.id),
    origin: text("origin").notNull(),
    host: text("host").notNull(),
    status: text("status").$type<OriginStatus>().notNull(),
    token: text("token").notNull(),
    method: text("method").$type<ProofMethod>(),
    provenAt: ts("proven_at"),
    proofExpiresAt: ts("proof_expires_at"),
    lastCheckedAt: ts("last_checked_at"),
    lastError: text("last_error"),
    failingSince: ts("failing_since"),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("registry_origins_shop_origin_idx").on(t.shopId, t.origin),
    index("registry_origins_origin_idx").on(t.origin),
    index("registry_origins_host_idx").on(t.host),
    index("registry_origins_due_idx").on(t.status, t.proofExpiresAt),
  ],
);

export const registryTlsBindings = pgTable(
  "registry_tls_bindings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    originId: uuid("origin_id").notNull().references(() => registryOrigins.id),
    fingerprint256: text("fingerprint256").notNull(),
    subject: text("subject").notNull(),
    issuer: text("issuer").notNull(),
    subjectAltNames: jsonb("subject_alt_names").$type<string[]>().notNull(),
    validFrom: ts("valid_from").notNull(),
    validTo: ts("valid_to").notNull(),
    keyType: text("key_type").notNull(),
    keyBits: integer("key_bits"),
    firstSeenAt: ts("first_seen_at").notNull(),
    lastSeenAt: ts("last_seen_at").notNull(),
    current: boolean("current").notNull(),
    /** expiry warning mailed for this certificate */
    expiryWarnedAt: ts("expiry_warned_at"),
  },
  (t) => [index("registry_tls_origin_idx").on(t.originId, t.current)],
);

/** Every identity transition and review step, newest last. */
export const registryIdentityEvents = pgTable(
  "registry_identity_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** insertion order (several events can share a timestamp) */
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    shopId: uuid("shop_id").notNull().references(() => registryShops.id),
    action: text("action").notNull(),
    fromStatus: text("from_status").$type<IdentityStatus>().notNull(),
    toStatus: text("to_status").$type<IdentityStatus>().notNull(),
    reason: text("reason").notNull().default(""),
    actorUserId: uuid("actor_user_id"),
    actorKind: text("actor_kind").notNull(),
    at: ts("at").notNull(),
  },
  (t) => [index("registry_identity_events_shop_idx").on(t.shopId, t.at)],
);

/** Identity documents: evidence files (platform storage) attached to a shop's application. */
export const registryDocuments = pgTable(
  "registry_documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => registryShops.id),
    evidenceId: uuid("evidence_id").notNull(),
    kind: text("kind").$type<"business_registration" | "representative_id" | "authorisation" | "other">().notNull(),
    note: text("note").notNull().default(""),
    addedBy: uuid("added_by"),
    addedAt: ts("added_at").notNull(),
  },
  (t) => [uniqueIndex("registry_documents_shop_evidence_idx").on(t.shopId, t.evidenceId)],
);

/** The offline business register (商工登記公示資料), one row per business number. */
export const registryBusinessRegister = pgTable("registry_business_register", {
  ubn: text("ubn").primaryKey(),
  name: text("name").notNull(),
  status: text("status").$type<RegisterStatus>().notNull(),
  /** the status as written in the source file (e.g. 核准設立, 停業, 解散) */
  statusText: text("status_text").notNull(),
  representative: text("representative").notNull().default(""),
  address: text("address").notNull().default(""),
  importId: uuid("import_id").notNull(),
  updatedAt: ts("updated_at").notNull(),
});

export const registryImports = pgTable("registry_imports", {
  id: uuid("id").primaryKey().defaultRandom(),
  source: text("source").notNull(),
  bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
  rows: integer("rows").notNull().default(0),
  skipped: integer("skipped").notNull().default(0),
  status: text("status").$type<"running" | "done" | "failed">().notNull(),
  error: text("error"),
  startedAt: ts("started_at").notNull(),
  finishedAt: ts("finished_at"),
});
