// Plain text and logs: line-aligned segments of about 256 K characters; a line longer than 1 M
// characters is scanned in overlapping windows so that memory stays constant.
import type { Emitter } from "../emitter.ts";
import type { SkipNote } from "../pii.types.ts";

export const TARGET = 32 * 1024;
export const MAX_LINE = 1024 * 1024;
export const OVERLAP = 256;

/** Feeds text chunks into an emitter; `initial` is text already read (e.g. after a format switch). */
export async function scanText(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[], initial = ""): Promise<void> {
  let buf = initial;
  let warned = false;
  const drain = (final: boolean): void => {
    while (buf.length >= TARGET || (final && buf.length > 0)) {
      // Segments of at most TARGET characters where lines allow (a decoded chunk of 1 MB can hold
      // a million characters; smaller segments keep the worker's live heap small).
      let nl = buf.length > TARGET ? buf.lastIndexOf("\n", TARGET - 1) : buf.lastIndexOf("\n");
      if (nl < 0) nl = buf.indexOf("\n");
      if (nl >= 0) {
        em.segment(buf.slice(0, nl + 1));
        buf = buf.slice(nl + 1);
        continue;
      }
      if (final) { em.segment(buf); buf = ""; return; }
      if (buf.length < MAX_LINE) return;
      if (!warned) {
        warned = true;
        notes.push({ file: em.file, reason: "long-line", byteOffset: em.byte, detail: `line longer than ${MAX_LINE} characters scanned in overlapping windows; no part skipped` });
      }
      em.segment(buf, undefined, buf.length - OVERLAP);
      buf = buf.slice(buf.length - OVERLAP);
    }
  };
  for await (const c of chunks) {
    buf += c;
    drain(false);
  }
  drain(true);
}
