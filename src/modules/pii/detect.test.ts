import { test } from "node:test";
import assert from "node:assert/strict";
import { CueIndex, INVOICE_CUES } from "./cues.ts";
import { detect, detectValue } from "./detect.ts";
import { CUES, NAME_SUFFIXES, NEGATIVE_CUES } from "./lexicon.ts";
import type { EntityType } from "./pii.types.ts";
import { icaoCheckDigit, isValidCard, twIdKind, ubnValidity } from "./validators.ts";

function found(text: string): Array<[EntityType, string]> {
  return detect(text).map((d) => [d.type, text.slice(d.start, d.end)]);
}

test("finds each type with its cue, in zh-TW and English", () => {
  const cases: Array<[string, EntityType, string]> = [
    ["身分證字號：A123456789", "TW_NATIONAL_ID", "A123456789"],
    ["居留證號 A800000014", "TW_RESIDENT_CERT", "A800000014"],
    ["ARC FA12345689", "TW_RESIDENT_CERT", "FA12345689"],
    ["統編：04595252", "TW_BUSINESS_NUMBER", "04595252"],
    ["22099131（統一編號）", "TW_BUSINESS_NUMBER", "22099131"],
    ["護照號碼：312345678", "TW_PASSPORT", "312345678"],
    ["健保卡號 000012345678", "TW_NHI_CARD", "000012345678"],
    ["手機 0912-345-678", "TW_MOBILE", "0912-345-678"],
    ["call +886 912 345 678 now", "TW_MOBILE", "+886 912 345 678"],
    ["電話 (02)2345-6789", "TW_LANDLINE", "(02)2345-6789"],
    ["tel 07-123-4567#12", "TW_LANDLINE", "07-123-4567#12"],
    ["卡號 3530 1113 3330 0000", "CREDIT_CARD", "3530 1113 3330 0000"],
    ["匯款帳號：(808)123456789012", "TW_BANK_ACCOUNT", "(808)123456789012"],
    ["mail me: a.b+c@shop.com.tw.", "EMAIL", "a.b+c@shop.com.tw"],
    ["from 203.0.113.9 at", "IP_ADDRESS", "203.0.113.9"],
    ["出生日期：085/03/02", "DATE_OF_BIRTH", "085/03/02"],
    ["birthday: 1996-03-02", "DATE_OF_BIRTH", "1996-03-02"],
    ["寄到10617台北市大安區羅斯福路四段1號5樓之2，謝謝", "TW_ADDRESS", "10617台北市大安區羅斯福路四段1號5樓之2"],
    ["訂購人：歐陽娜娜", "PERSON_NAME_ZH", "歐陽娜娜"],
    ["王小明先生您好", "PERSON_NAME_ZH", "王小明"],
    ["載具 /AB.1234", "TW_EINVOICE_CARRIER", "/AB.1234"],
    ["自然人憑證 AB12345678901234", "TW_EINVOICE_CARRIER", "AB12345678901234"],
    ["車牌 ABC-1235", "TW_LICENSE_PLATE", "ABC-1235"],
  ];
  for (const [text, type, value] of cases) {
    assert.deepEqual(found(text).filter(([t]) => t === type), [[type, value]], text);
  }
});

test("English-order addresses, with floor, alley, lane, section, district, city, zip and country", () => {
  const cases = [
    "3F., No. 7, Sec. 5, Xinyi Rd., Xinyi Dist., Taipei City 110, Taiwan (R.O.C.)",
    "No. 45, Zhongxiao E. Rd., Da'an Dist., Taipei City",
    "No. 100, Zhongshan 1st Rd., Xinxing Dist., Kaohsiung City 800",
    "No. 5, Aly. 3, Ln. 21, Sec. 2, Roosevelt Rd., Zhongzheng Dist., Taipei City 10084",
    "Rm. 5, 12F., No. 1, Songzhi Rd., Xinyi Dist., Taipei City",
  ];
  for (const a of cases) assert.deepEqual(found(`Ship to: ${a}. Thanks`).filter(([t]) => t === "TW_ADDRESS"), [["TW_ADDRESS", a]], a);
  // A road alone needs an address cue; "No. 7" alone is not an address.
  assert.deepEqual(found("Address: No. 12-3, Ln. 80, Jianguo N. Rd."), [["TW_ADDRESS", "No. 12-3, Ln. 80, Jianguo N. Rd."]]);
  assert.deepEqual(found("No. 3, Main St. is nice; No. 7 is my favourite; Item No. 12345"), []);
});

test("full-width input is found at the original offsets", () => {
  const t = "身分證：Ａ１２３４５６７８９，手機０９１２－３４５－６７８";
  const ds = detect(t);
  assert.deepEqual(ds.map((d) => [d.type, t.slice(d.start, d.end)]), [
    ["TW_NATIONAL_ID", "Ａ１２３４５６７８９"],
    ["TW_MOBILE", "０９１２－３４５－６７８"],
  ]);
  // a long text (folded by a regex) and a single cell (by a loop) are folded alike
  const pad = "這是一段普通的商品描述，材質為棉，尺寸Ｍ，顏色藍色，陳列限定款，數量有限，售完為止。".repeat(3);
  const long = pad + t;
  assert.ok(long.length > 64 && t.length <= 64);
  assert.deepEqual(detect(long).map((d) => [d.type, d.start - pad.length, d.end - pad.length]), ds.map((d) => [d.type, d.start, d.end]));
  assert.deepEqual(detectValue("TW_NATIONAL_ID", " Ａ１２３４５６７８９ ")?.type, "TW_NATIONAL_ID");
  assert.deepEqual(detectValue("TW_NATIONAL_ID", "ａ１２３４５６７８９"), null); // folded to lower case: not an ID
  assert.deepEqual(detectValue("EMAIL", "ｃｈｅｎ＠ｅｘａｍｐｌｅ．ｔｗ")?.type, "EMAIL");
});

test("hard negatives: no cue, wrong checksum, order numbers, lower case, e-invoice numbers", () => {
  assert.deepEqual(found("A123456780"), []);
  assert.deepEqual(found("a123456789"), []);
  assert.deepEqual(found("A323456789"), []);
  assert.deepEqual(found("22099131"), []); // valid UBN but no cue
  assert.deepEqual(found("訂單編號 0912345678"), []);
  assert.deepEqual(found("發票號碼 FA12345689"), []);
  assert.deepEqual(found("4111111111111112"), []);
  assert.deepEqual(found("IMEI 356938035643809"), []);
  assert.deepEqual(found("金額 1,200 元；高雄 林口 陳列"), []);
  assert.deepEqual(found("version 1.2.3.4"), []);
  assert.deepEqual(found("std::vector<int> a::b::c"), []);
  assert.deepEqual(found("生日禮 2025-13-01"), []);
  assert.deepEqual(found("/usr/local/bin"), []);
});

test("no invalid checksum is ever accepted, on 20k random identifiers in context", () => {
  let seed = 7;
  const rnd = (n: number): number => { seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x9e3779b9) >>> 0; return seed % n; };
  const L = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let i = 0; i < 20_000; i++) {
    let id = L.charAt(rnd(26)) + "1289ABCD".charAt(rnd(8));
    for (let k = 0; k < 8; k++) id += String(rnd(10));
    let ubn = "";
    for (let k = 0; k < 8; k++) ubn += String(rnd(10));
    let card = "4";
    for (let k = 0; k < 15; k++) card += String(rnd(10));
    const text = `身分證 ${id} 居留證 統編 ${ubn} 信用卡 ${card}`;
    for (const d of detect(text)) {
      const v = text.slice(d.start, d.end);
      if (d.type === "TW_NATIONAL_ID" || d.type === "TW_RESIDENT_CERT") assert.ok(twIdKind(v), v);
      if (d.type === "TW_BUSINESS_NUMBER") assert.ok(ubnValidity(v), v);
      if (d.type === "CREDIT_CARD") assert.ok(isValidCard(v.replace(/\D/g, "")), v);
    }
  }
});

test("passport MRZ line with valid check digits", () => {
  const doc = "312345678";
  const line = `${doc}${icaoCheckDigit(doc)}TWN960302${icaoCheckDigit("960302")}M300101${icaoCheckDigit("300101")}<<<<<<<<<<<<<<00`;
  assert.deepEqual(found(`P<TWNCHEN<<CHIH<MING<<<<<\n${line}`), [["TW_PASSPORT", doc]]);
});

test("column values are validated by the header's class", () => {
  assert.equal(detectValue("TW_BUSINESS_NUMBER", " 22099131 ")?.start, 1);
  assert.equal(detectValue("TW_BUSINESS_NUMBER", "12345678"), null);
  assert.equal(detectValue("PERSON_NAME_ZH", "陳志明")?.type, "PERSON_NAME_ZH");
  assert.equal(detectValue("PERSON_NAME_ZH", "高雄"), null);
  assert.equal(detectValue("TW_MOBILE", "02-2345-6789")?.type, "TW_LANDLINE");
  assert.equal(detectValue("NEGATIVE", "0912345678"), null);
  assert.equal(detectValue("TW_ADDRESS", "臺中市西屯區臺灣大道三段99號")?.type, "TW_ADDRESS");
});

// ReDoS guard: every detector on random and adversarial input, each bounded in time. Linear rules
// take milliseconds; a backtracking blow-up takes minutes. Because CI machines are shared, the
// adversarial inputs are checked by growth (4× the input must cost well under 16×, i.e. not
// quadratic) plus a generous absolute bound, rather than by a tight wall-clock limit.
test("fuzz: random and adversarial inputs finish within a time bound per input", () => {
  let seed = 99;
  const rnd = (n: number): number => { seed = (Math.imul(seed ^ (seed >>> 13), 1274126177) + 1) >>> 0; return seed % n; };
  const alphabet = "0123456789-+ ()#@./:_AaBZ號路段巷弄樓市區縣陳林王先生統編手機身分證生日\n\t,，：ＡＯ１";
  const units = [
    "1", "1 ", "4 ", "4-", "1-", "a@", "a.", ":", "a:", "號", "1號", "路1號", "統編", "統編1", "先生", "陳", "A1", "/AAAAAA",
    "(0", "+886", "民國", "1/", "TWN", "1-", "０", "ａ@", "收件人陳", "市區路", "巷1", "9",
    "No. 1, ", "No. 1, Ab ", "Ab Cd ", "No. 1, Ln. 2, Ab Rd., ", "Ab Dist., ", "1F., ",
  ];
  const timeOf = (s: string): number => { const t0 = performance.now(); detect(s); return performance.now() - t0; };
  for (const u of units) {
    const small = u.repeat(Math.ceil(10_000 / u.length));
    const big = u.repeat(Math.ceil(40_000 / u.length));
    const prefixes = ["", "生日 帳號 "];
    for (const pre of prefixes) {
      const t1 = timeOf(pre + small), t4 = timeOf(pre + big);
      assert.ok(t4 < 20_000, `${t4.toFixed(0)} ms on ${JSON.stringify(pre + u)}× (${big.length} chars)`);
      assert.ok(t4 < 12 * t1 + 500, `superlinear on ${JSON.stringify(pre + u)}: ${t1.toFixed(0)} ms → ${t4.toFixed(0)} ms for 4× the input`);
    }
  }
  // One long line dense with trigger words, up to the 1 M characters of a long line's window: the
  // window after each trigger once looked for the line end up to the end of the text (quadratic: 8 MB
  // of "生日1" took 32 s). 8× the input must take far less than the 64× of a quadratic scan.
  const line = "生日1".repeat(Math.ceil(1_000_000 / 3));
  const t1 = timeOf(line.slice(0, 125_000)), t8 = timeOf(line);
  assert.ok(t8 < 24 * t1 + 500, `superlinear on one line of "生日1": ${t1.toFixed(0)} ms → ${t8.toFixed(0)} ms for 8× the input`);
  for (let i = 0; i < 200; i++) {
    let s = "";
    const n = 1 + rnd(5000);
    for (let k = 0; k < n; k++) s += alphabet.charAt(rnd(alphabet.length));
    const ms = timeOf(s);
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms on random input of ${s.length} chars`);
  }
});

test("the cue index finds every cue word, in either case, wherever it starts (its two-character filter drops none)", () => {
  // Cue words are indexed; honorifics (先生, 小姐) are triggers only.
  const words = [...new Set([...Object.values(CUES).flat(), ...NEGATIVE_CUES, ...INVOICE_CUES])];
  const ascii = (w: string): boolean => /^[ -~]*$/.test(w);
  const variants = words.flatMap((w) => (ascii(w) ? [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)] : [w]));
  for (const w of NAME_SUFFIXES) assert.deepEqual(new CueIndex(`陳${w}`).triggers.map((t) => [t.word, t.start]), [[w, 1]]);
  // Every word alone, then cue words mixed with noise (both halves of common pairs, letters, digits).
  const noise = ["小", "明", "生", "活", "同", "意", "出", "貨", "會", "議", "a", "T", "e", "1", " ", "，", "電", "子"];
  let seed = 7;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  let mixed = "";
  for (let k = 0; k < 5_000; k++) mixed += rnd(4) === 0 ? (variants[rnd(variants.length)] ?? "") : (noise[rnd(noise.length)] ?? "");
  const isLetter = (c: string): boolean => /[A-Za-z]/.test(c);
  for (const text of [...variants.map((v) => `x ${v} y`), mixed]) {
    // Reference: every word at every position (ASCII words case-insensitively, at a word start).
    const expected = new Set<string>();
    for (let i = 0; i < text.length; i++) {
      for (const w of words) {
        if (ascii(w) ? (i > 0 && isLetter(text.charAt(i - 1))) || text.slice(i, i + w.length).toLowerCase() !== w : !text.startsWith(w, i)) continue;
        expected.add(`${i}:${i + w.length}`);
      }
    }
    const idx = new CueIndex(text);
    assert.deepEqual(new Set(idx.starts.map((s, k) => `${s}:${idx.ends[k] ?? -1}`)), expected, text.slice(0, 40));
  }
});

test("IPv6: full and compressed forms; times and other colon runs are not addresses", () => {
  for (const ip of ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8::8a2e:370:7334", "fe80::a1b2:3c4d", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::7:8"]) {
    assert.deepEqual(found(`client ${ip} connected`), [["IP_ADDRESS", ip]], ip);
  }
  for (const t of ["at 12:00:01 today", "ratio 10:30:45:50", "1:2:3:4:5:6:7:8:9", "2001:db8:85a3:0:0:8a2e:370", "1::2::3"]) assert.deepEqual(found(t), [], t);
});
