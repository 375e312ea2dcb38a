// Which entry `ectrust pii …` runs: the plain-JavaScript bundle from `npm run build`
// (dist/pii/cli/, scripts/build-pii.ts) when it is newer than every source file it was built from,
// else null (bin/ectrust.js then runs the TypeScript sources). Plain JavaScript, so that choosing
// does not load the TypeScript stripper that the bundle is there to avoid.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * @param {string} dir the bundle's folder (dist/pii/cli)
 * @returns {URL | null}
 */
export function freshPiiBundle(dir) {
  try {
    const { entry, inputs } = JSON.parse(readFileSync(join(dir, "inputs.json"), "utf8"));
    if (typeof entry !== "string" || !Array.isArray(inputs) || inputs.length === 0) return null;
    const built = statSync(join(dir, entry)).mtimeMs;
    // a source missing (moved, deleted) throws: stale
    for (const f of inputs) if (statSync(String(f)).mtimeMs > built) return null;
    return pathToFileURL(join(dir, entry));
  } catch {
    return null; // not built, or unreadable: the sources
  }
}
