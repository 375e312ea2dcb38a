// RFC 6962 / RFC 9162 Merkle tree hashing and proof verification, on WebCrypto so that the
// same code runs in Node and in the seal widget. Sizes and indices are JavaScript numbers,
// checked to be safe integers (< 2^53), and shifted with arithmetic, never 32-bit bit ops.
import { concat, equal, sha256, type Bytes } from "./bytes.ts";
import { fail } from "./errors.ts";

/** Domain separation prefixes, RFC 6962 §2.1 (unchanged in RFC 9162 §2.1.1). */
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;
export const HASH_SIZE = 32;

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(entry: Uint8Array): Promise<Bytes> {
  return sha256(concat(Uint8Array.of(LEAF_PREFIX), entry));
}

/** MTH(D[n]) = SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concat(Uint8Array.of(NODE_PREFIX), left, right));
}

/** MTH({}) = SHA-256(""). */
export function emptyRoot(): Promise<Bytes> {
  return sha256(new Uint8Array(0));
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) fail("bad_size", `${what} ${n} is not a non-negative safe integer`);
}

function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) fail("bad_hash_length", `${what} is ${h.length} bytes, not ${HASH_SIZE}`);
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root implied by an inclusion proof: RFC 9162 §2.1.3.2 steps 1–4.
 * Throws TlogError(bad_size | bad_hash_length | bad_proof_length).
 */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Bytes> {
  checkSize(index, "leaf index");
  checkSize(size, "tree size");
  if (index >= size) fail("bad_size", `leaf index ${index} is not below tree size ${size}`);
  checkHash(leaf, "leaf hash");
  let fn = index;
  let sn = size - 1;
  let r: Bytes = concat(leaf);
  for (const p of proof) {
    checkHash(p, "proof hash");
    if (sn === 0) fail("bad_proof_length", "inclusion proof is too long");
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail("bad_proof_length", "inclusion proof is too short");
  return r;
}

/** RFC 9162 §2.1.3.2: verifies that `leaf` is at `index` in the tree of `size` with `root`. */
export async function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<void> {
  checkHash(root, "root");
  const r = await rootFromInclusionProof(index, size, leaf, proof);
  if (!equal(r, root)) fail("root_mismatch", "inclusion proof does not lead to the root");
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of size1 with root1 is a prefix of the tree of
 * size2 with root2. Edge cases follow transparency-dev/merkle (the shared test vectors):
 * size1 == 0 is rejected; size1 == size2 needs an empty proof and byte-equal roots.
 */
export async function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Promise<void> {
  checkSize(size1, "size1");
  checkSize(size2, "size2");
  if (size2 < size1) fail("bad_size", `size2 ${size2} is below size1 ${size1}`);
  if (size1 === 0) fail("bad_size", "a consistency proof from the empty tree proves nothing");
  if (size1 === size2) {
    if (proof.length !== 0) fail("bad_proof_length", "equal sizes need an empty proof");
    if (!equal(root1, root2)) fail("root_mismatch", "equal sizes but different roots");
    return;
  }
  // Step 1: an empty proof fails.
  if (proof.length === 0) fail("bad_proof_length", "empty consistency proof");
  checkHash(root1, "root1");
  checkHash(root2, "root2");
  for (const p of proof) checkHash(p, "proof hash");
  // Step 2: if size1 is an exact power of two, prepend root1 to the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Steps 3–4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  const [first, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr: Bytes = concat(first);
  let sr: Bytes = concat(first);
  // Step 6.
  for (const c of rest) {
    if (sn === 0) fail("bad_proof_length", "consistency proof is too long");
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) fail("bad_proof_length", "consistency proof is too short");
  if (!equal(fr, root1)) fail("root_mismatch", "consistency proof does not lead to root1");
  if (!equal(sr, root2)) fail("root_mismatch", "consistency proof does not lead to root2");
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let x = n;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/** The largest power of two strictly below n (n ≥ 2): the split point k of RFC 6962 §2.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
