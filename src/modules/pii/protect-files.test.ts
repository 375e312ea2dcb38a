// Rewriting files in one streamed pass: the output must be the decoded input with every finding
// replaced (overlaps skipped), whatever the segmenting did: long lines cut into overlapping windows,
// a JSON string longer than a segment, a BOM, Big5, gzip, an empty file; binary input gets no output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { applyOperator, unprotectPrefix, type Operator } from "./operators.ts";
import { protectFile, unprotectFile } from "./protect-files.ts";
import type { KeyRing } from "./keys.ts";
import { scanFile } from "./scan.ts";
import { openSource } from "./source.ts";
import type { Finding } from "./pii.types.ts";

/** The rewrite done the slow way: the whole decoded text and all findings in memory, then replaced. */
async function reference(path: string, op: Operator): Promise<string> {
  const found: Finding[] = [];
  await scanFile(path, { showValues: true }, (f) => { found.push(f); });
  const src = await openSource(path, []);
  assert.ok(src);
  let text = "";
  for await (const c of src.chunks) text += c;
  let out = "", cur = 0;
  for (const f of found) {
    if (f.start < cur) continue;
    // an escaped JSON value: the operator gets the decoded value, and its output is escaped again
    const raw = text.slice(f.start, f.end), value = f.value;
    const escaped = value !== undefined && value !== raw && raw.includes("\\") && op.kind !== "encrypt";
    out += text.slice(cur, f.start) + (escaped ? JSON.stringify(applyOperator(op, f.type, value)).slice(1, -1) : applyOperator(op, f.type, raw));
    cur = f.end;
  }
  return out + text.slice(cur);
}

test("protectFile writes the input with every finding replaced, across segment and window boundaries", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-rewrite-"));
  try {
    const values = ["A123456789", "0912-345-678", "台北市信義區信義路五段7號", "test@example.com", "4111111111111111"];
    const files: Record<string, string | Buffer> = {
      // one line of 2.4 M characters: scanned in overlapping windows, findings across window edges
      "long.txt": Array.from({ length: 60_000 }, (_, i) => `收件人 ${values[i % values.length] ?? ""} 備註`).join(" ") + "\n手機：0912-345-678\n",
      // one line of e-mails back to back (3.4 M characters): a window's edge almost surely falls inside one
      "dense.txt": "test@example.com ".repeat(200_000),
      // a JSON string longer than a segment (1 M characters), with escapes
      "huge.json": `{"note":"${"客戶手機 0912-345-678，身分證 A123456789 ".repeat(40_000)}","email":"a\\u0040b.com x@y.com\\n0912345678"}\n`,
      "bom.csv": "\uFEFF姓名,手機,備註\n王小明,0912-345-678,\"多行\n身分證 A123456789\"\n陳大文,0922-111-222,\"未關閉 0933-444-555\n",
      "notes.txt.gz": gzipSync(Buffer.from("收件人：王小明 手機：0912-345-678\n".repeat(20_000))),
      "big5.txt": Buffer.from(new Uint8Array([0xa6, 0xac, 0xa5, 0xf3, 0xa4, 0x48, 0xa1, 0x47, 0x30, 0x39, 0x31, 0x32, 0x2d, 0x33, 0x34, 0x35, 0x2d, 0x36, 0x37, 0x38, 0x0a]).buffer), // 收件人：0912-345-678
      "empty.txt": "",
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    for (const op of [{ kind: "mask" }, { kind: "redact" }, { kind: "keep-last", n: 2 }] satisfies Operator[]) {
      for (const name of Object.keys(files)) {
        const input = join(dir, name), output = join(dir, "out", op.kind, name);
        const r = await protectFile(input, output, op, {});
        assert.equal(r.output, output);
        const got = name.endsWith(".gz") ? gunzipSync(readFileSync(output)).toString("utf8") : readFileSync(output, "utf8");
        const want = await reference(input, op);
        assert.equal(got.length, want.length, `${op.kind} ${name}`);
        assert.ok(got === want, `${op.kind} ${name}: output differs from the whole-file rewrite`);
        if (name !== "empty.txt") assert.ok(r.replaced > 0, `${op.kind} ${name}: nothing replaced`);
      }
    }
    // A scan that stops part-way (here the operator fails on the first value): no partial copy is left.
    const broken = await protectFile(join(dir, "bom.csv"), join(dir, "out", "broken.csv"), { kind: "hmac", keys: { active: "gone", keys: new Map() } }, {});
    assert.equal(broken.output, "");
    assert.ok(broken.notes.some((n) => n.reason === "unreadable" && n.detail.includes("scan stopped")), JSON.stringify(broken.notes));
    assert.equal(existsSync(join(dir, "out", "broken.csv")), false);
    // A binary file: skipped, and no output file is created.
    writeFileSync(join(dir, "image.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0]));
    const bin = await protectFile(join(dir, "image.bin"), join(dir, "out", "image.bin"), { kind: "mask" }, {});
    assert.equal(bin.output, "");
    assert.ok(bin.notes.some((n) => n.reason === "binary"));
    assert.equal(existsSync(join(dir, "out", "image.bin")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("unprotectFile decrypts a token wherever a read splits it, even inside its opening {{pii:", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-unprotect-"));
  try {
    const keys: KeyRing = { active: "k1", keys: new Map([["k1", Buffer.alloc(32, 7)]]) };
    const token = applyOperator({ kind: "encrypt", keys }, "TW_MOBILE", "0912-345-678");
    // Reads are 64 KiB: put the token's start 0 to 9 characters before a read's end.
    for (let before = 0; before <= 9; before++) {
      const input = join(dir, `p${before}.txt`), output = join(dir, "out", `p${before}.txt`);
      const pad = "x".repeat((1 << 16) - before);
      writeFileSync(input, `${pad}${token} 備註\n${token}\n`);
      const r = await unprotectFile(input, output, keys);
      assert.equal(r.failed, 0);
      assert.equal(r.replaced, 2, `token starting ${before} characters before a read's end`);
      assert.equal(readFileSync(output, "utf8"), `${pad}0912-345-678 備註\n0912-345-678\n`);
    }
    // where a read may be cut: before what it ends in the middle of (a token, "{{pii:", an escape)
    const cut = (s: string): number => unprotectPrefix(s, keys).consumed;
    assert.equal(cut("abc{{p"), 3);
    assert.equal(cut("abc{"), 3);
    assert.equal(cut("abc{{pii:enc1:X"), 3);
    assert.equal(cut("abc}"), 4);
    assert.equal(cut("abc{{pii:li"), 3);
    assert.equal(cut("abc\\u007b\\u00"), 3);
    assert.equal(cut("abc{{pii:x}}"), 12);
    assert.deepEqual(unprotectPrefix("abc{{pii:lit:x", keys), { text: "abc{{pii:x", consumed: 14, decrypted: 0, failed: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
