// Rewriting files with every finding replaced by an operator's output (mask / protect), and
// restoring encrypted values (unprotect). One streamed pass per file: the scan hands over its decoded
// text segment by segment, after that segment's findings, and the rewritten segment is written out;
// memory does not grow with the file or the number of findings.
import { constants, createWriteStream, fchmodSync, mkdirSync, openSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";
import type { EmitOptions } from "./emitter.ts";
import type { KeyRing } from "./keys.ts";
import { applyOperator, escapesLiterals, LiteralEscaper, unprotectPrefix, type Operator } from "./operators.ts";
import type { EntityType, SkipNote } from "./pii.types.ts";
import { scanFile } from "./scan.ts";
import { openSource } from "./source.ts";

export interface RewriteResult { file: string; output: string; replaced: number; notes: SkipNote[] }

interface Out { write: (s: string) => void; ready: () => Promise<void>; end: () => Promise<void> }

/**
 * A UTF-8 (gzip when named .gz) output file; `ready` resolves once what was written has drained.
 * The copies hold personal data (unprotect's all of it): only their owner may read them (0600, new
 * folders 0700; an existing file is set to 0600 too), and a symbolic link planted at the output's
 * name is not followed (O_NOFOLLOW: the open fails instead of writing wherever it points).
 */
function openOut(path: string): Out {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch {
    // not the owner of an existing file we may write: it keeps its mode
  }
  const file = createWriteStream(path, { fd });
  let sink: Writable = file;
  if (path.endsWith(".gz")) { const gz = createGzip(); gz.pipe(file); sink = gz; }
  let waiting: Promise<void> | null = null;
  return {
    write: (s: string) => { if (!sink.write(s)) waiting ??= once(sink, "drain").then(() => { waiting = null; }); },
    ready: () => waiting ?? Promise.resolve(),
    end: async () => { sink.end(); await once(file, "close"); },
  };
}

/**
 * Writes `output`: `input` with each finding replaced, in one pass (the output file is created once
 * the scan hands over its first text, so nothing is written for a binary or unreadable input, and it
 * is removed if the scan stops part-way). Output is UTF-8 (gzip when named .gz).
 */
export async function protectFile(input: string, output: string, op: Operator, opts: EmitOptions): Promise<RewriteResult> {
  // The output, once opened (a holder: the scan's callback opens it)
  const sink: { out: Out | null } = { out: null };
  // Findings of the current segment, as absolute UTF-16 spans.
  let starts: number[] = [], ends: number[] = [], types: EntityType[] = [];
  // The decoded values: in a JSON string with escapes (\u0030912…) the span holds the escaped text
  let values: Array<string | undefined> = [];
  let base = 0; // absolute UTF-16 offset of the current segment's text
  let written = 0; // absolute offset up to which output was produced (a replacement may run past a segment)
  let replaced = 0;
  // hmac and encrypt: token-like text of the input is escaped, across segments (operators.ts)
  const esc = escapesLiterals(op) ? new LiteralEscaper() : null;
  const onConsumed = (text: string, consumed: number): void => {
    const out = sink.out ??= openOut(output);
    let o = "";
    let cur = Math.max(0, written - base);
    for (let k = 0; k < starts.length; k++) {
      const s = (starts[k] ?? 0) - base, e = (ends[k] ?? 0) - base;
      if (s < cur) continue; // overlaps what was already replaced
      const before = text.slice(cur, s);
      const raw = text.slice(s, e), value = values[k], type = types[k] ?? "EMAIL";
      // An escaped JSON value: the operator gets the value and its output is escaped for the string.
      // Masking the escaped text wrote "\u003*******678" (invalid JSON, hex digits of characters
      // kept) and an hmac token other than the plain value's. Encryption keeps the text as it is, so
      // that unprotect restores the file byte for byte.
      const escaped = value !== undefined && value !== raw && raw.includes("\\") && op.kind !== "encrypt";
      o += (esc ? esc.push(before) + esc.end() : before) + (escaped ? JSON.stringify(applyOperator(op, type, value)).slice(1, -1) : applyOperator(op, type, raw));
      cur = e;
      replaced++;
    }
    if (cur < consumed) { const rest = text.slice(cur, consumed); o += esc ? esc.push(rest) : rest; cur = consumed; }
    out.write(o);
    written = base + cur;
    base += consumed;
    starts = []; ends = []; types = []; values = [];
  };
  const scan = await scanFile(input, { ...opts, showValues: true }, (f) => { starts.push(f.start); ends.push(f.end); types.push(f.type); values.push(f.value); },
    undefined, () => sink.out?.ready() ?? Promise.resolve(), onConsumed);
  const notes = [...scan.notes];
  if (notes.some((n) => n.reason === "unreadable")) {
    // The scan stopped part-way: a copy that is only partly rewritten would pass for a finished one.
    if (sink.out !== null) { await sink.out.end(); rmSync(output, { force: true }); }
    return { file: input, output: "", replaced: 0, notes };
  }
  if (sink.out === null && notes.some((n) => n.reason === "binary" || n.reason === "not-a-file")) return { file: input, output: "", replaced: 0, notes };
  const out = sink.out ?? openOut(output); // an empty input: an empty output
  if (esc) out.write(esc.end());
  if (scan.encoding?.startsWith("big5") === true) notes.push({ file: input, reason: "invalid-utf8", detail: "Big5 input written out as UTF-8" });
  await out.end();
  return { file: input, output, replaced, notes };
}

/**
 * Writes `output` with every {{pii:enc1:…}} token in `input` decrypted and the escapes of token-like
 * text removed (unprotectPrefix: a read may end anywhere, even inside "{{pii:" or its escape, and
 * what cannot be told yet goes before the next read).
 */
export async function unprotectFile(input: string, output: string, keys: KeyRing): Promise<RewriteResult & { failed: number }> {
  const notes: SkipNote[] = [];
  const src = await openSource(input, notes);
  if (!src) return { file: input, output: "", replaced: 0, failed: 0, notes };
  const out = openOut(output);
  let carry = "", replaced = 0, failed = 0;
  for await (const chunk of src.chunks) {
    carry += chunk;
    const r = unprotectPrefix(carry, keys);
    replaced += r.decrypted; failed += r.failed;
    out.write(r.text);
    await out.ready();
    carry = carry.slice(r.consumed);
  }
  const r = unprotectPrefix(carry, keys, true);
  replaced += r.decrypted; failed += r.failed;
  out.write(r.text);
  await out.end();
  return { file: input, output, replaced, failed, notes };
}
