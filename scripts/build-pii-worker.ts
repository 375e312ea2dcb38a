// Builds the pii scan worker (src/modules/pii/scan-worker.ts and what it imports) into one plain
// JavaScript module, dist/pii/scan-worker.mjs. A worker that loads TypeScript strips the types of
// every module itself, with its own copy of Node's type stripper: about 30 MB more resident memory
// and a slower start per worker (bench/RESULTS.md, pii run 3). scan-pool.ts uses this file when it is
// newer than every source file of the module, and the TypeScript worker otherwise, so a stale build
// is never run.
import { build } from "esbuild";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

// The path scan-pool.ts looks for (BUILT_WORKER there).
await build({
  entryPoints: [join(root, "src", "modules", "pii", "scan-worker.ts")],
  outfile: join(root, "dist", "pii", "scan-worker.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  logLevel: "warning",
});
