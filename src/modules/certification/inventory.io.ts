// The personal-data inventory (個資清冊) as data: one row's schema, the legal bases, and the file
// formats it travels in — our register as CSV/XLSX (export and import), and the output of
// `ectrust pii inventory` (JSON with draft items, or its CSV/XLSX rows) as a starting draft.
// Pure: no database. Files are hostile: every row is checked, and the caller gets every problem
// with its row number, or the rows.
import ExcelJS from "exceljs";
import { z } from "zod";
import { TYPE_CATEGORY, toInventoryDraft, type InventoryDraftItem, type InventoryRow } from "../pii/inventory.ts";
import type { EntityType } from "../pii/pii.types.ts";

/** At most this many rows per import (a shop's register has tens to hundreds). */
export const MAX_INVENTORY_ROWS = 5_000;
/** Cell limits while reading a file. */
export const INVENTORY_CSV_LIMITS = { maxFieldChars: 4_000, maxFields: 40 };

/** PDPA Art. 19 (non-government collection): the bases a private shop may rely on. */
export const legalBases = {
  law: { zh: "法律明文規定", en: "Expressly required by law" },
  contract: { zh: "與當事人有契約或類似契約之關係", en: "Contract or quasi-contract with the data subject" },
  public_disclosure: { zh: "當事人自行公開或其他已合法公開", en: "Made public by the data subject or lawfully public" },
  academic: { zh: "學術研究機構基於公共利益為統計或學術研究", en: "Statistics or research in the public interest" },
  consent: { zh: "經當事人同意", en: "Consent of the data subject" },
  public_interest: { zh: "為增進公共利益所必要", en: "Necessary for the public interest" },
  general_source: { zh: "個人資料取自於一般可得之來源", en: "Obtained from a generally available source" },
  no_harm: { zh: "對當事人權益無侵害", en: "No harm to the data subject's rights" },
  unconfirmed: { zh: "待確認", en: "To be confirmed" },
} as const;
export type LegalBasis = keyof typeof legalBases;
const legalBasisKeys = Object.keys(legalBases) as [LegalBasis, ...LegalBasis[]];

const line = (max: number) => z.string().trim().max(max);
const list = (item: z.ZodString, max: number) => z.array(item).max(max).default([]);

/** One inventory row as the API and the import accept it. */
export const inventoryItemInput = z.strictObject({
  name: line(200).min(1, "required"),
  purpose: line(1000).min(1, "required"),
  purposeCodes: list(z.string().regex(/^\d{3}$/, "a 3-digit purpose code (特定目的代號), e.g. 148"), 20),
  dataCategories: z.array(z.string().regex(/^C\d{3}$/, "a PDPA category code such as C001")).min(1, "at least one category (C001 …)").max(50),
  source: line(500).min(1, "required"),
  legalBasis: z.enum(legalBasisKeys, { error: `one of ${legalBasisKeys.join(", ")}` }),
  systems: list(line(200).min(1), 50),
  recipients: list(line(200).min(1), 50),
  retention: line(500).min(1, "required"),
  retentionMonths: z.number().int().min(0).max(1200).nullable().default(null),
  recordCount: z.number().int().min(0).max(10_000_000_000),
  crossBorder: z.boolean(),
  crossBorderCountries: list(z.string().regex(/^[A-Z]{2}$/, "ISO 3166 two-letter country codes, e.g. JP"), 50),
  notes: line(4000).default(""),
}).superRefine((v, ctx) => {
  if (v.crossBorder && v.crossBorderCountries.length === 0) ctx.addIssue({ code: "custom", path: ["crossBorderCountries"], message: "name the countries the data goes to" });
  if (!v.crossBorder && v.crossBorderCountries.length > 0) ctx.addIssue({ code: "custom", path: ["crossBorder"], message: "countries are listed but crossBorder is false" });
});
export type InventoryItemInput = z.output<typeof inventoryItemInput>;

/** The register's columns, in file order: key, zh-TW and English header. */
export const REGISTER_COLUMNS = [
  ["name", "個資項目", "Data item"],
  ["purpose", "特定目的", "Purpose"],
  ["purposeCodes", "特定目的代號", "Purpose codes"],
  ["dataCategories", "個資類別", "Data categories"],
  ["source", "蒐集來源", "Source"],
  ["legalBasis", "法律依據", "Legal basis"],
  ["systems", "存放系統", "Systems"],
  ["recipients", "提供對象", "Recipients"],
  ["retention", "保存期限", "Retention"],
  ["retentionMonths", "保存月數", "Retention (months)"],
  ["recordCount", "筆數", "Record count"],
  ["crossBorder", "國際傳輸", "Cross-border"],
  ["crossBorderCountries", "傳輸國家", "Countries"],
  ["notes", "備註", "Notes"],
] as const satisfies readonly (readonly [keyof InventoryItemInput, string, string])[];
type RegisterKey = (typeof REGISTER_COLUMNS)[number][0];
const listKeys = new Set<RegisterKey>(["purposeCodes", "dataCategories", "systems", "recipients", "crossBorderCountries"]);

export interface RowError {
  /** the row as a spreadsheet numbers it (the header is row 1) */
  row: number;
  field: string;
  message: string;
}

export type Parsed = { kind: "register" | "pii_draft"; items: InventoryItemInput[]; errors: RowError[] };

/** Neutralises spreadsheet formulas in untrusted text (OWASP CSV injection). */
export function safeCell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}
/** Undoes safeCell on the way back in. */
const unsafeCell = (s: string): string => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

function cellsOf(item: InventoryItemInput): string[] {
  return REGISTER_COLUMNS.map(([k]) => {
    const v = item[k];
    if (Array.isArray(v)) return v.join("; ");
    if (v === null) return "";
    return String(v);
  });
}

const csvField = (v: string): string => {
  const s = safeCell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const header = (zh: string, en: string, key: string): string => `${zh} ${en} [${key}]`;

/** The register as CSV: UTF-8 with BOM, bilingual headers naming each key in brackets. */
export function inventoryToCsv(items: readonly InventoryItemInput[]): string {
  const head = REGISTER_COLUMNS.map(([k, zh, en]) => csvField(header(zh, en, k))).join(",");
  return "\uFEFF" + [head, ...items.map((it) => cellsOf(it).map(csvField).join(","))].join("\r\n") + "\r\n";
}

/** The register as an XLSX workbook: the register sheet and the legal bases sheet. */
export async function inventoryToXlsx(items: readonly InventoryItemInput[], title: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "ectrust";
  wb.title = title;
  const ws = wb.addWorksheet("個資清冊 inventory");
  ws.columns = REGISTER_COLUMNS.map(([k, zh, en]) => ({ header: header(zh, en, k), key: k, width: k === "name" || k === "purpose" ? 32 : 18 }));
  for (const it of items) ws.addRow(cellsOf(it).map(safeCell));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: "frozen", ySplit: 1 }];
  const lb = wb.addWorksheet("法律依據 legal bases");
  lb.columns = [{ header: "key", key: "key", width: 20 }, { header: "中文", key: "zh", width: 40 }, { header: "English", key: "en", width: 50 }];
  for (const [key, v] of Object.entries(legalBases)) lb.addRow({ key, ...v });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The key a header cell names: `[key]` in ours, the last word in the pii CLI's. */
function keyOfHeader(cell: string): string {
  const bracket = /\[([A-Za-z]+)\]\s*$/.exec(cell);
  if (bracket?.[1]) return bracket[1];
  const words = cell.trim().split(/\s+/);
  return words[words.length - 1] ?? "";
}

const splitList = (s: string): string[] => s.split(/[;|、\n]/).map((x) => x.trim()).filter(Boolean);

function toNumber(s: string): number | null | string {
  const t = s.replace(/[,\s]/g, "");
  if (t === "") return null;
  return /^-?\d+$/.test(t) ? Number(t) : s;
}
function toBool(s: string): boolean | string {
  const t = s.trim().toLowerCase();
  if (["true", "yes", "y", "1", "是", "有"].includes(t)) return true;
  if (["false", "no", "n", "0", "否", "無", ""].includes(t)) return false;
  return s;
}

function issuesToErrors(row: number, error: z.ZodError): RowError[] {
  return error.issues.map((i) => ({ row, field: i.path.map(String).join(".") || "(row)", message: i.message }));
}

/** Checks already-parsed objects (JSON body or converted rows) against the row schema. */
export function validateItems(raw: readonly unknown[], firstRow = 1): { items: InventoryItemInput[]; errors: RowError[] } {
  const items: InventoryItemInput[] = [];
  const errors: RowError[] = [];
  if (raw.length > MAX_INVENTORY_ROWS) return { items, errors: [{ row: firstRow + MAX_INVENTORY_ROWS, field: "(file)", message: `more than ${MAX_INVENTORY_ROWS} rows` }] };
  raw.forEach((r, i) => {
    const res = inventoryItemInput.safeParse(r);
    if (res.success) items.push(res.data);
    else errors.push(...issuesToErrors(firstRow + i, res.error));
  });
  return { items, errors };
}

/** A pii CLI draft item → a register row to complete (purpose and legal basis to be confirmed). */
export function fromPiiDraft(d: InventoryDraftItem): Record<string, unknown> {
  const name = d.field ? `${d.dataSource} · ${d.field}` : d.dataSource;
  return {
    name: name.slice(0, 200),
    purpose: "待確認 To be confirmed",
    dataCategories: d.personalDataCategories,
    source: d.dataSource.slice(0, 500),
    legalBasis: "unconfirmed",
    systems: [d.dataSource.slice(0, 200)],
    recipients: [],
    retention: "待確認 To be confirmed",
    recordCount: d.recordEstimate,
    crossBorder: false,
    // the masked samples stay behind: the register describes data, it does not hold it
    notes: [`entity types: ${[...new Set(d.entityTypes)].join(", ")}`, ...d.notes].join("; ").slice(0, 4000),
  };
}

const piiDraftItem = z.object({
  dataSource: z.string().min(1).max(2000),
  field: z.string().max(2000).nullable(),
  personalDataCategories: z.array(z.string().max(10)).max(50),
  entityTypes: z.array(z.string().max(40)).max(100),
  recordEstimate: z.number().int().min(0),
  sampleMasked: z.array(z.string().max(400)).max(10).default([]),
  notes: z.array(z.string().max(1000)).max(20).default([]),
});

/** `ectrust pii inventory --format json` output ({ rows, draft, summary }) or a bare draft array. */
export function parsePiiJson(data: unknown): Parsed {
  const draft: unknown = Array.isArray(data) ? data : (data as { draft?: unknown } | null)?.draft;
  if (!Array.isArray(draft)) return { kind: "pii_draft", items: [], errors: [{ row: 0, field: "draft", message: "expected the JSON of `ectrust pii inventory --format json` (an object with a draft array)" }] };
  if (draft.length > MAX_INVENTORY_ROWS) return { kind: "pii_draft", items: [], errors: [{ row: 0, field: "draft", message: `more than ${MAX_INVENTORY_ROWS} draft items` }] };
  const errors: RowError[] = [];
  const rows: unknown[] = [];
  draft.forEach((d, i) => {
    const res = piiDraftItem.safeParse(d);
    if (res.success) rows.push(fromPiiDraft({ ...res.data, entityTypes: res.data.entityTypes as EntityType[] }));
    else errors.push(...issuesToErrors(i + 1, res.error).map((e) => ({ ...e, field: `draft.${e.field}` })));
  });
  const v = validateItems(rows);
  return { kind: "pii_draft", items: errors.length ? [] : v.items, errors: [...errors, ...v.errors] };
}

/** Records (first = header) of a CSV or a worksheet → register rows, or row-level errors. */
export function parseRecords(records: readonly string[][]): Parsed {
  const [head, ...body] = records;
  if (!head) return { kind: "register", items: [], errors: [{ row: 1, field: "(file)", message: "the file is empty" }] };
  const keys = head.map((h) => keyOfHeader(unsafeCell(h).replace(/^\uFEFF/, "")));
  const data = body.filter((r) => r.some((c) => c.trim() !== ""));
  if (data.length > MAX_INVENTORY_ROWS) return { kind: "register", items: [], errors: [{ row: MAX_INVENTORY_ROWS + 2, field: "(file)", message: `more than ${MAX_INVENTORY_ROWS} rows` }] };
  const at = (r: readonly string[], key: string): string => {
    const i = keys.indexOf(key);
    return i < 0 ? "" : unsafeCell(r[i] ?? "").trim();
  };
  if (keys.includes("entityType") && keys.includes("pdpaCategory")) return piiRows(body, at);
  const missing = REGISTER_COLUMNS.map(([k]) => k).filter((k) => !keys.includes(k) && !["retentionMonths", "notes", "purposeCodes", "crossBorderCountries", "systems", "recipients"].includes(k));
  if (missing.length) {
    return { kind: "register", items: [], errors: [{ row: 1, field: "(header)", message: `not an inventory register or pii inventory file: missing columns ${missing.join(", ")}` }] };
  }
  const objects: unknown[] = [];
  const rowNumbers: number[] = [];
  body.forEach((r, i) => {
    if (!r.some((c) => c.trim() !== "")) return;
    const o: Record<string, unknown> = {};
    for (const [k] of REGISTER_COLUMNS) {
      if (!keys.includes(k)) continue;
      const v = at(r, k);
      if (listKeys.has(k)) o[k] = splitList(v);
      else if (k === "recordCount") o[k] = toNumber(v) ?? 0;
      else if (k === "retentionMonths") o[k] = toNumber(v);
      else if (k === "crossBorder") o[k] = toBool(v);
      else o[k] = v;
    }
    objects.push(o);
    rowNumbers.push(i + 2);
  });
  const items: InventoryItemInput[] = [];
  const errors: RowError[] = [];
  objects.forEach((o, i) => {
    const res = inventoryItemInput.safeParse(o);
    if (res.success) items.push(res.data);
    else errors.push(...issuesToErrors(rowNumbers[i] ?? 0, res.error));
  });
  return { kind: "register", items: errors.length ? [] : items, errors };
}

/** The pii CLI's CSV/XLSX rows (source, column, entityType, pdpaCategory, findings …) → draft → register. */
function piiRows(body: readonly string[][], at: (r: readonly string[], key: string) => string): Parsed {
  const errors: RowError[] = [];
  const rows: InventoryRow[] = [];
  body.forEach((r, i) => {
    if (!r.some((c) => c.trim() !== "")) return;
    const n = i + 2;
    const entityType = at(r, "entityType");
    const known = Object.hasOwn(TYPE_CATEGORY, entityType) ? TYPE_CATEGORY[entityType as EntityType] : undefined;
    if (!known) return void errors.push({ row: n, field: "entityType", message: `unknown entity type "${entityType.slice(0, 40)}"` });
    const source = at(r, "source");
    if (!source) return void errors.push({ row: n, field: "source", message: "required" });
    const findings = toNumber(at(r, "findings"));
    if (typeof findings !== "number" || findings < 0) return void errors.push({ row: n, field: "findings", message: "a whole number" });
    const category = at(r, "pdpaCategory") || known.code;
    if (!/^C\d{3}$/.test(category)) return void errors.push({ row: n, field: "pdpaCategory", message: "a PDPA category code such as C001" });
    const column = at(r, "column");
    rows.push({ source: source.slice(0, 2000), column: column || null, entityType: entityType as EntityType, pdpaCategory: category, pdpaCategoryName: "", findings, records: 0, prevalence: 0, maxScore: 0, samples: [], ...(at(r, "note") ? { note: at(r, "note").slice(0, 1000) } : {}) });
  });
  if (errors.length) return { kind: "pii_draft", items: [], errors };
  const v = validateItems(toInventoryDraft(rows).map(fromPiiDraft), 2);
  return { kind: "pii_draft", items: v.errors.length ? [] : v.items, errors: v.errors };
}
