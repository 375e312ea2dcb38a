// The worker → main thread batch format and the hand-written jsonl lines: both must reproduce every
// finding exactly (field values, key order, JSON escaping), whatever its strings contain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ENTITY_TYPES, type Finding } from "./pii.types.ts";
import { BatchWriter, decodeBatch } from "./transfer.ts";
import { findingRecord, JsonCache, JsonlEncoder, jsonlLine } from "./output.ts";

const STRINGS = ["", "a", "陳○明", "quote \" back\\slash", "line\nbreak\ttab", "\u0000\u001f\u2028\u2029", "\uD800 lone", "emoji 😀", "<script>", "A12****789"];

function findings(n: number): Finding[] {
  const out: Finding[] = [];
  for (let k = 0; k < n; k++) {
    const pick = (i: number): string => STRINGS[(k * 7 + i * 3) % STRINGS.length] ?? "";
    const f: Finding = {
      file: k % 3 === 0 ? "/data/訂單 \"2024\".csv" : "plain.txt", type: ENTITY_TYPES[k % ENTITY_TYPES.length] ?? "EMAIL",
      start: k * 11, end: k * 11 + 10, byteStart: k * 13 + 2 ** 33, byteEnd: k * 13 + 2 ** 33 + 12, line: k + 1,
      column: k % 4 === 0 ? null : pick(1), score: [1, 0.85, 0.6, 0.45][k % 4] ?? 1, masked: pick(2),
    };
    if (k % 5 !== 0) f.detail = pick(3);
    if (k % 2 === 0) f.value = pick(4);
    out.push(f);
  }
  return out;
}

test("a batch decodes to the very findings that were added, in order, across batch boundaries", () => {
  const all = findings(1000);
  const w = new BatchWriter("ignored-name", 64);
  const back: Finding[] = [];
  for (const f of all) {
    const file = f.file;
    // One writer per file in the worker; here the file name is restored from the batch.
    if (w.add({ ...f, file: "ignored-name" })) { const { batch, transfer } = w.take(); assert.equal(transfer.length, 2); decodeBatch(batch, (x) => back.push({ ...x, file })); }
  }
  if (w.count > 0) decodeBatch(w.take().batch, (x) => back.push(x));
  assert.equal(back.length, all.length);
  for (let k = 0; k < all.length; k++) {
    const a = all[k], b = back[k];
    assert.ok(a && b);
    assert.equal(JSON.stringify(findingRecord(b, true)), JSON.stringify(findingRecord({ ...a, file: b.file }, true)));
  }
});

test("jsonl lines are byte for byte JSON.stringify of the finding record, with and without values", () => {
  const cache = new JsonCache();
  for (const f of findings(500)) {
    for (const show of [false, true]) assert.equal(jsonlLine(f, show, cache), JSON.stringify(findingRecord(f, show)) + "\n");
  }
});

test("the byte renderer writes exactly the UTF-8 of the jsonl lines, across buffer growth and reuse", () => {
  const cache = new JsonCache();
  const all = findings(500);
  // Also numbers past 2^31 and odd strings in every repeated field.
  all.push({ file: "\uDC00\u0001/x", type: "EMAIL", start: 2 ** 31, end: 2 ** 31 + 3, byteStart: 2 ** 40, byteEnd: 2 ** 40 + 9, line: 2 ** 31 - 1, column: "a\"b\\c\u007f\u0080\u07ff\u0800\uffff", score: 0.95, masked: "😀\uD83D", detail: "\r\n" });
  for (const show of [false, true]) {
    const enc = new JsonlEncoder(show, new Uint8Array(8)); // tiny: grows on the first line
    let want = "";
    for (const [k, f] of all.entries()) {
      enc.line(f);
      want += jsonlLine(f, show, cache);
      if (k % 97 === 96) { // a batch ends: the same buffer is reused for the next one
        assert.equal(new TextDecoder().decode(enc.bytes.subarray(0, enc.length)), want);
        assert.deepEqual(enc.bytes.subarray(0, enc.length), new TextEncoder().encode(want));
        assert.equal(enc.lines, 97);
        enc.reset(enc.bytes);
        want = "";
      }
    }
    assert.deepEqual(enc.bytes.subarray(0, enc.length), new TextEncoder().encode(want));
  }
});
