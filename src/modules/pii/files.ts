// Which files a scan reads and how: path expansion and the format by name. Apart from the
// detection engine, so that the CLI's main thread, which hands files to workers, does not load it.
import { lstat, readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
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
