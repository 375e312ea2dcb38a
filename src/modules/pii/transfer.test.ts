// The worker → main thread batch format and the hand-written jsonl lines: both must reproduce every
// finding exactly (field values, key order, JSON escaping), whatever its strings contain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ENTITY_TYPES, type Finding } from "./pii.types.ts";
import { BatchWriter, decodeBatch } from "./transfer.ts";
import { PassThrough } from "node:stream";
import { csvLine, findingRecord, FindingWriter, JsonCache, RenderEncoder, jsonlLine, renderedText } from "./output.ts";

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
    const enc = new RenderEncoder("jsonl", show, new Uint8Array(8)); // tiny: grows on the first line
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

test("every output format: the byte renderer writes exactly the UTF-8 of renderedText, and json/csv/table match the writer's own rendering", async () => {
  const all = findings(300);
  all.push({ file: "=cmd,\"x\"\n.csv", type: "TW_MOBILE", start: 1, end: 2, byteStart: 3, byteEnd: 4, line: 5, column: "-formula\r", score: 0.5, masked: "@SUM(1)\uD800", detail: "a,b" });
  for (const format of ["jsonl", "json", "csv", "table"] as const) {
    for (const show of [false, true]) {
      const cache = new JsonCache();
      const enc = new RenderEncoder(format, show, new Uint8Array(4));
      let want = "";
      for (const f of all) { enc.line(f); want += renderedText(format, f, show, cache); }
      assert.deepEqual(enc.bytes.subarray(0, enc.length), new Uint8Array(Buffer.from(want, "utf8")), `${format} ${String(show)}`);
      assert.equal(enc.lines, all.length);
      // The writer fed finding by finding and the writer fed the rendered bytes print the same document.
      const direct = new PassThrough(), viaBytes = new PassThrough();
      const a: Buffer[] = [], b: Buffer[] = [];
      direct.on("data", (c: Buffer) => a.push(c));
      viaBytes.on("data", (c: Buffer) => b.push(c));
      const w1 = new FindingWriter(direct, format, show), w2 = new FindingWriter(viaBytes, format, show);
      for (const f of all) w1.finding(f);
      // in two batches, the first of one finding (json drops the comma before the document's first record)
      const cut = new RenderEncoder(format, show);
      const first = all[0];
      assert.ok(first);
      cut.line(first);
      w2.rendered(enc.bytes.slice(0, cut.length), 1);
      w2.rendered(enc.bytes.slice(cut.length, enc.length), all.length - 1);
      const summary = { files: 1, bytes: 10, findings: all.length, byType: {}, skipped: [], seconds: 0 };
      await w1.end(summary);
      await w2.end(summary);
      assert.equal(Buffer.concat(b).toString("utf8"), Buffer.concat(a).toString("utf8"), `${format} ${String(show)}`);
      if (format === "json") assert.equal((JSON.parse(Buffer.concat(b).toString("utf8")) as { findings: unknown[] }).findings.length, all.length);
    }
  }
});

test("csv lines: each column of the record, quoted when it holds a quote, comma or line break, and a leading = + - @ tab or CR neutralised", () => {
  // The rule spelled out here, field by field over the record (the writer builds the line directly).
  const field = (v: unknown): string => {
    const s = typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const keys = ["file", "type", "start", "end", "byteStart", "byteEnd", "line", "column", "score", "masked", "value", "detail"];
  const all = findings(300);
  all.push({ file: "-x.csv", type: "EMAIL", start: 0, end: 1, byteStart: 0, byteEnd: 1, line: 1, column: "+c", score: 1, masked: "=1+1", value: "@x", detail: "\tq" });
  for (const show of [false, true]) {
    for (const f of all) {
      const r = findingRecord(f, show);
      assert.equal(csvLine(f, show), keys.filter((k) => k !== "value" || show).map((k) => field(r[k])).join(",") + "\n");
    }
  }
  assert.equal(csvLine(all[all.length - 1] as Finding, true), "'-x.csv,EMAIL,0,1,0,1,1,'+c,1,'=1+1,'@x,'\tq\n");
});
