// Builds the pii module into plain JavaScript, so that neither `ectrust pii` nor its scan workers
// load Node's TypeScript stripper (about 30 MB resident per thread that uses it) or strip and
// compile every module at start (bench/RESULTS.md, pii runs 3 and 6):
//   dist/pii/scan-worker.mjs   the scan worker (src/modules/pii/scan-worker.ts and what it imports);
//                              scan-pool.ts uses it when it is newer than every source file of the
//                              module, and the TypeScript worker otherwise.
//   dist/pii/cli/pii.main.js   the `ectrust pii …` commands (src/modules/pii/pii.main.ts), split into
//                              chunks at its lazy imports; bin/ectrust.js runs it for `ectrust pii`
//                              when it is newer than every file in dist/pii/cli/inputs.json.
// inputs.json lists the sources of both builds (esbuild's metafile) by absolute path, so an edit to
// any file either build took in, the worker included, makes the launcher fall back to the
// TypeScript sources (and so does moving the project). `--out <dir>` builds elsewhere (tests).
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
const out = resolve(parseArgs({ options: { out: { type: "string", default: join(root, "dist", "pii") } } }).values.out);
const common = { bundle: true, platform: "node", format: "esm", target: "node24", logLevel: "warning", metafile: true } as const;

// The path scan-pool.ts looks for (BUILT_WORKER there).
const worker = await build({
  ...common,
  entryPoints: [join(root, "src", "modules", "pii", "scan-worker.ts")],
  outfile: join(out, "scan-worker.mjs"),
});

// Packages stay imports from node_modules (commander, pg, exceljs …): only our own code is bundled.
// The folder is emptied first: chunk names change with their content, and old chunks would pile up.
const outdir = join(out, "cli");
rmSync(outdir, { recursive: true, force: true });
const cli = await build({
  ...common,
  entryPoints: [join(root, "src", "modules", "pii", "pii.main.ts")],
  outdir,
  splitting: true,
  packages: "external",
  // scan-pool.ts: in this bundle the worker is ../scan-worker.mjs, already checked by the launcher
  define: { ECTRUST_PII_BUNDLE: "true" },
});

const inputs = new Set<string>();
for (const m of [worker.metafile, cli.metafile]) {
  // metafile paths are relative to the working directory
  for (const f of Object.keys(m.inputs)) if (!f.includes("node_modules")) inputs.add(resolve(f));
}
writeFileSync(join(outdir, "inputs.json"), JSON.stringify({ entry: "pii.main.js", inputs: [...inputs].sort() }, null, 2) + "\n");
