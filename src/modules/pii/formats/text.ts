// Plain text and logs: line-aligned segments of about 256 K characters; a line longer than 1 M
// characters is scanned in overlapping windows so that memory stays constant.
import type { Emitter } from "../emitter.ts";
import type { SkipNote } from "../pii.types.ts";

export const TARGET = 32 * 1024;
export const MAX_LINE = 1024 * 1024;
export const OVERLAP = 256;

/**
 * `cut`, or one character less when it would fall between the two halves of a surrogate pair: a
 * window must not end there (each half alone counts 3 bytes, as U+FFFD, and every byte offset after
 * it would be 2 too many).
 */
export function pairSafe(text: string, cut: number): number {
  const c = text.charCodeAt(cut - 1);
  return c >= 0xd800 && c <= 0xdbff ? cut - 1 : cut;
}

/** Where a window over `text` ends: OVERLAP characters before its end (pairSafe). */
export function windowCut(text: string): number {
  return pairSafe(text, text.length - OVERLAP);
}

/**
 * Scans `text` as one window of a value too long for a segment, leaving its last OVERLAP characters
 * or so (returned) to start the next window, so that nothing at the cut is missed.
 */
export function scanWindow(em: Emitter, text: string): string {
  const cut = windowCut(text);
  em.segment(text, undefined, cut);
  return text.slice(cut);
}

/** Feeds text chunks into an emitter; `initial` is text already read (e.g. after a format switch). */
export async function scanText(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[], initial = ""): Promise<void> {
  // Each chunk is cut after its last newline: what comes before (with the unfinished line carried
  // from earlier chunks) goes out in line-aligned segments, the rest is carried. Concatenating every
  // chunk onto one growing buffer and slicing segments off it made V8 copy the buffer over and over.
  let carry = "";
  let warned = false;
  const lines = (text: string): void => {
    while (text.length > TARGET) {
      let nl = text.lastIndexOf("\n", TARGET - 1);
      if (nl < 0) nl = text.indexOf("\n");
      if (nl < 0 || nl + 1 >= text.length) break;
      em.segment(text.slice(0, nl + 1));
      text = text.slice(nl + 1);
    }
    if (text.length > 0) em.segment(text);
  };
  const add = (c: string): void => {
    const last = c.lastIndexOf("\n");
    if (last < 0) {
      carry += c;
      if (carry.length < MAX_LINE) return;
      if (!warned) {
        warned = true;
        notes.push({ file: em.file, reason: "long-line", byteOffset: em.byte, detail: `line longer than ${MAX_LINE} characters scanned in overlapping windows; no part skipped` });
      }
      carry = scanWindow(em, carry);
      return;
    }
    const text = carry + c.slice(0, last + 1);
    carry = c.slice(last + 1);
    lines(text);
  };
  if (initial.length > 0) add(initial);
  for await (const c of chunks) add(c);
  if (carry.length > 0) em.segment(carry);
}
