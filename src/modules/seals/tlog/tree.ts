// Proof generation (RFC 6962 §2.1.1 PATH and §2.1.2 SUBPROOF) and tree hashes from a
// reader of complete-subtree hashes, so that a log of millions of entries never has to be in
// memory: each proof needs O(log² n) stored hashes at most. Node only (synchronous
// node:crypto SHA-256); the isomorphic verifiers are in merkle.ts.
import { createHash } from "node:crypto";
import { splitPoint } from "./merkle.ts";
import { fail } from "./errors.ts";

/** A complete subtree: the 2^level leaves starting at index·2^level. */
export interface SubtreeRef {
  level: number;
  index: number;
}

/** Reads stored hashes of complete subtrees; the order of the answer matches the request. */
export interface HashReader {
  readHashes(refs: readonly SubtreeRef[]): Promise<Uint8Array[]>;
}

export function leafHashSync(entry: Uint8Array): Buffer {
  return createHash("sha256").update(Uint8Array.of(0)).update(entry).digest();
}

export function nodeHashSync(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(Uint8Array.of(1)).update(left).update(right).digest();
}

/** The Merkle root of a power-of-two run of hashes (a complete subtree). */
export function completeRoot(hashes: readonly Uint8Array[]): Uint8Array {
  let level = [...hashes];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHashSync(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    level = next;
  }
  const [root] = level;
  if (!root) return fail("bad_size", "no hashes");
  return root;
}

/** The complete subtrees that make up the leaf range [lo, hi), left to right. */
export function decompose(lo: number, hi: number, out: SubtreeRef[] = []): SubtreeRef[] {
  let start = lo;
  while (start < hi) {
    // The largest aligned power-of-two block starting at `start` that fits.
    let size = 1;
    let level = 0;
    while (start % (size * 2) === 0 && start + size * 2 <= hi) {
      size *= 2;
      level++;
    }
    out.push({ level, index: start / size });
    start += size;
  }
  return out;
}

const key = (r: SubtreeRef): string => `${r.level}/${r.index}`;

/** MTH(D[lo:hi]) from the complete subtrees of the range (RFC 6962 §2.1 split at k). */
function rangeHash(lo: number, hi: number, got: Map<string, Uint8Array>): Uint8Array {
  const parts = decompose(lo, hi).map((r) => {
    const h = got.get(key(r));
    if (!h) return fail("store_corrupt", `missing hash ${key(r)}`);
    return h;
  });
  // The decomposition of a range that starts aligned is exactly the right spine of the
  // RFC 6962 split, so fold from the right.
  let acc = parts[parts.length - 1] as Uint8Array;
  for (let i = parts.length - 2; i >= 0; i--) acc = nodeHashSync(parts[i] as Uint8Array, acc);
  return acc;
}

type Range = readonly [number, number];

async function hashRanges(ranges: readonly Range[], reader: HashReader): Promise<Uint8Array[]> {
  const refs = new Map<string, SubtreeRef>();
  for (const [lo, hi] of ranges) for (const r of decompose(lo, hi)) refs.set(key(r), r);
  const list = [...refs.values()];
  const hashes = await reader.readHashes(list);
  const got = new Map<string, Uint8Array>();
  list.forEach((r, i) => {
    const h = hashes[i];
    if (!h || h.length !== 32) fail("store_corrupt", `bad stored hash ${key(r)}`);
    got.set(key(r), h);
  });
  return ranges.map(([lo, hi]) => rangeHash(lo, hi, got));
}

function checkSizes(a: number, b: number, strict: boolean): void {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || (strict ? a >= b : a > b)) {
    fail("bad_size", `bad index/size pair ${a}, ${b}`);
  }
}

/** RFC 6962 §2.1.1 PATH(m, D[n]) as ranges whose hashes make the audit path, leaf first. */
export function inclusionRanges(m: number, lo: number, hi: number): Range[] {
  if (hi - lo <= 1) return [];
  const k = splitPoint(hi - lo);
  if (m < k) return [...inclusionRanges(m, lo, lo + k), [lo + k, hi]];
  return [...inclusionRanges(m - k, lo + k, hi), [lo, lo + k]];
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b) as ranges. */
export function consistencyRanges(m: number, lo: number, hi: number, b: boolean): Range[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [[lo, hi]];
  const k = splitPoint(n);
  if (m <= k) return [...consistencyRanges(m, lo, lo + k, b), [lo + k, hi]];
  return [...consistencyRanges(m - k, lo + k, hi, false), [lo, lo + k]];
}

export async function inclusionProof(index: number, size: number, reader: HashReader): Promise<Uint8Array[]> {
  checkSizes(index, size, true);
  return hashRanges(inclusionRanges(index, 0, size), reader);
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m ≤ n. */
export async function consistencyProof(size1: number, size2: number, reader: HashReader): Promise<Uint8Array[]> {
  checkSizes(size1, size2, false);
  if (size1 === 0) fail("bad_size", "no consistency proof from the empty tree");
  return hashRanges(consistencyRanges(size1, 0, size2, true), reader);
}

/** MTH of the first `size` leaves; SHA-256("") for the empty tree. */
export async function treeRoot(size: number, reader: HashReader): Promise<Uint8Array> {
  checkSizes(0, size, false);
  if (size === 0) return createHash("sha256").digest();
  const [root] = await hashRanges([[0, size]], reader);
  return root as Uint8Array;
}

/** A HashReader over an in-memory list of leaf hashes (tests, small trees). */
export class MemoryHashReader implements HashReader {
  private readonly levels: Uint8Array[][] = [[]];
  append(leaf: Uint8Array): void {
    let level = 0;
    let h = leaf;
    for (;;) {
      const row = (this.levels[level] ??= []);
      row.push(h);
      if (row.length % 2 === 1) return;
      h = nodeHashSync(row[row.length - 2] as Uint8Array, h);
      level++;
    }
  }
  get size(): number {
    return (this.levels[0] ?? []).length;
  }
  readHashes(refs: readonly SubtreeRef[]): Promise<Uint8Array[]> {
    return Promise.resolve(
      refs.map((r) => this.levels[r.level]?.[r.index] ?? fail("store_corrupt", `no hash ${key(r)}`)),
    );
  }
}
