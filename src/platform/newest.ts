// Modification times for "is this build older than its sources?" checks (scripts/ensure-build.ts,
// the pii worker bundle in src/modules/pii/scan-pool.ts).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Newest modification time (ms) of the files under `dir`, recursively, optionally only those ending in `suffix`; 0 when there are none. */
export function newestMtime(dir: string, suffix = ""): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(suffix)) continue;
    const s = statSync(join(dir, f));
    if (s.isFile()) t = Math.max(t, s.mtimeMs);
  }
  return t;
}
