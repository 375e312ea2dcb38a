import { test } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "./bytes.ts";
import { TlogError } from "./errors.ts";
import { fieldValues, formatEntry, issueEntry, parseEntry } from "./entry.ts";
import {
  bundlesForSize, decodeBundle, encodeBundle, encodeTileIndex, parseTilePath, splitTile, tilePath, tilesForSize,
} from "./tiles.ts";

function code(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return e instanceof TlogError ? e.code : "untyped";
  }
}

test("tile paths with x segments and partial widths (c2sp.org/tlog-tiles)", () => {
  assert.equal(encodeTileIndex(1234067), "x001/x234/067");
  assert.equal(encodeTileIndex(0), "000");
  assert.equal(encodeTileIndex(1000), "x001/000");
  assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), "tile/0/x001/x234/067");
  assert.equal(tilePath({ level: 1, index: 3, width: 17 }), "tile/1/003.p/17");
  assert.equal(tilePath({ level: "entries", index: 273, width: 112 }), "tile/entries/273.p/112");
  assert.deepEqual(parseTilePath("tile/0/x001/x234/067"), { level: 0, index: 1234067, width: 256 });
  assert.deepEqual(parseTilePath("tile/entries/273.p/112"), { level: "entries", index: 273, width: 112 });
  for (const bad of ["tile/0/1", "tile/0/001.p/256", "tile/0/001.p/0", "tile/0/x000/001", "tile/01/001", "tile/0/001/", "../tile/0/001"]) {
    assert.equal(code(() => parseTilePath(bad)), "malformed_tile", bad);
  }
  assert.equal(code(() => tilePath({ level: 0, index: 0, width: 0 })), "bad_size");
  assert.equal(code(() => tilePath({ level: -1, index: 0, width: 1 })), "bad_size");
  assert.equal(code(() => encodeTileIndex(-1)), "bad_size");
  assert.equal(code(() => parseTilePath("tile/0/x999/x999/x999/x999/x999/999")), "malformed_tile");
});

test("the spec's size-70,000 example", () => {
  const tiles = tilesForSize(70_000).map(tilePath);
  assert.equal(tiles.filter((p) => p.startsWith("tile/0/")).length, 274);
  assert.ok(tiles.includes("tile/0/273.p/112"));
  assert.ok(tiles.includes("tile/1/000"));
  assert.ok(tiles.includes("tile/1/001.p/17"));
  assert.ok(tiles.includes("tile/2/000.p/1"));
  assert.equal(tiles.length, 274 + 2 + 1);
  assert.deepEqual(tilesForSize(70_000, 69_990).map(tilePath), ["tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1"]);
  assert.deepEqual(bundlesForSize(513, 256).map(tilePath), ["tile/entries/001", "tile/entries/002.p/1"]);
  assert.deepEqual(tilesForSize(0), []);
});

test("entry bundles", () => {
  const entries = [utf8("a"), utf8(""), utf8("x".repeat(300))];
  const b = encodeBundle(entries);
  assert.equal(b.length, 2 + 1 + 2 + 2 + 300);
  assert.deepEqual(decodeBundle(b).map((e) => e.length), [1, 0, 300]);
  assert.equal(code(() => decodeBundle(b.subarray(0, 1))), "malformed_tile");
  assert.equal(code(() => decodeBundle(b.subarray(0, 10))), "malformed_tile");
  assert.equal(code(() => encodeBundle([new Uint8Array(65_536)])), "entry_too_large");
  assert.equal(code(() => decodeBundle(encodeBundle(Array.from({ length: 257 }, () => utf8("a"))))), "malformed_tile");
  assert.equal(splitTile(new Uint8Array(64), 2).length, 2);
  assert.equal(code(() => splitTile(new Uint8Array(63), 2)), "malformed_tile");
});

test("log entries: format, parse, shape rules", () => {
  const e = issueEntry({
    cred: "urn:uuid:1", mark: "PrivacyMark", origins: ["https://shop.example", "https://www.shop.example"],
    kid: "abc", validFrom: "2026-11-26T00:00:00Z", validUntil: "2027-11-26T00:00:00Z", jwtSha256: "AAAA",
  });
  const bytes = formatEntry(e);
  const text = new TextDecoder().decode(bytes);
  assert.equal(text.split("\n")[0], "ectrust.example/entry/v1");
  assert.ok(text.includes("\norigin https://shop.example\norigin https://www.shop.example\n"));
  const back = parseEntry(bytes);
  assert.deepEqual(back, e);
  assert.deepEqual(fieldValues(back, "origin"), ["https://shop.example", "https://www.shop.example"]);
  assert.equal(parseEntry(utf8("x/entry/v1\ntype anchor\nversion 3\nanchor-sha256 AAAA\n")).type, "anchor");
  assert.equal(parseEntry(utf8("x/entry/v1\ntype key-add\nkid k\nrole issuing\nnotBefore 2026-01-01T00:00:00Z\n")).type, "key-add");
  for (const bad of [
    "x/entry/v1\ntype anchor\nversion 3\nanchor-sha256 AAAA",
    "x/entry/v2\ntype anchor\nversion 3\nanchor-sha256 AAAA\n",
    "x/entry/v1\ntype nope\n",
    "x/entry/v1\ntipe anchor\nversion 3\nanchor-sha256 AAAA\n",
    "x/entry/v1\ntype anchor\nanchor-sha256 AAAA\nversion 3\n",
    "x/entry/v1\ntype anchor\nversion 3\nversion 4\nanchor-sha256 AAAA\n",
    "x/entry/v1\ntype anchor\nversion 3\nanchor-sha256 AAAA\nextra 1\n",
    "x/entry/v1\ntype anchor\nversion\nanchor-sha256 AAAA\n",
    "x/entry/v1\ntype anchor\nversion  3\nanchor-sha256 AAAA\n",
    "x/entry/v1\ntype issue\ncred c\nmark m\nkid k\nvalid a b\njwt-sha256 h\n",
    "x/entry/v1\ntype key-add\nkid k\nrole r\nnotBefore a\nnotBefore b\n",
  ]) assert.equal(code(() => parseEntry(utf8(bad))), "malformed_entry", bad);
  assert.equal(code(() => parseEntry(Uint8Array.of(0xff, 0x0a))), "malformed_entry");
  assert.equal(code(() => parseEntry(new Uint8Array(70_000))), "entry_too_large");
  assert.equal(code(() => formatEntry({ ...e, fields: [["cred", "x".repeat(70_000)], ...e.fields.slice(1)] })), "entry_too_large");
});
