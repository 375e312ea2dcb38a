// The labelled corpus (pii.md §4.1): zh-TW and English templates with cue words in varied positions,
// hard negatives, every input shape; ground truth as spans (UTF-16 and UTF-8 byte offsets) and
// column labels; negatives as spans with a reason so false positives can be broken down by cause.
import type { EntityType } from "../../src/modules/pii/pii.types.ts";
import * as V from "./values.ts";
import { Rng } from "./values.ts";

export interface TruthSpan { file: string; type: EntityType; start: number; end: number; byteStart: number; byteEnd: number; value: string; shape: string; templateId: string }
export interface NegSpan { file: string; reason: string; start: number; end: number; value: string }
export interface ColumnLabel { file: string; column: string; entity: EntityType; prevalence: number }

/** A document being written: text plus the spans of everything labelled in it. */
export class Doc {
  readonly file: string;
  readonly shape: string;
  text = "";
  bytes = 0;
  readonly truth: TruthSpan[] = [];
  readonly neg: NegSpan[] = [];
  constructor(file: string, shape: string) { this.file = file; this.shape = shape; }
  add(s: string): void { this.text += s; this.bytes += Buffer.byteLength(s); }
  ent(type: EntityType, value: string, templateId: string): void {
    const start = this.text.length, byteStart = this.bytes;
    this.add(value);
    this.truth.push({ file: this.file, type, start, end: this.text.length, byteStart, byteEnd: this.bytes, value, shape: this.shape, templateId });
  }
  negv(reason: string, value: string): void {
    const start = this.text.length;
    this.add(value);
    this.neg.push({ file: this.file, reason, start, end: this.text.length, value });
  }
}

const fullWidth = (s: string): string => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

type Gen = (r: Rng) => string;
const ENT: Record<string, [EntityType, Gen]> = {
  PERSON_NAME_ZH: ["PERSON_NAME_ZH", V.personName],
  TW_MOBILE: ["TW_MOBILE", V.mobile],
  TW_LANDLINE: ["TW_LANDLINE", V.landline],
  TW_ADDRESS: ["TW_ADDRESS", V.address],
  TW_NATIONAL_ID: ["TW_NATIONAL_ID", (r) => V.twId(r, r.pick(["1", "2"]))],
  TW_RESIDENT_CERT: ["TW_RESIDENT_CERT", (r) => V.twId(r, r.pick(["8", "9"]))],
  TW_RESIDENT_CERT_OLD: ["TW_RESIDENT_CERT", (r) => V.twId(r, r.pick(["A", "B", "C", "D"]))],
  TW_BUSINESS_NUMBER: ["TW_BUSINESS_NUMBER", (r) => V.ubn(r, r.chance(0.3))],
  TW_PASSPORT: ["TW_PASSPORT", V.passport],
  TW_NHI_CARD: ["TW_NHI_CARD", V.nhi],
  CREDIT_CARD: ["CREDIT_CARD", V.card],
  TW_BANK_ACCOUNT: ["TW_BANK_ACCOUNT", V.bank],
  EMAIL: ["EMAIL", V.email],
  IP_ADDRESS: ["IP_ADDRESS", V.ip],
  DATE_OF_BIRTH: ["DATE_OF_BIRTH", V.dob],
  TW_EINVOICE_CARRIER: ["TW_EINVOICE_CARRIER", V.carrier],
  TW_LICENSE_PLATE: ["TW_LICENSE_PLATE", V.plate],
};

/** Near-miss negatives, by reason (pii.md §4.1). None of them is personal data. */
const NEG: Record<string, Gen> = {
  id_bad_check: V.badCheckId,
  id_lowercase: (r) => V.twId(r, "1").toLowerCase(),
  id_bad_second: (r) => r.pick(Array.from("ABCDEFGHJK")) + String(3 + r.int(5)) + r.digits(8),
  ubn_bad_check: V.badUbn,
  product_code_8: (r) => r.digits(8),
  card_bad_luhn: V.badLuhnCard,
  card_bad_iin: (r) => V.luhnComplete("9" + r.digits(14)),
  imei: (r) => V.luhnComplete("35" + r.digits(12)),
  ean13: (r) => "471" + r.digits(10),
  order_09: (r) => "09" + r.digits(8),
  phone_short: (r) => "09" + r.digits(7),
  tollfree: (r) => `0800-${r.digits(3)}-${r.digits(3)}`,
  order_date: (r) => `2024-${String(1 + r.int(12)).padStart(2, "0")}-${String(1 + r.int(28)).padStart(2, "0")}`,
  dob_invalid: (r) => `${r.pick(["2023", "2021", "1999"])}-02-29`,
  einvoice_no: (r) => r.pick(Array.from("ABCDEFGHJKLMNPQRSTUVWXYZ")) + r.pick(["A", "B", "C", "D"]) + r.digits(8),
  tracking: (r) => r.digits(12),
  version: (r) => `${r.int(5)}.${r.int(20)}.${r.int(10)}.${r.int(100)}`,
};

const LOOKALIKE_WORDS = ["高雄", "林口", "金額", "陳列", "黃金", "方便", "王牌", "石頭", "周年慶", "高鐵", "江湖", "許多"];

export interface Template { id: string; split: "tune" | "eval"; text: string }

/** {TYPE} is a labelled entity, {FW:TYPE} the same in full-width form, {NEG:reason} a hard negative, {LOOK} a look-alike word. */
export const TEMPLATES: readonly Template[] = [
  { id: "t01", split: "tune", text: "訂單備註：收件人{PERSON_NAME_ZH}，手機{TW_MOBILE}，請寄到{TW_ADDRESS}。" },
  { id: "t02", split: "eval", text: "客服：您好，請問是{PERSON_NAME_ZH}小姐嗎？顧客：對，我的電話是 {TW_MOBILE}，訂單編號 {NEG:order_09}。" },
  { id: "t03", split: "tune", text: "寄件人：{PERSON_NAME_ZH} 電話：{TW_LANDLINE} 收件地址：{TW_ADDRESS}" },
  { id: "t04", split: "eval", text: "退貨申請 姓名:{PERSON_NAME_ZH} 身分證字號:{TW_NATIONAL_ID} 退款帳號:{TW_BANK_ACCOUNT}" },
  { id: "t05", split: "tune", text: "發票號碼 {NEG:einvoice_no} 買受人統編 {TW_BUSINESS_NUMBER} 手機條碼載具 {TW_EINVOICE_CARRIER}" },
  { id: "t06", split: "eval", text: "2024-05-01T12:00:01Z INFO login user={EMAIL} ip={IP_ADDRESS} app=v{NEG:version}" },
  { id: "t07", split: "tune", text: "ERROR payment declined card={CREDIT_CARD} amount=1200 tracking={NEG:tracking}" },
  { id: "t08", split: "eval", text: "會員資料：{PERSON_NAME_ZH}，生日 {DATE_OF_BIRTH}，email {EMAIL}，訂購日期 {NEG:order_date}" },
  { id: "t09", split: "tune", text: "外籍會員 居留證號 {TW_RESIDENT_CERT}，護照號碼 {TW_PASSPORT}，健保卡號 {TW_NHI_CARD}" },
  { id: "t10", split: "eval", text: "Customer name: {PERSON_NAME_ZH}, mobile {TW_MOBILE}, e-mail {EMAIL}, credit card {CREDIT_CARD}." },
  { id: "t11", split: "tune", text: "停車登記 車牌 {TW_LICENSE_PLATE} 聯絡人 {PERSON_NAME_ZH} {TW_MOBILE}" },
  { id: "t12", split: "eval", text: "商品編號 {NEG:product_code_8} 金額 1,280 元，{LOOK}門市{LOOK}區 IMEI {NEG:imei} 條碼 {NEG:ean13}" },
  { id: "t13", split: "tune", text: "{PERSON_NAME_ZH} {TW_MOBILE} {TW_ADDRESS}" },
  { id: "t14", split: "eval", text: "資料：{TW_NATIONAL_ID}、{EMAIL}、{CREDIT_CARD}、{PERSON_NAME_ZH}/{TW_MOBILE}" },
  { id: "t15", split: "tune", text: "測試資料 {NEG:id_bad_check} {NEG:id_lowercase} {NEG:id_bad_second} 卡號 {NEG:card_bad_luhn} 統編 {NEG:ubn_bad_check} 信用卡 {NEG:card_bad_iin}" },
  { id: "t16", split: "eval", text: "DOB: {DATE_OF_BIRTH}; Passport No. {TW_PASSPORT}; tel {TW_LANDLINE}" },
  { id: "t17", split: "tune", text: "身分證：{FW:TW_NATIONAL_ID} 手機：{FW:TW_MOBILE}" },
  { id: "t18", split: "eval", text: "{TW_BUSINESS_NUMBER}（統一編號）客服專線 {NEG:tollfree}，簡訊 {NEG:phone_short}" },
  { id: "t19", split: "tune", text: "舊式居留證 {TW_RESIDENT_CERT_OLD}，出生日期：{DATE_OF_BIRTH}" },
  { id: "t20", split: "eval", text: "親愛的{PERSON_NAME_ZH}您好，您的包裹將送至 {TW_ADDRESS}，如有問題請撥 {TW_LANDLINE}。生日禮 {NEG:dob_invalid}" },
  { id: "t21", split: "tune", text: "這是一段普通的商品描述，材質為棉，尺寸 M，顏色藍色，{LOOK}限定款，數量有限，售完為止。" },
  { id: "t22", split: "eval", text: "Order shipped to {TW_ADDRESS} for {PERSON_NAME_ZH}, contact {TW_MOBILE}, plate {TW_LICENSE_PLATE}" },
  { id: "t23", split: "tune", text: "e-invoice carrier {TW_EINVOICE_CARRIER} for buyer {EMAIL}, 公司統一編號：{TW_BUSINESS_NUMBER}" },
  { id: "t24", split: "eval", text: "Resident certificate (ARC): {TW_RESIDENT_CERT}; NHI card {TW_NHI_CARD}; 載具號碼：{TW_EINVOICE_CARRIER}" },
  { id: "t25", split: "tune", text: "訂購人 {PERSON_NAME_ZH} 的信用卡 {CREDIT_CARD} 已授權，IP {IP_ADDRESS}" },
  { id: "t26", split: "eval", text: "統一證號{TW_RESIDENT_CERT_OLD}（舊式），聯絡手機{TW_MOBILE}，匯款至 {TW_BANK_ACCOUNT}（帳號）" },
];

const PARSED = TEMPLATES.map((t) => ({ ...t, parts: t.text.split(/(\{[A-Z_a-z0-9:]+\})/) }));

/** Writes one record from a template into the doc. `escape` transforms literal text (for JSON / CSV). */
export function writeTemplate(d: Doc, r: Rng, split: "tune" | "eval" | "all", escape: (s: string) => string = (s) => s): void {
  const pool = split === "all" ? PARSED : PARSED.filter((t) => t.split === split);
  const t = r.pick(pool);
  for (const p of t.parts) {
    if (!p.startsWith("{")) { if (p) d.add(escape(p)); continue; }
    const key = p.slice(1, -1);
    if (key === "LOOK") { d.add(r.pick(LOOKALIKE_WORDS)); continue; }
    if (key.startsWith("NEG:")) { const g = NEG[key.slice(4)]; if (g) d.negv(key.slice(4), g(r)); continue; }
    const fw = key.startsWith("FW:");
    const e = ENT[fw ? key.slice(3) : key];
    if (!e) continue;
    const v = e[1](r);
    d.ent(e[0], fw ? fullWidth(v) : v, t.id);
  }
}

export interface Corpus { docs: Doc[]; columns: ColumnLabel[] }

interface Col { zh: string; en: string; type: EntityType | null; gen?: Gen; neg?: string }
const CSV_COLS: readonly Col[] = [
  { zh: "訂單編號", en: "order_id", type: null, neg: "order_09" },
  { zh: "收件人", en: "recipient", type: "PERSON_NAME_ZH" },
  { zh: "手機", en: "mobile", type: "TW_MOBILE" },
  { zh: "電子郵件", en: "buyer_email", type: "EMAIL" },
  { zh: "收件地址", en: "shipping_address", type: "TW_ADDRESS" },
  { zh: "身分證字號", en: "id_no", type: "TW_NATIONAL_ID" },
  { zh: "統編", en: "ubn", type: "TW_BUSINESS_NUMBER" },
  { zh: "生日", en: "birthday", type: "DATE_OF_BIRTH" },
  { zh: "備註", en: "note", type: null },
];

function csvDoc(file: string, r: Rng, rows: number, split: "tune" | "eval" | "all", cols: ColumnLabel[]): Doc {
  const d = new Doc(file, "csv");
  const zh = r.chance(0.6);
  if (r.chance(0.5)) d.add("\uFEFF");
  const names = CSV_COLS.map((c) => (zh ? c.zh : c.en));
  d.add(names.join(",") + "\n");
  const counts = new Map<string, number>();
  for (let i = 0; i < rows; i++) {
    CSV_COLS.forEach((c, k) => {
      if (k > 0) d.add(",");
      const name = names[k] ?? "";
      if (c.neg) { d.negv(c.neg, (NEG[c.neg] ?? V.passport)(r)); return; }
      if (c.type) {
        if (!r.chance(0.9)) return; // some empty cells
        const e = Object.values(ENT).find((x) => x[0] === c.type);
        if (!e) return;
        d.ent(c.type, e[1](r), `col:${name}`);
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return;
      }
      // free-text note, quoted (may contain commas and a newline)
      d.add("\"");
      writeTemplate(d, r, split, (s) => s.replace(/"/g, "\"\""));
      if (r.chance(0.2)) d.add("\n第二行");
      d.add("\"");
    });
    d.add("\n");
  }
  for (const c of CSV_COLS) {
    const name = zh ? c.zh : c.en;
    if (c.type) cols.push({ file, column: name, entity: c.type, prevalence: (counts.get(name) ?? 0) / rows });
  }
  return d;
}

const jsonEsc = (s: string): string => JSON.stringify(s).slice(1, -1);

function jsonRecord(d: Doc, r: Rng, split: "tune" | "eval" | "all"): void {
  d.add("{\"order_id\":\"");
  d.negv("order_09", (NEG.order_09 ?? V.passport)(r));
  d.add("\",\"buyer\":{\"name\":\"");
  d.ent("PERSON_NAME_ZH", V.personName(r), "json:buyer.name");
  d.add("\",\"phone\":\"");
  d.ent("TW_MOBILE", V.mobile(r), "json:buyer.phone");
  d.add("\",\"email\":\"");
  d.ent("EMAIL", V.email(r), "json:buyer.email");
  d.add("\"},\"shipping\":{\"address\":\"");
  d.ent("TW_ADDRESS", V.address(r), "json:shipping.address");
  d.add(`"},"items":[{"sku":"SKU-${r.digits(5)}","qty":${1 + r.int(3)}}],"note":"`);
  writeTemplate(d, r, split, jsonEsc);
  d.add("\"}");
}

function sqlDoc(file: string, r: Rng, rows: number, split: "tune" | "eval" | "all", cols: ColumnLabel[]): Doc {
  const d = new Doc(file, "sql");
  d.add("--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.customers (\n    id integer NOT NULL,\n    full_name text,\n    mobile text,\n    national_id text,\n    note text\n);\n\n");
  d.add("COPY public.customers (id, full_name, mobile, national_id, note) FROM stdin;\n");
  const half = Math.floor(rows / 2);
  for (let i = 0; i < rows; i++) {
    if (i === half) d.add("\\.\n\n");
    const ins = i >= half;
    const q = ins ? "'" : "";
    d.add(ins ? `INSERT INTO public.customers VALUES (${i + 1}, '` : `${i + 1}\t`);
    d.ent("PERSON_NAME_ZH", V.personName(r), "sql:customers.full_name");
    d.add(ins ? `${q}, ${q}` : "\t");
    d.ent("TW_MOBILE", V.mobile(r), "sql:customers.mobile");
    d.add(ins ? `${q}, ${q}` : "\t");
    d.ent("TW_NATIONAL_ID", V.twId(r, r.pick(["1", "2"])), "sql:customers.national_id");
    d.add(ins ? `${q}, ${q}` : "\t");
    writeTemplate(d, r, split, (s) => (ins ? s.replace(/'/g, "''") : s));
    d.add(ins ? "');\n" : "\n");
  }
  if (rows <= half) d.add("\\.\n");
  for (const [c, e] of [["customers.full_name", "PERSON_NAME_ZH"], ["customers.mobile", "TW_MOBILE"], ["customers.national_id", "TW_NATIONAL_ID"]] as const) {
    cols.push({ file, column: c, entity: e, prevalence: 1 });
  }
  return d;
}

/** Builds a corpus: `records` is the approximate number of records over all shapes. */
const FILLER: readonly string[] = [
  "2024-05-01T12:00:01Z INFO GET /api/v1/products?page=2 200 12ms",
  "2024-05-01T12:00:02Z DEBUG cache hit key=product:48213 ttl=300",
  "這是一段普通的商品描述，材質為純棉，尺寸 M，顏色藍色，適合日常穿搭，洗滌時請勿漂白。",
  "本店商品均為現貨，下單後 24 小時內出貨，週末及國定假日順延，感謝您的耐心等候。",
  "Free shipping on orders over NT$1,000. Returns accepted within 7 days of delivery.",
  "2024-05-01T12:00:03Z WARN slow query 812ms SELECT * FROM products WHERE category_id = 12",
  "【限時優惠】全館滿 2000 折 200，活動期間 5/1 至 5/31，數量有限，售完為止。",
  "客服時間：週一至週五 09:00-18:00，假日暫停服務，如有問題請留言，我們將盡快回覆。",
];

/** `filler`: lines without personal data per labelled line in notes.txt (0 = every line has some). */
export function buildCorpus(seed: number, records: number, split: "tune" | "eval" | "all", prefix = "", filler = 0): Corpus {
  const r = new Rng(seed);
  const cols: ColumnLabel[] = [];
  const docs: Doc[] = [];
  const n = (share: number): number => Math.max(1, Math.round(records * share));
  const txt = new Doc(`${prefix}notes.txt`, "txt");
  for (let i = 0; i < n(0.4); i++) {
    writeTemplate(txt, r, split);
    txt.add("\n");
    for (let k = 0; k < filler; k++) txt.add(r.pick(FILLER) + "\n");
  }
  docs.push(txt);
  docs.push(csvDoc(`${prefix}orders.csv`, r, n(0.25), split, cols));
  const json = new Doc(`${prefix}orders.json`, "json");
  json.add("[");
  for (let i = 0; i < n(0.1); i++) { if (i > 0) json.add(",\n"); jsonRecord(json, r, split); }
  json.add("]\n");
  docs.push(json);
  const nd = new Doc(`${prefix}events.ndjson`, "ndjson");
  for (let i = 0; i < n(0.1); i++) { jsonRecord(nd, r, split); nd.add("\n"); }
  docs.push(nd);
  docs.push(sqlDoc(`${prefix}dump.sql`, r, n(0.15), split, cols));
  for (const [path, e] of [["[].buyer.name", "PERSON_NAME_ZH"], ["[].buyer.phone", "TW_MOBILE"], ["[].buyer.email", "EMAIL"], ["[].shipping.address", "TW_ADDRESS"]] as const) {
    cols.push({ file: `${prefix}orders.json`, column: path, entity: e, prevalence: 1 });
    cols.push({ file: `${prefix}events.ndjson`, column: path.slice(3), entity: e, prevalence: 1 });
  }
  return { docs, columns: cols };
}
