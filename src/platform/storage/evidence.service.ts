// Evidence files: documents an organisation hands in (policies, screenshots, audit records).
//
// upload() reads the stream once: it counts bytes (refusing the file the moment it passes the
// limit), hashes them (SHA-256) and inspects them (sniff.ts) on the way to storage. Only when
// the bytes are complete and of an accepted type, matching the declared type and the name's
// extension, is the file renamed into place and its row written together with its audit entry,
// in one transaction. Any failure removes what was written: nothing is left half-done. (A crash
// between the file's rename and the commit can leave an unreferenced file, never a row without
// its file.)
//
// Who may see a file: members of the organisation it belongs to, and authority users. Anyone
// else is told it does not exist — unless a read grant passed in by a module says yes for that
// one file (certification: the assigned body's administrators and the audit team read the files
// an applicant linked to its application). Grants widen get/download only, never list or upload.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../actor.ts";
import { appendAudit } from "../audit/audit.ts";
import { roleHas, type Permission } from "../auth/roles.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { decodeTimeCursor, encodeTimeCursor } from "../db/pg-values.ts";
import { AppError, forbidden, invalid, notFound } from "../errors.ts";
import { contentDisposition, extensionOf, sanitizeFilename } from "./filename.ts";
import { ContentInspector, extensionsByType, type EvidenceType } from "./sniff.ts";
import type { Storage } from "./storage.ts";
import { evidenceFiles } from "./storage.tables.ts";

export interface EvidenceFile {
  id: string;
  orgId: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string | null;
  createdAt: Date;
}

export interface UploadInput {
  /** the name the client gave; sanitised before it is stored */
  filename: string;
  stream: AsyncIterable<Uint8Array> | Readable;
  /** the Content-Type the client declared, if any; must agree with the bytes */
  declaredType?: string | undefined;
}

export interface EvidencePage {
  items: EvidenceFile[];
  nextBefore: string | null;
}

export interface EvidenceDownload {
  file: EvidenceFile;
  stream: Readable;
  /** ready for the Content-Disposition header */
  contentDisposition: string;
}

export interface EvidenceService {
  upload(actor: Actor, orgId: string, input: UploadInput): Promise<EvidenceFile>;
  download(actor: Actor, id: string): Promise<EvidenceDownload>;
  /** Newest first, keyset-paginated: pass the previous page's nextBefore as `before`. */
  list(actor: Actor, orgId: string, page: { before?: string | undefined; limit: number }): Promise<EvidencePage>;
  /** The row alone, with the same authorisation as download. */
  get(actor: Actor, id: string): Promise<EvidenceFile>;
}

/**
 * A narrow extension of who may read one file (get/download): consulted only when the caller is
 * neither of the owning organisation nor the authority. Return true to allow.
 */
export type EvidenceReadGrant = (actor: Extract<Actor, { kind: "user" | "token" }>, file: { id: string; orgId: string }) => Promise<boolean>;

export interface EvidenceDeps {
  /** read grants from modules (see EvidenceReadGrant); may be filled after construction */
  readGrants?: readonly EvidenceReadGrant[];
  db: Db;
  clock: Clock;
  storage: Storage;
  /** largest accepted file, in bytes (Config.evidenceMaxBytes) */
  maxBytes: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Declared types that say nothing (browsers send these for anything they do not know). */
const UNDECLARED = new Set(["", "application/octet-stream", "binary/octet-stream", "application/unknown"]);

const columns = {
  id: evidenceFiles.id,
  orgId: evidenceFiles.orgId,
  filename: evidenceFiles.filename,
  mediaType: evidenceFiles.mediaType,
  sizeBytes: evidenceFiles.sizeBytes,
  sha256: evidenceFiles.sha256,
  uploadedBy: evidenceFiles.uploadedBy,
  createdAt: evidenceFiles.createdAt,
};

type Member = Extract<Actor, { kind: "user" | "token" }>;

function member(actor: Actor, permission: Permission): Member {
  if (actor.kind !== "user" && actor.kind !== "token") throw new AppError("unauthenticated");
  if (!roleHas(actor.role, permission)) throw forbidden();
  return actor;
}

const isAuthority = (a: Member): boolean => a.orgKind === "authority";

/** The media type a file is stored and served as; csv when the name or declared type says so. */
function finalType(detected: EvidenceType, ext: string, declared: string): EvidenceType {
  if (detected === "text/plain" && (ext === "csv" || declared === "text/csv")) return "text/csv";
  return detected;
}

export function createEvidenceService(deps: EvidenceDeps): EvidenceService {
  const { db, clock, storage, maxBytes } = deps;

  async function load(actor: Member, id: string): Promise<EvidenceFile & { storageKey: string }> {
    const missing = notFound("The file");
    if (!UUID.test(id)) throw missing;
    const [row] = await db.select({ ...columns, storageKey: evidenceFiles.storageKey }).from(evidenceFiles).where(eq(evidenceFiles.id, id));
    // Another organisation's file looks exactly like a file that does not exist.
    if (!row) throw missing;
    if (row.orgId !== actor.orgId && !isAuthority(actor)) {
      for (const grant of deps.readGrants ?? []) {
        if (await grant(actor, { id: row.id, orgId: row.orgId })) return row;
      }
      throw missing;
    }
    return row;
  }

  return {
    async upload(actor, orgId, input) {
      const a = member(actor, "evidence.write");
      if (!UUID.test(orgId)) throw invalid("orgId", "must be an organisation id");
      if (a.orgId !== orgId && !isAuthority(a)) throw forbidden("You can add files to your own organisation only.");
      const filename = sanitizeFilename(input.filename);
      const ext = extensionOf(filename);
      const declared = (input.declaredType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

      const inspector = new ContentInspector();
      const hash = createHash("sha256");
      let detected: EvidenceType | undefined;
      async function* inspected(): AsyncGenerator<Uint8Array> {
        for await (const chunk of input.stream as AsyncIterable<Uint8Array | string>) {
          const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
          if (inspector.size + bytes.byteLength > maxBytes) {
            throw new AppError("payload_too_large", `The file is larger than ${maxBytes} bytes.`, { extra: { maxBytes } });
          }
          inspector.push(bytes);
          hash.update(bytes);
          yield bytes;
        }
        // Runs before storage renames the file into place: a refused file is never kept.
        const type = inspector.finish();
        if (!UNDECLARED.has(declared) && declared !== type && !(type === "text/plain" && declared === "text/csv")) {
          throw new AppError("unsupported_media_type", `The file was declared as ${declared} but its content is ${type}.`);
        }
        const fits = type === "text/plain" ? [...extensionsByType["text/plain"], ...extensionsByType["text/csv"]] : extensionsByType[type];
        if (!fits.includes(ext)) {
          throw new AppError("unsupported_media_type", `The name "${filename}" does not fit its content (${type}); expected .${fits.join(" or .")}.`, {
            extra: { detected: type },
          });
        }
        detected = type;
      }

      const stored = await storage.put(inspected());
      if (!detected) throw new AppError("internal", "the upload ended without a type");
      const mediaType = finalType(detected, ext, declared);
      const sha256 = hash.digest("hex");
      try {
        return await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(evidenceFiles)
            .values({ orgId, filename, mediaType, sizeBytes: stored.size, sha256, storageKey: stored.key, uploadedBy: a.userId ?? null, createdAt: clock.now() })
            .returning(columns);
          if (!row) throw new AppError("internal", "the evidence row was not written");
          await appendAudit(tx, clock, actor, { action: "evidence.uploaded", objectType: "evidence_file", objectId: row.id, orgId, summary: { filename, mediaType, sizeBytes: stored.size, sha256 } });
          return row;
        });
      } catch (error) {
        await storage.delete(stored.key).catch(() => undefined);
        throw error;
      }
    },

    async get(actor, id) {
      const { storageKey: _k, ...file } = await load(member(actor, "evidence.read"), id);
      return file;
    },

    async download(actor, id) {
      const { storageKey, ...file } = await load(member(actor, "evidence.read"), id);
      const stream = await storage.get(storageKey);
      return { file, stream, contentDisposition: contentDisposition(file.filename) };
    },

    async list(actor, orgId, page) {
      const a = member(actor, "evidence.read");
      if (!UUID.test(orgId)) throw invalid("orgId", "must be an organisation id");
      if (a.orgId !== orgId && !isAuthority(a)) throw forbidden("You can list your own organisation's files only.");
      const limit = Math.trunc(page.limit);
      if (!(limit >= 1 && limit <= 200)) throw invalid("limit", "must be between 1 and 200");
      const conds: SQL[] = [eq(evidenceFiles.orgId, orgId)];
      if (page.before) {
        const c = decodeTimeCursor(page.before);
        conds.push(sql`(${evidenceFiles.createdAt}, ${evidenceFiles.id}) < (${c.at}::timestamptz, ${c.id}::uuid)`);
      }
      const rows = await db
        .select(columns)
        .from(evidenceFiles)
        .where(and(...conds))
        .orderBy(desc(evidenceFiles.createdAt), desc(evidenceFiles.id))
        .limit(limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextBefore: rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.id) : null };
    },
  };
}
