// Scans many files across worker threads (one file per task, results streamed back in batches).
// Findings of a file arrive in file order. A single file is scanned by one worker (no splitting).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { EmitOptions } from "./emitter.ts";
import type { Finding } from "./pii.types.ts";
import { scanFile, type FileResult } from "./scan.ts";

export interface PoolOptions extends EmitOptions {
  workers?: number;
  /** Scan in this thread instead of worker threads (no heap cap). */
  inProcess?: boolean;
}

/**
 * Heap caps per worker. Scanning keeps little live data (a segment of ~256 K characters and its
 * detections), so a small heap makes V8 collect early and keeps RSS flat on inputs of any size.
 */
export const WORKER_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

export type WorkerMessage =
  | { kind: "findings"; findings: Finding[] }
  | { kind: "done"; result: FileResult }
  | { kind: "error"; file: string; message: string };

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
): Promise<void> {
  const n = Math.min(opts.workers ?? defaultWorkers(), files.length);
  const { workers: _w, inProcess, ...emitOpts } = opts;
  if (n < 1) return;
  if (inProcess === true) {
    for (const f of files) onFile(await scanFile(f, emitOpts, onFinding));
    return;
  }
  const queue = [...files];
  const serializable = { ...emitOpts, types: emitOpts.types ? [...emitOpts.types] : undefined };
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(new URL("./scan-worker.ts", import.meta.url), { workerData: serializable, resourceLimits: WORKER_LIMITS });
    let current: string | undefined;
    const next = (): void => {
      current = queue.shift();
      if (current === undefined) { void w.terminate().then(() => { resolve(); }); return; }
      w.postMessage(current);
    };
    w.on("message", (m: WorkerMessage) => {
      if (m.kind === "findings") for (const f of m.findings) onFinding(f);
      else if (m.kind === "done") { onFile(m.result); next(); }
      else { onFile({ file: m.file, bytes: 0, findings: 0, notes: [{ file: m.file, reason: "unreadable", detail: m.message }] }); next(); }
    });
    w.on("error", (e: Error) => {
      if (current !== undefined) onFile({ file: current, bytes: 0, findings: 0, notes: [{ file: current, reason: "unreadable", detail: `worker failed: ${e.message}` }] });
      reject(e);
    });
    next();
  })));
}
