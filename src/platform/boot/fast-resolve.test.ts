// The fast resolver gives Node's own answers: on the whole application's module graph, compared
// with Node's resolver answer by answer, and on the edge cases it must leave to Node.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { fastResolve } from "./fast-resolve.ts";

const src = join(import.meta.dirname, "..", "..");

test("while the server and every command module load, each answer it gives is Node's", () => {
  // A fresh process without the hook installed: a recording hook asks fastResolve, then Node.
  const script = `
    import { registerHooks } from "node:module";
    import { fastResolve } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "fast-resolve.ts")).href)};
    let answered = 0, drizzle = 0;
    const wrong = [];
    registerHooks({ resolve(specifier, context, next) {
      const fast = fastResolve(specifier, context.parentURL);
      const node = next(specifier, context);
      if (fast) {
        answered++;
        if (fast.url.includes("/node_modules/drizzle-orm/")) drizzle++;
        if (fast.url !== node.url || fast.format !== node.format) wrong.push({ specifier, parent: context.parentURL, fast, node });
      }
      return node;
    } });
    await import(${JSON.stringify(pathToFileURL(join(src, "server.ts")).href)});
    const { commandModules } = await import(${JSON.stringify(pathToFileURL(join(src, "cli.commands.ts")).href)});
    for (const m of commandModules) await m.load();
    console.log(JSON.stringify({ answered, drizzle, wrong }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { answered: number; drizzle: number; wrong: unknown[] };
  assert.deepEqual(out.wrong, []);
  assert.ok(out.drizzle > 100, `drizzle-orm's modules take the fast path (${out.drizzle})`);
  assert.ok(out.answered > out.drizzle, "other packages' too");
});

const root = mkdtempSync(join(tmpdir(), "ectrust-fast-resolve-"));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(rel: string, text = "export {};\n"): string {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  return pathToFileURL(p).href;
}

test("takes relative .js and .mjs imports inside an ESM package, and leaves everything else to Node", () => {
  write("node_modules/esm/package.json", JSON.stringify({ name: "esm", type: "module", exports: { ".": "./index.js" } }));
  const index = write("node_modules/esm/index.js");
  const a = write("node_modules/esm/lib/a.js");
  const nested = write("node_modules/esm/lib/deep/b.js");
  write("node_modules/esm/cjs-part/package.json", JSON.stringify({ type: "commonjs" }));
  const inCjsPart = write("node_modules/esm/cjs-part/c.js");
  write("node_modules/plain/package.json", JSON.stringify({ name: "plain" }));
  const plain = write("node_modules/plain/index.js");
  const plainMjs = write("node_modules/plain/m.mjs");
  write("node_modules/broken/package.json", "{ not json");
  const broken = write("node_modules/broken/index.js");
  write("package.json", JSON.stringify({ type: "module" }));
  const loose = write("node_modules/loose.js");
  symlinkSync(join(root, "node_modules/esm/lib/a.js"), join(root, "node_modules/esm/lib/link.js"));
  mkdirSync(join(root, "node_modules/esm/lib/dir.js"));
  const app = write("app/main.js");

  assert.deepEqual(fastResolve("./lib/a.js", index), { url: a, format: "module", shortCircuit: true });
  assert.deepEqual(fastResolve("../../index.js", nested), { url: index, format: "module", shortCircuit: true });
  assert.deepEqual(fastResolve("./m.mjs", plain), { url: plainMjs, format: "module", shortCircuit: true }, ".mjs is a module anywhere");

  const toNode: Array<[string, string, string]> = [
    ["./missing.js", index, "a missing file: Node's error"],
    ["./lib/link.js", index, "a symlink: Node resolves it to its target"],
    ["./lib/dir.js", index, "a directory: Node's error"],
    ["./c.js", inCjsPart, "a nested package.json that says commonjs"],
    ["./index.js", plain, "a package without a type"],
    ["./index.js", broken, "an unreadable package.json: Node's error"],
    ["./loose.js", loose, "a file right in node_modules: Node does not look above it"],
    ["./lib/a.js?v=1", index, "a query"],
    ["./lib/%61.js", index, "percent-encoding"],
    ["esm", app, "a bare specifier"],
    ["./main.js", app, "a module outside node_modules"],
    ["./lib/a.json", index, "not JavaScript"],
    ["./lib/a.js", "node:fs", "a parent that is not a file"],
  ];
  for (const [specifier, parent, why] of toNode) assert.equal(fastResolve(specifier, parent), null, why);
  assert.equal(fastResolve("./a.js", undefined), null, "the entry point");
});
