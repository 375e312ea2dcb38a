// Value generators for the labelled corpus: each entity type gives valid values (computed check digits)
// and near-miss negatives (pii.md §4.1). Deterministic given the PRNG.

/** mulberry32: a small, well-distributed 32-bit PRNG (integer arithmetic only). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  readonly next: () => number;
  constructor(seed: number) { this.next = mulberry32(seed); }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error("empty list");
    return x;
  }
  chance(p: number): boolean { return this.next() < p; }
  digits(n: number): string { let s = ""; for (let i = 0; i < n; i++) s += String(this.int(10)); return s; }
}

const AREA: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function idSum(prefix9: string): number {
  const a = AREA[prefix9.charAt(0)] ?? 10;
  const second = prefix9.charAt(1);
  const v1 = second >= "A" ? (AREA[second] ?? 10) % 10 : Number(second);
  const w = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  let s = Math.floor(a / 10) * 1 + (a % 10) * 9 + v1 * 8;
  for (let i = 2; i < 9; i++) s += Number(prefix9.charAt(i)) * (w[i + 1] ?? 0);
  return s;
}
function idCheck(prefix9: string): string {
  return String((10 - (idSum(prefix9) % 10)) % 10);
}
export function twId(r: Rng, second: string): string {
  const p = r.pick(Array.from(LETTERS)) + second + r.digits(7);
  return p + idCheck(p);
}
export function badCheckId(r: Rng): string {
  const v = twId(r, r.pick(["1", "2"]));
  return v.slice(0, 9) + String((Number(v.charAt(9)) + 1 + r.int(9)) % 10);
}

function ubnSum(s: string): number {
  const w = [1, 2, 1, 2, 1, 2, 4, 1];
  let sum = 0;
  for (let i = 0; i < 8; i++) { const p = Number(s.charAt(i)) * (w[i] ?? 0); sum += Math.floor(p / 10) + (p % 10); }
  return sum;
}
export function ubnOk(s: string, div: number): boolean {
  const sum = ubnSum(s);
  return sum % div === 0 || (s.charAt(6) === "7" && (sum + 1) % div === 0);
}
/** A UBN valid under the legacy rule (so also the current one) or only under the 2023 rule. */
export function ubn(r: Rng, currentOnly: boolean): string {
  for (;;) {
    const s = r.digits(8);
    if (currentOnly ? ubnOk(s, 5) && !ubnOk(s, 10) : ubnOk(s, 10)) return s;
  }
}
export function badUbn(r: Rng): string {
  for (;;) { const s = r.digits(8); if (!ubnOk(s, 5)) return s; }
}

export function luhnComplete(prefix: string): string {
  for (let d = 0; d < 10; d++) {
    const s = prefix + String(d);
    let sum = 0, dbl = false;
    for (let i = s.length - 1; i >= 0; i--) { let x = Number(s.charAt(i)); if (dbl) { x *= 2; if (x > 9) x -= 9; } sum += x; dbl = !dbl; }
    if (sum % 10 === 0) return s;
  }
  return prefix + "0";
}
export function card(r: Rng): string {
  const [pre, len] = r.pick([["4", 16], ["51", 16], ["55", 16], ["2221", 16], ["3530", 16], ["3566", 16], ["62", 16], ["37", 15], ["6011", 16]] as const);
  const digits = luhnComplete(pre + r.digits(len - pre.length - 1));
  const style = r.int(3);
  if (len === 15) return style === 0 ? digits : `${digits.slice(0, 4)} ${digits.slice(4, 10)} ${digits.slice(10)}`;
  if (style === 0) return digits;
  const sep = style === 1 ? " " : "-";
  return digits.match(/.{4}/g)?.join(sep) ?? digits;
}
export function badLuhnCard(r: Rng): string {
  const good = luhnComplete("4" + r.digits(14));
  return good.slice(0, 15) + String((Number(good.charAt(15)) + 1 + r.int(9)) % 10);
}

export function mobile(r: Rng): string {
  const d = "9" + r.digits(8);
  switch (r.int(5)) {
    case 0: return `0${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`;
    case 1: return `0${d}`;
    case 2: return `+886 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
    case 3: return `+886-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`;
    default: return `0${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
  }
}
export function landline(r: Rng): string {
  switch (r.int(7)) {
    case 0: return `(02)2${r.digits(3)}-${r.digits(4)}`;
    case 1: return `02-2${r.digits(3)}-${r.digits(4)}`;
    case 2: return `04-2${r.digits(3)}-${r.digits(4)}`;
    case 3: return `07-3${r.digits(2)}-${r.digits(4)}`;
    case 4: return `037-${r.digits(6)}`;
    case 5: return `+886-2-2${r.digits(3)}-${r.digits(4)}`;
    default: return `06-2${r.digits(6)}#${r.digits(3)}`;
  }
}

const PINYIN = ["chen", "lin", "huang", "chang", "li", "wang", "wu", "liu", "tsai", "yang", "hsu", "cheng", "mei", "ming", "hua", "jie", "yi", "ting"];
const DOMAINS = ["gmail.com", "yahoo.com.tw", "hotmail.com", "example.com.tw", "shop.tw", "msa.hinet.net", "outlook.com"];
export function email(r: Rng): string {
  const sep = r.pick([".", "_", "", "-"]);
  return `${r.pick(PINYIN)}${sep}${r.pick(PINYIN)}${r.chance(0.5) ? String(r.int(2000)) : ""}@${r.pick(DOMAINS)}`;
}
export function ip(r: Rng): string {
  if (r.chance(0.15)) return `2001:db8:${r.int(65535).toString(16)}::${r.int(65535).toString(16)}:${(1 + r.int(65534)).toString(16)}`;
  if (r.chance(0.3)) return `192.168.${r.int(256)}.${1 + r.int(254)}`;
  return `${1 + r.int(223)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
}

function pad2(n: number): string { return String(n).padStart(2, "0"); }
export function dob(r: Rng): string {
  const y = 1940 + r.int(66), m = 1 + r.int(12), d = 1 + r.int(28);
  switch (r.int(6)) {
    case 0: return `${y}-${pad2(m)}-${pad2(d)}`;
    case 1: return `${y}/${pad2(m)}/${pad2(d)}`;
    case 2: return `${y}年${m}月${d}日`;
    case 3: return `民國${y - 1911}年${m}月${d}日`;
    case 4: return `${String(y - 1911).padStart(3, "0")}/${pad2(m)}/${pad2(d)}`;
    default: return `${y - 1911}.${pad2(m)}.${pad2(d)}`;
  }
}

const CITY_DISTRICTS: ReadonlyArray<[string, string, readonly string[]]> = [
  ["臺北市", "10", ["大安區", "中山區", "信義區", "士林區", "內湖區", "萬華區"]],
  ["台北市", "10", ["大同區", "松山區", "文山區"]],
  ["新北市", "22", ["板橋區", "三重區", "新莊區", "永和區", "淡水區"]],
  ["桃園市", "33", ["桃園區", "中壢區", "龜山區"]],
  ["臺中市", "40", ["西屯區", "北屯區", "南屯區", "豐原區"]],
  ["臺南市", "70", ["東區", "安平區", "永康區"]],
  ["高雄市", "80", ["前鎮區", "苓雅區", "鳳山區", "左營區"]],
  ["新竹縣", "30", ["竹北市", "湖口鄉"]],
  ["彰化縣", "50", ["彰化市", "員林市", "鹿港鎮"]],
  ["花蓮縣", "97", ["花蓮市", "吉安鄉"]],
];
const ROADS = ["中山路", "中正路", "民生東路", "忠孝東路", "復興南路", "羅斯福路", "文心路", "光明六路", "建國路", "民族路", "成功路", "和平東路", "自由街", "博愛街", "臺灣大道", "市民大道"];
const SECTIONS = ["一", "二", "三", "四", "五"];
export function address(r: Rng): string {
  const [city, zip, districts] = r.pick(CITY_DISTRICTS);
  let s = "";
  if (r.chance(0.4)) s += zip + r.digits(1) + (r.chance(0.3) ? r.digits(2) : "");
  s += r.chance(0.92) ? city : "";
  s += r.pick(districts);
  s += r.pick(ROADS);
  if (r.chance(0.4)) s += `${r.pick(SECTIONS)}段`;
  if (r.chance(0.35)) s += `${1 + r.int(300)}巷`;
  if (r.chance(0.15)) s += `${1 + r.int(30)}弄`;
  s += `${1 + r.int(400)}${r.chance(0.1) ? `之${1 + r.int(5)}` : ""}號`;
  if (r.chance(0.5)) s += `${1 + r.int(20)}樓${r.chance(0.2) ? `之${1 + r.int(5)}` : ""}`;
  return s;
}

const SURNAMES_W = "陳陳陳陳林林林黃黃張張李李王王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾施游詹沈彭胡余盧潘顏梁趙柯翁魏方孫戴范宋鄧杜";
const COMPOUND = ["歐陽", "張簡", "范姜", "司馬"];
const GIVEN = "志明美玲淑芬家豪建宏雅婷怡君宗翰冠宇俊傑佳穎欣怡承恩詩涵柏翰子晴宇軒品妤思妤彥廷韋辰芷若嘉文秀英麗華國華文雄春嬌";
export function personName(r: Rng): string {
  const sur = r.chance(0.03) ? r.pick(COMPOUND) : r.pick(Array.from(SURNAMES_W));
  const n = r.chance(0.12) ? 1 : 2;
  let g = "";
  for (let i = 0; i < n; i++) g += r.pick(Array.from(GIVEN));
  return sur + g;
}

export function passport(r: Rng): string { return "3" + r.digits(8); }
export function nhi(r: Rng): string { return "0000" + r.digits(8); }
export function bank(r: Rng): string {
  const code = r.pick(["004", "005", "006", "007", "008", "012", "013", "700", "808", "812", "822"]);
  switch (r.int(3)) {
    case 0: return `(${code})${r.digits(12)}`;
    case 1: return `${code}-${r.digits(12)}`;
    default: return r.digits(14);
  }
}
export function carrier(r: Rng): string {
  const cs = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.+-";
  if (r.chance(0.2)) return r.pick(Array.from(LETTERS)) + r.pick(Array.from(LETTERS)) + r.digits(14);
  let s = "/";
  for (let i = 0; i < 7; i++) s += cs.charAt(r.int(cs.length));
  return s;
}
export function plate(r: Rng): string {
  const L = "ABCDEFGHJKLMNPQRSTUVWXYZ", D = "012356789";
  let s = "";
  for (let i = 0; i < 3; i++) s += L.charAt(r.int(L.length));
  s += "-";
  for (let i = 0; i < 4; i++) s += D.charAt(r.int(D.length));
  return s;
}
