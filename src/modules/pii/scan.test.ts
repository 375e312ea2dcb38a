import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Emitter } from "./emitter.ts";
import { scanCsv } from "./formats/csv.ts";
import { escapeSafe, scanJson } from "./formats/json.ts";
import { scanSqlDump } from "./formats/sql.ts";
import { scanText } from "./formats/text.ts";
import type { Finding, SkipNote } from "./pii.types.ts";
import { scanFile, type FileResult } from "./scan.ts";

const dir = mkdtempSync(join(tmpdir(), "pii-scan-"));
process.on("exit", () => { rmSync(dir, { recursive: true, force: true }); });

async function scan(name: string, content: string | Buffer): Promise<{ f: Finding[]; r: FileResult; text: string }> {
  const p = join(dir, name);
  writeFileSync(p, content);
  const f: Finding[] = [];
  const r = await scanFile(p, { showValues: true }, (x) => f.push(x));
  return { f, r, text: typeof content === "string" ? content : "" };
}

const brief = (fs: Finding[]): Array<[string, string | undefined, string | null]> => fs.map((x) => [x.type, x.value, x.column]);

test("text: UTF-16 and byte offsets, lines", async () => {
  const t = "第一行\n收件人：陳志明 手機 0912-345-678\nemail a@b.tw\n";
  const { f } = await scan("a.txt", t);
  assert.deepEqual(brief(f), [["PERSON_NAME_ZH", "陳志明", null], ["TW_MOBILE", "0912-345-678", null], ["EMAIL", "a@b.tw", null]]);
  for (const x of f) {
    assert.equal(t.slice(x.start, x.end), x.value);
    assert.equal(Buffer.from(t).subarray(x.byteStart, x.byteEnd).toString(), x.value);
  }
  assert.deepEqual(f.map((x) => x.line), [2, 2, 3]);
});

test("a text file read in many chunks: every finding's value sits at its offsets, across the 64 KB reads", async () => {
  // 3-byte characters and a 4-byte emoji shift the lines against the 64 KB reads, so that multi-byte
  // characters and findings straddle them; each chunk is decoded before the next read reuses the buffer.
  const lines: string[] = [];
  for (let i = 0; i < 9000; i++) lines.push(`${"陳".repeat(i % 13)}😀 第${i}行 手機 09${String(10_000_000 + i * 7).slice(0, 8)} 身分證 A123456789`);
  const t = lines.join("\n") + "\n";
  assert.ok(Buffer.byteLength(t) > 6 * 65_536);
  const { f, r } = await scan("chunks.txt", t);
  assert.equal(r.bytes, Buffer.byteLength(t));
  const bytes = Buffer.from(t);
  assert.equal(f.filter((x) => x.type === "TW_NATIONAL_ID").length, 9000);
  assert.equal(f.filter((x) => x.type === "TW_MOBILE").length, 9000);
  for (const x of f) {
    assert.equal(t.slice(x.start, x.end), x.value);
    assert.equal(bytes.subarray(x.byteStart, x.byteEnd).toString(), x.value);
  }
});

test("CSV: BOM, zh headers, quoted newlines and commas, negative order-number column", async () => {
  const t = "\uFEFF姓名,手機,訂單編號,備註\n陳志明,0912345678,0912000111,\"多行\n身分證 A123456789, 好\"\n林美玲,0987654321,0987000111,無\n";
  const { f, r } = await scan("b.csv", t);
  assert.deepEqual(brief(f), [
    ["PERSON_NAME_ZH", "陳志明", "姓名"], ["TW_MOBILE", "0912345678", "手機"], ["TW_NATIONAL_ID", "A123456789", "備註"],
    ["PERSON_NAME_ZH", "林美玲", "姓名"], ["TW_MOBILE", "0987654321", "手機"],
  ]);
  assert.equal(f[2]?.line, 3);
  for (const x of f) assert.equal(t.slice(x.start, x.end), x.value);
  assert.equal(r.columns?.["姓名"], 2);
});

test("TSV without a header, English headers in CSV", async () => {
  const { f } = await scan("c.tsv", "1\tA123456789\tx@y.com\n");
  assert.deepEqual(brief(f), [["TW_NATIONAL_ID", "A123456789", "#2"], ["EMAIL", "x@y.com", "#3"]]);
  const { f: g } = await scan("d.csv", "buyer_email,ubn,dob\nq@r.tw,22099131,1990/01/02\n");
  assert.deepEqual(brief(g), [["EMAIL", "q@r.tw", "buyer_email"], ["TW_BUSINESS_NUMBER", "22099131", "ubn"], ["DATE_OF_BIRTH", "1990/01/02", "dob"]]);
});

test("CSV with an unbalanced quote is reported and still scanned", async () => {
  const t = "a,b\n1,\"never closed, A123456789\n" + "x,".repeat(600_000) + "\n0912-345-678\n";
  const { f, r } = await scan("e.csv", t);
  assert.ok(r.notes.some((n) => n.reason === "unbalanced-quote"));
  assert.deepEqual(f.map((x) => x.type), ["TW_NATIONAL_ID", "TW_MOBILE"]);
  for (const x of f) assert.equal(t.slice(x.start, x.end), x.value);
});

test("a finding over a line break moves the line count past it, at the end of a segment too", async () => {
  // An address cell with a newline in it, the last thing in the file (its quote never closed), and
  // one followed by another row.
  const open = "備註,地址\nx,\"台北市信義區\n信義路五段7號";
  const { f, r } = await scan("multi-line-end.csv", open);
  assert.deepEqual(f.map((x) => [x.type, x.line]), [["TW_ADDRESS", 2]]);
  assert.equal(r.lines, 3);
  const t = "地址,手機\n\"台北市信義區\n信義路五段7號\",0912345678\n,0922333444\n";
  const { f: g, r: gr } = await scan("multi-line.csv", t);
  assert.deepEqual(g.map((x) => [x.type, x.line]), [["TW_ADDRESS", 2], ["TW_MOBILE", 3], ["TW_MOBILE", 4]]);
  assert.equal(gr.lines, 5);
});

test("JSON and NDJSON: key paths as columns, numbers, escapes", async () => {
  const t = '[{"buyer":{"name":"王小明","phones":["0912-345-678"]},"ubn":22099131,"note":"a \\"q\\" 身分證 A123456789"}]';
  const { f } = await scan("f.json", t);
  assert.deepEqual(brief(f), [["PERSON_NAME_ZH", "王小明", "[].buyer.name"], ["TW_MOBILE", "0912-345-678", "[].buyer.phones[]"], ["TW_BUSINESS_NUMBER", "22099131", "[].ubn"], ["TW_NATIONAL_ID", "A123456789", "[].note"]]);
  const { f: g } = await scan("g.ndjson", '{"email":"a@b.tw"}\n{"收件人":"陳志明"}\n');
  assert.deepEqual(brief(g), [["EMAIL", "a@b.tw", "email"], ["PERSON_NAME_ZH", "陳志明", "收件人"]]);
  assert.equal(g[1]?.line, 2);
});

test("JSON key paths: the same key under other parents, records that repeat their keys, and past the remembered paths", async () => {
  // Paths are made once per parent and key (up to 10,000 per file); these cross that limit.
  const n = 10_050;
  const rows = Array.from({ length: n }, (_, i) => `"k${i}":{"mobile":"0912-345-678","x":{"mobile":"0912-345-678"}}`);
  const { f, r } = await scan("many-keys.json", `{"m":{${rows.join(",")}}}`);
  assert.equal(f.length, 2 * n);
  f.forEach((x, j) => { assert.equal(x.column, `m.k${Math.floor(j / 2)}${j % 2 === 0 ? "" : ".x"}.mobile`); });
  assert.equal(r.columns?.["m.k0.x.mobile"], 1);
  const { f: g } = await scan("repeat.ndjson", '{"a":{"phone":"0912-345-678"},"b":{"phone":"0912-345-678"}}\n'.repeat(3));
  assert.deepEqual(g.map((x) => x.column), ["a.phone", "b.phone", "a.phone", "b.phone", "a.phone", "b.phone"]);
  // A path over 256 characters keeps its last 255 after "…" (deep nesting with long keys: 10,000 such
  // records, each path kept by the counts per column and the renderer, ran a worker out of memory).
  const keys = Array.from({ length: 8 }, (_, k) => `${String(k)}${"k".repeat(98)}𠀋`);
  const deep = (v: string): string => keys.reduceRight((inner, k) => `{"${k}":${inner}}`, `{"mobile":"${v}","list":["${v}"]}`);
  const { f: h, r: hr } = await scan("deep-keys.ndjson", `${deep("0912-345-678")}\n${deep("0922-333-444")}\n`);
  const path = keys.join(".");
  const tail = (p: string): string => `…${p.slice(p.length - 255)}`;
  assert.deepEqual(h.map((x) => [x.value, x.column]), [
    ["0912-345-678", tail(`${path}.mobile`)], ["0912-345-678", tail(`${path}.list[]`)], ["0922-333-444", tail(`${path}.mobile`)], ["0922-333-444", tail(`${path}.list[]`)],
  ]);
  assert.ok(Object.keys(hr.columns ?? {}).every((c) => c.length <= 256));
  // A cut that would start inside a surrogate pair starts after it: 8 × 101 + 7 + 50 = 865, and 865 − 255 is
  // the low half of key 5's last character.
  const leaf = "m".repeat(49);
  const { f: s } = await scan("deep-pair.ndjson", keys.reduceRight((inner, k) => `{"${k}":${inner}}`, `{"${leaf}":"0912-345-678"}`) + "\n");
  const full = `${path}.${leaf}`;
  assert.equal(full.length, 865);
  assert.equal(full.charCodeAt(865 - 255) & 0xfc00, 0xdc00);
  assert.deepEqual(s.map((x) => x.column), [`…${full.slice(865 - 254)}`]);
});

test("deeply nested JSON does not overflow; the value is still found", async () => {
  const depth = 100_000;
  const t = "[".repeat(depth) + '"身分證 A123456789"' + "]".repeat(depth);
  const { f, r } = await scan("h.json", t);
  assert.deepEqual(f.map((x) => x.value), ["A123456789"]);
  assert.ok(r.notes.some((n) => n.reason === "deep-json"));
});

test("pg_dump: COPY and INSERT with column names from CREATE TABLE", async () => {
  const t = [
    "--", "-- PostgreSQL database dump", "--",
    "CREATE TABLE public.members (", "    id integer NOT NULL,", "    full_name text,", "    phone text", ");",
    "COPY public.members (id, full_name, phone) FROM stdin;", "1\t陳志明\t0912345678", "\\.",
    "INSERT INTO public.members VALUES (2, '林美玲', '0987654321');",
    "INSERT INTO public.members (id, full_name) VALUES (3, 'O''Neil'), (4, '歐陽娜娜');", "",
  ].join("\n");
  const { f } = await scan("dump.sql", t);
  assert.deepEqual(brief(f), [
    ["PERSON_NAME_ZH", "陳志明", "members.full_name"], ["TW_MOBILE", "0912345678", "members.phone"],
    ["PERSON_NAME_ZH", "林美玲", "members.full_name"], ["TW_MOBILE", "0987654321", "members.phone"],
    ["PERSON_NAME_ZH", "歐陽娜娜", "members.full_name"],
  ]);
});

test("pg_dump: an INSERT without a column list takes the columns of the latest CREATE TABLE of its table", async () => {
  const t = [
    "INSERT INTO public.a VALUES ('0912345678');", "INSERT INTO public.a VALUES ('0912345678');",
    "CREATE TABLE public.a (", "    phone text", ");",
    "INSERT INTO public.a VALUES ('0912345678');",
    "CREATE TABLE public.a (", "    mobile text", ");",
    "INSERT INTO public.a VALUES ('0912345678');", "",
  ].join("\n");
  const { f } = await scan("redefined.sql", t);
  assert.deepEqual(f.map((x) => x.column), ["a.#1", "a.#1", "a.phone", "a.mobile"]);
});

test("pg_dump: what is remembered of tables and columns is bounded (63-character names, 1,600 columns, 10,000 tables)", async () => {
  // A hostile dump (600,000 CREATE TABLEs, or one table with 3 million columns) ran a worker out of
  // memory; past the bounds, columns are named by position.
  const long = "n".repeat(100);
  const wide = ["CREATE TABLE public.wide (", `    ${long} text,`, ...Array.from({ length: 1700 }, (_, k) => `    c${String(k + 2)} text,`), ");"];
  const values = Array.from({ length: 1701 }, (_, k) => (k === 1 || k === 1650 || k === 0 ? "'0912345678'" : "'x'"));
  const tables = Array.from({ length: 10_001 }, (_, k) => `CREATE TABLE public.t${String(k)} (\n    phone text\n);`);
  const t = [
    ...wide, `INSERT INTO public.wide VALUES (${values.join(", ")});`,
    ...tables, "INSERT INTO public.t0 VALUES ('0912345678');", "INSERT INTO public.t10000 VALUES ('0912345678');", "",
  ].join("\n");
  const { f } = await scan("bounded.sql", t);
  assert.deepEqual(f.map((x) => x.column), [`wide.${"n".repeat(63)}`, "wide.c2", "wide.#1651", "t0.phone", "t10000.#1"]);
  // 100,000 column names in all: a table defined again past that is forgotten, its old definition too;
  // a name is not cut inside a surrogate pair.
  const big = (name: string, n: number, prefix: string): string[] => [`CREATE TABLE public.${name} (`, ...Array.from({ length: n }, (_, k) => `    ${prefix}${String(k)} text,`), ");"];
  const u = [
    ...Array.from({ length: 62 }, (_, k) => big(`w${String(k)}`, 1600, "c")).flat(),
    ...big("t", 2, "phone"), "INSERT INTO public.t VALUES ('x', '0912345678');",
    ...big("t", 1600, "d"), "INSERT INTO public.t VALUES ('x', '0912345678');",
    `INSERT INTO public.s ("${"名".repeat(62)}𠀋") VALUES ('0912345678');`, "",
  ].join("\n");
  const { f: g } = await scan("bounded-names.sql", u);
  assert.deepEqual(g.map((x) => x.column), ["t.phone1", "t.#2", `s.${"名".repeat(62)}`]);
});

test("Big5 is detected; byte offsets are Big5 bytes", async () => {
  const big5 = Buffer.from([0xa6, 0xac, 0xa5, 0xf3, 0xa4, 0x48]); // 收件人
  const body = Buffer.concat([big5, Buffer.from(":"), Buffer.from([0xb3, 0xaf, 0xa7, 0xd3, 0xa9, 0xfa]), Buffer.from(" 0912-345-678\n")]);
  const { f, r } = await scan("big5.txt", body);
  assert.equal(r.encoding, "big5");
  assert.deepEqual(f.map((x) => [x.type, x.byteStart, x.byteEnd]), [["PERSON_NAME_ZH", 7, 13], ["TW_MOBILE", 14, 26]]);
});

test("gzip, truncated gzip, binary, invalid UTF-8", async () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `line ${i} 身分證 A123456789 ${"x".repeat(i % 50)}`).join("\n");
  const gz = gzipSync(text);
  const { f: whole } = await scan("a.log.gz", gz);
  assert.equal(whole.length, 20_000);
  const { f: part, r } = await scan("b.log.gz", gz.subarray(0, Math.floor(gz.length / 2)));
  assert.ok(r.notes.some((n) => n.reason === "truncated-gzip"));
  assert.ok(part.length > 100 && part.length < 20_000);
  const bin = Buffer.alloc(4096);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
  const { f: nb, r: rb } = await scan("x.bin", bin);
  assert.equal(nb.length, 0);
  assert.equal(rb.notes[0]?.reason, "binary");
  const bad = Buffer.concat([Buffer.from("身分證 A123456789 "), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(" a@b.co\n")]);
  const { f: nu, r: ru } = await scan("bad.txt", bad);
  assert.deepEqual(nu.map((x) => x.type), ["TW_NATIONAL_ID", "EMAIL"]);
  assert.ok(ru.notes.some((n) => n.reason === "invalid-utf8"));
});

test("a single line of several MB is scanned in windows, entities at the window edges included", async () => {
  const n = 3 * 1024 * 1024;
  const chars = Array.from({ length: n }, () => "x");
  const put = (at: number, s: string): void => { for (let i = 0; i < s.length; i++) chars[at + i] = s.charAt(i); };
  const at = [10, 1024 * 1024 - 256 - 5, 1024 * 1024 - 5, 2 * 1024 * 1024 - 3, n - 20];
  for (const a of at) put(a, " A123456789 ");
  const { f, r } = await scan("long.txt", chars.join(""));
  assert.deepEqual(f.map((x) => x.start), at.map((a) => a + 1));
  assert.ok(r.notes.some((x) => x.reason === "long-line"));
});

test("JSON strings with \\uXXXX and other escapes are scanned decoded, offsets pointing at the escaped text", async () => {
  // 陳志明 and the phone written as \u escapes, a national ID after an escaped newline, an escaped key.
  const t = '{"\\u6536\\u4ef6\\u4eba":"\\u9673\\u5fd7\\u660e","note":"line1\\n\\u8eab\\u5206\\u8b49 A123456789","tel":"\\u0030912-345-678"}\n';
  const { f } = await scan("u.json", t);
  assert.deepEqual(f.map((x) => [x.type, x.value, x.column, t.slice(x.start, x.end)]), [
    ["PERSON_NAME_ZH", "陳志明", "收件人", "\\u9673\\u5fd7\\u660e"],
    ["TW_NATIONAL_ID", "A123456789", "note", "A123456789"],
    ["TW_MOBILE", "0912-345-678", "tel", "\\u0030912-345-678"],
  ]);
  for (const x of f) assert.equal(Buffer.byteLength(t.slice(0, x.start)), x.byteStart);
  assert.equal(f[0]?.masked, "陳○明");
});

/** Runs a format reader over `text` in 64 K-character chunks; returns the findings and the longest segment scanned. */
async function readWith(reader: (chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[]) => Promise<void>, text: string): Promise<{ f: Finding[]; longest: number; columns: Record<string, number> }> {
  const f: Finding[] = [];
  let longest = 0;
  class Measured extends Emitter {
    override segment(t: string, cells?: Parameters<Emitter["segment"]>[1], consumed = t.length): void {
      longest = Math.max(longest, t.length);
      super.segment(t, cells, consumed);
    }
  }
  const em = new Measured("mem", "utf-8", { showValues: true }, (x) => f.push(x));
  await reader((async function* () { for (let i = 0; i < text.length; i += 65_536) yield text.slice(i, i + 65_536); })(), em, []);
  return { f, longest, columns: Object.fromEntries(em.cellsPerColumn) };
}

test("the CSV and JSON readers resume across chunk ends: cut at every position, the same findings and columns", async () => {
  // Escapes, doubled quotes and quoted newlines at every chunk boundary (the readers jump inside
  // strings and quoted fields to the next quote or backslash).
  const json = '[{"name":"王小明","note":"他說 \\"身分證 A123456789\\" \\\\ \\u0030912-345-678","tel":"0912345678"},{"e\\"k":"a@b.tw","x":["x\\\\","身分證 B123456780"]}]';
  const csv = '姓名,手機,備註\n王小明,0912345678,"他說 ""身分證 A123456789""\n第二行 a@b.tw"\n"陳""志明",0922-333-444,"x"\n';
  for (const [reader, text] of [[scanJson, json], [scanCsv, csv]] as const) {
    const run = async (cut: number): Promise<string[]> => {
      const f: Finding[] = [];
      const em = new Emitter("mem", "utf-8", { showValues: true }, (x) => f.push(x));
      const chunks = (async function* () { yield text.slice(0, cut); yield text.slice(cut); })();
      if (reader === scanCsv) await scanCsv(chunks, em, [], ".csv"); else await scanJson(chunks, em, []);
      return f.map((x) => `${x.type} ${x.value ?? ""} ${x.column ?? ""} ${x.start}-${x.end} ${x.byteStart}-${x.byteEnd} ${x.line}`);
    };
    const whole = await run(text.length);
    assert.ok(whole.length >= 4, whole.join("\n"));
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(await run(cut), whole, `cut at ${cut}: ${JSON.stringify(text.slice(cut - 3, cut + 3))}`);
  }
});

test("a JSON string of several MB after other keys is scanned in bounded windows, each value reported once", async () => {
  // Before, a long string was windowed only when it began the buffer: after a key it grew the buffer
  // to its whole length (a 30 MB string took a worker past its heap cap and aborted the process).
  const n = 200_000;
  const t = `{"id":"A123456789","note":"${" a.bc@example.com".repeat(n)}","tel":"0912345678"}`;
  const { f, longest, columns } = await readWith(scanJson, t);
  assert.ok(longest < 1_200_000, `a segment of ${longest} characters`);
  const emails = f.filter((x) => x.type === "EMAIL");
  assert.equal(emails.length, n); // no tail of a value cut by a window ("c@example.com") reported again
  // Each window of the string is a cell of its key ("note"), and the string counts as one cell.
  assert.ok(emails.every((x) => x.value === "a.bc@example.com" && t.slice(x.start, x.end) === x.value && x.column === "note"));
  assert.deepEqual(brief(f.filter((x) => x.type !== "EMAIL")), [["TW_NATIONAL_ID", "A123456789", "id"], ["TW_MOBILE", "0912345678", "tel"]]);
  assert.deepEqual(columns, { id: 1, note: 1, tel: 1 });
});

test("a JSON string of several MB with escapes is scanned decoded in every window, and no window ends inside an escape", async () => {
  // Before, only the string's last part was decoded: in the windows before it, "\n0912345678" read as
  // "n0912345678" (a letter before the digits: no phone). Escapes of six characters (\u0020) make it
  // likely that a window's edge would fall inside one.
  const n = 80_000;
  const unit = "\\u0020\\u0020手機\\n0912345678\\t";
  const t = `{"id":"x","note":"${unit.repeat(n)}"}`;
  assert.ok(t.length > 2_000_000);
  const { f, longest } = await readWith(scanJson, t);
  assert.ok(longest < 1_200_000, `a segment of ${longest} characters`);
  const phones = f.filter((x) => x.type === "TW_MOBILE");
  assert.equal(phones.length, n);
  assert.ok(phones.every((x) => x.value === "0912345678" && t.slice(x.start, x.end) === "0912345678" && x.column === "note"));
  assert.equal(f.length, n);
  // the cut moves back to the escape's start; a cut outside any escape stays
  assert.equal(escapeSafe("ab\\u0041cd", 0, 5), 2);
  assert.equal(escapeSafe("ab\\u0041cd", 0, 8), 8);
  assert.equal(escapeSafe("ab\\\\ncd", 0, 4), 4, "an escaped backslash is one escape; the n after it is plain");
  assert.equal(escapeSafe("ab\\nc", 0, 3), 2);
  assert.equal(escapeSafe("ab\\uZZ", 0, 3), 3, "a malformed \\u is plain text");
});

test("a long line is scanned in windows: a value across a window edge is reported once, whole", async () => {
  // 64 K reads make windows of 1 M characters that overlap by 256: the padding puts the first edges
  // inside the local parts of e-mail addresses, whose tails are valid addresses themselves.
  const n = 190_000;
  const t = "x".repeat(12) + " a.bc@example.com".repeat(n) + "\n";
  const { f } = await scan("edge.txt", t);
  assert.equal(f.length, n);
  assert.ok(f.every((x) => x.value === "a.bc@example.com" && t.slice(x.start, x.end) === x.value));
});

test("pg_dump: a string literal over many lines is cut into cells of its column, the buffer bounded", async () => {
  const lines = 100_000; // 2.1 M characters in one INSERT string
  const body = Array.from({ length: lines }, (_, i) => `第${i}行 身分證 A123456789`).join("\n");
  const t = `CREATE TABLE notes (\n    id integer,\n    body text\n);\nINSERT INTO notes (id, body) VALUES (1, '${body}');\nINSERT INTO notes VALUES (2, '0912345678');\n`;
  const { f, longest, columns } = await readWith(scanSqlDump, t);
  assert.ok(longest < 1_200_000, `a segment of ${longest} characters`);
  assert.equal(f.length, lines + 1);
  assert.ok(f.slice(0, lines).every((x) => x.type === "TW_NATIONAL_ID" && x.column === "notes.body" && t.slice(x.start, x.end) === x.value));
  assert.deepEqual(brief(f.slice(lines)), [["TW_MOBILE", "0912345678", "notes.body"]]);
  assert.deepEqual(columns, { "notes.id": 2, "notes.body": 2 }); // the cut literal counts as one cell
});

test("pg_dump: a COPY row longer than 1 M characters is scanned as text to its end, the next rows as cells again", async () => {
  // Its tail used to be read as a row of its own: a cell of the first column (id), which suppressed
  // the phone numbers in it as order-number look-alikes.
  const n = 100_000;
  const t = `COPY public.t (id, body) FROM stdin;\n1\t${"身分證 A123456789 手機 0912-345-678 ".repeat(n)}\n2\t0987654321\n\\.\n`;
  const { f, r } = await scan("long-copy.sql", t);
  assert.ok(r.notes.some((x) => x.reason === "long-line"));
  assert.equal(f.filter((x) => x.type === "TW_NATIONAL_ID").length, n);
  assert.equal(f.filter((x) => x.value === "0912-345-678").length, n);
  assert.deepEqual(brief(f.slice(-1)), [["TW_MOBILE", "0987654321", "t.body"]]);
  for (const x of f) assert.equal(t.slice(x.start, x.end), x.value);
});

test("CSV: a record over 1 M characters is scanned as text in bounded windows, the records after it in their columns", async () => {
  // Before, the rest of the file after such a record was read as plain text: no columns, so the
  // phone numbers of the 手機 column after it lost their column (and a bare 09… number without a cue
  // scored lower), and a quoted field's closing quote was never looked for.
  const n = 30_000;
  const long = "身分證 A123456789 email a.bc@example.com ".repeat(n); // 1.2 M characters: one window edge
  const rows = (from: number): string => Array.from({ length: 3 }, (_, k) => `${from + k},陳志明,0912345678\n`).join("");
  for (const [name, record] of [["unquoted", `9,${long},x\n`], ["quoted, with newlines", `9,"${long.replaceAll("email", "\nemail")}",x\n`]] as const) {
    const t = `編號,姓名,手機\n${rows(1)}${record}${rows(10)}`;
    const { f, longest } = await readWith((c, em, notes) => scanCsv(c, em, notes, ".csv"), t);
    assert.ok(longest < 1_200_000, `${name}: a segment of ${longest} characters`);
    assert.equal(f.filter((x) => x.type === "TW_NATIONAL_ID" && x.column === null).length, n, name);
    assert.equal(f.filter((x) => x.type === "EMAIL" && x.value === "a.bc@example.com").length, n, name);
    const recordEnd = t.indexOf(record) + record.length;
    const after = f.filter((x) => x.start >= recordEnd);
    assert.deepEqual(brief(after), Array.from({ length: 3 }, () => [["PERSON_NAME_ZH", "陳志明", "姓名"], ["TW_MOBILE", "0912345678", "手機"]]).flat(), name);
    for (const x of f) assert.equal(t.slice(x.start, x.end), x.value);
    const lines = t.split("\n");
    assert.equal(after[0]?.line, lines.findIndex((l) => l.startsWith("10,")) + 1, name);
  }
  // A first line this long (no newline at all) is not buffered whole to sniff the delimiter either.
  const { f: one, longest } = await readWith((c, em, notes) => scanCsv(c, em, notes, ".csv"), long);
  assert.ok(longest < 1_200_000, `one line: a segment of ${longest} characters`);
  assert.equal(one.filter((x) => x.type === "TW_NATIONAL_ID").length, n);
  const { r } = await scan("long-record.csv", `a,b\n1,${long}\n2,x\n`);
  assert.ok(r.notes.some((x) => x.reason === "long-line"));
});

test("windows never end inside a surrogate pair: byte offsets after emoji at window edges stay exact", async () => {
  // A value of 1.4 M characters of emoji (surrogate pairs) is cut into windows; with one more
  // character in front the cuts change parity, so in one of the two runs a cut would fall between the
  // halves of a pair. Each half counted alone (3 bytes, as U+FFFD) made every later byte offset 2 too many.
  const run = "😀".repeat(700_000);
  for (const pad of ["", "x"]) {
    const body = `${pad}${run} y@example.com ${"x".repeat(300_000)}`;
    const cases: Array<[string, (c: AsyncIterable<string>, em: Emitter, notes: SkipNote[]) => Promise<void>, string]> = [
      ["text", scanText, `${body}\n`],
      ["csv", (c, em, notes) => scanCsv(c, em, notes, ".csv"), `a,b\n1,${body}\n`],
      ["json", scanJson, `{"k":"${body}"}`],
      ["sql", scanSqlDump, `COPY public.t (id, body) FROM stdin;\n1\t${body}\n\\.\n`],
    ];
    for (const [name, reader, t] of cases) {
      const { f } = await readWith(reader, t);
      assert.equal(f.length, 1, name);
      const [x] = f;
      assert.ok(x);
      assert.equal(t.slice(x.start, x.end), "y@example.com", name);
      assert.equal(x.byteStart, Buffer.byteLength(t.slice(0, x.start)), `${name}, pad "${pad}"`);
    }
  }
});
