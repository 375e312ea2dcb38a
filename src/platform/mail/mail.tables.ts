import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Every message ectrust sends goes through this outbox first. */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body"),
    /** queued → sent | failed (after retries); held when no SMTP server is configured */
    status: text("status").$type<"queued" | "sent" | "failed" | "held">().notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    orgId: uuid("org_id"),
    template: text("template").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("mail_outbox_status_idx").on(t.status, t.createdAt)],
);
