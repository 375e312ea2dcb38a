// Worker thread: scans the files (or file ranges) it is sent, streaming findings back in batches of
// 2,000 (numbers in a transferred array, strings concatenated: transfer.ts), or the scan command's
// output already rendered. Backpressure: at most MAX_IN_FLIGHT batches may be unacknowledged by the
// main thread; beyond that the worker stops reading its file until an ack arrives, so neither the
// message queue nor the main thread's memory grows with the number of findings. It also rewrites
// files for mask / protect (protect-files.ts), one at a time.
import { parentPort, workerData } from "node:worker_threads";
import type { EntityType } from "./pii.types.ts";
import type { ToWorker, WorkerMessage } from "./scan-pool.ts";
import { scanFile, type FileResult } from "./scan.ts";
import type { EmitOptions } from "./emitter.ts";
import { BatchWriter, MAX_IN_FLIGHT, RENDERED_BYTES, RENDERED_LINES } from "./transfer.ts";
import { RenderEncoder, type OutputFormat } from "./output.ts";
import type { Operator } from "./operators.ts";
import { protectFile } from "./protect-files.ts";
import { InventoryBuilder } from "./inventory.ts";

type Data = Omit<EmitOptions, "types"> & { types?: EntityType[]; render?: OutputFormat; inventory?: boolean };
const { render, inventory, ...data } = workerData as Data;
const opts: EmitOptions = { ...data, types: data.types ? new Set(data.types) : undefined };
const port = parentPort;
const BATCH = 2000;
/** Buffers of rendered lines that the main thread has written and handed back (kept: at most MAX_IN_FLIGHT + 1). */
const spare: Uint8Array[] = [];
/** A new batch buffer: the batch limit plus room for the line that crosses it (a longer line grows it). */
const batchBuffer = (): Uint8Array => spare.pop() ?? new Uint8Array(RENDERED_BYTES + (64 << 10));

// `scan --format …`: the output itself, rendered here as UTF-8 bytes as findings arrive and sent in
// buffers that postMessage moves (the main thread only writes them, then moves the buffer back for
// reuse); a batch ends at about RENDERED_BYTES. One renderer for all the tasks of this worker.
const lines = render !== undefined ? new RenderEncoder(render, opts.showValues === true, batchBuffer()) : null;

let inFlight = 0;
let wake: (() => void) | null = null;
/**
 * The task's unsent batch, when it has findings: sent once STALE_READS more chunks of 64 KB (4 MiB) have
 * been read after it got its first. On sparse input a batch can take a whole file to fill, and the
 * findings at its start would wait for the end of the scan.
 */
let unsent: (() => void) | null = null;
let reads = 0;
const STALE_READS = 64;
/** Awaited before each chunk is read: sends a stale batch, then waits while MAX_IN_FLIGHT batches are unacknowledged. */
const gate = (): Promise<void> => {
  if (unsent !== null && ++reads >= STALE_READS) unsent();
  return inFlight < MAX_IN_FLIGHT ? Promise.resolve() : new Promise<void>((r) => { wake = r; });
};

port?.on("message", (m: ToWorker) => {
  if (m.kind === "spare") {
    if (spare.length <= MAX_IN_FLIGHT) spare.push(m.bytes);
    return;
  }
  if (m.kind === "ack") {
    inFlight--;
    if (wake !== null && inFlight < MAX_IN_FLIGHT) { const w = wake; wake = null; w(); }
    return;
  }
  if (m.kind === "rewrite") {
    // The key ring's keys arrive as Uint8Arrays (structured clone); the operators take Buffers.
    const op: Operator = m.op.kind === "hmac" || m.op.kind === "encrypt"
      ? { kind: m.op.kind, keys: { active: m.op.keys.active, keys: new Map([...m.op.keys.keys].map(([id, k]) => [id, Buffer.from(k)])) } }
      : m.op;
    const { file } = m;
    protectFile(file, m.output, op, opts).then((result) => { port.postMessage({ kind: "rewritten", result } satisfies WorkerMessage); }, (e: unknown) => {
      port.postMessage({ kind: "error", file, message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
    });
    return;
  }
  const { file, range } = m;
  const cpu0 = process.threadCpuUsage();
  const send = (msg: WorkerMessage, transfer: ArrayBuffer[] = []): void => { port.postMessage(msg, transfer); };
  const done = (result: FileResult): void => {
    const cpu = process.threadCpuUsage(cpu0);
    send({ kind: "done", result: { ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 } });
  };
  const failed = (e: unknown): void => { send({ kind: "error", file, message: e instanceof Error ? e.message : String(e) }); };
  if (inventory === true) {
    // `pii inventory`: the findings are counted here into rows, and only the rows go to the main thread.
    const inv = new InventoryBuilder();
    scanFile(file, opts, (f) => { inv.add(f); }, range).then((result) => { done({ ...result, inventory: inv.partial() }); }, failed);
    return;
  }
  // finding batches (library callers) or rendered output (scan --format …), never both
  const writer = lines === null ? new BatchWriter(file, BATCH) : null;
  let byType: Record<string, number> = {};
  const settle = (): void => { unsent = null; reads = 0; };
  const flush = (): void => {
    settle();
    inFlight++;
    if (lines !== null) {
      const { bytes, length, lines: count } = lines;
      send({ kind: "rendered", bytes, length, count, byType }, [bytes.buffer as ArrayBuffer]);
      lines.reset(batchBuffer());
      byType = {};
    } else if (writer !== null) {
      const { batch: b, transfer } = writer.take();
      send({ kind: "findings", batch: b }, transfer);
    }
  };
  scanFile(file, opts, lines !== null
    ? (f) => {
      lines.line(f);
      byType[f.type] = (byType[f.type] ?? 0) + 1;
      if (lines.lines >= RENDERED_LINES || lines.length >= RENDERED_BYTES) flush();
      else unsent ??= flush;
    }
    : (f) => { if (writer?.add(f) === true) flush(); else unsent ??= flush; }, range, gate).then((result) => {
    if ((lines?.lines ?? 0) > 0 || (writer?.count ?? 0) > 0) flush();
    done(result);
  }, (e: unknown) => {
    settle();
    lines?.reset(lines.bytes); // what a failed task rendered is not sent (its findings are not counted either)
    failed(e);
  });
});
