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

/**
 * How `ectrust pii …` re-executes itself, or null when it runs as it is. The scanner's worker threads
 * (and V8's and libuv's) each get a glibc malloc arena of their own, up to eight per core, and each
 * arena keeps what it has freed: MALLOC_ARENA_MAX=2 took the peak RSS of a two-worker scan of 1 GB of
 * mixed files down by 5–15 MiB at no CPU cost (bench/RESULTS.md, pii runs 10 and 11). glibc reads the
 * variable only at process start, so the launcher replaces itself (process.execve: the same process,
 * no second one) with the same command and the variable set. Never when the variable is already set
 * (so once, and a user's own value stands), off Linux, or where Node has no process.execve.
 * @param {readonly string[]} argv process.argv
 * @param {readonly string[]} execArgv process.execArgv
 * @param {Record<string, string | undefined>} env process.env
 * @param {string} platform process.platform
 * @param {boolean} canExec whether process.execve exists
 * @returns {{ file: string; args: string[]; env: Record<string, string | undefined> } | null}
 */
export function piiReexec(argv, execArgv, env, platform, canExec) {
  if (argv[2] !== "pii" || platform !== "linux" || !canExec || env.MALLOC_ARENA_MAX !== undefined) return null;
  const [file = "", script = "", ...rest] = argv;
  return { file, args: [file, ...execArgv, script, ...rest], env: { ...env, MALLOC_ARENA_MAX: "2" } };
}
