// Scans many files across worker threads (one file per task, results streamed back in batches, each
// acknowledged so that a worker never runs more than a few batches ahead of the main thread).
// Large plain UTF-8 files (text, logs, NDJSON) are split into line-aligned ranges (split.ts) so that
// several workers share one file; findings of a split file then arrive range by range, not in order.
// The same workers rewrite files for mask / protect (rewriteFiles).
import { existsSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { newestMtime } from "../../platform/newest.ts";
import { Worker } from "node:worker_threads";
import type { EmitOptions } from "./emitter.ts";
import type { Finding } from "./pii.types.ts";
import type { FileResult, RangeTask } from "./scan.ts";
import type { Operator } from "./operators.ts";
import type { RewriteResult } from "./protect-files.ts";
import { splitPlan } from "./split.ts";
import { decodeBatch, type Batch } from "./transfer.ts";
import type { InventoryRow } from "./inventory.ts";
import { JsonCache, renderedText, type OutputFormat } from "./output.ts";

export interface PoolOptions extends EmitOptions {
  workers?: number;
  /** Scan in this thread instead of worker threads (no heap cap). */
  inProcess?: boolean;
  /** Split plain files larger than this into ranges of `rangeBytes` (defaults in split.ts). */
  splitMinBytes?: number;
  rangeBytes?: number;
  /**
   * Awaited before each findings batch is acknowledged to its worker: a slow consumer (stdout) then
   * holds the workers back instead of findings piling up in memory.
   */
  ready?: () => Promise<void>;
  /**
   * When given, workers render each batch in the output format `render` (default jsonl; the text of
   * output.ts renderedText) and this receives it as UTF-8 bytes with the count per type, instead of
   * onFinding receiving finding objects. Calling `done` once the bytes are no longer needed (written
   * out) moves their buffer back to the worker for a later batch, so the main thread holds no garbage
   * buffers between its rare collections (40–60 MB of them on a 1 GB scan; bench/RESULTS.md, pii run 6);
   * a consumer that never calls it only loses the reuse. Backpressure stays with `ready`. In-process
   * scans pass strings and no `done`.
   */
  onRendered?: (lines: string | Uint8Array, count: number, byType: Readonly<Record<string, number>>, done?: () => void) => void;
  render?: OutputFormat;
  /**
   * When given, workers aggregate their findings into inventory rows (InventoryBuilder) and this receives
   * each file's or range's rows, instead of onFinding receiving the findings: a 1 GB scan then sends
   * a few thousand rows to this thread, not 29 million findings (bench/RESULTS.md, pii run 11).
   * In-process scans still call onFinding.
   */
  onInventory?: (rows: InventoryRow[]) => void;
}

/**
 * Heap caps per worker. Scanning keeps little live data (a segment of ~32 K characters and its
 * detections), so a small heap makes V8 collect early and keeps RSS flat on inputs of any size. The
 * young generation is 16 MB: at 8 MB a worker spent about a fifth more CPU in scavenges (bench/RESULTS.md,
 * pii run 3), at 32 MB peak RSS grew by about 10 MB per worker for little gain.
 */
export const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 16 };

/**
 * Main thread → worker: a file (or range) to scan, the acknowledgement of one findings batch, the
 * buffer of a batch of rendered output, written and handed back for reuse, or a file to rewrite.
 */
export type ToWorker = { kind: "task"; file: string; range?: RangeTask } | { kind: "ack" } | { kind: "spare"; bytes: Uint8Array }
  | { kind: "rewrite"; file: string; output: string; op: Operator };

export type WorkerMessage =
  | { kind: "findings"; batch: Batch }
  /** rendered output (renderedText of `count` findings) in `bytes[0, length)`; the buffer may be larger */
  | { kind: "rendered"; bytes: Uint8Array; length: number; count: number; byType: Record<string, number> }
  | { kind: "done"; result: FileResult }
  | { kind: "rewritten"; result: RewriteResult }
  | { kind: "error"; file: string; message: string };

/** What the pool measured: CPU seconds of each worker slot (its threads' time on their tasks). */
export interface PoolStats { workerCpuSeconds: number[] }

const SOURCE_WORKER = new URL("./scan-worker.ts", import.meta.url);
const BUILT_WORKER = new URL("../../../dist/pii/scan-worker.mjs", import.meta.url);

/** `true` in the bundled `ectrust pii` (scripts/build-pii.ts defines it); not defined in the sources. */
declare const ECTRUST_PII_BUNDLE: boolean | undefined;

/**
 * The module the scan workers run: the plain-JavaScript bundle from `npm run build`
 * (scripts/build-pii.ts) when it is newer than every source file of this module, otherwise
 * the TypeScript file itself (a worker loading TypeScript strips types with its own copy of Node's
 * stripper: ~30 MB more per worker). A stale bundle is never run.
 */
export function workerModule(built: URL = BUILT_WORKER, sources: URL = new URL(".", import.meta.url)): URL {
  // In the bundled CLI (dist/pii/cli/…) the worker bundle sits one folder up; bin/ectrust.js ran
  // this build only after checking it against every source of both bundles.
  if (typeof ECTRUST_PII_BUNDLE !== "undefined" && ECTRUST_PII_BUNDLE) return new URL("../scan-worker.mjs", import.meta.url);
  try {
    const path = fileURLToPath(built);
    if (existsSync(path) && statSync(path).mtimeMs >= newestMtime(fileURLToPath(sources), ".ts")) return built;
  } catch {
    // unreadable: fall back to the sources
  }
  return SOURCE_WORKER;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/**
 * Scans `files`, calling onFinding for every finding and onFile when a file is done.
 * Files are distributed over worker threads; output order is per file, files in completion order.
 */
export async function scanFiles(
  files: readonly string[],
  opts: PoolOptions,
  onFinding: (f: Finding) => void,
  onFile: (r: FileResult) => void,
): Promise<PoolStats> {
  const n = Math.min(opts.workers ?? defaultWorkers(), files.length);
  const { workers: _w, inProcess, splitMinBytes, rangeBytes, ready, onRendered, render = "jsonl", onInventory, ...emitOpts } = opts;
  const stats: PoolStats = { workerCpuSeconds: [] };
  if (n < 1) return stats;
  if (inProcess === true) {
    const cache = new JsonCache();
    const each = onRendered === undefined ? onFinding
      : (f: Finding): void => { onRendered(renderedText(render, f, emitOpts.showValues === true, cache), 1, { [f.type]: 1 }); };
    // The detection engine is loaded here only when this thread scans (the workers load their own).
    const { scanFile } = await import("./scan.ts");
    for (const f of files) onFile(await scanFile(f, emitOpts, each));
    return stats;
  }
  // Tasks: whole files, or line-aligned ranges of large plain files (when there are spare workers).
  // Ranges are queued as the counting pass over their file finds them (split.ts), so workers start on
  // the first range while the pass goes on; a worker that finds the queue empty while a pass is still
  // running waits for the next range.
  type Task = { file: string; range?: RangeTask };
  const queue: Task[] = [];
  const pendingRanges = new Map<string, { left: number; complete: boolean; merged: FileResult }>();
  let producing = 0;
  let waiting: Array<() => void> = [];
  const wake = (): void => { const ws = waiting; waiting = []; for (const w of ws) w(); };
  const finishRanges = (file: string): void => {
    const p = pendingRanges.get(file);
    if (p && p.complete && p.left === 0) { pendingRanges.delete(file); onFile(p.merged); }
  };
  let slotsWanted = 0;
  for (const file of files) {
    const plan = (opts.workers ?? defaultWorkers()) > 1 ? await splitPlan(file, splitMinBytes, rangeBytes) : null;
    if (!plan) { queue.push({ file }); slotsWanted++; continue; }
    slotsWanted += plan.parts;
    // lines: 1 and each range's lines - 1 (a range of k newlines reports k + 1, as a whole file does)
    const p = { left: 0, complete: false, merged: { file, bytes: 0, findings: 0, notes: [], lines: 1 } as FileResult };
    pendingRanges.set(file, p);
    producing++;
    void (async (): Promise<void> => {
      try {
        for await (const range of plan.ranges) { p.left++; queue.push({ file, range }); wake(); }
      } catch (e) {
        p.merged.notes.push({ file, reason: "unreadable", detail: `reading stopped while splitting the file: ${e instanceof Error ? e.message : String(e)}` });
      } finally {
        p.complete = true;
        producing--;
        finishRanges(file);
        wake();
      }
    })();
  }
  const done = (r: FileResult): void => {
    const p = pendingRanges.get(r.file);
    if (!p) { onFile(r); return; }
    const m = p.merged;
    m.bytes += r.bytes; m.findings += r.findings; m.notes.push(...r.notes); m.lines = (m.lines ?? 1) + (r.lines ?? 1) - 1;
    if (r.columns) {
      // NDJSON ranges: cells per JSON key, added up (ranges are line-aligned, so no record is counted twice)
      const cols = (m.columns ??= {});
      for (const c in r.columns) cols[c] = (cols[c] ?? 0) + (r.columns[c] ?? 0);
    }
    if (r.cpuSeconds !== undefined) m.cpuSeconds = (m.cpuSeconds ?? 0) + r.cpuSeconds;
    if (r.encoding !== undefined) m.encoding = r.encoding;
    if (r.format !== undefined) m.format = r.format;
    p.left--;
    finishRanges(r.file);
  };
  const workers = Math.min(opts.workers ?? defaultWorkers(), slotsWanted);
  const workerUrl = workerModule();
  const serializable = {
    ...emitOpts, types: emitOpts.types ? [...emitOpts.types] : undefined, render: onRendered !== undefined ? render : undefined,
    inventory: onInventory !== undefined && onRendered === undefined,
  };
  // One worker per slot; a worker that dies (e.g. its heap cap is reached) costs only the task it was
  // on, which is reported as skipped, and a fresh worker takes over the rest of the queue.
  const slot = (k: number): Promise<void> => new Promise<void>((resolve) => {
    const w = new Worker(workerUrl, { workerData: serializable, resourceLimits: WORKER_LIMITS });
    let current: Task | undefined;
    let finished = false;
    const next = (): void => {
      current = queue.shift();
      if (current === undefined && producing > 0) { waiting.push(next); return; }
      if (current === undefined) { finished = true; void w.terminate().then(() => { resolve(); }); return; }
      w.postMessage({ kind: "task", ...current } satisfies ToWorker);
    };
    w.on("message", (m: WorkerMessage) => {
      if (m.kind === "findings" || m.kind === "rendered") {
        if (m.kind === "rendered") {
          const { bytes } = m;
          let given = false;
          onRendered?.(bytes.subarray(0, m.length), m.count, m.byType, () => {
            if (given) return;
            given = true;
            w.postMessage({ kind: "spare", bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
          });
        } else decodeBatch(m.batch, onFinding);
        const ack = (): void => { w.postMessage({ kind: "ack" } satisfies ToWorker); };
        if (ready) void ready().then(ack); else ack();
      }
      else if (m.kind === "done") {
        stats.workerCpuSeconds[k] = (stats.workerCpuSeconds[k] ?? 0) + (m.result.cpuSeconds ?? 0);
        const { inventory, ...result } = m.result;
        if (inventory) onInventory?.(inventory);
        done(result);
        next();
      }
      else if (m.kind === "error") { done({ file: m.file, bytes: 0, findings: 0, notes: [{ file: m.file, reason: "unreadable", detail: m.message }] }); next(); }
    });
    w.on("error", (e: Error) => {
      if (finished) return;
      finished = true;
      if (current !== undefined) {
        const where = current.range ? ` (bytes ${current.range.start}–${current.range.end})` : "";
        done({ file: current.file, bytes: 0, findings: 0, notes: [{ file: current.file, reason: "unreadable", detail: `scan of this part stopped${where}: ${e.message}` }] });
      }
      void w.terminate();
      resolve(queue.length > 0 || producing > 0 ? slot(k) : undefined);
    });
    next();
  });
  await Promise.all(Array.from({ length: workers }, (_, k) => slot(k)));
  return stats;
}

/**
 * Rewrites files with every finding replaced by `op` (mask / protect), in worker threads with the
 * scans' capped heaps, `workers` files at a time; `onResult` gets each file's result as it finishes.
 * A worker that dies costs only its file, which is reported as skipped, and its partial output is
 * removed (a half-rewritten copy would pass for a finished one).
 */
export async function rewriteFiles(
  jobs: ReadonlyArray<{ input: string; output: string }>, op: Operator, opts: EmitOptions & { workers?: number },
  onResult: (r: RewriteResult) => void,
): Promise<void> {
  const { workers: wanted, ...emitOpts } = opts;
  const queue = [...jobs];
  const workers = Math.min(wanted ?? defaultWorkers(), queue.length);
  const workerUrl = workerModule();
  const serializable = { ...emitOpts, types: emitOpts.types ? [...emitOpts.types] : undefined };
  const failed = (job: { input: string; output: string }, detail: string): void => {
    rmSync(job.output, { force: true });
    onResult({ file: job.input, output: "", replaced: 0, notes: [{ file: job.input, reason: "unreadable", detail }] });
  };
  const slot = (): Promise<void> => new Promise<void>((resolve) => {
    const w = new Worker(workerUrl, { workerData: serializable, resourceLimits: WORKER_LIMITS });
    let current: { input: string; output: string } | undefined;
    let finished = false;
    const next = (): void => {
      current = queue.shift();
      if (current === undefined) { finished = true; void w.terminate().then(() => { resolve(); }); return; }
      w.postMessage({ kind: "rewrite", file: current.input, output: current.output, op } satisfies ToWorker);
    };
    w.on("message", (m: WorkerMessage) => {
      if (m.kind === "rewritten") onResult(m.result);
      else if (m.kind === "error" && current !== undefined) failed(current, m.message);
      else return;
      next();
    });
    w.on("error", (e: Error) => {
      if (finished) return;
      finished = true;
      if (current !== undefined) failed(current, `rewrite stopped: ${e.message}`);
      void w.terminate();
      resolve(queue.length > 0 ? slot() : undefined);
    });
    next();
  });
  await Promise.all(Array.from({ length: workers }, () => slot()));
}
