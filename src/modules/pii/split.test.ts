import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { countUtf8, Cutter, type Counts } from "./split.ts";
import type { RangeTask } from "./scan.ts";

/** The plain loop over the bytes that countUtf8 must agree with. */
function reference(b: Uint8Array, from: number, to: number, c: Counts): void {
  for (let i = from; i < to; i++) {
    const x = b[i] ?? 0;
    if ((x & 0xc0) !== 0x80) c.u16++;
    if (x >= 0xf0) c.u16++;
    if (x === 10) c.lines++;
  }
}

/** Ranges cut by the plain rule: at the first newline whose next byte is at or past each target. */
function referenceRanges(b: Uint8Array, parts: number): RangeTask[] {
  const out: RangeTask[] = [];
  let start = 0, startU16 = 0, startLine = 1, target = Math.floor(b.length / parts);
  const c = { u16: 0, lines: 1 };
  for (let i = 0; i < b.length; i++) {
    reference(b, i, i + 1, c);
    if (b[i] === 10 && i + 1 >= target && out.length < parts - 1) {
      out.push({ start, end: i + 1, utf16: startU16, line: startLine, format: "text" });
      start = i + 1; startU16 = c.u16; startLine = c.lines;
      target = Math.floor((b.length * (out.length + 1)) / parts);
    }
  }
  out.push({ start, end: b.length, utf16: startU16, line: startLine, format: "text" });
  return out;
}

// Text with every kind of byte the counter tells apart: ASCII, newlines, 2-, 3- and 4-byte UTF-8,
// and random bytes (invalid sequences, stray continuations, 0xF8–0xFF).
function sample(n: number, seed: number): Uint8Array {
  const pieces = ["a", "\n", "\r\n", "é", "陳志明", "😀", "0912-345-678 ", "\n\n"];
  let s = "", x = seed;
  while (Buffer.byteLength(s) < n) { x = (x * 1103515245 + 12345) >>> 0; s += pieces[x % pieces.length] ?? ""; }
  const b = Buffer.from(s);
  const junk = randomBytes(Math.floor(n / 8));
  for (let k = 0; k < junk.length; k += 2) b[(junk[k] ?? 0) * 131 % b.length] = junk[k + 1] ?? 0;
  return b;
}

test("countUtf8 counts what a loop over the bytes counts, at every alignment and length", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const b = sample(300 + seed * 7, seed);
    for (let from = 0; from < 9; from++) {
      for (const to of [from, from + 1, from + 3, from + 4, from + 5, b.length - 1, b.length]) {
        if (to < from || to > b.length) continue;
        const a = { u16: 5, lines: 2 }, r = { u16: 5, lines: 2 };
        countUtf8(b, from, to, a);
        reference(b, from, to, r);
        assert.deepEqual(a, r, `seed ${seed} [${from}, ${to})`);
        // a view that starts off a word boundary
        const view = b.subarray(from);
        const a2 = { u16: 0, lines: 1 }, r2 = { u16: 0, lines: 1 };
        countUtf8(view, 0, to - from, a2);
        reference(view, 0, to - from, r2);
        assert.deepEqual(a2, r2);
      }
    }
  }
  // every byte value on its own and four at a time
  for (let x = 0; x < 256; x++) {
    const b = new Uint8Array(8).fill(x);
    const a = { u16: 0, lines: 0 }, r = { u16: 0, lines: 0 };
    countUtf8(b, 0, 8, a); reference(b, 0, 8, r);
    assert.deepEqual(a, r, `byte ${x}`);
  }
});

test("the cutter gives the ranges of the plain rule, whatever the chunks it is fed", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const b = sample(20_000 + seed * 1000, seed);
    for (const parts of [1, 2, 3, 7]) {
      const want = referenceRanges(b, parts);
      for (const chunk of [1, 3, 64, 1000, 4096, b.length]) {
        const cut = new Cutter(b.length, parts, "text");
        const got: RangeTask[] = [];
        for (let i = 0; i < b.length; i += chunk) got.push(...cut.feed(b.subarray(i, Math.min(b.length, i + chunk))));
        got.push(cut.rest());
        assert.deepEqual(got, want, `seed ${seed}, ${parts} parts, chunks of ${chunk}`);
      }
    }
  }
});
