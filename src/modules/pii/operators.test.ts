import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { parseKeyList, KeyError } from "./keys.ts";
import { decryptToken, DecryptError, encryptValue, hmacToken, protectText, unprotectText } from "./operators.ts";
import { keepLast, maskFor, maskMiddle } from "./mask.ts";

const ring = parseKeyList(`k1:${randomBytes(32).toString("base64")}`);
const other = parseKeyList(`k1:${randomBytes(32).toString("base64")}`);

test("AES-256-GCM tokens round-trip, carry the key id, and refuse a wrong key or a changed byte", () => {
  const tok = encryptValue("TW_MOBILE", "0912-345-678", ring);
  assert.match(tok, /^\{\{pii:enc1:TW_MOBILE:k1:[A-Za-z0-9_-]+\}\}$/);
  assert.deepEqual(decryptToken(tok, ring), { type: "TW_MOBILE", value: "0912-345-678" });
  assert.notEqual(encryptValue("TW_MOBILE", "0912-345-678", ring), tok); // random IV
  assert.throws(() => decryptToken(tok, other), (e: unknown) => e instanceof DecryptError && e.code === "AUTH_FAILED");
  const flipped = tok.replace(/:([A-Za-z0-9_-])([A-Za-z0-9_-]*)\}\}$/, (_m, a: string, b: string) => `:${a === "A" ? "B" : "A"}${b}}}`);
  assert.throws(() => decryptToken(flipped, ring), DecryptError);
  const retyped = tok.replace("TW_MOBILE", "EMAIL");
  assert.throws(() => decryptToken(retyped, ring), DecryptError); // type is bound by the AAD
  assert.throws(() => decryptToken(tok.replace(":k1:", ":k9:"), ring), (e: unknown) => e instanceof DecryptError && e.code === "UNKNOWN_KEY");
});

test("HMAC tokens are deterministic over the normalised value and keyed", () => {
  assert.equal(hmacToken("TW_MOBILE", "0912-345-678", ring), hmacToken("TW_MOBILE", "+886 912 345 678", ring));
  assert.equal(hmacToken("TW_NATIONAL_ID", "Ａ１２３４５６７８９", ring), hmacToken("TW_NATIONAL_ID", "A123456789", ring));
  assert.notEqual(hmacToken("TW_MOBILE", "0912345678", ring), hmacToken("TW_MOBILE", "0912345678", other));
  assert.notEqual(hmacToken("TW_MOBILE", "0912345678", ring), hmacToken("TW_MOBILE", "0912345679", ring));
});

test("library protectText / unprotectText round trip on free text", () => {
  const t = "收件人：陳志明，手機 0912-345-678，身分證 A123456789。";
  const p = protectText(t, { kind: "encrypt", keys: ring });
  assert.equal(p.replaced, 3);
  assert.ok(!p.text.includes("A123456789") && !p.text.includes("陳志明"));
  assert.equal(unprotectText(p.text, ring).text, t);
  assert.equal(protectText(t, { kind: "redact" }).text, "收件人：[PERSON_NAME_ZH]，手機 [TW_MOBILE]，身分證 [TW_NATIONAL_ID]。");
});

test("masks follow Taiwan display conventions", () => {
  assert.equal(maskFor("PERSON_NAME_ZH", "陳志明"), "陳○明");
  assert.equal(maskFor("PERSON_NAME_ZH", "王明"), "王○");
  // characters outside the BMP (surrogate pairs) count as one
  assert.equal(maskFor("PERSON_NAME_ZH", "𠀋明"), "𠀋○");
  assert.equal(maskFor("PERSON_NAME_ZH", "陳小𠀋"), "陳○𠀋");
  assert.equal(maskFor("PERSON_NAME_ZH", "𡘙"), "○");
  assert.equal(maskFor("PERSON_NAME_ZH", "歐陽小明"), "歐○○明");
  assert.equal(maskFor("TW_NATIONAL_ID", "A123456789"), "A12****789");
  assert.equal(maskFor("CREDIT_CARD", "4111 1111 1111 1111"), "4111 11** **** 1111");
  assert.equal(maskFor("TW_MOBILE", "0912-345-678"), "0912-***-678");
  assert.equal(maskFor("EMAIL", "chen@example.tw"), "c***@example.tw");
  assert.equal(keepLast("0912345678", 3), "*******678");
  // values without separators take a shorter path; these pin it to the general one
  assert.equal(keepLast("0912345678", 3, "#"), "#######678");
  assert.equal(keepLast("1".repeat(40), 4), "*".repeat(36) + "1111");
  assert.equal(maskMiddle("ab", 3, 3), "**");
  assert.equal(maskMiddle("", 1, 1), "");
  assert.equal(maskMiddle("王小明", 1, 1), "王*明");
  assert.equal(maskMiddle("A12-3456", 1, 1, "x"), "Axx-xxx6");
});

test("bad keys are refused with a clear error", () => {
  assert.throws(() => parseKeyList("k1:short"), KeyError);
  assert.throws(() => parseKeyList("nokey"), KeyError);
  assert.throws(() => parseKeyList(`bad id!:${randomBytes(32).toString("hex")}`), KeyError);
});
