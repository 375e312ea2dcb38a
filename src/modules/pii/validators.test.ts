import { test } from "node:test";
import assert from "node:assert/strict";
import { isIdCardNumber, isBan } from "taiwan-id-validator";
import {
  classifyTwPhone, icaoCheckDigit, isTwPlate, isValidCard, isValidUbn, luhn, parseBirthDate, twIdKind, twMrzLine2, ubnValidity,
} from "./validators.ts";

test("national ID and resident certificates: worked examples of pii.md §2.1–2.2", () => {
  assert.equal(twIdKind("A123456789"), "national");
  assert.equal(twIdKind("A123456780"), null);
  assert.equal(twIdKind("F131104093"), "national");
  assert.equal(twIdKind("Y100000001"), null);
  assert.equal(twIdKind("A800000014"), "arc_new");
  assert.equal(twIdKind("A870000015"), "arc_new");
  assert.equal(twIdKind("A800000015"), null);
  assert.equal(twIdKind("FA12345689"), "arc_old");
  assert.equal(twIdKind("AB23456788"), null);
  assert.equal(twIdKind("a123456789"), null);
  assert.equal(twIdKind("A323456789"), null);
});

test("UBN: both checksum rules and the 7th-digit case (pii.md §2.3)", () => {
  assert.equal(ubnValidity("04595252"), "current");
  assert.equal(ubnValidity("10458570"), "current");
  assert.equal(ubnValidity("04595257"), "both");
  assert.equal(ubnValidity("10458575"), "both");
  assert.equal(ubnValidity("10458574"), "both");
  assert.equal(ubnValidity("22099131"), "both");
  assert.equal(ubnValidity("12345678"), null);
  assert.equal(isValidUbn("04595252", "legacy"), false);
  assert.equal(isValidUbn("04595252", "current"), true);
});

test("our validators agree with taiwan-id-validator on 200k random strings", () => {
  let seed = 12345;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  const L = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let i = 0; i < 100_000; i++) {
    const second = "12893ABCDZ".charAt(Math.floor(rnd() * 10));
    let s = L.charAt(Math.floor(rnd() * 26)) + second;
    for (let k = 0; k < 8; k++) s += String(Math.floor(rnd() * 10));
    assert.equal(twIdKind(s) !== null, isIdCardNumber(s), s);
    let u = "";
    for (let k = 0; k < 8; k++) u += String(Math.floor(rnd() * 10));
    assert.equal(isValidUbn(u, "current"), isBan(u), u);
    assert.equal(isValidUbn(u, "legacy"), isBan(u, { applyOldRules: true }), u);
  }
});

test("cards: Luhn plus issuer ranges (pii.md §2.5)", () => {
  for (const c of ["4111111111111111", "5555555555554444", "2223003122003222", "378282246310005", "3530111333300000", "6200000000000005", "6011111111111117"]) {
    assert.ok(isValidCard(c), c);
  }
  assert.equal(isValidCard("4111111111111112"), null);
  assert.equal(luhn("79927398713"), true);
  assert.equal(isValidCard("3512345678901238"), null); // 35 but below the JCB range
});

test("phones: normalisation and classes (pii.md §2.4)", () => {
  for (const m of ["0912-345-678", "+886 912 345 678", "0912345678"]) assert.equal(classifyTwPhone(m)?.kind, "mobile", m);
  for (const l of ["(02)2345-6789", "+886-2-2345-6789", "04-2345-6789", "037-123456", "082-312345", "0836-25151", "07-123-4567#12"]) {
    assert.equal(classifyTwPhone(l)?.kind, "landline", l);
  }
  assert.equal(classifyTwPhone("091234567"), null);
  assert.deepEqual(classifyTwPhone("0912345678"), { national: "0912345678", kind: "mobile" });
  assert.equal(classifyTwPhone("09123456a8"), null);
  assert.equal(classifyTwPhone("0800-123-456")?.kind, "tollfree");
});

test("birth dates: Gregorian and ROC (pii.md §2.12)", () => {
  assert.equal(parseBirthDate("民國85年3月2日"), "1996-03-02");
  assert.equal(parseBirthDate("085/03/02"), "1996-03-02");
  assert.equal(parseBirthDate("0850302"), "1996-03-02");
  assert.equal(parseBirthDate("112.02.29"), null);
  assert.equal(parseBirthDate("113/02/29"), "2024-02-29");
  assert.equal(parseBirthDate("1996-02-30"), null);
  // not in the future: this year's dates are, next year's are not
  const y = new Date().getUTCFullYear();
  assert.equal(parseBirthDate(`${y}-01-01`), `${y}-01-01`);
  assert.equal(parseBirthDate(`${y + 1}-01-01`), null);
  assert.equal(parseBirthDate(`${y + 1}-01-01`, y + 1), `${y + 1}-01-01`);
});

test("plates and passport MRZ check digits", () => {
  assert.equal(isTwPlate("ABC-1235"), true);
  assert.equal(isTwPlate("ABC-1234"), false); // current plates never contain 4
  assert.equal(isTwPlate("AIO-1235"), false); // nor I or O
  assert.equal(isTwPlate("AB-1234"), true); // older car shape
  assert.equal(icaoCheckDigit("L898902C3"), 6); // ICAO 9303 specimen
  const doc = "312345678";
  const line = `${doc}${icaoCheckDigit(doc)}TWN960302${icaoCheckDigit("960302")}M300101${icaoCheckDigit("300101")}<<<<<<<<<<<<<<00`;
  assert.equal(twMrzLine2(line), doc);
  const bad = line.slice(0, 19) + String((Number(line.charAt(19)) + 1) % 10) + line.slice(20);
  assert.equal(twMrzLine2(bad), null);
});
