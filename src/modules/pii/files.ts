// Which files a scan reads and how: path expansion and the format by name; and where mask / protect
// / unprotect write their copies. Apart from the detection engine, so that the CLI's main thread,
// which hands files to workers, does not load it.
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
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
  for (const p of paths) {
    const files = await expandPaths([p], notes);
    if (files.length === 0) continue;
    const base = resolve(dirname(p)); // "." and "dir/." give their contents; "dir" a folder "dir"
    for (const f of files) {
      inputs.add(resolve(f));
      inputs.add(await realpath(f).catch(() => resolve(f)));
      candidates.push({ input: f, output: join(outDir, relative(base, resolve(f))) });
    }
  }
  const taken = new Map<string, string>();
  const jobs: RewriteJob[] = [];
  for (const j of candidates) {
    const o = resolve(j.output);
    const other = taken.get(o);
    let detail: string | null = null;
    if (inputs.has(o) || inputs.has(await realpath(o).catch(() => o))) detail = `its output ${j.output} is an input file, and inputs are never overwritten: choose another --out-dir`;
    else if (other !== undefined) detail = `its output ${j.output} is already that of ${other}: give such files in separate runs or from their parent folder`;
    if (detail !== null) { notes.push({ file: j.input, reason: "output-conflict", detail }); continue; }
    taken.set(o, j.input);
    jobs.push(j);
  }
  return jobs;
}
