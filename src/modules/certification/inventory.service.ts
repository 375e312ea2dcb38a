// The personal-data inventory (個資清冊) of an application: list, add, change, delete, import and
// export. The applicant's organisation writes it while the application is open; whoever may see
// the application reads it (the body's administrator, the team, the authority). Every write is
// one transaction with its audit row; an import with any bad row writes nothing.
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import ExcelJS from "exceljs";
import { and, asc, count, eq } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import { CsvError, readCsv } from "../../platform/csv/csv-stream.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, notFound } from "../../platform/errors.ts";
import type { EvidenceService } from "../../platform/storage/evidence.service.ts";
import { assertZipWithin, ZipRefused } from "../../platform/zip-guard.ts";
import type { Application, CertificationService } from "./certification.service.ts";
import { INVENTORY_CSV_LIMITS, inventoryToCsv, inventoryToXlsx, MAX_INVENTORY_ROWS, parsePiiJson, parseRecords, validateItems, type InventoryItemInput, type Parsed, type RowError } from "./inventory.io.ts";
import { certInventoryItems } from "./records.tables.ts";

export type InventoryItem = typeof certInventoryItems.$inferSelect;

export interface InventoryDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "load">;
  evidence: Pick<EvidenceService, "download">;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOSED = new Set(["withdrawn", "rejected", "expired", "revoked"]);
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export interface ImportInput {
  /** an uploaded evidence file (CSV or XLSX: our register, or `ectrust pii inventory` output) */
  evidenceId?: string | undefined;
  /** or the JSON of `ectrust pii inventory --format json` */
  piiJson?: unknown;
  mode: "append" | "replace";
  dryRun: boolean;
}

export interface ImportResult {
  kind: Parsed["kind"];
  rows: number;
  written: number;
  replaced: number;
  dryRun: boolean;
}

function rowErrors(errors: RowError[]): AppError {
  const shown = errors.slice(0, 200);
  return new AppError("validation", `The file has ${errors.length} problem(s); nothing was imported. First: row ${shown[0]?.row ?? "?"} ${shown[0]?.field ?? ""}: ${shown[0]?.message ?? ""}`, {
    fields: shown.map((e) => ({ field: `rows.${e.row}.${e.field}`, message: e.message })),
    extra: { rowErrors: shown, totalErrors: errors.length },
  });
}

/** A worksheet cell → text; formulas are refused (a register holds values). */
function cellText(v: unknown, row: number, col: number, errors: RowError[]): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    if ("formula" in v || "sharedFormula" in v) {
      errors.push({ row, field: `column ${col}`, message: "formulas are not accepted; paste values" });
      return "";
    }
    if ("richText" in v && Array.isArray(v.richText)) return (v.richText as { text?: unknown }[]).map((t) => (typeof t.text === "string" ? t.text : "")).join("");
    if ("text" in v && typeof v.text === "string") return v.text;
    if ("error" in v) return "";
    return "";
  }
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

/** Most bytes an uploaded XLSX may unpack to. */
export const XLSX_MAX_UNPACKED = 64 * 1024 * 1024;

/** The message and field message for a workbook the ZIP check refused: damaged, unsupported or too large say different things to do. */
function zipRefusal(e: ZipRefused): [detail: string, field: string] {
  switch (e.kind) {
    case "too_large":
      return [`The XLSX file is too large: ${e.message}${e.message.includes("limit") ? ` (${String(XLSX_MAX_UNPACKED / 1024 / 1024)} MiB unpacked)` : ""}.`, "the workbook is too large"];
    case "unsupported":
      return [`The XLSX file uses a ZIP feature that is not accepted: ${e.message}. Save it again from a spreadsheet program and upload that copy.`, "the workbook uses a ZIP feature that is not accepted"];
    case "not_zip":
    case "damaged":
      return [`The XLSX file is damaged or not a workbook: ${e.message}.`, "not a readable XLSX workbook"];
  }
}

/**
 * The first sheet's rows as text cells (row 1 first), of an uploaded workbook: the ZIP is checked
 * before exceljs unpacks it (which keeps every shared string): a 4 MB upload of a zip bomb would
 * inflate to gigabytes.
 */
export async function xlsxRecords(stream: Readable): Promise<string[][]> {
  const bytes = await buffer(stream);
  try {
    await assertZipWithin(bytes, { maxTotalBytes: XLSX_MAX_UNPACKED, maxEntries: 1000 });
  } catch (e) {
    if (!(e instanceof ZipRefused)) throw e;
    const [detail, field] = zipRefusal(e);
    throw new AppError("validation", detail, { fields: [{ field: "file", message: field }], cause: e });
  }
  return workbookRecords(bytes);
}

/**
 * xlsxRecords after the ZIP check (exported for its test). exceljs's streaming reader, through
 * unzipper, now and then fails on a whole, valid workbook with FILE_ENDED (a race in its own stream
 * handling; it failed this module's test once in CI, on a file that reads fine every other time), and
 * it then gets one more pass over the same bytes. A file that fails twice is refused.
 */
export async function workbookRecords(bytes: Buffer): Promise<string[][]> {
  try {
    return await xlsxPass(Readable.from([bytes]));
  } catch (e) {
    if (!(e instanceof AppError && e.cause instanceof Error && e.cause.message === "FILE_ENDED")) throw e;
    return await xlsxPass(Readable.from([bytes]));
  }
}

async function xlsxPass(stream: Readable): Promise<string[][]> {
  const errors: RowError[] = [];
  const records: string[][] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, { worksheets: "emit", sharedStrings: "cache", hyperlinks: "ignore", styles: "ignore", entries: "ignore" });
  // exceljs#3064: the streaming reader sometimes ends its pass over the zip before xl/workbook.xml,
  // which exceljs itself writes last (about 1 read in 100 of our own exports), and then reads
  // `model.sheets` of nothing. Until the workbook part arrives the sheets only have no names, and
  // names are not used here (the first sheet is the register).
  (reader as unknown as { model?: { sheets: unknown[] } }).model ??= { sheets: [] };
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        // row numbers come from the file: a sheet may jump to row 1,000,000 without the rows between
        if (row.number > MAX_INVENTORY_ROWS + 1) throw rowErrors([{ row: row.number, field: "(file)", message: `more than ${MAX_INVENTORY_ROWS} rows` }]);
        const values = Array.isArray(row.values) ? (row.values as unknown[]).slice(1) : [];
        if (values.length > INVENTORY_CSV_LIMITS.maxFields) throw rowErrors([{ row: row.number, field: "(row)", message: `more than ${INVENTORY_CSV_LIMITS.maxFields} columns` }]);
        const cells = values.map((v, i) => cellText(v, row.number, i + 1, errors));
        if (cells.some((c) => c.length > INVENTORY_CSV_LIMITS.maxFieldChars)) throw rowErrors([{ row: row.number, field: "(row)", message: `a cell is longer than ${INVENTORY_CSV_LIMITS.maxFieldChars} characters` }]);
        // a row number that does not move forward (a hand-made file may repeat r="2" a million
        // times) would pile records up past the row check above: count what is kept instead
        if (row.number <= records.length) throw rowErrors([{ row: row.number, field: "(row)", message: "rows out of order or repeated; save the workbook again from a spreadsheet program" }]);
        while (records.length < row.number - 1) records.push([]);
        records.push(cells);
        if (records.length > MAX_INVENTORY_ROWS + 1) throw rowErrors([{ row: row.number, field: "(file)", message: `more than ${MAX_INVENTORY_ROWS} rows` }]);
      }
      break; // the first sheet is the register
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("validation", "The XLSX file could not be read.", { fields: [{ field: "file", message: "not a readable XLSX workbook" }], cause: e });
  } finally {
    stream.destroy();
  }
  if (errors.length) throw rowErrors(errors);
  return records;
}

async function csvRecords(stream: Readable): Promise<string[][]> {
  const records: string[][] = [];
  const text = Readable.toWeb(stream).pipeThrough(new TextDecoderStream("utf-8", { fatal: true })) as unknown as AsyncIterable<string>;
  try {
    for await (const r of readCsv(text, INVENTORY_CSV_LIMITS)) {
      records.push(r);
      if (records.length > MAX_INVENTORY_ROWS + 1) throw rowErrors([{ row: records.length, field: "(file)", message: `more than ${MAX_INVENTORY_ROWS} rows` }]);
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof CsvError) throw rowErrors([{ row: e.line, field: "(csv)", message: e.message }]);
    throw new AppError("validation", "The CSV file is not valid UTF-8 text.", { fields: [{ field: "file", message: "not UTF-8 CSV" }], cause: e });
  } finally {
    stream.destroy();
  }
  return records;
}

export function createInventoryService(deps: InventoryDeps) {
  const { db, clock, certification, evidence } = deps;

  async function writable(tx: Db, actor: Actor, id: string): Promise<Application> {
    const app = await certification.load(tx, actor, id, true);
    if ((actor.kind !== "user" && actor.kind !== "token") || actor.orgId !== app.merchantOrgId || (actor.role !== "merchant_admin" && actor.role !== "merchant_staff")) {
      throw forbidden("Only the applicant's organisation keeps its personal-data inventory.");
    }
    if (CLOSED.has(app.status)) throw new AppError("invalid_transition", `The inventory is closed: the application is ${app.status}.`);
    return app;
  }

  const values = (app: Application, it: InventoryItemInput, actor: Actor, now: Date, origin: InventoryItem["origin"]) => ({
    ...it,
    applicationId: app.id,
    merchantOrgId: app.merchantOrgId,
    origin,
    updatedBy: actor.userId ?? null,
    createdAt: now,
    updatedAt: now,
  });

  async function parseUpload(actor: Actor, input: ImportInput): Promise<Parsed> {
    if (input.piiJson !== undefined) return parsePiiJson(input.piiJson);
    if (!input.evidenceId) throw new AppError("validation", "Send evidenceId (an uploaded CSV or XLSX file) or piiJson.", { fields: [{ field: "evidenceId", message: "required" }] });
    const { file, stream } = await evidence.download(actor, input.evidenceId);
    if (file.orgId !== (actor.kind === "user" || actor.kind === "token" ? actor.orgId : "")) {
      stream.destroy();
      throw notFound("The file");
    }
    if (file.mediaType === "text/csv" || file.mediaType === "text/plain") return parseRecords(await csvRecords(stream));
    if (file.mediaType === XLSX) return parseRecords(await xlsxRecords(stream));
    stream.destroy();
    throw new AppError("unsupported_media_type", `An inventory is imported from CSV or XLSX, not ${file.mediaType}.`, { fields: [{ field: "evidenceId", message: "CSV or XLSX" }] });
  }

  return {
    async list(actor: Actor, id: string, page: { limit: number; offset: number }) {
      await certification.load(db, actor, id);
      const items = await db.select().from(certInventoryItems).where(eq(certInventoryItems.applicationId, id)).orderBy(asc(certInventoryItems.name), asc(certInventoryItems.id)).limit(page.limit).offset(page.offset);
      const [n] = await db.select({ n: count() }).from(certInventoryItems).where(eq(certInventoryItems.applicationId, id));
      return { items, total: n?.n ?? 0 };
    },

    async create(actor: Actor, id: string, input: InventoryItemInput): Promise<InventoryItem> {
      return db.transaction(async (tx) => {
        const app = await writable(tx, actor, id);
        const [n] = await tx.select({ n: count() }).from(certInventoryItems).where(eq(certInventoryItems.applicationId, id));
        if ((n?.n ?? 0) >= MAX_INVENTORY_ROWS) throw new AppError("conflict", `An inventory holds at most ${MAX_INVENTORY_ROWS} rows.`);
        const [row] = await tx.insert(certInventoryItems).values(values(app, input, actor, clock.now(), "manual")).returning();
        if (!row) throw new AppError("internal", "inventory row not written");
        await appendAudit(tx, clock, actor, { action: "certification.inventory_added", objectType: "cert_inventory_item", objectId: row.id, orgId: app.merchantOrgId, summary: { applicationId: id, name: row.name, dataCategories: row.dataCategories } });
        return row;
      });
    },

    async update(actor: Actor, id: string, itemId: string, input: InventoryItemInput): Promise<InventoryItem> {
      return db.transaction(async (tx) => {
        const app = await writable(tx, actor, id);
        if (!UUID.test(itemId)) throw notFound("The inventory row");
        const now = clock.now();
        const [row] = await tx
          .update(certInventoryItems)
          .set({ ...input, updatedBy: actor.userId ?? null, updatedAt: now })
          .where(and(eq(certInventoryItems.id, itemId), eq(certInventoryItems.applicationId, id)))
          .returning();
        if (!row) throw notFound("The inventory row");
        await appendAudit(tx, clock, actor, { action: "certification.inventory_changed", objectType: "cert_inventory_item", objectId: row.id, orgId: app.merchantOrgId, summary: { applicationId: id, name: row.name } });
        return row;
      });
    },

    async remove(actor: Actor, id: string, itemId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const app = await writable(tx, actor, id);
        if (!UUID.test(itemId)) throw notFound("The inventory row");
        const [row] = await tx.delete(certInventoryItems).where(and(eq(certInventoryItems.id, itemId), eq(certInventoryItems.applicationId, id))).returning({ id: certInventoryItems.id, name: certInventoryItems.name });
        if (!row) throw notFound("The inventory row");
        await appendAudit(tx, clock, actor, { action: "certification.inventory_removed", objectType: "cert_inventory_item", objectId: row.id, orgId: app.merchantOrgId, summary: { applicationId: id, name: row.name } });
      });
    },

    /** Reads the whole file first; any bad row refuses the import and nothing is written. */
    async importFile(actor: Actor, id: string, input: ImportInput): Promise<ImportResult> {
      // check access before reading anything the caller sent
      await db.transaction(async (tx) => writable(tx, actor, id));
      const parsed = await parseUpload(actor, input);
      if (parsed.errors.length) throw rowErrors(parsed.errors);
      if (parsed.items.length === 0) throw new AppError("validation", "The file has no inventory rows.", { fields: [{ field: "file", message: "no rows" }] });
      const checked = validateItems(parsed.items, 2);
      if (checked.errors.length) throw rowErrors(checked.errors);
      if (input.dryRun) return { kind: parsed.kind, rows: parsed.items.length, written: 0, replaced: 0, dryRun: true };
      return db.transaction(async (tx) => {
        const app = await writable(tx, actor, id);
        const now = clock.now();
        let replaced = 0;
        if (input.mode === "replace") replaced = (await tx.delete(certInventoryItems).where(eq(certInventoryItems.applicationId, id)).returning({ id: certInventoryItems.id })).length;
        const [n] = await tx.select({ n: count() }).from(certInventoryItems).where(eq(certInventoryItems.applicationId, id));
        if ((n?.n ?? 0) + parsed.items.length > MAX_INVENTORY_ROWS) throw new AppError("conflict", `An inventory holds at most ${MAX_INVENTORY_ROWS} rows; replace instead of appending.`);
        const origin = parsed.kind === "pii_draft" ? "pii_draft" : "import";
        for (let i = 0; i < parsed.items.length; i += 500) {
          await tx.insert(certInventoryItems).values(parsed.items.slice(i, i + 500).map((it) => values(app, it, actor, now, origin)));
        }
        await appendAudit(tx, clock, actor, { action: "certification.inventory_imported", objectType: "cert_application", objectId: id, orgId: app.merchantOrgId, summary: { kind: parsed.kind, rows: parsed.items.length, mode: input.mode, replaced, evidenceId: input.evidenceId ?? null } });
        return { kind: parsed.kind, rows: parsed.items.length, written: parsed.items.length, replaced, dryRun: false };
      });
    },

    async exportFile(actor: Actor, id: string, format: "csv" | "xlsx"): Promise<{ body: string | Buffer; filename: string; contentType: string }> {
      const app = await certification.load(db, actor, id);
      const rows = await db.select().from(certInventoryItems).where(eq(certInventoryItems.applicationId, id)).orderBy(asc(certInventoryItems.name), asc(certInventoryItems.id));
      const stamp = clock.now().toISOString().slice(0, 10);
      const filename = `inventory-${app.scheme}-${app.id.slice(0, 8)}-${stamp}.${format}`;
      if (format === "csv") return { body: inventoryToCsv(rows), filename, contentType: "text/csv; charset=utf-8" };
      return { body: await inventoryToXlsx(rows, `個資清冊 ${app.scope}`), filename, contentType: XLSX };
    },
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
