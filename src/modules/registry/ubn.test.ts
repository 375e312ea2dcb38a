import assert from "node:assert/strict";
import { test } from "node:test";
import { checkUbn, ubnSums } from "./ubn.ts";

test("official test numbers: valid only under the 2023 rule", () => {
  for (const n of ["04595252", "10458570"]) {
    const v = checkUbn(n);
    assert.ok(v.ok, n);
    assert.equal(v.currentOnly, true, n);
  }
});

test("official test numbers valid under both rules", () => {
  for (const n of ["04595257", "10458575", "10458574", "22099131"]) {
    const v = checkUbn(n);
    assert.ok(v.ok, n);
    assert.equal(v.legacy, true, n);
  }
});

test("worked sums from the reference table", () => {
  assert.deepEqual(ubnSums("04595252"), { sum: 35, alt: undefined });
  assert.deepEqual(ubnSums("10458570"), { sum: 25, alt: 26 });
  assert.deepEqual(ubnSums("10458574"), { sum: 29, alt: 30 });
  assert.equal(ubnSums("22099131").sum, 30);
  assert.equal(ubnSums("12345678").sum, 42);
});

test("bad and look-alike numbers are refused with a reason", () => {
  assert.deepEqual(checkUbn("12345678").ok, false);
  assert.equal((checkUbn("12345678") as { reason: string }).reason, "checksum");
  for (const n of ["1234567", "123456789", "0459525O", "04595-52", "٠٤٥٩٥٢٥٢", "", "045952 52", "0x595252"]) {
    const v = checkUbn(n);
    assert.equal(v.ok, false, n);
    assert.equal((v as { reason: string }).reason, "format", n);
  }
});

test("full-width digits and spaces are folded", () => {
  const v = checkUbn(" ０４５９５２５７ ");
  assert.equal(v.ok && v.ubn, "04595257");
});
