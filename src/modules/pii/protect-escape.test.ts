// Token-like text already in the input ({{pii:…}}, valid or not, plain or written with JSON \u
// escapes) is escaped by protect, so that unprotect gives the input back byte for byte and never
// decrypts a token that was planted in the input. Inputs are random strings of token fragments,
// personal data and format syntax (seeded, so a failure can be replayed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseKeyList } from "./keys.ts";
import {
  decryptToken, DecryptError, encryptValue, escapeLiteralText, hmacToken, LiteralEscaper, protectText, unprotectPrefix, unprotectText,
  type Operator,
} from "./operators.ts";
import { detect } from "./detect.ts";
import { protectFile, unprotectFile } from "./protect-files.ts";
import { mulberry32 } from "../../../bench/pii/values.ts";

const ring = parseKeyList(`k1:${randomBytes(32).toString("base64")}`);
const enc: Operator = { kind: "encrypt", keys: ring };
const hmac: Operator = { kind: "hmac", keys: ring };
/** A token protect wrote for another file (same key): the value an attacker would like revealed. */
const SECRET = "F131104093";
const planted = encryptValue("TW_NATIONAL_ID", SECRET, ring);

const TOKEN_LIKE = [
  "{{pii:", "{{pii:enc1:", "{{pii:tok:", "{{pii:lit:", "{{pii:lit:lit:", "{{pii:}}", "{{pii::", "{{{pii:",
  planted, planted.slice(0, 30), planted.slice(25), `${planted.slice(0, -3)}}}`, planted.replace("TW_NATIONAL_ID", "EMAIL"),
  encryptValue("TW_MOBILE", "0912-345-678", parseKeyList(`k1:${randomBytes(32).toString("base64")}`)),
  hmacToken("TW_MOBILE", "0912345678", ring), "\\u007b\\u007bpii:", "\\u007B{pii:enc1:", "{\\u007bpii\\u003a",
  "\\u007b\\u007b\\u0070\\u0069\\u0069\\u003A", `\\u007b${planted.slice(1)}`,
];
const OTHER = [
  "{{pii", "{{pi", "{{", "{", "}}", "}", ":", "pii:", "lit:", "enc1:TW_MOBILE:k1:", "\\u007b", "\\u007", "\\u00", "\\", "\\\\",
  "0912-345-678", "A123456789", "test@example.com", "收件人 王小明 ", "4111111111111111", "手機", "備註：", "a", " ", "\n", ",", "\"",
  "\t", "x", "🙂", "\uFEFF", "'",
];
const FRAGMENTS = [...TOKEN_LIKE, ...OTHER];
/** Token-like text, as specified: "{{pii:" with each character plain or a JSON \u escape. */
const RE_TOKEN_LIKE = /(?:\{|\\u007[bB]){2}(?:p|\\u0070)(?:i|\\u0069){2}(?::|\\u003[aA])/;

function randomText(next: () => number, pool: readonly string[], maxParts = 24): string {
  let s = "";
  const n = Math.floor(next() * maxParts);
  for (let k = 0; k < n; k++) s += pool[Math.floor(next() * pool.length)] ?? "";
  return s;
}

/** protectText with hmac, as it was written before escapes: findings replaced, nothing else. */
function hmacPlain(x: string): string {
  let out = "", cur = 0;
  for (const d of detect(x)) {
    if (d.start < cur) continue;
    out += x.slice(cur, d.start) + hmacToken(d.type, x.slice(d.start, d.end), ring);
    cur = d.end;
  }
  return out + x.slice(cur);
}

test("library: unprotectText(protectText(x)) === x for random inputs full of token fragments", () => {
  const next = mulberry32(0x5eed);
  for (let i = 0; i < 600; i++) {
    const x = randomText(next, FRAGMENTS);
    const p: string = protectText(x, enc).text;
    const u = unprotectText(p, ring);
    assert.equal(u.text, x, `input ${JSON.stringify(x)}\nprotected ${JSON.stringify(p)}`);
    assert.equal(u.failed, 0, JSON.stringify(x));
    // every token-like text left in the copy without the mark is a token protect wrote
    const bare = [...p.matchAll(new RegExp(RE_TOKEN_LIKE.source, "g"))].filter((m) => !p.startsWith("lit:", m.index + m[0].length));
    assert.equal(bare.length, u.decrypted, JSON.stringify(p));
    assert.ok(!u.text.includes(SECRET) || x.includes(SECRET));
    // hmac output, unprotected, is the input with findings tokenised: planted tokens stay literal
    assert.equal(unprotectText(protectText(x, hmac).text, ring).text, hmacPlain(x), JSON.stringify(x));
  }
});

test("library: inputs without token-like text are protected exactly as before", () => {
  const next = mulberry32(7);
  for (let i = 0; i < 300; i++) {
    const x = randomText(next, OTHER);
    if (RE_TOKEN_LIKE.test(x)) continue;
    assert.equal(protectText(x, hmac).text, hmacPlain(x), JSON.stringify(x));
    // an encrypted copy written before escapes existed (tokens only) still unprotects
    assert.equal(unprotectText(protectText(x, enc).text, ring).text, x);
  }
});

test("a token planted in the input is given back as text, not decrypted", () => {
  for (const x of [`備註：${planted}`, planted, `"${planted}"`, `{{pii:lit:${planted.slice(6)}`, `{{pii:lit:lit:x ${planted}`]) {
    const p: string = protectText(x, enc).text;
    const u = unprotectText(p, ring);
    assert.equal(u.text, x);
    assert.equal(u.decrypted, 0);
  }
});

test("streams: the escape and its removal do not depend on where the text is cut", () => {
  const next = mulberry32(99);
  for (let i = 0; i < 80; i++) {
    const x = randomText(next, FRAGMENTS, 8);
    const whole = escapeLiteralText(x);
    // the escaper fed in two pieces, cut anywhere, writes the same text
    for (let c = 0; c <= x.length; c++) {
      const e = new LiteralEscaper();
      assert.equal(e.push(x.slice(0, c)) + e.push(x.slice(c)) + e.end(), whole, `${JSON.stringify(x)} cut at ${c}`);
    }
    // unprotect of a protected copy read in two pieces, cut anywhere (as unprotectFile reads it)
    const p: string = protectText(x, enc).text;
    for (let c = 0; c <= p.length; c++) {
      const a = unprotectPrefix(p.slice(0, c), ring);
      const b = unprotectPrefix(p.slice(0, c).slice(a.consumed) + p.slice(c), ring, true);
      assert.equal(a.text + b.text, x, `${JSON.stringify(p)} cut at ${c}`);
    }
  }
});

test("library: text built around tokens is escaped with escapeLiteralText; an escaped token is no token", () => {
  const note = `客戶留言：${planted}`;
  const stored = `${escapeLiteralText(note)} ${encryptValue("TW_MOBILE", "0912-345-678", ring)}`;
  assert.deepEqual(unprotectText(stored, ring), { text: `${note} 0912-345-678`, decrypted: 1, failed: 0 });
  assert.equal(escapeLiteralText("plain text, {{pii without a colon"), "plain text, {{pii without a colon");
  assert.equal(escapeLiteralText("{{pii:x \\u007b\\u007Bpii\\u003a"), "{{pii:lit:x \\u007b\\u007Bpii\\u003alit:");
  assert.throws(() => decryptToken(escapeLiteralText(planted), ring), (e: unknown) => e instanceof DecryptError && e.code === "BAD_TOKEN");
});

test("files of every format round-trip byte for byte, planted tokens included, and stay valid", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-escape-"));
  try {
    const next = mulberry32(42);
    const note = (): string => randomText(next, [...TOKEN_LIKE, "a", " ", "{", "}", ":", "0912-345-678", "\\u007b"], 12);
    // A JSON string holds no raw control characters or quotes: fragments are written as JSON writes them.
    const jsonStr = (s: string): string => JSON.stringify(s).slice(1, -1).replaceAll("\\\\u", "\\u");
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, note: note(), phone: "0912345678" }));
    const files: Record<string, string | Buffer> = {
      "notes.txt": rows.map((r) => `${r.id} 備註 ${r.note} 手機 ${r.phone}`).join("\n"),
      "orders.csv": `id,備註,手機\n${rows.map((r) => `${r.id},"${r.note.replaceAll("\"", "\"\"")}",${r.phone}`).join("\n")}\n`,
      "orders.json": `[${rows.map((r) => `{"id":${r.id},"note":"${jsonStr(r.note)}","phone":"${r.phone}"}`).join(",\n")}]\n`,
      "orders.ndjson": rows.map((r) => `{"id":${r.id},"note":"${jsonStr(r.note)}","phone":"${r.phone}"}`).join("\n") + "\n",
      "dump.sql": `CREATE TABLE orders (\n  id integer,\n  note text,\n  phone text\n);\nCOPY public.orders (id, note, phone) FROM stdin;\n${
        rows.map((r) => `${r.id}\t${r.note.replaceAll("\\", "\\\\")}\t${r.phone}`).join("\n")}\n\\.\n` +
        rows.map((r) => `INSERT INTO public.orders VALUES (${r.id}, '${r.note.replaceAll("'", "''")}', '${r.phone}');`).join("\n") + "\n",
      "notes.txt.gz": gzipSync(Buffer.from(rows.map((r) => `${r.note} ${r.phone}`).join("\n"))),
      // the attack: a token of another file pasted into a note, plain and with JSON escapes
      "attack.json": `{"note":"${planted}","n2":"\\u007b\\u007bpii:${planted.slice(6)}","phone":"0912345678"}\n`,
      // a long line (scanned in overlapping windows) dense with token-like text at every offset
      // (windows of 1 MiB end 256 characters early: at 1,048,320, which is 5 characters into an occurrence)
      "long.txt": `x${"{{pii:".repeat(175_000)} 0912-345-678\n${"\\u007b\\u007bpii:y".repeat(62_000)}\n`,
    };
    mkdirSync(join(dir, "in"));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, "in", name), body);
    for (const name of Object.keys(files)) {
      const input = join(dir, "in", name), p = join(dir, "p", name), u = join(dir, "u", name);
      const r = await protectFile(input, p, enc, {});
      assert.ok(r.replaced > 0, `${name}: nothing found`);
      const back = await unprotectFile(p, u, ring);
      assert.equal(back.failed, 0, name);
      const read = (f: string): string => (name.endsWith(".gz") ? gunzipSync(readFileSync(f)) : readFileSync(f)).toString("utf8");
      assert.ok(read(u) === read(input), `${name}: unprotect(protect(x)) differs from x`);
      assert.equal(back.replaced, r.replaced, `${name}: a token of the input was decrypted`);
      // nothing token-like is left unmarked in the copy but the tokens (also where segments meet)
      const copy = read(p);
      const bare = [...copy.matchAll(new RegExp(RE_TOKEN_LIKE.source, "g"))].filter((m) => !copy.startsWith("lit:", m.index + m[0].length));
      assert.equal(bare.length, r.replaced, `${name}: token-like text left unescaped`);
      if (name.endsWith("json")) {
        // the protected copy is still JSON, and code that parses it and restores each string value
        // does not decrypt the planted token either (not even the one written with \u escapes)
        for (const line of read(p).split("\n").filter((l) => l !== "")) {
          const strings: string[] = [];
          JSON.parse(name.endsWith(".ndjson") || name.startsWith("attack") ? line : read(p), (_k, v: unknown) => { if (typeof v === "string") strings.push(v); return v; });
          for (const s of strings) assert.ok(!unprotectText(s, ring).text.includes(SECRET), `${name}: ${s}`);
          if (!name.endsWith(".ndjson") && !name.startsWith("attack")) break;
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
