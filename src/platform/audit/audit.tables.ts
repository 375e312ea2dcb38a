import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Append-only, hash-chained audit trail. `seq` orders the chain; `hash` covers the row and prevHash. */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    actorUserId: uuid("actor_user_id"),
    actorOrgId: uuid("actor_org_id"),
    actorKind: text("actor_kind").notNull(),
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id").notNull(),
    orgId: uuid("org_id"),
    summary: jsonb("summary").$type<Record<string, unknown>>().notNull(),
    requestId: text("request_id"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_log_object_idx").on(t.objectType, t.objectId), index("audit_log_org_idx").on(t.orgId, t.seq), index("audit_log_action_idx").on(t.action)],
);
