// Business register importer: streams the government's open business-registration CSV
// (經濟部商工登記公示資料 / 財政部營業稅籍登記資料, hundreds of MB) into registry_business_register
// in batches, with constant memory and progress reports. Columns are found by their header
// names, so the several published layouts all work; rows without a valid business number or a
// known status are counted as skipped, never guessed.
import { createReadStream, statSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { readCsv } from "../../platform/csv/csv-stream.ts";
import { registryBusinessRegister, registryImports, type RegisterStatus } from "./registry.tables.ts";
import { checkUbn } from "./ubn.ts";

export const HEADER_ALIASES: Record<"ubn" | "name" | "status" | "representative" | "address", readonly string[]> = {
  ubn: ["統一編號", "營利事業統一編號", "ubn", "business_no", "Business_Accounting_NO"],
  name: ["公司名稱", "商業名稱", "營業人名稱", "名稱", "name", "Company_Name"],
  status: ["公司狀況", "登記現況", "營業狀況", "現況", "status", "Company_Status_Desc"],
  representative: ["代表人姓名", "負責人姓名", "代表人", "負責人", "representative", "Responsible_Name"],
  address: ["公司所在地", "商業所在地", "營業地址", "地址", "address", "Company_Location"],
};

/** Status words in the published data → our three states. */
export function mapStatus(text: string): RegisterStatus | undefined {
  const t = text.trim();
  if (/解散|撤銷|廢止|歇業|撤回|註銷|破產|合併消滅|清算完結/.test(t)) return "dissolved";
  // before "active": 營業中 is also part of 非營業中 (not operating)
  if (/停業|暫停|中止|非營業/.test(t)) return "suspended";
  if (/核准設立|核准登記|營業中|復業|設立|active/i.test(t)) return "active";
  if (/^suspended$/i.test(t)) return "suspended";
  if (/^dissolved$/i.test(t)) return "dissolved";
  return undefined;
}

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
  skipped: number;
}

export interface ImportResult extends ImportProgress {
  importId: string;
  seconds: number;
}

export interface ImportOptions {
  db: Db;
  clock: Clock;
  file: string;
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** progress at most this often (ms; default 500) */
  progressEveryMs?: number;
}

export async function importBusinessRegister(opts: ImportOptions): Promise<ImportResult> {
  const { db, clock, file } = opts;
  const batchSize = opts.batchSize ?? 1000;
  const totalBytes = statSync(file).size;
  const started = Date.now();
  const [imp] = await db.insert(registryImports).values({ source: file.split("/").at(-1) ?? file, status: "running", startedAt: clock.now() }).returning();
  if (!imp) throw new Error("import row not written");
  const progress: ImportProgress = { bytes: 0, totalBytes, rows: 0, skipped: 0 };
  let lastReport = 0;
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  async function* text(): AsyncGenerator<string> {
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      progress.bytes += chunk.length;
      yield decoder.decode(chunk, { stream: true });
    }
    yield decoder.decode();
  }
  const now = clock.now();
  let columns: Record<keyof typeof HEADER_ALIASES, number> | undefined;
  let batch: (typeof registryBusinessRegister.$inferInsert)[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    // Later rows for the same number win; PostgreSQL refuses one INSERT touching a key twice.
    const unique = [...new Map(batch.map((r) => [r.ubn, r])).values()];
    // One JSON parameter per batch: far cheaper to bind and parse than thousands of parameters.
    const json = JSON.stringify(unique.map((r) => ({ ubn: r.ubn, name: r.name, status: r.status, status_text: r.statusText, representative: r.representative ?? "", address: r.address ?? "" })));
    await db.execute(sql`
      insert into ${registryBusinessRegister} (ubn, name, status, status_text, representative, address, import_id, updated_at)
      select x.ubn, x.name, x.status, x.status_text, x.representative, x.address, ${imp.id}::uuid, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${json}::jsonb) as x(ubn text, name text, status text, status_text text, representative text, address text)
      on conflict (ubn) do update set name = excluded.name, status = excluded.status, status_text = excluded.status_text,
        representative = excluded.representative, address = excluded.address, import_id = excluded.import_id, updated_at = excluded.updated_at`);
    progress.rows += unique.length;
    batch = [];
    const tick = Date.now();
    if (opts.onProgress && tick - lastReport >= (opts.progressEveryMs ?? 500)) {
      lastReport = tick;
      opts.onProgress({ ...progress });
    }
  };
  try {
    for await (const rec of readCsv(text(), { maxFieldChars: 2000, maxFields: 100 })) {
      if (!columns) {
        const header = rec.map((h) => h.replace(/^\ufeff/, "").trim());
        const find = (k: keyof typeof HEADER_ALIASES): number => header.findIndex((h) => HEADER_ALIASES[k].some((a) => a.toLowerCase() === h.toLowerCase()));
        columns = { ubn: find("ubn"), name: find("name"), status: find("status"), representative: find("representative"), address: find("address") };
        const missing = (["ubn", "name", "status"] as const).filter((k) => columns?.[k] === -1);
        if (missing.length > 0) throw new Error(`the header has no column for ${missing.join(", ")} (expected one of: ${missing.map((k) => HEADER_ALIASES[k].join(" / ")).join("; ")})`);
        continue;
      }
      // PostgreSQL text (and jsonb) cannot hold NUL: one such byte would abort the import half-way
      const get = (k: keyof typeof HEADER_ALIASES): string => (columns && columns[k] >= 0 ? (rec[columns[k]] ?? "").replaceAll("\u0000", "").trim() : "");
      const v = checkUbn(get("ubn"));
      const statusText = get("status");
      const status = mapStatus(statusText);
      const name = get("name");
      if (!v.ok || status === undefined || name === "") {
        progress.skipped++;
        continue;
      }
      batch.push({ ubn: v.ubn, name: name.slice(0, 300), status, statusText: statusText.slice(0, 50), representative: get("representative").slice(0, 200), address: get("address").slice(0, 300), importId: imp.id, updatedAt: now });
      if (batch.length >= batchSize) await flush();
    }
    if (!columns) throw new Error("the file is empty");
    await flush();
    await db.update(registryImports).set({ status: "done", bytes: progress.bytes, rows: progress.rows, skipped: progress.skipped, finishedAt: clock.now() }).where(sql`${registryImports.id} = ${imp.id}`);
    opts.onProgress?.({ ...progress });
    return { ...progress, importId: imp.id, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    stream.destroy();
    const message = e instanceof Error ? e.message : String(e);
    await db.update(registryImports).set({ status: "failed", error: message.slice(0, 500), bytes: progress.bytes, rows: progress.rows, skipped: progress.skipped, finishedAt: clock.now() }).where(sql`${registryImports.id} = ${imp.id}`);
    throw e;
  }
}
