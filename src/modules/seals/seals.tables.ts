// Seals tables: the key store (private seeds sealed under the master key), trust-anchor
// versions, issued credentials with their never-reused status-list indices, the signed
// status-list versions, and a counter table for index allocation. Other modules never read these.
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export type SealKeyRole = "root" | "issuing" | "status" | "log";
export type SealKeyState = "active" | "verify-only" | "revoked";
export type SealCredentialState = "active" | "suspended" | "revoked";

export const sealKeys = pgTable(
  "seals_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** RFC 7638 thumbprint of the public key */
    kid: text("kid").notNull(),
    role: text("role").$type<SealKeyRole>().notNull(),
    /** base64url raw Ed25519 public key */
    publicKey: text("public_key").notNull(),
    /** the 32-byte seed, sealSecret(masterKey, base64url(seed), "seals.key:<kid>") */
    sealedSeed: text("sealed_seed").notNull(),
    state: text("state").$type<SealKeyState>().notNull(),
    notBefore: ts("not_before").notNull(),
    notAfter: ts("not_after"),
    revokedAt: ts("revoked_at"),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [uniqueIndex("seals_keys_kid").on(t.kid)],
);

export const sealAnchors = pgTable("seals_anchors", {
  version: integer("version").primaryKey(),
  document: text("document").notNull(),
  sha256: text("sha256").notNull(),
  createdAt: ts("created_at").notNull(),
});

export const sealCredentials = pgTable(
  "seals_credentials",
  {
    /** urn:uuid:… */
    id: text("id").primaryKey(),
    shopId: uuid("shop_id").notNull(),
    mark: text("mark").notNull(),
    origins: jsonb("origins").$type<string[]>().notNull(),
    kid: text("kid").notNull(),
    jwt: text("jwt").notNull(),
    entry: text("entry").notNull(),
    tlogProof: text("tlog_proof").notNull(),
    logIndex: bigint("log_index", { mode: "number" }).notNull(),
    /** the index in both status lists (list 1); allocated once, never reused */
    statusIndex: integer("status_index").notNull(),
    state: text("state").$type<SealCredentialState>().notNull(),
    reason: text("reason"),
    validFrom: ts("valid_from").notNull(),
    validUntil: ts("valid_until").notNull(),
    issuedAt: ts("issued_at").notNull(),
    changedAt: ts("changed_at").notNull(),
  },
  (t) => [index("seals_credentials_shop").on(t.shopId, t.mark), uniqueIndex("seals_credentials_status_index").on(t.statusIndex)],
);

export const sealStatusLists = pgTable(
  "seals_status_lists",
  {
    /** "revocation" | "suspension" */
    purpose: text("purpose").notNull(),
    /** the list number (1, 2, …): list n holds status indices [(n − 1) · 131,072, n · 131,072) */
    list: integer("list").notNull().default(1),
    version: integer("version").notNull(),
    jwt: text("jwt").notNull(),
    sha256: text("sha256").notNull(),
    validUntil: ts("valid_until").notNull(),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.purpose, t.list, t.version] })],
);

export const sealCounters = pgTable("seals_counters", {
  name: text("name").primaryKey(),
  next: bigint("next", { mode: "number" }).notNull(),
});

/** Every widget build this deployment served (one `widget` log entry each, docs/seals.md "Pinning"). */
export const sealWidgetReleases = pgTable("seals_widget_releases", {
  /** base64 SHA-256 of the served entry file */
  sha256: text("sha256").primaryKey(),
  path: text("path").notNull(),
  logIndex: bigint("log_index", { mode: "number" }).notNull(),
  createdAt: ts("created_at").notNull(),
});
