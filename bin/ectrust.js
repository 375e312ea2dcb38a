#!/usr/bin/env node
// Thin launcher: ectrust is TypeScript run by Node.js 24's type stripping. npm scripts and
// npx put the project's own Node 24 (the `node` package) first on PATH.
import { fileURLToPath } from "node:url";
import { freshPiiBundle, piiReexec } from "./pii-bundle.js";

const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  console.error(`ectrust needs Node.js 24 or later (this is ${process.version}). Run it with npx ectrust or npm run ectrust --, which use the bundled Node 24.`);
  process.exit(1);
}
// `ectrust pii …` runs with fewer malloc arenas (piiReexec): it replaces this process, or returns if it cannot.
const reexec = piiReexec(process.argv, process.execArgv, process.env, process.platform, typeof process.execve === "function");
if (reexec) {
  try {
    process.execve?.(reexec.file, reexec.args, reexec.env);
  } catch {
    // execve(2) failed and this process is unchanged: run here, with glibc's default arenas
  }
}
// `ectrust pii …` runs its plain-JavaScript build while that is fresh: the scanner's process then
// holds no TypeScript stripper (about 45 MB less resident with two workers, bench/RESULTS.md pii run 6).
const bundle = process.argv[2] === "pii" ? freshPiiBundle(fileURLToPath(new URL("../dist/pii/cli", import.meta.url))) : null;
await import(bundle ? bundle.href : "../src/cli.ts");
