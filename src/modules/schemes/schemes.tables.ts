import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { Catalogue } from "./catalogue.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * One row per catalogue version of a scheme. A version is imported as a draft, then published
 * by the authority; a published version never changes (assessments pin the version they began on).
 */
export const schemeVersions = pgTable(
  "scheme_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    scheme: text("scheme").notNull(),
    version: text("version").notNull(),
    status: text("status").$type<"draft" | "published" | "retired">().notNull(),
    markPrefix: text("mark_prefix").notNull(),
    /** the validated catalogue (requirements, domains, parameters) */
    content: jsonb("content").$type<Catalogue>().notNull(),
    /** SHA-256 of the canonical content */
    sha256: text("sha256").notNull(),
    createdAt: ts("created_at").notNull(),
    createdBy: uuid("created_by"),
    publishedAt: ts("published_at"),
  },
  (t) => [uniqueIndex("scheme_versions_scheme_version_uq").on(t.scheme, t.version), index("scheme_versions_status_idx").on(t.scheme, t.status)],
);
