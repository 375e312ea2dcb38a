// Rewriting files with every finding replaced by an operator's output (mask / protect), and
// restoring encrypted values (unprotect). Two streamed passes per file: scan, then rewrite.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";
import type { EmitOptions } from "./emitter.ts";
import type { KeyRing } from "./keys.ts";
import { applyOperator, unprotectText, type Operator } from "./operators.ts";
import type { EntityType, SkipNote } from "./pii.types.ts";
import { scanFile } from "./scan.ts";
import { openSource } from "./source.ts";

export interface RewriteResult { file: string; output: string; replaced: number; notes: SkipNote[] }

async function openOut(path: string): Promise<{ write: (s: string) => Promise<void>; end: () => Promise<void> }> {
  await mkdir(dirname(path), { recursive: true });
  const file = createWriteStream(path);
  let sink: Writable = file;
  if (path.endsWith(".gz")) { const gz = createGzip(); gz.pipe(file); sink = gz; }
  return {
    write: async (s: string) => { if (!sink.write(s)) await once(sink, "drain"); },
    end: async () => { sink.end(); await once(file, "close"); },
  };
}

/** Scans `input`, then writes `output` with each finding replaced. Output is UTF-8 (gzip when named .gz). */
export async function protectFile(input: string, output: string, op: Operator, opts: EmitOptions): Promise<RewriteResult> {
  const starts: number[] = [], ends: number[] = [], types: EntityType[] = [];
  const scan = await scanFile(input, { ...opts, showValues: false }, (f) => { starts.push(f.start); ends.push(f.end); types.push(f.type); });
  const notes = [...scan.notes];
  if (notes.some((n) => n.reason === "binary" || n.reason === "not-a-file")) return { file: input, output: "", replaced: 0, notes };
  const src = await openSource(input, []);
  if (!src) return { file: input, output: "", replaced: 0, notes };
  if (src.encoding === "big5") notes.push({ file: input, reason: "invalid-utf8", detail: "Big5 input written out as UTF-8" });
  const out = await openOut(output);
  let pos = 0; // absolute UTF-16 offset of the start of `carry`
  let carry = "";
  let k = 0, replaced = 0, lastEnd = 0;
  const emit = async (final: boolean): Promise<void> => {
    let o = "";
    let cur = 0; // index in carry already written
    while (k < starts.length) {
      const s = (starts[k] ?? 0) - pos, e = (ends[k] ?? 0) - pos;
      if (s + pos < lastEnd) { k++; continue; }
      if (e > carry.length && !final) break; // finish this span with the next chunk
      o += carry.slice(cur, s) + applyOperator(op, types[k] ?? "EMAIL", carry.slice(s, e));
      cur = Math.min(e, carry.length);
      lastEnd = e + pos;
      replaced++;
      k++;
    }
    const keepFrom = final ? carry.length : Math.max(cur, k < starts.length ? Math.min(carry.length, (starts[k] ?? 0) - pos) : carry.length);
    o += carry.slice(cur, keepFrom);
    await out.write(o);
    carry = carry.slice(keepFrom);
    pos += keepFrom;
  };
  for await (const chunk of src.chunks) {
    carry += chunk;
    await emit(false);
  }
  await emit(true);
  await out.end();
  return { file: input, output, replaced, notes };
}

/** Writes `output` with every {{pii:enc1:…}} token in `input` decrypted. */
export async function unprotectFile(input: string, output: string, keys: KeyRing): Promise<RewriteResult & { failed: number }> {
  const notes: SkipNote[] = [];
  const src = await openSource(input, notes);
  if (!src) return { file: input, output: "", replaced: 0, failed: 0, notes };
  const out = await openOut(output);
  let carry = "", replaced = 0, failed = 0;
  for await (const chunk of src.chunks) {
    carry += chunk;
    // Hold back a possibly incomplete token at the end.
    const open = carry.lastIndexOf("{{pii:");
    const cut = open >= 0 && carry.indexOf("}}", open) < 0 && carry.length - open < 9000 ? open : carry.length;
    const r = unprotectText(carry.slice(0, cut), keys);
    replaced += r.decrypted; failed += r.failed;
    await out.write(r.text);
    carry = carry.slice(cut);
  }
  const r = unprotectText(carry, keys);
  replaced += r.decrypted; failed += r.failed;
  await out.write(r.text);
  await out.end();
  return { file: input, output, replaced, failed, notes };
}
