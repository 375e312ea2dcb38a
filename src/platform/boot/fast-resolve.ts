// A fast path through Node's ESM resolver for one common case: a relative import ("./x.js") made by
// a module inside node_modules, in a package whose package.json says "type": "module".
//
// Why: Node 24's resolver finds the format of every `.js` module it loads by reading the package
// scope's package.json (getPackageScopeConfig in lib/internal/modules/package_json_reader.js), and
// that copies every field of it, which parses the package's whole `exports` map again each time.
// drizzle-orm's package.json is 179 KB, mostly `exports`, and loading the database layer resolves
// hundreds of its modules: importing src/platform/db/database.ts took 1.7 CPU-s, 80 % of it in those
// parses and the garbage they leave. Every `ectrust` command and every test process paid it.
// With this hook: 0.3 CPU-s (bench/startup.ts, bench/RESULTS.md "startup").
//
// The answer is Node's own for the cases it takes: the URL resolved against the parent, a regular
// file that is its own real path, format "module" for `.mjs` and for `.js` whose nearest package.json
// has "type": "module". Anything else (a missing file, a symlink, a directory, percent-encoding, a
// query, import attributes, a package without "type": "module") goes to Node's resolver unchanged,
// so errors and edge cases are Node's. fast-resolve.test.ts compares every answer this gives while
// the whole application loads with what Node's resolver gives.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { registerHooks, type ResolveHookContext, type ResolveFnOutput } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The "type" of each folder's nearest package.json ("none" when it has none), or null when there is no readable one. */
const scopeTypes = new Map<string, string | null>();

function readType(file: string): string | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined; // no package.json here
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const type = typeof parsed === "object" && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    return typeof type === "string" ? type : "none";
  } catch {
    return null; // unparseable: Node reports it, not us
  }
}

/**
 * The "type" of the package.json nearest to `dir` (searching up, as Node does, and not past a
 * node_modules folder's own level), or null when there is none or it cannot be read.
 */
function packageType(dir: string): string | null {
  const cached = scopeTypes.get(dir);
  if (cached !== undefined) return cached;
  let result: string | null;
  const own = dir.endsWith("/node_modules") ? null : readType(join(dir, "package.json"));
  if (own !== undefined) result = own;
  else {
    const up = dirname(dir);
    result = up === dir ? null : packageType(up);
  }
  scopeTypes.set(dir, result);
  return result;
}

const RELATIVE_JS = /^\.\.?\/[^?#%\\]*\.m?js$/;

/**
 * Node's answer for `specifier` imported by `parentURL`, when this fast path can give it; otherwise
 * null (the caller then asks Node's resolver).
 */
export function fastResolve(specifier: string, parentURL: string | undefined): ResolveFnOutput | null {
  if (parentURL === undefined || !parentURL.startsWith("file:///") || !parentURL.includes("/node_modules/") || !RELATIVE_JS.test(specifier)) return null;
  const path = fileURLToPath(new URL(specifier, parentURL)); // RELATIVE_JS admits no query or fragment
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st?.isFile()) return null;
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return null;
  }
  if (real !== path || (!path.endsWith(".mjs") && packageType(dirname(path)) !== "module")) return null;
  return { url: pathToFileURL(path).href, format: "module", shortCircuit: true };
}

let registered = false;

/** Installs the fast path in this process's module loader (once). Modules imported before this are unaffected. */
export function registerFastResolve(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier: string, context: ResolveHookContext, nextResolve) {
      const attributes = context.importAttributes as Record<string, string> | undefined;
      if (attributes && Object.keys(attributes).length > 0) return nextResolve(specifier, context);
      return fastResolve(specifier, context.parentURL) ?? nextResolve(specifier, context);
    },
  });
}
