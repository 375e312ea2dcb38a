// analyzeSegment: a cell whose column validated its value is not read again by the free-text detectors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCorpus } from "../../../bench/pii/corpus.ts";
import { analyzeSegment, Emitter, type Cell } from "./emitter.ts";
import type { Detection } from "./pii.types.ts";
import { scanFile } from "./scan.ts";

interface Segment { text: string; cells: readonly Cell[] }

/** Scans the files and returns every segment that came with cells (structured input), as the emitter got it. */
async function structuredSegments(files: readonly string[]): Promise<Segment[]> {
  const seen: Segment[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and only ever called with .call(this)
  const original = Emitter.prototype.segment;
  Emitter.prototype.segment = function (this: Emitter, text: string, cells?: readonly Cell[], consumed?: number): void {
    if (cells !== undefined && cells.length > 0) seen.push({ text, cells });
    original.call(this, text, cells, consumed);
  };
  try {
    for (const f of files) await scanFile(f, {}, () => undefined);
  } finally {
    Emitter.prototype.segment = original;
  }
  return seen;
}

const key = (d: Detection): string => `${d.type} ${String(d.start)}-${String(d.end)} ${String(d.score)} ${d.column ?? "-"} ${d.detail ?? "-"}`;

test("validated cells blanked: the same findings as scanning them twice, on every structured segment of both labelled splits", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-blank-"));
  try {
    const files: string[] = [];
    for (const split of ["tune", "eval"] as const) {
      for (const d of buildCorpus(split === "tune" ? 4242 : 4343, 1500, split).docs) {
        if (!/\.(csv|tsv|json|ndjson|sql)$/.test(d.file)) continue;
        const path = join(dir, `${split}-${d.file}`);
        writeFileSync(path, d.text);
        files.push(path);
      }
    }
    // A validated value over two lines stays as it is: blanked, "tel" and the number would share a line.
    const twoLines = join(dir, "two-lines.csv");
    writeFileSync(twoLines, 'note,地址,x\ntel,"臺北市信義區\n松仁路100號",0223456789\n');
    files.push(twoLines);
    // A trigger word's window takes its first value, blanked or not: not the order date after the birthday.
    const windows = join(dir, "windows.ndjson");
    writeFileSync(windows, '{"birthday":"1980-01-01","x":"2024-05-28"}\n{"note":"生日","birthday":"1980-01-01","x":"2024-05-28"}\n'
      + '{"統編":"22099131","ref":"53212539"}\n');
    files.push(windows);
    const segments = await structuredSegments(files);
    assert.ok(segments.length >= 8, `structured segments: ${String(segments.length)}`);
    let columnFindings = 0;
    for (const { text, cells } of segments) {
      const once = analyzeSegment(text, cells, {});
      assert.deepEqual(once.map(key), analyzeSegment(text, cells, {}, false).map(key));
      columnFindings += once.filter((d) => d.column !== null && d.reasons.includes("header")).length;
    }
    assert.ok(columnFindings > 2000, `findings validated by their column: ${String(columnFindings)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a validated cell still anchors the name written before it; a cue word inside its value is no context for its neighbours", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-blank-"));
  try {
    const path = join(dir, "contacts.csv");
    // 'note' and 'x' are no known headers; 手機 and email are. "tel" starts the e-mail address.
    writeFileSync(path, "note,手機,email,x\n王小明,0912345678,tel@shop.example,0223456789\n");
    const found: Array<{ type: string; column: string | null; score: number }> = [];
    await scanFile(path, {}, (f) => found.push({ type: f.type, column: f.column, score: f.score }));
    assert.deepEqual(found, [
      { type: "PERSON_NAME_ZH", column: "note", score: 0.6 }, // right before the mobile, which only its column reported
      { type: "TW_MOBILE", column: "手機", score: 1 },
      { type: "EMAIL", column: "email", score: 1 },
    ]);
    // Read twice, the "tel" of the e-mail address was taken as the cue that an unshaped number needs.
    const [seg] = await structuredSegments([path]);
    assert.ok(seg);
    assert.deepEqual(analyzeSegment(seg.text, seg.cells, {}, false).map((d) => d.type),
      ["PERSON_NAME_ZH", "TW_MOBILE", "EMAIL", "TW_LANDLINE"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
