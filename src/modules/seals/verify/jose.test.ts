// Conformance with `jose` (the server-side JOSE library the design note names): tokens it
// signs verify here, tokens signed here verify there, and thumbprints agree (RFC 7638).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK, generateKeyPair, exportJWK } from "jose";
import { base64url, fromBase64url, utf8 } from "../tlog/bytes.ts";
import { signerFromSeed } from "../tlog/ed25519.ts";
import { parseCompactJws, signCompactJws, thumbprint, verifyJwsSignature } from "./jws.ts";

test("jose ⇄ our compact JWS and thumbprints", async () => {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(publicKey);
  const raw = fromBase64url(jwk.x ?? "") ?? new Uint8Array(0);
  assert.equal(await thumbprint(raw), await calculateJwkThumbprint(jwk));
  for (const alg of ["EdDSA", "Ed25519"]) {
    const token = await new CompactSign(utf8(JSON.stringify({ hello: alg }))).setProtectedHeader({ alg, typ: "vc+jwt" }).sign(privateKey);
    const parsed = parseCompactJws(token);
    await verifyJwsSignature(parsed, raw);
    assert.deepEqual(parsed.payload, { hello: alg });
  }
  const priv = await exportJWK(privateKey);
  const signer = await signerFromSeed(fromBase64url(priv.d ?? "") ?? new Uint8Array(0));
  assert.equal(base64url(signer.publicKey), jwk.x);
  const ours = await signCompactJws({ typ: "vc+jwt" }, { a: 1 }, signer);
  const r = await compactVerify(ours, await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA"));
  assert.equal(r.protectedHeader.typ, "vc+jwt");
  assert.deepEqual(JSON.parse(new TextDecoder().decode(r.payload)), { a: 1 });
});
