#!/usr/bin/env node
// Thin launcher: ectrust is TypeScript run by Node.js 24's type stripping. npm scripts and
// npx put the project's own Node 24 (the `node` package) first on PATH.
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  console.error(`ectrust needs Node.js 24 or later (this is ${process.version}). Run it with npx ectrust or npm run ectrust --, which use the bundled Node 24.`);
  process.exit(1);
}
await import("../src/cli.ts");
