// What the browser downloads: the web app's import graph, resolved the way a bundler does, must
// not reach server-only code. zod (the API's validation) and node: built-ins are the tell-tales;
// a page that imports a schema file instead of its zod-free limits file fails here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { build } from "esbuild";

test("the web bundle's inputs include no zod, no node: built-ins and no server modules", async () => {
  const result = await build({
    entryPoints: ["src/web/main.tsx"],
    bundle: true,
    write: false,
    metafile: true,
    platform: "browser",
    format: "esm",
    jsx: "automatic",
    logLevel: "silent",
    loader: { ".svg": "dataurl", ".css": "empty", ".woff2": "empty" },
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.endsWith("src/web/main.tsx")), "the entry is in the graph");
  assert.ok(inputs.some((p) => p.includes("node_modules/react-dom/")), "dependencies are resolved");
  const forbidden = inputs.filter(
    (p) => p.includes("node_modules/zod/") || p.startsWith("node:") || /\.(schema|service|routes|tables|repo)\.ts$/.test(p),
  );
  assert.deepEqual(forbidden, []);
});
