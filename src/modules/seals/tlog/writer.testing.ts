// A log writer process for the crash and multi-writer tests (not imported by production code):
//   node writer.testing.ts <log dir> <seed hex> <origin> <name> [db url]
// appends "<name> <n>" entries forever, in batches, and prints "<index> <entry>" for every
// acknowledged append. With a PostgreSQL URL it takes the platform's advisory log lock per
// batch (several writers share the folder); without it, the folder's pid lock (one writer).
// The test kills it with SIGKILL.
import pg from "pg";
import { utf8 } from "./bytes.ts";
import { signerFromSeed } from "./ed25519.ts";
import { FsLogStore } from "./fs-store.ts";
import { Sequencer } from "./sequencer.ts";

const [dir = "", seedHex = "", origin = "", name = "w", dbUrl] = process.argv.slice(2);
const signer = await signerFromSeed(Uint8Array.from(Buffer.from(seedHex, "hex")));
let lock: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
if (dbUrl) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  lock = async <T>(fn: () => Promise<T>): Promise<T> => {
    await client.query("begin");
    try {
      await client.query("select pg_advisory_xact_lock($1)", [0x5ea15]);
      return await fn();
    } finally {
      await client.query("commit");
    }
  };
}
const seq = await Sequencer.open({ store: new FsLogStore(dir), origin, signer, maxBatch: 8, maxDelayMs: 1, ...(lock ? { lock } : {}) });
process.stdout.write("ready\n");
for (let n = 0; ; n += 8) {
  await Promise.all(
    Array.from({ length: 8 }, async (_, j) => {
      const text = `${name} ${String(n + j)}`;
      const a = await seq.append(utf8(`${text}\n`));
      process.stdout.write(`${String(a.index)} ${text}\n`);
    }),
  );
}
