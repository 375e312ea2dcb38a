// Registry exports for the authority: CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs
// read the Chinese names) and XLSX (exceljs). Cells that a spreadsheet would run as a formula
// (= + - @ at the start, and tab / CR) are prefixed with an apostrophe (OWASP CSV injection).
import ExcelJS from "exceljs";

export interface ExportRow {
  id: string;
  legalNameZh: string;
  legalNameEn: string;
  ubn: string;
  ubnCurrentRuleOnly: boolean;
  representative: string;
  address: string;
  contactEmail: string;
  contactPhone: string;
  salesModel: string;
  sector: string;
  identityStatus: string;
  confirmedAt: Date | null;
  expiresAt: Date | null;
  origins: string[];
}

export const EXPORT_COLUMNS: { key: keyof ExportRow; header: string }[] = [
  { key: "id", header: "shop_id" },
  { key: "legalNameZh", header: "名稱 legal_name_zh" },
  { key: "legalNameEn", header: "legal_name_en" },
  { key: "ubn", header: "統一編號 ubn" },
  { key: "ubnCurrentRuleOnly", header: "ubn_2023_rule_only" },
  { key: "representative", header: "代表人 representative" },
  { key: "address", header: "地址 address" },
  { key: "contactEmail", header: "contact_email" },
  { key: "contactPhone", header: "contact_phone" },
  { key: "salesModel", header: "sales_model" },
  { key: "sector", header: "sector" },
  { key: "identityStatus", header: "狀態 identity_status" },
  { key: "confirmedAt", header: "confirmed_at" },
  { key: "expiresAt", header: "expires_at" },
  { key: "origins", header: "origins" },
];

function cellText(v: ExportRow[keyof ExportRow]): string {
  if (v === null) return "";
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.join(" ");
  return String(v);
}

/** Neutralises spreadsheet formulas in untrusted text. */
export function safeCell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.map((c) => csvField(c.header)).join(",")];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvField(safeCell(cellText(r[c.key])))).join(","));
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

export async function toXlsx(rows: readonly ExportRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "ectrust";
  const ws = wb.addWorksheet("shops");
  ws.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: 24 }));
  for (const r of rows) {
    ws.addRow(Object.fromEntries(EXPORT_COLUMNS.map((c) => {
      const v = r[c.key];
      return [c.key, v instanceof Date ? v : safeCell(cellText(v))];
    })));
  }
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: "frozen", ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
