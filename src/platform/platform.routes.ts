// Platform routes: audit trail browsing and verification, mail outbox, evidence files, job state.
import fastifyMultipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { auditPage, auditQuery, auditVerifyResponse } from "../modules/accounts/accounts.schema.ts";
import { listAudit, verifyAuditChain, type VerifyResult } from "./audit/audit.ts";
import { armedAuditKeys } from "./audit/audit.key.ts";
import { roleHas } from "./auth/roles.ts";
import type { Database } from "./db/database.ts";
import { AppError, forbidden } from "./errors.ts";
import type { JobQueue } from "./jobs/queue.ts";
import { MAIL_RETRY_MAX } from "./mail/mail.limits.ts";
import { mailStatuses, type MailService } from "./mail/mail.service.ts";
import type { EvidenceService } from "./storage/evidence.service.ts";

export interface PlatformRoutesOptions {
  database: Database;
  mail: MailService;
  evidence: EvidenceService;
  jobs: JobQueue;
  evidenceMaxBytes: number;
  /** the audit chain against its newest checkpoint (buildServer: the audit anchor); default: the chain alone, with this process's key */
  verifyAudit?: () => Promise<VerifyResult>;
  /** display names of users by id (buildServer: the accounts service); without it rows name no one */
  userNames?: (ids: readonly string[]) => Promise<Map<string, string>>;
}

const outboxItem = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  template: z.string(),
  status: z.enum(mailStatuses as ["queued", "sent", "failed", "held"]),
  attempts: z.number(),
  lastError: z.string().nullable(),
  orgId: z.string().nullable(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});
const evidenceFile = z.object({
  id: z.string(),
  orgId: z.string(),
  filename: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  uploadedBy: z.string().nullable(),
  createdAt: z.date(),
});
const idParams = z.strictObject({ id: z.uuid() });
const orgParams = z.strictObject({ orgId: z.uuid() });

/**
 * Busboy's errors for a broken multipart body (no boundary, bad part headers, a body cut short
 * before its closing boundary) carry no status: they are the client's, not a 500. The plugin's
 * own errors (parts, fields or size limits) carry a 4xx status and pass through.
 */
function multipartError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number") return error;
  return new AppError("malformed_request", "The multipart/form-data body is malformed or was cut short.", { cause: error });
}

/** The uploaded bytes, with a broken body reported as the client's error (see multipartError). */
async function* clientBytes(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (error) {
    throw multipartError(error);
  }
}

export async function platformRoutes(app: FastifyInstance, opts: PlatformRoutesOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { database } = opts;

  r.get(
    "/api/v1/audit",
    { config: { access: "audit.read" }, schema: { tags: ["audit"], summary: "Browse the audit trail (the authority sees all; others their organisation)", querystring: auditQuery, response: { 200: auditPage } } },
    async (req) => {
      const actor = req.actor;
      if (actor.kind !== "user" && actor.kind !== "token") throw forbidden();
      const all = roleHas(actor.role, "audit.read_all");
      if (!all && req.query.orgId && req.query.orgId !== actor.orgId) throw forbidden("You can browse your own organisation's audit trail only.");
      const page = await listAudit(database.db, { ...req.query, orgId: all ? req.query.orgId : actor.orgId });
      // names only for the rows this caller may read (the page above), looked up at read time
      const ids = page.items.flatMap((row) => (row.actorUserId ? [row.actorUserId] : []));
      const names = opts.userNames ? await opts.userNames(ids) : new Map<string, string>();
      return {
        items: page.items.map(({ prevHash: _p, ...row }) => ({ ...row, actorName: row.actorUserId ? (names.get(row.actorUserId) ?? null) : null })),
        nextBefore: page.nextBefore,
      };
    },
  );

  r.post(
    "/api/v1/audit/verify",
    { config: { access: "audit.read_all", rateLimit: { max: 6, timeWindow: "1 minute" } }, schema: { tags: ["audit"], summary: "Check the audit trail's hash chain", response: { 200: auditVerifyResponse } } },
    async () => (opts.verifyAudit ? opts.verifyAudit() : verifyAuditChain(database.db, { chainKey: armedAuditKeys()?.chain })),
  );

  r.get(
    "/api/v1/outbox",
    {
      config: { access: "outbox.read" },
      schema: {
        tags: ["mail"],
        summary: "The mail outbox: every message ectrust sent or holds",
        querystring: z.strictObject({
          status: z.enum(mailStatuses as ["queued", "sent", "failed", "held"]).optional(),
          orgId: z.uuid().optional(),
          before: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(outboxItem), nextBefore: z.string().nullable() }) },
      },
    },
    async (req) => opts.mail.listOutbox(req.query),
  );

  r.get(
    "/api/v1/outbox/:id",
    { config: { access: "outbox.read" }, schema: { tags: ["mail"], summary: "One message with its text and HTML", params: idParams, response: { 200: outboxItem.extend({ textBody: z.string(), htmlBody: z.string().nullable() }) } } },
    async (req) => opts.mail.getMessage(req.params.id),
  );

  r.post(
    "/api/v1/outbox/retry-failed",
    {
      config: { access: "outbox.read", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        tags: ["mail"],
        summary: `Queue failed mail for delivery again: oldest first, at most \`limit\` (≤ ${MAIL_RETRY_MAX}) a call, optionally only mail created from \`from\` and before \`to\``,
        body: z.strictObject({
          from: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
          to: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
          limit: z.number().int().min(1).max(MAIL_RETRY_MAX).default(MAIL_RETRY_MAX),
        }),
        response: { 200: z.object({ retried: z.number(), remaining: z.number(), ids: z.array(z.string()) }) },
      },
    },
    async (req) => opts.mail.retryFailed(req.actor, req.body),
  );

  // Evidence files: multipart upload (one file), listing, metadata and download.
  await app.register(fastifyMultipart, { limits: { fileSize: opts.evidenceMaxBytes + 1, files: 1, fields: 2, parts: 3, headerPairs: 50 } });

  r.post(
    "/api/v1/organisations/:orgId/evidence",
    { config: { access: "evidence.write" }, schema: { tags: ["evidence"], summary: "Upload an evidence file (multipart/form-data, field `file`)", params: orgParams, response: { 201: evidenceFile } } },
    async (req, reply) => {
      if (!req.isMultipart()) throw new AppError("unsupported_media_type", "Send the file as multipart/form-data in a field named `file`.");
      const part = await req.file().catch((error: unknown) => {
        throw multipartError(error);
      });
      if (!part) throw new AppError("validation", "No file was sent.", { fields: [{ field: "file", message: "required" }] });
      if (part.fieldname !== "file") throw new AppError("validation", "Send the file in a field named `file`.", { fields: [{ field: part.fieldname, message: "unexpected field" }] });
      const file = await opts.evidence.upload(req.actor, req.params.orgId, { filename: part.filename, stream: clientBytes(part.file), declaredType: part.mimetype });
      if (part.file.truncated) throw new AppError("payload_too_large");
      return reply.code(201).send(file);
    },
  );

  r.get(
    "/api/v1/organisations/:orgId/evidence",
    {
      config: { access: "evidence.read" },
      schema: {
        tags: ["evidence"],
        summary: "Evidence files of an organisation",
        params: orgParams,
        querystring: z.strictObject({ before: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(25) }),
        response: { 200: z.object({ items: z.array(evidenceFile), nextBefore: z.string().nullable() }) },
      },
    },
    async (req) => opts.evidence.list(req.actor, req.params.orgId, req.query),
  );

  r.get("/api/v1/evidence/:id", { config: { access: "evidence.read" }, schema: { tags: ["evidence"], summary: "An evidence file's record", params: idParams, response: { 200: evidenceFile } } }, async (req) =>
    opts.evidence.get(req.actor, req.params.id),
  );

  r.get("/api/v1/evidence/:id/download", { config: { access: "evidence.read" }, schema: { tags: ["evidence"], summary: "Download an evidence file", params: idParams } }, async (req, reply) => {
    const { file, stream, contentDisposition } = await opts.evidence.download(req.actor, req.params.id);
    return reply
      .header("content-type", file.mediaType)
      .header("content-disposition", contentDisposition)
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "sandbox; default-src 'none'")
      .header("cache-control", "private, no-store")
      .header("content-length", String(file.sizeBytes))
      .send(stream);
  });

  r.get(
    "/api/v1/jobs",
    { config: { access: "jobs.read" }, schema: { tags: ["platform"], summary: "Job queue state per queue", response: { 200: z.object({ items: z.array(z.record(z.string(), z.unknown())) }) } } },
    async () => ({ items: (await opts.jobs.stats()) as unknown as Record<string, unknown>[] }),
  );
}
