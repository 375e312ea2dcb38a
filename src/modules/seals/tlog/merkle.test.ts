import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fromBase64, utf8 } from "./bytes.ts";
import { TlogError } from "./errors.ts";
import { emptyRoot, isPowerOfTwo, leafHash, splitPoint, verifyConsistency, verifyInclusion } from "./merkle.ts";
import { MemoryHashReader, consistencyProof, inclusionProof, leafHashSync, treeRoot } from "./tree.ts";

const VECTORS = new URL("../../../../../shared/tlog-testvectors/", import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".json") ? [p] : [];
  });
}

const b64 = (s: string): Uint8Array => {
  const b = fromBase64(s);
  assert.ok(b, `bad base64 in vector: ${s}`);
  return b;
};

async function outcome(f: () => Promise<void>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    assert.ok(e instanceof TlogError, `untyped error ${String(e)}`);
    return false;
  }
}

interface InclusionVector { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

test("every transparency-dev/merkle inclusion vector", async () => {
  const list = files(join(VECTORS, "inclusion"));
  assert.ok(list.length >= 98);
  for (const f of list) {
    const v = JSON.parse(readFileSync(f, "utf8")) as InclusionVector;
    const ok = await outcome(() => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)));
    assert.equal(ok, !v.wantErr, `${f}: ${v.desc}`);
  }
});

test("every transparency-dev/merkle consistency vector, with the reference's edge cases", async () => {
  const list = files(join(VECTORS, "consistency"));
  assert.ok(list.length >= 98);
  for (const f of list) {
    const v = JSON.parse(readFileSync(f, "utf8")) as ConsistencyVector;
    const ok = await outcome(() => verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)));
    assert.equal(ok, !v.wantErr, `${f}: ${v.desc}`);
  }
});

test("the empty tree root is SHA-256 of nothing", async () => {
  assert.equal(Buffer.from(await emptyRoot()).toString("hex").slice(0, 8), "e3b0c442");
  assert.equal(Buffer.from(await treeRoot(0, new MemoryHashReader())).toString("hex").slice(0, 8), "e3b0c442");
});

test("generated proofs verify for every index and size pair up to 40 (RFC 6962 §2.1.1 vs RFC 9162)", async () => {
  const r = new MemoryHashReader();
  const roots: Uint8Array[] = [];
  for (let n = 1; n <= 40; n++) {
    r.append(leafHashSync(utf8(`entry ${n - 1}`)));
    roots[n] = await treeRoot(n, r);
  }
  for (let n = 1; n <= 40; n++) {
    const root = roots[n] as Uint8Array;
    for (let i = 0; i < n; i++) {
      const p = await inclusionProof(i, n, r);
      await verifyInclusion(i, n, await leafHash(utf8(`entry ${i}`)), p, root);
    }
    for (let m = 1; m <= n; m++) {
      const p = await consistencyProof(m, n, r);
      await verifyConsistency(m, n, p, roots[m] as Uint8Array, root);
    }
  }
});

test("bad inputs are typed errors", async () => {
  const r = new MemoryHashReader();
  r.append(leafHashSync(utf8("a")));
  r.append(leafHashSync(utf8("b")));
  const root = await treeRoot(2, r);
  const leaf = await leafHash(utf8("a"));
  const proof = await inclusionProof(0, 2, r);
  const code = async (f: () => Promise<unknown>): Promise<string> => {
    try {
      await f();
      return "ok";
    } catch (e) {
      return e instanceof TlogError ? e.code : "untyped";
    }
  };
  assert.equal(await code(() => verifyInclusion(0, 2, leaf, proof, root)), "ok");
  assert.equal(await code(() => verifyInclusion(2, 2, leaf, proof, root)), "bad_size");
  assert.equal(await code(() => verifyInclusion(-1, 2, leaf, proof, root)), "bad_size");
  assert.equal(await code(() => verifyInclusion(0, 2 ** 53, leaf, proof, root)), "bad_size");
  assert.equal(await code(() => verifyInclusion(0, 2, leaf, [...proof, leaf], root)), "bad_proof_length");
  assert.equal(await code(() => verifyInclusion(0, 2, leaf, [], root)), "bad_proof_length");
  assert.equal(await code(() => verifyInclusion(0, 2, leaf, proof, root.slice(1))), "bad_hash_length");
  assert.equal(await code(() => verifyInclusion(0, 2, leaf, [proof[0]?.slice(1) ?? leaf], root)), "bad_hash_length");
  assert.equal(await code(() => verifyInclusion(1, 2, leaf, proof, root)), "root_mismatch");
  assert.equal(await code(() => inclusionProof(2, 2, r)), "bad_size");
  assert.equal(await code(() => consistencyProof(0, 2, r)), "bad_size");
  assert.equal(await code(() => consistencyProof(3, 2, r)), "bad_size");
  assert.equal(await code(() => inclusionProof(0, 3, r)), "store_corrupt");
  assert.equal(await code(() => verifyConsistency(1, 2, [root], leaf, root.slice(2))), "bad_hash_length");
});

test("helpers", () => {
  assert.deepEqual([1, 2, 3, 4, 6, 8, 2 ** 40].map(isPowerOfTwo), [true, true, false, true, false, true, true]);
  assert.equal(isPowerOfTwo(0), false);
  assert.deepEqual([2, 3, 4, 5, 9].map(splitPoint), [1, 2, 2, 4, 8]);
});
