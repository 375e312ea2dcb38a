// Compact transfer of findings from a scan worker to the main thread. A batch keeps the numbers of
// all its findings in one Float64Array (moved, not copied, by postMessage), their masked values (and
// raw values with --show-values) concatenated into one string with the lengths in an Int32Array, and
// column names and details once each in a small table. Encoding each finding into JSON cost the
// worker about a fifth of its time and most of its garbage.
import { ENTITY_TYPES, type EntityType, type Finding } from "./pii.types.ts";

/**
 * Batches a scan worker may have sent and not yet had acknowledged; beyond that it stops reading its
 * file until an acknowledgement arrives (scan-worker.ts).
 */
export const MAX_IN_FLIGHT = 2;

/**
 * A batch of rendered output (`scan --format …`) ends at about 1 MiB or 32,000 findings. Each batch is
 * a message to the main thread and two back (its acknowledgement and its buffer), and the main
 * thread's garbage per message grew its young generation over a long scan: to 26 MB on 1 GB of mixed
 * files with batches of 256 KiB, against 1–6.5 MB with these. Two in flight, not four: a worker's batch
 * buffers (in flight, spare and current) then come to 2–4 MiB instead of 1–2 (bench/RESULTS.md, pii
 * run 11). Before that, 256 KiB / 8,000 had replaced 64 KiB / 2,000 for the same reason (run 7).
 */
export const RENDERED_BYTES = 1024 * 1024;
export const RENDERED_LINES = 32_000;

/** Numbers per finding: type, start, end, byteStart, byteEnd, line, score, column ref, detail ref. */
const W = 9;
const TYPE_INDEX = new Map<EntityType, number>(ENTITY_TYPES.map((t, i) => [t, i]));

export interface Batch {
  file: string;
  count: number;
  nums: Float64Array;
  /** Per finding: length of the masked value, then of the raw value (-1 when not sent). */
  lens: Int32Array;
  text: string;
  /** Column names and details, referred to by index from `nums` (-1: none). */
  table: string[];
}

/** Collects findings of one file into batches of up to `capacity`. */
export class BatchWriter {
  readonly file: string;
  readonly capacity: number;
  count = 0;
  private nums: Float64Array;
  private lens: Int32Array;
  private text = "";
  private table: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(file: string, capacity: number) {
    this.file = file;
    this.capacity = capacity;
    this.nums = new Float64Array(capacity * W);
    this.lens = new Int32Array(capacity * 2);
  }

  private ref(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    let k = this.index.get(s);
    if (k === undefined) { k = this.table.length; this.table.push(s); this.index.set(s, k); }
    return k;
  }

  /** Adds a finding; true when the batch is full. */
  add(f: Finding): boolean {
    const o = this.count * W, nums = this.nums;
    nums[o] = TYPE_INDEX.get(f.type) ?? 0;
    nums[o + 1] = f.start; nums[o + 2] = f.end; nums[o + 3] = f.byteStart; nums[o + 4] = f.byteEnd;
    nums[o + 5] = f.line; nums[o + 6] = f.score; nums[o + 7] = this.ref(f.column); nums[o + 8] = this.ref(f.detail);
    this.text += f.masked;
    this.lens[this.count * 2] = f.masked.length;
    if (f.value !== undefined) { this.text += f.value; this.lens[this.count * 2 + 1] = f.value.length; } else this.lens[this.count * 2 + 1] = -1;
    return ++this.count >= this.capacity;
  }

  /** The batch so far and the buffers to transfer with it; the writer starts a new batch. */
  take(): { batch: Batch; transfer: ArrayBuffer[] } {
    const batch: Batch = { file: this.file, count: this.count, nums: this.nums, lens: this.lens, text: this.text, table: this.table };
    this.nums = new Float64Array(this.capacity * W);
    this.lens = new Int32Array(this.capacity * 2);
    this.text = "";
    this.table = [];
    this.index.clear();
    this.count = 0;
    return { batch, transfer: [batch.nums.buffer as ArrayBuffer, batch.lens.buffer as ArrayBuffer] };
  }
}

/** Decodes a batch back into findings, calling `onFinding` for each in order. */
export function decodeBatch(b: Batch, onFinding: (f: Finding) => void): number {
  const { nums, lens, text, table, file } = b;
  let pos = 0;
  for (let k = 0; k < b.count; k++) {
    const o = k * W;
    const ml = lens[k * 2] ?? 0, vl = lens[k * 2 + 1] ?? -1;
    const masked = text.slice(pos, pos + ml);
    pos += ml;
    const col = nums[o + 7] ?? -1, det = nums[o + 8] ?? -1;
    const f: Finding = {
      file, type: ENTITY_TYPES[nums[o] ?? 0] ?? "EMAIL", start: nums[o + 1] ?? 0, end: nums[o + 2] ?? 0,
      byteStart: nums[o + 3] ?? 0, byteEnd: nums[o + 4] ?? 0, line: nums[o + 5] ?? 0,
      column: col < 0 ? null : (table[col] ?? null), score: nums[o + 6] ?? 0, masked,
    };
    if (det >= 0) f.detail = table[det];
    if (vl >= 0) { f.value = text.slice(pos, pos + vl); pos += vl; }
    onFinding(f);
  }
  return b.count;
}
