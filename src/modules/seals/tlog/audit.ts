// `ectrust log verify`: an auditor's full check of a tiled log folder. Recomputes the tree
// from the entry bundles, compares every stored tile with it, and checks every stored
// checkpoint: signature (when a vkey is given), root, and consistency with the next one.
import { equal } from "./bytes.ts";
import { parseCheckpoint, verifyCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { parseEntry } from "./entry.ts";
import { TlogError } from "./errors.ts";
import { verifyConsistency } from "./merkle.ts";
import { parseNote, parseVkey } from "./note.ts";
import type { LogStore } from "./store.ts";
import { bundlesForSize, decodeBundle, splitTile, tilePath, tilesForSize } from "./tiles.ts";
import { MemoryHashReader, consistencyProof, leafHashSync, treeRoot } from "./tree.ts";

export interface AuditReport {
  ok: boolean;
  origin: string | undefined;
  size: number;
  checkpoints: number;
  signaturesChecked: boolean;
  tiles: number;
  entryTypes: Record<string, number>;
  problems: string[];
}

export async function auditLog(store: LogStore, opts: { vkey?: string } = {}): Promise<AuditReport> {
  const problems: string[] = [];
  const report: AuditReport = { ok: false, origin: undefined, size: 0, checkpoints: 0, signaturesChecked: opts.vkey !== undefined, tiles: 0, entryTypes: {}, problems };
  const notes = await store.listCheckpoints();
  const latest = await store.readCheckpoint();
  if (latest === undefined) {
    problems.push("no checkpoint: not a log folder, or an empty log");
    return report;
  }
  if (notes.at(-1) !== latest) problems.push("the latest checkpoint is not the last one in checkpoints/");
  const vkey = opts.vkey === undefined ? undefined : await parseVkey(opts.vkey);
  const cps: Checkpoint[] = [];
  for (const note of notes) {
    try {
      cps.push(vkey ? await verifyCheckpoint(note, vkey, vkey.name) : parseCheckpoint(parseNote(note).text));
    } catch (e) {
      problems.push(`checkpoint: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  report.checkpoints = cps.length;
  const last = cps.at(-1);
  if (!last) return { ...report, ok: false };
  report.origin = last.origin;
  report.size = last.size;
  // Recompute the tree from the entries.
  const tree = new MemoryHashReader();
  for (const b of bundlesForSize(last.size)) {
    const data = await store.read(b);
    if (!data) {
      problems.push(`missing ${tilePath(b)}`);
      return report;
    }
    const entries = decodeBundle(data);
    if (entries.length !== b.width) problems.push(`${tilePath(b)} has ${entries.length} entries, not ${b.width}`);
    for (const e of entries) {
      tree.append(leafHashSync(e));
      try {
        const t = parseEntry(e).type;
        report.entryTypes[t] = (report.entryTypes[t] ?? 0) + 1;
      } catch (err) {
        problems.push(`entry ${tree.size - 1}: ${(err as TlogError).message}`);
      }
    }
  }
  // Every tile must hold the recomputed hashes.
  for (const t of tilesForSize(last.size)) {
    report.tiles++;
    const data = await store.read(t);
    const level = t.level as number;
    const want = await tree.readHashes(Array.from({ length: t.width }, (_, i) => ({ level: level * 8, index: t.index * 256 + i })));
    const got = data ? splitTile(data, t.width) : [];
    if (got.length !== want.length || got.some((h, i) => !equal(h, want[i] as Uint8Array))) problems.push(`${tilePath(t)} does not match the entries`);
  }
  // Every checkpoint: its root, and consistency with the next.
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as Checkpoint;
    if (c.origin !== last.origin) problems.push(`checkpoint ${c.size} has origin ${c.origin}`);
    if (c.size > last.size || !equal(await treeRoot(c.size, tree), c.root)) problems.push(`checkpoint ${c.size}: root does not match the entries`);
    const next = cps[i + 1];
    if (next && c.size > 0) {
      try {
        await verifyConsistency(c.size, next.size, await consistencyProof(c.size, next.size, tree), c.root, next.root);
      } catch (e) {
        problems.push(`checkpoints ${c.size} → ${next.size} are not consistent: ${(e as Error).message}`);
      }
    }
  }
  report.ok = problems.length === 0;
  return report;
}

export interface MonitorHit {
  index: number;
  type: string;
  entry: string;
}

/**
 * `ectrust log monitor <origin>`: every entry that names `origin` on an `origin` line (issue
 * entries), read from the entry bundles up to the latest checkpoint (verified with `vkey`
 * when given). Shops watch this for credentials they did not ask for (design note §4.3).
 */
export async function monitorOrigin(store: LogStore, origin: string, opts: { vkey?: string; from?: number } = {}): Promise<{ size: number; hits: MonitorHit[] }> {
  const note = await store.readCheckpoint();
  if (note === undefined) return { size: 0, hits: [] };
  const vkey = opts.vkey === undefined ? undefined : await parseVkey(opts.vkey);
  const c = vkey ? await verifyCheckpoint(note, vkey, vkey.name) : parseCheckpoint(parseNote(note).text);
  const hits: MonitorHit[] = [];
  const from = opts.from ?? 0;
  for (const b of bundlesForSize(c.size, from)) {
    const data = await store.read(b);
    if (!data) throw new TlogError("store_corrupt", `missing ${tilePath(b)}`);
    decodeBundle(data).forEach((e, i) => {
      const index = b.index * 256 + i;
      if (index < from) return;
      const text = new TextDecoder().decode(e);
      if (text.split("\n").includes(`origin ${origin}`)) {
        let type = "?";
        try {
          type = parseEntry(e).type;
        } catch {
          // reported with type "?"
        }
        hits.push({ index, type, entry: text });
      }
    });
  }
  return { size: c.size, hits };
}
