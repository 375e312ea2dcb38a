// Consumer complaints against a mark holder: anyone files one (no account) against an active or
// suspended mark and keeps a reference; the holder responds; the certification body (or the
// authority) determines it — dismissed, or upheld, optionally with a sanction that goes through the
// lifecycle (caution, recommendation, suspension, revocation) in the same transaction.
// The complainant's name and e-mail are personal data: the body and the authority see them, the
// holder does not.
import { randomBytes } from "node:crypto";
import { and, count, desc, eq, type SQL } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { MailMessage } from "../../platform/mail/mail.service.ts";
import type { MailTemplate } from "../../platform/mail/templates.ts";
import type { NoticeSender, Notifier } from "./certification.jobs.ts";
import type { CertificationService } from "./certification.service.ts";
import { certApplications } from "./certification.tables.ts";
import { certComplaints, type ComplaintCategory } from "./records.tables.ts";

type Row = typeof certComplaints.$inferSelect;
export type ComplaintView = Omit<Row, "complainantName" | "complainantEmail" | "determinedBy"> & { complainantName: string | null; complainantEmail: string | null };

export interface ComplaintsDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "markOf" | "transitionIn" | "warm" | "runHooks">;
  /** mails the holder's and the body's administrators (in the transaction) */
  notifier: Notifier;
  /** mails the complainant (receipt, determination) through the outbox, in the transaction */
  mail: { enqueue(tx: Db, message: MailMessage): Promise<unknown> };
}

const stages = {
  filed: { "zh-TW": "收到新的申訴", en: "a new complaint was filed" },
  responded: { "zh-TW": "標章持有者已回覆", en: "the mark holder responded" },
  upheld: { "zh-TW": "申訴成立", en: "the complaint was upheld" },
  dismissed: { "zh-TW": "申訴不成立", en: "the complaint was dismissed" },
} as const;

/** To the holder's and the body's administrators at each step. */
export const complaintNoticeTemplate: MailTemplate = {
  name: "certification.complaint_notice",
  vars: ["stage", "reference", "mark"],
  labels: { stage: stages },
  "zh-TW": { subject: "ectrust 標章申訴 {{reference}}：{{stage}}", text: "您好：\n\n標章 {{mark}} 的申訴 {{reference}}：{{stage}}。\n\n請登入 ectrust 查看並處理。" },
  en: { subject: "ectrust mark complaint {{reference}}: {{stage}}", text: "Hello,\n\nComplaint {{reference}} about mark {{mark}}: {{stage}}.\n\nSign in to ectrust to review it." },
};

/** To the complainant: the receipt, and the determination. */
export const complaintReceiptTemplate: MailTemplate = {
  name: "certification.complaint_receipt",
  vars: ["stage", "reference", "mark"],
  labels: { stage: stages },
  "zh-TW": { subject: "您的標章申訴 {{reference}}：{{stage}}", text: "您好：\n\n您對標章 {{mark}} 的申訴，案號 {{reference}}：{{stage}}。\n\n驗證機構會依程序處理，結果將以此信箱通知。請保留案號以便查詢。" },
  en: { subject: "Your mark complaint {{reference}}: {{stage}}", text: "Hello,\n\nYour complaint about mark {{mark}}, reference {{reference}}: {{stage}}.\n\nThe certification body handles it and will write to this address with the outcome. Keep the reference." },
};

export interface ComplaintInput {
  markNumber: string;
  category: ComplaintCategory;
  description: string;
  name: string;
  email: string;
}

export interface Determination {
  outcome: "upheld" | "dismissed";
  determination: string;
  sanction?: { event: "sanction_caution" | "sanction_recommendation" | "sanction_suspend" | "sanction_revoke"; level: number; months?: number | undefined } | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Crockford base32 without I, L, O, U: easy to read out on the phone. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const reference = (): string => `C-${[...randomBytes(8)].map((b) => ALPHABET[b % 32]).join("")}`;

type Member = Extract<Actor, { kind: "user" | "token" }>;
function member(actor: Actor): Member {
  if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
  return actor;
}

export function createComplaintsService(deps: ComplaintsDeps) {
  const { db, clock, certification, notifier, mail } = deps;

  /** Reads the administrators of the body and the holder before a transaction opens (see Notifier). */
  async function prepare(orgs: { merchantOrgId: string; cbOrgId: string } | undefined): Promise<NoticeSender> {
    return orgs ? notifier.prepare([orgs.cbOrgId, orgs.merchantOrgId]) : async () => undefined;
  }

  async function tell(tx: Db, send: NoticeSender, c: Pick<Row, "cbOrgId" | "reference" | "markNumber" | "complainantEmail">, stage: keyof typeof stages, complainant: boolean): Promise<void> {
    const vars = { stage, reference: c.reference, mark: c.markNumber };
    await send(tx, { template: complaintNoticeTemplate.name, vars });
    if (complainant) await mail.enqueue(tx, { to: c.complainantEmail, template: complaintReceiptTemplate.name, locale: "zh-TW", vars, orgId: c.cbOrgId });
  }
  const orgsOfComplaint = async (id: string) =>
    UUID.test(id) ? (await db.select({ merchantOrgId: certComplaints.merchantOrgId, cbOrgId: certComplaints.cbOrgId, app: certComplaints.applicationId }).from(certComplaints).where(eq(certComplaints.id, id)))[0] : undefined;

  const isBody = (a: Member, c: Pick<Row, "cbOrgId">): boolean => a.orgId === c.cbOrgId && a.role === "cb_admin";
  const isAuthority = (a: Member): boolean => a.orgKind === "authority";
  const isHolder = (a: Member, c: Pick<Row, "merchantOrgId">): boolean => a.orgId === c.merchantOrgId && (a.role === "merchant_admin" || a.role === "merchant_staff");

  function view(a: Member, c: Row): ComplaintView {
    const { complainantName, complainantEmail, determinedBy: _d, ...rest } = c;
    const contact = isBody(a, c) || isAuthority(a);
    return { ...rest, complainantName: contact ? complainantName : null, complainantEmail: contact ? complainantEmail : null };
  }

  async function loadFor(tx: Db, a: Member, id: string, lock = false): Promise<Row> {
    if (!UUID.test(id)) throw notFound("The complaint");
    const q = tx.select().from(certComplaints).where(eq(certComplaints.id, id));
    const [c] = lock ? await q.for("update") : await q;
    if (!c || !(isBody(a, c) || isAuthority(a) || isHolder(a, c))) throw notFound("The complaint");
    return c;
  }

  return {
    /** Public: no account; the mark must be active or suspended. */
    async file(actor: Actor, input: ComplaintInput): Promise<{ reference: string; markNumber: string; filedAt: Date }> {
      const [holder] = await db.select({ merchantOrgId: certApplications.merchantOrgId, cbOrgId: certApplications.cbOrgId }).from(certApplications).where(eq(certApplications.markNumber, input.markNumber));
      const send = await prepare(holder);
      return db.transaction(async (tx) => {
        const [app] = await tx.select().from(certApplications).where(eq(certApplications.markNumber, input.markNumber));
        const mark = app ? certification.markOf(app, clock.now()) : null;
        if (!app || !mark) throw invalid("markNumber", "no mark with this number");
        if (mark.status !== "active" && mark.status !== "suspended") throw invalid("markNumber", `this mark is ${mark.status}; complaints are taken against current marks`);
        const now = clock.now();
        const [row] = await tx
          .insert(certComplaints)
          .values({ reference: reference(), applicationId: app.id, markNumber: input.markNumber, merchantOrgId: app.merchantOrgId, cbOrgId: app.cbOrgId, category: input.category, description: input.description, complainantName: input.name, complainantEmail: input.email, status: "received", filedAt: now })
          .returning();
        if (!row) throw new AppError("internal", "complaint not written");
        // the audit trail names the complaint, not the complainant
        await appendAudit(tx, clock, actor, { action: "certification.complaint_filed", objectType: "cert_complaint", objectId: row.id, orgId: app.merchantOrgId, summary: { reference: row.reference, markNumber: row.markNumber, category: row.category } });
        await tell(tx, send, row, "filed", true);
        return { reference: row.reference, markNumber: row.markNumber, filedAt: row.filedAt };
      });
    },

    /** Public: where a complaint stands, by its reference (status and dates only). */
    async status(reference: string): Promise<{ reference: string; markNumber: string; status: Row["status"]; filedAt: Date; respondedAt: Date | null; determinedAt: Date | null }> {
      const [c] = /^C-[0-9A-HJKMNP-TV-Z]{8}$/.test(reference) ? await db.select().from(certComplaints).where(eq(certComplaints.reference, reference)) : [];
      if (!c) throw notFound("The complaint");
      return { reference: c.reference, markNumber: c.markNumber, status: c.status, filedAt: c.filedAt, respondedAt: c.respondedAt, determinedAt: c.determinedAt };
    },

    async list(actor: Actor, q: { status?: Row["status"] | undefined; limit: number; offset: number }) {
      const a = member(actor);
      const conds: SQL[] = [];
      if (a.orgKind === "certification_body") {
        if (a.role !== "cb_admin") throw forbidden("The body's administrator handles complaints.");
        conds.push(eq(certComplaints.cbOrgId, a.orgId));
      } else if (a.orgKind === "merchant") conds.push(eq(certComplaints.merchantOrgId, a.orgId));
      else if (!isAuthority(a)) throw forbidden();
      if (q.status) conds.push(eq(certComplaints.status, q.status));
      const where = and(...conds);
      const rows = await db.select().from(certComplaints).where(where).orderBy(desc(certComplaints.filedAt), desc(certComplaints.id)).limit(q.limit).offset(q.offset);
      const [n] = await db.select({ n: count() }).from(certComplaints).where(where);
      return { items: rows.map((r) => view(a, r)), total: n?.n ?? 0 };
    },

    async get(actor: Actor, id: string): Promise<ComplaintView> {
      const a = member(actor);
      return view(a, await loadFor(db, a, id));
    },

    /** The holder answers (and may amend its answer until the body determines). */
    async respond(actor: Actor, id: string, response: string): Promise<ComplaintView> {
      const a = member(actor);
      const send = await prepare(await orgsOfComplaint(id));
      return db.transaction(async (tx) => {
        const c = await loadFor(tx, a, id, true);
        if (a.orgId !== c.merchantOrgId || a.role !== "merchant_admin") throw forbidden("The mark holder's administrator responds.");
        if (c.status !== "received" && c.status !== "responded") throw new AppError("invalid_transition", `The complaint is already ${c.status}.`);
        const [row] = await tx.update(certComplaints).set({ merchantResponse: response, status: "responded", respondedAt: clock.now() }).where(eq(certComplaints.id, c.id)).returning();
        if (!row) throw new AppError("internal", "complaint not updated");
        await appendAudit(tx, clock, actor, { action: "certification.complaint_responded", objectType: "cert_complaint", objectId: c.id, orgId: c.merchantOrgId, summary: { reference: c.reference } });
        await tell(tx, send, c, "responded", false);
        return view(a, row);
      });
    },

    /** The body (or the authority) determines; an upheld complaint may sanction the holder through the lifecycle. */
    async determine(actor: Actor, id: string, input: Determination): Promise<ComplaintView> {
      const a = member(actor);
      if (input.sanction && input.outcome !== "upheld") throw invalid("sanction", "only an upheld complaint leads to a sanction");
      const orgs = await orgsOfComplaint(id);
      if (orgs) await certification.warm(orgs.app);
      const send = await prepare(orgs);
      const { row, change } = await db.transaction(async (tx) => {
        const c = await loadFor(tx, a, id, true);
        if (!isBody(a, c) && !(isAuthority(a) && a.role === "authority_admin")) throw forbidden("The certification body's administrator or the authority determines complaints.");
        if (c.status === "upheld" || c.status === "dismissed") throw new AppError("invalid_transition", `The complaint is already ${c.status}.`);
        const t = input.sanction
          ? await certification.transitionIn(tx, actor, c.applicationId, input.sanction.event, { reason: `complaint ${c.reference}: ${input.determination}`, level: input.sanction.level, months: input.sanction.months })
          : undefined;
        const [updated] = await tx
          .update(certComplaints)
          .set({ status: input.outcome, determination: input.determination, sanctionEvent: input.sanction?.event ?? null, determinedBy: a.userId ?? null, determinedAt: clock.now() })
          .where(eq(certComplaints.id, c.id))
          .returning();
        if (!updated) throw new AppError("internal", "complaint not updated");
        await appendAudit(tx, clock, actor, { action: `certification.complaint_${input.outcome}`, objectType: "cert_complaint", objectId: c.id, orgId: c.merchantOrgId, summary: { reference: c.reference, sanction: input.sanction ?? null } });
        await tell(tx, send, c, input.outcome, true);
        return { row: view(a, updated), change: t?.change };
      });
      await certification.runHooks(change);
      return row;
    },
  };
}

export type ComplaintsService = ReturnType<typeof createComplaintsService>;
