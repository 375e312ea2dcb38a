// Which files a scan reads and how: path expansion and the format by name; and where mask / protect
// / unprotect write their copies. Apart from the detection engine, so that the CLI's main thread,
// which hands files to workers, does not load it.
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { SkipNote } from "./pii.types.ts";

export type Format = "text" | "csv" | "json" | "sql";

/** The format of a file from its name (ignoring a trailing .gz). */
export function formatOf(path: string): { format: Format; ext: string } {
  let name = basename(path).toLowerCase();
  if (name.endsWith(".gz")) name = name.slice(0, -3);
  const ext = extname(name);
  if (ext === ".csv" || ext === ".tsv" || ext === ".tab") return { format: "csv", ext };
  if (ext === ".json" || ext === ".ndjson" || ext === ".jsonl" || ext === ".geojson") return { format: "json", ext };
  if (ext === ".sql" || ext === ".dump" || ext === ".pgsql") return { format: "sql", ext };
  return { format: "text", ext };
}

/** Expands paths: directories recursively (skipping .git and symlinks), files as given. */
export async function expandPaths(paths: readonly string[], notes: SkipNote[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, top: boolean): Promise<void> => {
    let st;
    try {
      st = top ? await stat(p) : await lstat(p);
    } catch (e) {
      notes.push({ file: p, reason: "unreadable", detail: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p)).sort();
      for (const e of entries) if (e !== ".git" && e !== "node_modules") await walk(join(p, e), false);
    } else if (st.isFile()) out.push(p);
    else if (top) notes.push({ file: p, reason: "not-a-file", detail: "not a regular file or directory" });
  };
  for (const p of paths) await walk(p, true);
  return out;
}

export interface RewriteJob { input: string; output: string }

/**
 * Where `mask`, `protect` and `unprotect` write each input: under `outDir`, as `cp -r` would put it
 * (a file argument at its name, a directory argument as a folder of that name with its tree), so
 * that same-named files of different folders stay apart. Refused with an "output-conflict" note, and
 * not rewritten: an input whose output would be one of the inputs (inputs are never overwritten), and
 * an input whose output another input already has.
 */
export async function rewriteJobs(paths: readonly string[], outDir: string, notes: SkipNote[]): Promise<RewriteJob[]> {
  const candidates: RewriteJob[] = [];
  const inputs = new Set<string>();
  const inodes = new Set<string>(); // dev:ino of the inputs: a hard link to one has another path
  for (const p of paths) {
    const files = await expandPaths([p], notes);
    if (files.length === 0) continue;
    // "." and "dir/." give their contents, and so do ".." and "dir/..": the folder of ".." is not a
    // folder above it (its files came out as "../x", written outside --out-dir); "dir" a folder "dir"
    const last = basename(p);
    const base = last === "." || last === ".." ? resolve(p) : resolve(dirname(p));
    for (const f of files) {
      inputs.add(resolve(f));
      inputs.add(await realpath(f).catch(() => resolve(f)));
      const st = await stat(f).catch(() => null);
      if (st) inodes.add(`${st.dev}:${st.ino}`);
      candidates.push({ input: f, output: join(outDir, relative(base, resolve(f))) });
    }
  }
  const top = resolve(outDir);
  const realTop = await realpath(top).catch(() => null);
  const taken = new Map<string, string>();
  const jobs: RewriteJob[] = [];
  for (const j of candidates) {
    const o = resolve(j.output);
    const other = taken.get(o);
    let detail: string | null = null;
    const existing = await stat(o).catch(() => null);
    if (inputs.has(o) || inputs.has(await realpath(o).catch(() => o)) || (existing !== null && inodes.has(`${existing.dev}:${existing.ino}`))) {
      detail = `its output ${j.output} is an input file, and inputs are never overwritten: choose another --out-dir`;
    } else if (!inside(o, top) || await leavesOutDir(o, top, realTop)) {
      detail = `its output ${j.output} would be outside --out-dir (a ".." in the path, or a symbolic link in --out-dir)`;
    } else if (other !== undefined) detail = `its output ${j.output} is already that of ${other}: give such files in separate runs or from their parent folder`;
    if (detail !== null) { notes.push({ file: j.input, reason: "output-conflict", detail }); continue; }
    taken.set(o, j.input);
    jobs.push(j);
  }
  return jobs;
}

/** True when `p` is `dir` or below it (both absolute and normalised). */
function inside(p: string, dir: string): boolean {
  const r = relative(dir, p);
  return r !== ".." && !r.startsWith(`..${sep}`) && !isAbsolute(r);
}

/**
 * True when writing `o` (below `top`, the --out-dir) would go through a symbolic link: `o` itself is
 * one, or the deepest folder on its way that exists already resolves outside --out-dir.
 */
async function leavesOutDir(o: string, top: string, realTop: string | null): Promise<boolean> {
  if (realTop === null) return false; // --out-dir does not exist yet: this run creates all of it
  if ((await lstat(o).catch(() => null))?.isSymbolicLink() === true) return true;
  for (let d = dirname(o); inside(d, top); d = dirname(d)) {
    const r = await realpath(d).catch(() => null);
    if (r !== null) return !inside(r, realTop);
    if (d === top) break;
  }
  return false;
}
