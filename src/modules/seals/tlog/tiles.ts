// C2SP tlog-tiles (c2sp.org/tlog-tiles): tile and entry-bundle paths, bundle encoding, and
// which tiles a tree of a given size has. Pure and isomorphic.
import { concat, type Bytes } from "./bytes.ts";
import { fail } from "./errors.ts";

/** Tile height 8: a full tile has 256 hashes (8,192 bytes), a full bundle 256 entries. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const MAX_ENTRY_SIZE = 65_535;

/** A tile (level ≥ 0) or an entry bundle (level "entries"); width < 256 means partial. */
export interface TileRef {
  level: number | "entries";
  index: number;
  width: number;
}

/** `<N>` as 3-digit groups, all but the last prefixed with `x`: 1234067 → x001/x234/067. */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) fail("bad_size", `tile index ${n}`);
  let s = String(n % 1000).padStart(3, "0");
  let rest = Math.floor(n / 1000);
  while (rest > 0) {
    s = `x${String(rest % 1000).padStart(3, "0")}/${s}`;
    rest = Math.floor(rest / 1000);
  }
  return s;
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, relative to the log prefix. */
export function tilePath(t: TileRef): string {
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) fail("bad_size", `tile width ${t.width}`);
  if (t.level !== "entries" && (!Number.isInteger(t.level) || t.level < 0 || t.level > 63)) {
    fail("bad_size", `tile level ${t.level}`);
  }
  const p = `tile/${String(t.level)}/${encodeTileIndex(t.index)}`;
  return t.width === TILE_WIDTH ? p : `${p}.p/${t.width}`;
}

/** Parses a path made by tilePath; throws TlogError(malformed_tile) on anything else. */
export function parseTilePath(path: string): TileRef {
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) return fail("malformed_tile", `not a tile path: ${path}`);
  const [, lvl = "", xs = "", last = "", w] = m;
  const groups = [...xs.split("/").filter((g) => g !== "").map((g) => g.slice(1)), last];
  if (groups.length > 1 && groups[0] === "000") fail("malformed_tile", `non-canonical index in ${path}`);
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g);
  if (!Number.isSafeInteger(index)) fail("malformed_tile", `index too large in ${path}`);
  const width = w === undefined ? TILE_WIDTH : Number(w);
  if (w !== undefined && width >= TILE_WIDTH) fail("malformed_tile", `partial width ${width} in ${path}`);
  return { level: lvl === "entries" ? "entries" : Number(lvl), index, width };
}

/** Number of stored hashes at tile level L (tree level 8·L) for a tree of `size` leaves. */
export function hashesAtTileLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/**
 * The tiles of a tree of `size` leaves, level by level: full tiles, then at most one partial
 * per level (the spec's example: size 70,000 → 273 full + one .p/112 at level 0, one full +
 * .p/17 at level 1, .p/1 at level 2). `from` limits the list to tiles not already complete
 * at size `from` (what a batch must write).
 */
export function tilesForSize(size: number, from = 0): TileRef[] {
  const out: TileRef[] = [];
  for (let level = 0; ; level++) {
    const n = hashesAtTileLevel(size, level);
    if (n === 0) break;
    const first = Math.floor(hashesAtTileLevel(from, level) / TILE_WIDTH);
    const last = Math.ceil(n / TILE_WIDTH) - 1;
    for (let i = first; i <= last; i++) out.push({ level, index: i, width: Math.min(TILE_WIDTH, n - i * TILE_WIDTH) });
  }
  return out;
}

/** Entry bundles of a tree of `size` leaves not already complete at size `from`. */
export function bundlesForSize(size: number, from = 0): TileRef[] {
  const out: TileRef[] = [];
  const last = Math.ceil(size / TILE_WIDTH) - 1;
  for (let i = Math.floor(from / TILE_WIDTH); i <= last; i++) {
    out.push({ level: "entries", index: i, width: Math.min(TILE_WIDTH, size - i * TILE_WIDTH) });
  }
  return out;
}

/** Entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeBundle(entries: readonly Uint8Array[]): Bytes {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) fail("entry_too_large", `entry of ${e.length} bytes`);
    parts.push(Uint8Array.of(e.length >> 8, e.length & 255), e);
  }
  return concat(...parts);
}

export function decodeBundle(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < data.length) {
    if (o + 2 > data.length) fail("malformed_tile", "truncated length prefix in bundle");
    const n = (Number(data[o]) << 8) | Number(data[o + 1]);
    o += 2;
    if (o + n > data.length) fail("malformed_tile", "truncated entry in bundle");
    out.push(data.subarray(o, o + n));
    o += n;
  }
  if (out.length > TILE_WIDTH) fail("malformed_tile", "more than 256 entries in a bundle");
  return out;
}

/** Splits a tile into its 32-byte hashes. */
export function splitTile(data: Uint8Array, width: number): Uint8Array[] {
  if (data.length !== width * 32) fail("malformed_tile", `tile of ${data.length} bytes, width ${width}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < width; i++) out.push(data.subarray(i * 32, i * 32 + 32));
  return out;
}
