// The personal-data inventory (個資清冊 draft): per source and column, the entity types found, how
// often, sample masked values, and the PDPA personal-data categories (C001 …) they fall under.
// The category mapping is a draft for the shop's privacy officer to confirm, not legal advice.
import type { EntityType, Finding } from "./pii.types.ts";

export interface PdpaCategory { code: string; zh: string; en: string }

export const PDPA_CATEGORIES: Readonly<Record<string, PdpaCategory>> = {
  C001: { code: "C001", zh: "辨識個人者", en: "Identifies the individual" },
  C002: { code: "C002", zh: "辨識財務者", en: "Financial identifiers" },
  C003: { code: "C003", zh: "政府資料中之辨識者", en: "Government-issued identifiers" },
  C011: { code: "C011", zh: "個人描述", en: "Personal description" },
};

/** Entity type → PDPA category (法務部「個人資料之類別」), with a note where the mapping needs judgement. */
export const TYPE_CATEGORY: Readonly<Record<EntityType, { code: string; note?: string }>> = {
  PERSON_NAME_ZH: { code: "C001" },
  TW_ADDRESS: { code: "C001" },
  TW_MOBILE: { code: "C001" },
  TW_LANDLINE: { code: "C001" },
  EMAIL: { code: "C001" },
  IP_ADDRESS: { code: "C001", note: "network identifier; personal when linkable to a user" },
  TW_EINVOICE_CARRIER: { code: "C001", note: "e-invoice carrier tied to a person's phone or certificate" },
  TW_LICENSE_PLATE: { code: "C001", note: "personal when linked to the vehicle's owner" },
  CREDIT_CARD: { code: "C002" },
  TW_BANK_ACCOUNT: { code: "C002" },
  TW_NATIONAL_ID: { code: "C003" },
  TW_RESIDENT_CERT: { code: "C003" },
  TW_PASSPORT: { code: "C003" },
  TW_NHI_CARD: { code: "C003", note: "NHI card serial (保險憑證號碼)" },
  TW_BUSINESS_NUMBER: { code: "C003", note: "business identifier; personal data only for sole proprietors" },
  DATE_OF_BIRTH: { code: "C011" },
};

export interface InventoryRow {
  source: string;
  column: string | null;
  entityType: EntityType;
  pdpaCategory: string;
  pdpaCategoryName: string;
  findings: number;
  /** Non-empty cells in the column (structured) or lines in the file (text). */
  records: number;
  /** Share of records holding this type (0–1), capped at 1. */
  prevalence: number;
  maxScore: number;
  samples: string[];
  note?: string;
}

/** Columns listed per source; findings in further columns are merged into one OTHER_COLUMNS row per type. */
export const MAX_COLUMNS_PER_SOURCE = 1000;
export const OTHER_COLUMNS = "(other columns)";
const OTHER_NOTE = `columns past the first ${MAX_COLUMNS_PER_SOURCE} of this source, merged (JSON keys that are record ids or values make a column per record)`;

/** Keeps a masked value as one of the row's (at most three, distinct) samples. */
function sample(r: InventoryRow, masked: string): void {
  if (r.samples.length < 3 && !r.samples.includes(masked)) r.samples.push(masked);
}

/** Accumulates findings into inventory rows; memory grows with sources × types × at most MAX_COLUMNS_PER_SOURCE columns. */
export class InventoryBuilder {
  private readonly rows = new Map<string, InventoryRow>();
  private readonly records = new Map<string, number>();
  private readonly columnRecords = new Map<string, Record<string, number>>();
  /** Columns listed so far, per source. */
  private readonly columns = new Map<string, Set<string>>();

  add(f: Finding): void {
    const r = this.row(f.file, f.column, f.type);
    r.findings++;
    r.maxScore = Math.max(r.maxScore, f.score);
    sample(r, f.masked);
  }

  /**
   * Adds rows that another builder made from findings (a scan worker's, for one file or one range of
   * a file: scan-pool.ts), as if their findings had been added here one by one.
   */
  merge(rows: readonly InventoryRow[]): void {
    for (const x of rows) {
      const r = this.row(x.source, x.column, x.entityType);
      r.findings += x.findings;
      r.maxScore = Math.max(r.maxScore, x.maxScore);
      for (const m of x.samples) sample(r, m);
    }
  }

  /** Rows as added so far, without records and prevalence (build() computes those). */
  partial(): InventoryRow[] {
    return [...this.rows.values()];
  }

  /** The row of a source, column (past MAX_COLUMNS_PER_SOURCE: OTHER_COLUMNS) and type, made when new. */
  private row(source: string, col: string | null, type: EntityType): InventoryRow {
    let column = col;
    if (column !== null && column !== OTHER_COLUMNS) {
      let seen = this.columns.get(source);
      if (!seen) { seen = new Set(); this.columns.set(source, seen); }
      if (!seen.has(column)) {
        if (seen.size < MAX_COLUMNS_PER_SOURCE) seen.add(column);
        else column = OTHER_COLUMNS;
      }
    }
    const key = `${source}\u0000${column ?? ""}\u0000${type}`;
    let r = this.rows.get(key);
    if (!r) {
      const cat = TYPE_CATEGORY[type];
      r = {
        source, column, entityType: type, pdpaCategory: cat.code,
        pdpaCategoryName: PDPA_CATEGORIES[cat.code]?.zh ?? "", findings: 0, records: 0, prevalence: 0, maxScore: 0, samples: [],
      };
      const note = column === OTHER_COLUMNS ? (cat.note !== undefined ? `${OTHER_NOTE}; ${cat.note}` : OTHER_NOTE) : cat.note;
      if (note !== undefined) r.note = note;
      this.rows.set(key, r);
    }
    return r;
  }

  /** Records per source: lines for text files, cells per column for structured ones. */
  setRecords(source: string, lines: number, columns?: Record<string, number>): void {
    this.records.set(source, lines);
    if (columns && Object.keys(columns).length > 0) this.columnRecords.set(source, columns);
  }

  build(): InventoryRow[] {
    const out = [...this.rows.values()];
    for (const r of out) {
      const cols = this.columnRecords.get(r.source);
      // The merged columns' own record counts are not kept: their findings stand in for them.
      r.records = r.column === OTHER_COLUMNS ? r.findings : (r.column !== null ? cols?.[r.column] : undefined) ?? this.records.get(r.source) ?? r.findings;
      r.prevalence = r.records > 0 ? Math.min(1, Math.round((r.findings / r.records) * 10000) / 10000) : 0;
    }
    return out.sort((a, b) => a.source.localeCompare(b.source) || (a.column ?? "").localeCompare(b.column ?? "") || a.entityType.localeCompare(b.entityType));
  }
}

/** One line of the certification module's 個資清冊 draft: a data item with its categories. */
export interface InventoryDraftItem {
  dataSource: string;
  field: string | null;
  personalDataCategories: string[];
  entityTypes: EntityType[];
  recordEstimate: number;
  sampleMasked: string[];
  notes: string[];
}

/** Groups inventory rows per source and field into the certification module's draft items. */
export function toInventoryDraft(rows: readonly InventoryRow[]): InventoryDraftItem[] {
  const m = new Map<string, InventoryDraftItem>();
  for (const r of rows) {
    const key = `${r.source}\u0000${r.column ?? ""}`;
    let it = m.get(key);
    if (!it) {
      it = { dataSource: r.source, field: r.column, personalDataCategories: [], entityTypes: [], recordEstimate: 0, sampleMasked: [], notes: [] };
      m.set(key, it);
    }
    if (!it.personalDataCategories.includes(r.pdpaCategory)) it.personalDataCategories.push(r.pdpaCategory);
    it.entityTypes.push(r.entityType);
    it.recordEstimate = Math.max(it.recordEstimate, r.findings);
    for (const s of r.samples) if (it.sampleMasked.length < 3) it.sampleMasked.push(s);
    if (r.note !== undefined && !it.notes.includes(r.note)) it.notes.push(r.note);
  }
  for (const it of m.values()) it.personalDataCategories.sort();
  return [...m.values()];
}

export const INVENTORY_COLUMNS = [
  ["source", "來源"], ["column", "欄位"], ["entityType", "個資類型"], ["pdpaCategory", "個資類別代號"],
  ["pdpaCategoryName", "個資類別"], ["findings", "筆數"], ["records", "總筆數"], ["prevalence", "比例"],
  ["maxScore", "最高信心"], ["samples", "遮罩樣本"], ["note", "備註"],
] as const;

function cellOf(r: InventoryRow, k: (typeof INVENTORY_COLUMNS)[number][0]): string | number {
  const v = r[k];
  if (Array.isArray(v)) return v.join(" | ");
  return v ?? "";
}

function csvField(v: string | number): string {
  const s = String(v);
  // Neutralise spreadsheet formulas (CSV injection) and quote when needed.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function inventoryCsv(rows: readonly InventoryRow[]): string {
  return [...inventoryCsvParts(rows)].join("");
}

/** inventoryCsv in pieces of up to 1,000 rows, for writing a large inventory without building it whole. */
export function* inventoryCsvParts(rows: readonly InventoryRow[]): Generator<string> {
  yield "\uFEFF" + INVENTORY_COLUMNS.map(([k, zh]) => `${zh} ${k}`).map(csvField).join(",") + "\r\n";
  for (let i = 0; i < rows.length; i += 1000) {
    yield rows.slice(i, i + 1000).map((r) => INVENTORY_COLUMNS.map(([k]) => csvField(cellOf(r, k))).join(",") + "\r\n").join("");
  }
}

/**
 * `JSON.stringify({ rows, draft, summary }, null, 2) + "\n"` in pieces: each array element is
 * stringified alone and indented to its depth (a JSON string holds no raw newline, so indenting after
 * each newline is exact). The inventory of a large scan is megabytes of JSON; built whole as one string
 * it was the command's peak memory.
 */
export function* inventoryJsonParts(doc: { rows: readonly InventoryRow[]; draft: readonly InventoryDraftItem[]; summary: unknown }): Generator<string> {
  const array = function* (key: string, items: readonly unknown[], last: boolean): Generator<string> {
    if (items.length === 0) { yield `  ${JSON.stringify(key)}: []${last ? "" : ","}\n`; return; }
    yield `  ${JSON.stringify(key)}: [\n`;
    for (let i = 0; i < items.length; i += 500) {
      yield items.slice(i, i + 500).map((x, j) => `    ${JSON.stringify(x, null, 2).replace(/\n/g, "\n    ")}${i + j < items.length - 1 ? "," : ""}\n`).join("");
    }
    yield `  ]${last ? "" : ","}\n`;
  };
  yield "{\n";
  yield* array("rows", doc.rows, false);
  yield* array("draft", doc.draft, false);
  yield `  "summary": ${JSON.stringify(doc.summary, null, 2).replace(/\n/g, "\n  ")}\n}\n`;
}

export async function inventoryXlsx(rows: readonly InventoryRow[], path: string): Promise<void> {
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  wb.creator = "ectrust pii inventory";
  const ws = wb.addWorksheet("個資清冊 inventory");
  ws.columns = INVENTORY_COLUMNS.map(([k, zh]) => ({ header: `${zh}\n${k}`, key: k, width: k === "source" ? 40 : 16 }));
  for (const r of rows) ws.addRow(Object.fromEntries(INVENTORY_COLUMNS.map(([k]) => [k, cellOf(r, k)])));
  ws.getRow(1).font = { bold: true };
  const cats = wb.addWorksheet("類別 categories");
  cats.columns = [{ header: "code", key: "code", width: 8 }, { header: "zh", key: "zh", width: 20 }, { header: "en", key: "en", width: 36 }];
  for (const c of Object.values(PDPA_CATEGORIES)) cats.addRow(c);
  await wb.xlsx.writeFile(path);
}
