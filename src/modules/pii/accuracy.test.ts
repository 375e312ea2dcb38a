// A small labelled set from the benchmark generator (tuning templates, fixed seed), scanned through
// the whole pipeline, with floors on precision and recall per type. Floors, not timings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCorpus } from "../../../bench/pii/corpus.ts";
import { score, type Found } from "../../../bench/pii/score.ts";
import { scanFile } from "./scan.ts";

const CHECKSUM = new Set(["TW_NATIONAL_ID", "TW_RESIDENT_CERT", "TW_BUSINESS_NUMBER", "CREDIT_CARD"]);
const FLOORS: Record<string, { p: number; r: number }> = {
  PERSON_NAME_ZH: { p: 0.95, r: 0.85 },
  TW_ADDRESS: { p: 0.95, r: 0.9 },
};

test("labelled set: per-type precision and recall floors, no invalid checksum accepted", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-acc-"));
  try {
    const c = buildCorpus(4242, 1200, "tune");
    const found: Found[] = [];
    for (const d of c.docs) {
      writeFileSync(join(dir, d.file), d.text);
      await scanFile(join(dir, d.file), {}, (f) => found.push({ file: d.file, type: f.type, start: f.start, end: f.end, column: f.column }));
    }
    const truth = c.docs.flatMap((d) => d.truth);
    const rep = score(truth, c.docs.flatMap((d) => d.neg), found, c.columns);
    assert.equal(rep.invalidChecksumAccepted, 0);
    for (const t of rep.perType) {
      if (t.truth < 20) continue;
      const floor = FLOORS[t.type] ?? (CHECKSUM.has(t.type) ? { p: 0.99, r: 0.99 } : { p: 0.97, r: 0.95 });
      assert.ok(t.exact.p >= floor.p, `${t.type} precision ${t.exact.p} < ${floor.p}`);
      assert.ok(t.exact.r >= floor.r, `${t.type} recall ${t.exact.r} < ${floor.r}`);
    }
    assert.ok((rep.columns?.accuracy ?? 0) >= 0.95, `column accuracy ${rep.columns?.accuracy ?? 0}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
