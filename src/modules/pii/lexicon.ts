// Word lists: context cues (zh-TW and English), column-header vocabulary, surnames, cities.
// Everything here is fixed data; no RegExp is ever built from scanned input.
import type { EntityType } from "./pii.types.ts";

/** Cue words that raise (or, for context-gated types, allow) a detection within a character window. */
export const CUES: Readonly<Partial<Record<EntityType, readonly string[]>>> = {
  TW_NATIONAL_ID: ["身分證", "身份證", "身分證字號", "身分證號", "證號", "國民身分證", "national id", "id no", "id number", "id_no", "idno"],
  TW_RESIDENT_CERT: ["居留證", "外僑居留證", "居留證號", "統一證號", "arc", "tarc", "resident certificate", "resident permit", "ui no"],
  TW_BUSINESS_NUMBER: ["統編", "統一編號", "買受人", "抬頭", "公司", "營利事業", "發票", "ubn", "ban", "vat", "tax id", "business number", "company id"],
  TW_PASSPORT: ["護照", "護照號碼", "passport"],
  TW_NHI_CARD: ["健保卡", "健保卡號", "nhi card", "health insurance card"],
  TW_MOBILE: ["手機", "行動電話", "電話", "聯絡電話", "mobile", "phone", "tel", "cell", "whatsapp", "line", "簡訊"],
  TW_LANDLINE: ["電話", "市話", "室內電話", "聯絡電話", "傳真", "tel", "phone", "fax", "office"],
  CREDIT_CARD: ["信用卡", "卡號", "刷卡", "card", "visa", "master", "jcb", "credit"],
  TW_BANK_ACCOUNT: ["帳號", "帳戶", "賬號", "匯款", "轉帳", "戶名", "分行", "銀行", "郵局", "account", "acct", "bank"],
  DATE_OF_BIRTH: ["生日", "出生", "出生日期", "出生年月日", "生於", "dob", "birthday", "birth date", "date of birth", "born"],
  TW_ADDRESS: ["地址", "住址", "收件地址", "寄送地址", "通訊地址", "戶籍地址", "送貨地址", "address", "addr"],
  PERSON_NAME_ZH: ["姓名", "收件人", "收貨人", "訂購人", "聯絡人", "持卡人", "買受人", "寄件人", "戶名", "負責人", "客戶", "會員", "name", "親愛的", "您好"],
  TW_EINVOICE_CARRIER: ["載具", "手機條碼", "條碼", "自然人憑證", "carrier", "barcode"],
  TW_LICENSE_PLATE: ["車牌", "車號", "牌照", "license plate", "plate"],
};

/** Cues that make a digit run something other than personal data (order numbers, tracking, invoices). */
export const NEGATIVE_CUES: readonly string[] = [
  "訂單", "單號", "訂單編號", "訂單號", "編號", "貨號", "序號", "物流", "追蹤", "發票號碼", "發票", "商品", "條碼",
  "order", "tracking", "invoice", "sku", "ean", "imei", "serial", "txn", "交易", "批號", "型號",
];

/** Honorifics that follow a name (陳先生, 林小姐). */
export const NAME_SUFFIXES: readonly string[] = ["先生", "小姐", "女士", "太太", "同學", "老師", "經理", "醫師"];

/** Most frequent compound surnames in Taiwan (pii.md §2.11). */
export const COMPOUND_SURNAMES: readonly string[] = ["張簡", "歐陽", "范姜", "周黃", "司馬", "諸葛", "上官", "司徒", "東方", "端木", "皇甫", "公孫", "阮氏", "黎氏", "陳氏"];

/** Single-character surnames, top ~200 in Taiwan (MOI name statistics, ordered roughly by frequency). */
export const SURNAMES: string =
  "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾施游詹沈彭胡余盧潘顏梁趙柯翁魏方孫戴范宋鄧杜侯曹薛傅丁温溫紀蔣歐藍連唐馬董石卓程姚康馮古姜湯汪白田涂鄒巫尤鐘龔嚴韓黎阮袁童陸金錢邵塗" +
  "駱倪夏鄞孔甘段毛賀雷姬葛池凃萬鍾麥俞華邢易喬唐武雲韋秦殷魯查鄔龍熊任史陶尹包左卜饒郝宋封伍闕于車房辜粘戚利聶關畢艾屈閻殷景晏柳柴欒麻祝丘鮑褚郁危談向";


/** Words that start with a surname character but are not names (hard negatives, pii.md §2.11). */
export const NOT_NAMES: ReadonlySet<string> = new Set([
  "高雄", "林口", "金門", "金額", "黃金", "陳列", "方便", "王牌", "石頭", "朱紅", "高興", "江湖", "林業", "程式", "方式", "方法",
  "周年", "周末", "康復", "安全", "白色", "黃色", "金融", "馬上", "田園", "余額", "金流", "連結", "連線", "何時", "吳郭", "曾經",
  "許多", "許可", "張貼", "李子", "楊柳", "蔡司", "鄭重", "謝謝", "郭外", "洪水", "邱陵", "廖落", "周一", "周二", "周三", "周四",
  "周五", "周六", "周日", "程度", "史上", "任何", "任務", "高鐵", "高速", "高級", "溫度", "溫暖", "華碩", "宋體", "江蘇", "萬元",
  "車號", "車牌", "車站", "金卡", "石門", "古坑", "古董", "雷射", "向上", "包裹", "包裝", "關於", "關閉", "方案", "方向", "孔雀",
  "毛巾", "易付", "龍山", "熊貓", "戴上", "史丹", "柯達", "尤其", "童裝", "陸續", "錢包", "景點", "危險", "夏天", "秦朝", "談話",
]);

/** The 22 county-level units (縣市), with 臺/台 variants. */
export const CITIES: readonly string[] = [
  "臺北市", "台北市", "新北市", "桃園市", "臺中市", "台中市", "臺南市", "台南市", "高雄市", "基隆市", "新竹市", "嘉義市",
  "新竹縣", "苗栗縣", "彰化縣", "南投縣", "雲林縣", "嘉義縣", "屏東縣", "宜蘭縣", "花蓮縣", "臺東縣", "台東縣", "澎湖縣",
  "金門縣", "連江縣", "桃園縣", "台北縣", "臺北縣",
];

/** Negative column classes: identifiers that look like PII but are not (order numbers, SKUs …). */
export type ColumnClass = EntityType | "NEGATIVE" | "UNKNOWN";

interface HeaderRule { words: readonly string[]; cls: ColumnClass }

/** Column header vocabulary (zh-TW and English), checked on the lower-cased header with separators removed. */
const HEADER_RULES: readonly HeaderRule[] = [
  { cls: "NEGATIVE", words: ["訂單編號", "訂單號", "單號", "訂單", "orderid", "orderno", "ordernumber", "order", "tracking", "trackingno", "物流單號", "貨號", "sku", "ean", "barcode", "商品條碼", "發票號碼", "invoiceno", "invoicenumber", "imei", "serial", "序號", "金額", "amount", "price", "qty", "數量", "訂購日期", "orderdate", "createdat", "updatedat", "日期", "date", "time", "時間", "id", "uuid", "rowid", "status", "狀態"] },
  { cls: "TW_NATIONAL_ID", words: ["身分證字號", "身份證字號", "身分證", "身份證", "身分證號", "身分證號碼", "idno", "nationalid", "citizenid", "personalid", "twid", "identity", "idnumber", "id_no"] },
  { cls: "TW_RESIDENT_CERT", words: ["居留證號", "居留證", "統一證號", "arcno", "arc", "residentcert", "residentid"] },
  { cls: "TW_BUSINESS_NUMBER", words: ["統編", "統一編號", "買受人統編", "公司統編", "ubn", "ban", "vatno", "vat", "taxid", "businessno", "businessnumber", "companyid"] },
  { cls: "TW_PASSPORT", words: ["護照號碼", "護照", "passport", "passportno", "passportnumber"] },
  { cls: "TW_NHI_CARD", words: ["健保卡號", "健保卡", "nhicard", "nhino"] },
  { cls: "TW_MOBILE", words: ["手機", "手機號碼", "行動電話", "mobile", "mobileno", "cellphone", "cell", "phone", "phoneno", "電話", "聯絡電話", "收件人電話", "收件人手機", "buyerphone", "tel", "telephone", "contactphone"] },
  { cls: "TW_LANDLINE", words: ["市話", "室內電話", "傳真", "fax", "landline", "officephone", "homephone"] },
  { cls: "CREDIT_CARD", words: ["信用卡號", "信用卡", "卡號", "cardno", "cardnumber", "creditcard", "pan", "cc"] },
  { cls: "TW_BANK_ACCOUNT", words: ["銀行帳號", "帳號", "帳戶", "匯款帳號", "退款帳號", "bankaccount", "accountno", "accountnumber", "iban", "acct"] },
  { cls: "EMAIL", words: ["email", "e-mail", "mail", "電子郵件", "電子信箱", "信箱", "郵件", "buyeremail", "customeremail"] },
  { cls: "IP_ADDRESS", words: ["ip", "ipaddress", "ip位址", "clientip", "remoteaddr", "remoteip", "來源ip"] },
  { cls: "DATE_OF_BIRTH", words: ["生日", "出生日期", "出生年月日", "birthday", "birthdate", "dateofbirth", "dob", "birth"] },
  { cls: "TW_ADDRESS", words: ["地址", "住址", "收件地址", "寄送地址", "送貨地址", "通訊地址", "戶籍地址", "address", "addr", "shippingaddress", "billingaddress", "street"] },
  { cls: "PERSON_NAME_ZH", words: ["姓名", "收件人", "收貨人", "訂購人", "聯絡人", "持卡人", "寄件人", "負責人", "戶名", "會員姓名", "客戶姓名", "name", "fullname", "customername", "buyername", "receiver", "recipient", "contactname", "username_zh"] },
  { cls: "TW_EINVOICE_CARRIER", words: ["載具", "手機條碼", "載具號碼", "carrier", "carrierid", "自然人憑證"] },
  { cls: "TW_LICENSE_PLATE", words: ["車牌", "車號", "車牌號碼", "plate", "licenseplate", "plateno"] },
];

function normHeader(h: string): string {
  let out = "";
  for (const ch of h.replace(/^\uFEFF/, "").trim().toLowerCase()) {
    if (ch === " " || ch === "_" || ch === "-" || ch === "." || ch === "\t") continue;
    out += ch;
  }
  return out;
}

const EXACT = new Map<string, ColumnClass>();
for (const r of HEADER_RULES) for (const w of r.words) if (!EXACT.has(normHeader(w))) EXACT.set(normHeader(w), r.cls);

/**
 * The words looked for inside a header, normalised once, in rule order. Short ASCII words (id, ip,
 * cc, pan, ban …) match only whole headers, never as substrings. (Normalising the ~200 words again for
 * every new header made JSON with a distinct key per record, such as {"k123": …}, scan at 0.3 MB/s.)
 */
const CONTAINED: ReadonlyArray<{ w: string; cls: ColumnClass }> = HEADER_RULES.flatMap((r) =>
  r.words.map((w) => ({ w: normHeader(w), cls: r.cls })).filter(({ w }) => !(w.length <= 3 && /^[a-z]+$/.test(w))));

/**
 * Classifies a column header or JSON key. Exact vocabulary first, then the longest vocabulary
 * word contained in the header (so "收件人手機" is a phone, "buyer_email" an e-mail).
 */
export function classifyHeader(header: string): ColumnClass {
  const hit = HEADER_CACHE.get(header);
  if (hit !== undefined) return hit;
  const cls = classifyUncached(header);
  if (HEADER_CACHE.size > 50_000) HEADER_CACHE.clear();
  HEADER_CACHE.set(header, cls);
  return cls;
}

const HEADER_CACHE = new Map<string, ColumnClass>();

function classifyUncached(header: string): ColumnClass {
  const h = normHeader(header);
  if (h === "") return "UNKNOWN";
  const exact = EXACT.get(h);
  if (exact) return exact;
  let best: ColumnClass = "UNKNOWN";
  let bestLen = 0;
  for (const { w, cls } of CONTAINED) {
    if (w.length > bestLen && h.includes(w)) { best = cls; bestLen = w.length; }
  }
  return best;
}
