import assert from "node:assert/strict";
import { test } from "node:test";
import { CsvError, readCsv } from "./csv-stream.ts";

async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) {
    await Promise.resolve();
    yield text.slice(i, i + size);
  }
}

async function parse(text: string, size = 1000, limits = {}): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of readCsv(chunks(text, size), limits)) out.push(r);
  return out;
}

test("quoted fields, doubled quotes, CRLF, quoted line breaks, empty fields — at every chunk size", async () => {
  const text = 'a,b,c\r\n"x, y","he said ""hi""",\r\n"multi\nline",2,"3"\n\n,,\nlast,row,end';
  const expected = [["a", "b", "c"], ["x, y", 'he said "hi"', ""], ["multi\nline", "2", "3"], ["", "", ""], ["last", "row", "end"]];
  for (const size of [1, 2, 3, 5, 7, 1000]) assert.deepEqual(await parse(text, size), expected, `chunk ${size}`);
});

test("limits and malformed input are errors, not unbounded growth", async () => {
  await assert.rejects(parse(`${"x".repeat(50)}\n`, 7, { maxFieldChars: 20 }), CsvError);
  await assert.rejects(parse(`"${"x".repeat(50)}\n`, 7, { maxFieldChars: 20 }), CsvError);
  await assert.rejects(parse("a,b,c,d\n", 3, { maxFields: 3 }), CsvError);
  await assert.rejects(parse('"open\n'), /ends inside a quoted field/);
  await assert.rejects(parse('"a"b,c\n'), /after a closing quote/);
});

test("a field of doubled quotes counts against the field limit too, at every chunk size", async () => {
  // `""` inside a quoted field is one character; a field made of them alone must not grow past the limit
  const text = `"${'""'.repeat(500)}"\n`;
  for (const size of [1, 2, 3, 1000]) await assert.rejects(parse(text, size, { maxFieldChars: 100 }), /longer than 100 characters/, `chunk ${size}`);
  assert.deepEqual(await parse(`"${'""'.repeat(100)}"\n`, 7, { maxFieldChars: 100 }), [['"'.repeat(100)]]);
});
