// JSON and NDJSON: a resumable, non-recursive tokenizer that tracks the key path of every value
// (arrays as "[]"), so keys act as column headers. Nesting deeper than MAX_DEPTH is still scanned,
// with the path truncated. Malformed JSON never stops the scan. Strings with backslash escapes
// (\uXXXX, \n …) are scanned decoded, with offsets mapped back to the escaped text (emitter.ts).
import { decodeJsonString, type Cell, type Emitter } from "../emitter.ts";
import { classifyHeader, type ColumnClass } from "../lexicon.ts";
import type { SkipNote } from "../pii.types.ts";
import { TARGET } from "./text.ts";

export const MAX_DEPTH = 256;
const MAX_STRING = 1024 * 1024;

interface Frame { obj: boolean; key: string; expectKey: boolean; path: string; cls: ColumnClass; keyPath: string; keyCls: ColumnClass }

export async function scanJson(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[]): Promise<void> {
  let buf = "";
  let i = 0;
  const stack: Frame[] = [];
  let overflow = 0;
  let inStr = false, esc = false, strStart = 0, strEscaped = false;
  let scalarStart = -1;
  let cells: Cell[] = [];
  let safe = 0; // last offset outside any string: segments end here
  let warnedDepth = false, warnedSyntax = false;

  const top = (): Frame | undefined => stack[stack.length - 1];
  const valuePath = (): { path: string; cls: ColumnClass } => {
    const f = top();
    if (!f) return { path: "$", cls: "UNKNOWN" };
    if (overflow > 0) return { path: `${f.path}…`, cls: "UNKNOWN" };
    if (f.obj) return { path: f.keyPath, cls: f.keyCls };
    return { path: f.keyPath, cls: f.cls };
  };
  const open = (obj: boolean): void => {
    if (stack.length >= MAX_DEPTH) {
      overflow++;
      if (!warnedDepth) {
        warnedDepth = true;
        notes.push({ file: em.file, reason: "deep-json", byteOffset: em.byte, detail: `nesting deeper than ${MAX_DEPTH}; values below are scanned with truncated key paths` });
      }
      return;
    }
    const { path, cls } = valuePath();
    const p = stack.length === 0 ? "" : path;
    stack.push({ obj, key: "", expectKey: obj, path: p, cls, keyPath: obj ? p : `${p}[]`, keyCls: "UNKNOWN" });
  };
  const close = (): void => {
    if (overflow > 0) { overflow--; return; }
    stack.pop();
  };
  const scalar = (s: number, e: number, isString: boolean): void => {
    const f = top();
    if (f?.obj && f.expectKey && isString && overflow === 0) {
      const rawKey = buf.slice(s + 1, Math.min(e - 1, s + 129));
      f.key = strEscaped ? decodeJsonString(rawKey).text : rawKey;
      f.expectKey = false;
      f.keyPath = f.path ? `${f.path}.${f.key}` : f.key;
      f.keyCls = classifyHeader(f.key);
      return;
    }
    const { path, cls } = valuePath();
    const cell: Cell = { start: isString ? s + 1 : s, end: isString ? e - 1 : e, column: path, cls };
    if (isString && strEscaped) cell.escaped = true;
    cells.push(cell);
  };
  const flush = (final: boolean): void => {
    const cut = final ? buf.length : safe;
    if (cut === 0) return;
    const segCells = cells.filter((c) => c.start < cut);
    em.segment(buf.slice(0, cut), segCells);
    cells = cells.filter((c) => c.start >= cut).map((c) => ({ ...c, start: c.start - cut, end: c.end - cut }));
    buf = buf.slice(cut);
    i -= cut; strStart -= cut; safe = 0;
    if (scalarStart >= 0) scalarStart -= cut;
  };

  for await (const chunk of chunks) {
    buf += chunk;
    const len = buf.length;
    while (i < len) {
      const c = buf.charCodeAt(i);
      if (inStr) {
        if (esc) esc = false;
        else if (c === 92) { esc = true; strEscaped = true; }
        else if (c === 34) { inStr = false; scalar(strStart, i + 1, true); safe = i + 1; }
        i++;
        continue;
      }
      if (scalarStart >= 0 && !((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69 || (c >= 97 && c <= 122))) {
        scalar(scalarStart, i, false);
        scalarStart = -1;
      }
      if (c === 34) { inStr = true; strStart = i; strEscaped = false; }
      else if (c === 123) open(true);
      else if (c === 91) open(false);
      else if (c === 125 || c === 93) close();
      else if (c === 44) { const f = top(); if (f?.obj && overflow === 0) f.expectKey = true; }
      else if (scalarStart < 0 && ((c >= 48 && c <= 57) || c === 45 || c === 116 || c === 102 || c === 110)) scalarStart = i;
      else if (c !== 58 && c !== 32 && c !== 10 && c !== 13 && c !== 9 && scalarStart < 0 && !warnedSyntax) {
        warnedSyntax = true;
        notes.push({ file: em.file, reason: "json-syntax", byteOffset: em.byte, detail: `unexpected character ${JSON.stringify(String.fromCharCode(c))}; scanning continues` });
      }
      if (!inStr) safe = i + 1;
      i++;
    }
    if (inStr && i - strStart > MAX_STRING && safe === 0) {
      // A huge string: scan what we have and continue inside it.
      em.segment(buf.slice(0, i), cells.filter((c) => c.start < i - 256), i - 256);
      const cut = i - 256;
      cells = [];
      buf = buf.slice(cut); i -= cut; strStart = 0;
    }
    if (safe >= TARGET) flush(false);
  }
  if (scalarStart >= 0) scalar(scalarStart, buf.length, false);
  if (inStr) cells.push({ start: strStart + 1, end: buf.length, column: valuePath().path, cls: "UNKNOWN" });
  flush(true);
}
