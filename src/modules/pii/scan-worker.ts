// Worker thread: scans the files (or file ranges) it is sent, streaming findings back in batches of
// 2,000 as one JSON string each (cheaper to pass between threads than cloning many small objects).
import { parentPort, workerData } from "node:worker_threads";
import type { EntityType, Finding } from "./pii.types.ts";
import type { WorkerMessage } from "./scan-pool.ts";
import { scanFile, type RangeTask } from "./scan.ts";
import type { EmitOptions } from "./emitter.ts";

type Data = Omit<EmitOptions, "types"> & { types?: EntityType[] };
const data = workerData as Data;
const opts: EmitOptions = { ...data, types: data.types ? new Set(data.types) : undefined };
const port = parentPort;

port?.on("message", ({ file, range }: { file: string; range?: RangeTask }) => {
  let batch: Finding[] = [];
  const send = (m: WorkerMessage): void => { port.postMessage(m); };
  scanFile(file, opts, (f) => {
    batch.push(f);
    if (batch.length >= 2000) { send({ kind: "findings", json: JSON.stringify(batch) }); batch = []; }
  }, range).then((result) => {
    if (batch.length > 0) send({ kind: "findings", json: JSON.stringify(batch) });
    send({ kind: "done", result });
  }, (e: unknown) => {
    send({ kind: "error", file, message: e instanceof Error ? e.message : String(e) });
  });
});
