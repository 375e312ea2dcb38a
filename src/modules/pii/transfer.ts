// Compact transfer of findings from a scan worker to the main thread: one JSON string per batch, the
// file name once per batch and each finding as a positional array (no repeated keys), so that a
// batch is about half the size of the same findings as objects and cheap to parse.
import type { EntityType, Finding } from "./pii.types.ts";

type Row = [EntityType, number, number, number, number, number, string | null, number, string, string | null, string | null];

/** Encodes a batch of findings of one file. */
export function encodeBatch(file: string, batch: readonly Finding[]): string {
  const rows: Row[] = batch.map((f) => [f.type, f.start, f.end, f.byteStart, f.byteEnd, f.line, f.column, f.score, f.masked, f.detail ?? null, f.value ?? null]);
  return JSON.stringify({ file, rows });
}

/** Decodes a batch back into findings, calling `onFinding` for each in order. */
export function decodeBatch(json: string, onFinding: (f: Finding) => void): number {
  const { file, rows } = JSON.parse(json) as { file: string; rows: Row[] };
  for (const [type, start, end, byteStart, byteEnd, line, column, score, masked, detail, value] of rows) {
    const f: Finding = { file, type, start, end, byteStart, byteEnd, line, column, score, masked };
    if (detail !== null) f.detail = detail;
    if (value !== null) f.value = value;
    onFinding(f);
  }
  return rows.length;
}
