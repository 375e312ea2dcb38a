// Builds the seal widget (src/widget) with esbuild into dist/widget/: one minified ES module
// named by its content hash, plus a lazily loaded chunk with the @noble/ed25519 fallback,
// and manifest.json (file names, SRI integrity, sizes). Prints the gzipped size.
//
//   node scripts/build-widget.ts                 a template: the server pins its own root when it serves it
//   ECTRUST_WIDGET_PINNED=pinned.json node scripts/build-widget.ts   roots baked in (`ectrust keys pinned`)
//
// The template carries PINNED_PLACEHOLDER where the pinned roots go; src/modules/seals/seals.widget.ts
// fills it from the server's key store and computes the SRI of the bytes it serves (docs/seals.md, "Pinning").
import { build, type Plugin } from "esbuild";
import ts from "typescript";
import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { PINNED_PLACEHOLDER, type Pinned } from "../src/modules/seals/seals.widget.ts";

export type { Pinned };

export interface WidgetManifest {
  entry: string;
  integrity: string;
  bytes: number;
  gzipBytes: number;
  chunks: string[];
  /** the entry carries PINNED_PLACEHOLDER: the server pins its own roots when serving it */
  template: boolean;
}

export const GZIP_BUDGET = 8 * 1024;

/**
 * The widget shows states and codes, never error messages: this plugin replaces the message
 * argument of reject()/fail() and of new VerifyError()/TlogError() with "" in the seals code
 * it bundles (an AST transform, so the shipped logic is exactly the tested logic).
 */
const stripMessages: Plugin = {
  name: "strip-error-messages",
  setup(b) {
    b.onLoad({ filter: /src[\\/]modules[\\/]seals[\\/].*\.ts$/ }, async (args) => {
      const source = ts.createSourceFile(args.path, await readFile(args.path, "utf8"), ts.ScriptTarget.ES2022, true);
      const names = new Set(["reject", "fail", "VerifyError", "TlogError"]);
      const strip = (node: ts.Expression, a: readonly ts.Expression[]): ts.Expression[] | undefined =>
        ts.isIdentifier(node) && names.has(node.text) && a.length >= 2 ? a.map((x, i) => (i === 1 ? ts.factory.createStringLiteral("") : x)) : undefined;
      const visit = (ctx: ts.TransformationContext) => (root: ts.SourceFile): ts.SourceFile => {
        const v = (n: ts.Node): ts.Node => {
          const node = ts.visitEachChild(n, v, ctx);
          if (ts.isCallExpression(node)) {
            const a = strip(node.expression, node.arguments);
            if (a) return ts.factory.updateCallExpression(node, node.expression, node.typeArguments, a);
          }
          if (ts.isNewExpression(node) && node.arguments) {
            const a = strip(node.expression, node.arguments);
            if (a) return ts.factory.updateNewExpression(node, node.expression, node.typeArguments, a);
          }
          return node;
        };
        return ts.visitNode(root, v) as ts.SourceFile;
      };
      const out = ts.transform(source, [visit]);
      const contents = ts.createPrinter().printFile(out.transformed[0] as ts.SourceFile);
      out.dispose();
      return { contents, loader: "ts" };
    });
  },
};
const repo = fileURLToPath(new URL("..", import.meta.url));

/** Builds the widget; without `pinned`, a template that the server pins (seals.widget.ts). */
export async function buildWidget(opts: { outdir: string; pinned?: Pinned | undefined }): Promise<WidgetManifest> {
  await rm(opts.outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { widget: join(repo, "src/widget/seal.ts") },
    outdir: opts.outdir,
    entryNames: "[name].[hash]",
    chunkNames: "chunk.[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    metafile: true,
    define: { ECTRUST_PINNED: JSON.stringify(opts.pinned ? JSON.stringify(opts.pinned) : PINNED_PLACEHOLDER) },
    logLevel: "warning",
    plugins: [stripMessages],
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entryPath = outputs.find(([, o]) => o.entryPoint !== undefined)?.[0];
  if (!entryPath) throw new Error("esbuild produced no entry");
  const code = await readFile(entryPath);
  const manifest: WidgetManifest = {
    entry: basename(entryPath),
    integrity: `sha384-${createHash("sha384").update(code).digest("base64")}`,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    chunks: outputs.map(([p]) => basename(p)).filter((p) => p !== basename(entryPath)),
    template: !opts.pinned,
  };
  await writeFile(join(opts.outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

async function pinnedFromEnv(): Promise<Pinned | undefined> {
  const file = process.env.ECTRUST_WIDGET_PINNED;
  if (!file) return undefined;
  return JSON.parse(await readFile(file, "utf8")) as Pinned;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await buildWidget({ outdir: join(repo, "dist/widget"), pinned: await pinnedFromEnv() });
  console.log(`widget: dist/widget/${m.entry} ${m.bytes} B, ${m.gzipBytes} B gzipped (budget ${GZIP_BUDGET} B); lazy chunks: ${m.chunks.join(", ")}; ${m.template ? "template (the server pins its own root)" : "roots baked in"}`);
  if (m.gzipBytes > GZIP_BUDGET) {
    console.error("widget: over the size budget");
    process.exit(1);
  }
}
