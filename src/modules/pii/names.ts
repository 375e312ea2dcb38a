// Chinese personal names (pii.md §2.11): surname list + 1–2 given-name characters, accepted only next
// to a cue (收件人, 姓名 …), an honorific (先生, 小姐 …), another personal-data item, or a name column.
import { COMPOUND_SURNAMES, NAME_SUFFIXES, NOT_NAMES, SURNAMES } from "./lexicon.ts";

const isHan = (c: number): boolean => c >= 0x4e00 && c <= 0x9fff;

/** Words that end a name: honorifics, field labels and function characters. */
const STOPS: readonly string[] = [
  ...NAME_SUFFIXES, "電話", "手機", "地址", "住址", "身分", "身份", "統編", "信箱", "帳號", "生日", "出生", "聯絡", "收件",
  "您好", "你好", "訂購", "寄件", "購買", "訂單", "電子", "的", "於", "在", "已", "請", "和", "與", "及", "等", "說", "是", "要",
  "會", "您", "你", "了", "到", "從", "買", "訂", "寄", "收", "付", "用", "也", "都", "就", "把", "被", "給", "向", "將", "對",
];
const PLACE_AFTER = new Set(["市", "縣", "區", "鄉", "鎮", "路", "街", "村", "里", "港", "站", "山", "島"]);

// Tables by code unit, so that the hot checks read a byte instead of making a one-character string.
const STOP_FIRST = new Uint8Array(65536);
for (const w of STOPS) STOP_FIRST[w.charCodeAt(0)] = 1;
const SURNAME = new Uint8Array(65536);
for (const ch of SURNAMES) if (ch.length === 1) SURNAME[ch.charCodeAt(0)] = 1;
const COMPOUND_FIRST = new Uint8Array(65536);
for (const w of COMPOUND_SURNAMES) COMPOUND_FIRST[w.charCodeAt(0)] = 1;
const COMPOUND: ReadonlySet<string> = new Set(COMPOUND_SURNAMES);

function startsWithStop(text: string, pos: number): boolean {
  if (STOP_FIRST[text.charCodeAt(pos)] !== 1) return false;
  for (const s of STOPS) if (text.startsWith(s, pos)) return true;
  return false;
}

function surnameLength(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (COMPOUND_FIRST[c] === 1 && pos + 2 <= text.length && COMPOUND.has(text.slice(pos, pos + 2))) return 2;
  return SURNAME[c] === 1 ? 1 : 0;
}

/** Given a position where a name should start, returns the name span or null. */
export function nameAt(text: string, pos: number, maxEnd = text.length): { start: number; end: number } | null {
  const sl = surnameLength(text, pos);
  if (sl === 0) return null;
  const g = pos + sl;
  if (g >= maxEnd || !isHan(text.charCodeAt(g)) || startsWithStop(text, g)) return null;
  let end = g + 1;
  if (end < maxEnd && isHan(text.charCodeAt(end)) && !startsWithStop(text, end)) end++;
  if (NOT_NAMES.has(text.slice(pos, pos + 2))) return null;
  if (end - pos === 2 && sl === 2) return null; // compound surname alone
  if (PLACE_AFTER.has(text.charAt(end))) return null;
  return { start: pos, end };
}

/** A name after a cue word: skips a colon or spaces, then reads surname + given name. */
export function parseNameAfter(text: string, cueEnd: number): { start: number; end: number } | null {
  let p = cueEnd;
  for (let k = 0; k < 3 && p < text.length; k++) {
    const c = text.charAt(p);
    if (c === " " || c === ":" || c === "：" || c === "\t" || c === "=" || c === "\"") p++; else break;
  }
  return nameAt(text, p);
}

/** A name ending right before `pos` (before an honorific or another personal-data item). */
export function parseNameBefore(text: string, pos: number): { start: number; end: number } | null {
  for (const len of [4, 3, 2]) {
    const s = pos - len;
    if (s < 0) continue;
    let allHan = true;
    for (let i = s; i < pos; i++) if (!isHan(text.charCodeAt(i))) { allHan = false; break; }
    if (!allHan) continue;
    const sl = surnameLength(text, s);
    if (sl === 0 || (len === 4 && sl !== 2)) continue;
    if (len - sl < 1 || len - sl > 2) continue;
    if (NOT_NAMES.has(text.slice(s, s + 2))) continue;
    if (/[市縣區鄉鎮路街村里號樓]/.test(text.slice(s, pos))) continue;
    let stop = false;
    for (let i = s + sl; i < pos; i++) if (startsWithStop(text, i)) { stop = true; break; }
    if (stop) continue;
    return { start: s, end: pos };
  }
  return null;
}

/** A whole cell in a name column: 2–4 Han characters that start with a surname. */
export function isNameValue(v: string): boolean {
  if (v.length < 2 || v.length > 5) return false;
  for (let i = 0; i < v.length; i++) if (!isHan(v.charCodeAt(i)) && v.charAt(i) !== "·") return false;
  const sl = surnameLength(v, 0);
  if (sl === 0 || v.length - sl < 1) return false;
  return !NOT_NAMES.has(v.slice(0, 2));
}
