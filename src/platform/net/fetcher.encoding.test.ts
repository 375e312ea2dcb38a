// Compressed responses and the body limit: "truncate" keeps the first maxBodyBytes of the
// *decoded* body, whether the encoded or the decoded size is over the limit; "error" refuses
// both. A gzip bomb never inflates past the limit. (Review: these failed before the fix — an
// over-limit compressed page came back empty or as raw gzip bytes, so its HTML went unanalysed.)
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import zlib from "node:zlib";
import { createFetcher } from "./fetcher.ts";
import { isNetError } from "./net.errors.ts";

const HEAD = '<!doctype html><html><head><script src="http://cdn.other.example.net/x.js"></script></head><body>';
const LIMIT = 256 * 1024;
let port = 0;
let server: http.Server;

function encode(enc: string, b: Buffer): Buffer {
  return enc === "gzip" ? zlib.gzipSync(b) : enc === "deflate" ? zlib.deflateSync(b) : zlib.brotliCompressSync(b);
}

before(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const enc = u.searchParams.get("enc") ?? "gzip";
    // small when compressed, large when decoded (a bomb-like page: HTML then megabytes of spaces)
    const inflating = Buffer.concat([Buffer.from(HEAD), Buffer.alloc(4 * LIMIT, 32)]);
    // large even when compressed (random padding after the HTML)
    const incompressible = Buffer.concat([Buffer.from(HEAD), Buffer.from(randomBytes(2 * LIMIT).toString("base64"))]);
    const small = Buffer.from(`${HEAD}</body></html>`);
    if (u.pathname === "/mislabelled") {
      // plain HTML labelled gzip (a common misconfiguration), sent in two writes
      const page = Buffer.from(`${HEAD}${"x".repeat(100_000)}</body></html>`);
      res.writeHead(200, { "content-type": "text/html", "content-encoding": enc });
      res.write(page.subarray(0, 1000));
      setTimeout(() => res.end(page.subarray(1000)), 50);
      return;
    }
    const body = u.pathname === "/inflating" ? inflating : u.pathname === "/incompressible" ? incompressible : small;
    res.writeHead(200, { "content-type": "text/html", "content-encoding": enc }).end(encode(enc, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => { server.close(); });

const fetcher = () => createFetcher({ allowHosts: [`127.0.0.1:${port}`], maxBodyBytes: LIMIT });

test("a small compressed body is decoded", async () => {
  for (const enc of ["gzip", "deflate", "br"]) {
    const r = await fetcher().fetch(`http://127.0.0.1:${port}/small?enc=${enc}`);
    assert.equal(r.body.toString(), `${HEAD}</body></html>`, enc);
    assert.equal(r.truncated, false);
  }
});

test("truncate: a body that inflates past the limit keeps its decoded first bytes", async () => {
  for (const enc of ["gzip", "deflate", "br"]) {
    const r = await fetcher().fetch(`http://127.0.0.1:${port}/inflating?enc=${enc}`, { onBodyLimit: "truncate" });
    assert.equal(r.truncated, true, enc);
    assert.equal(r.body.length, LIMIT, enc);
    assert.ok(r.body.toString().startsWith(HEAD), `${enc}: ${JSON.stringify(r.body.subarray(0, 40).toString())}`);
  }
});

test("truncate: a compressed body over the limit keeps its decoded first bytes, not raw compressed bytes", async () => {
  for (const enc of ["gzip", "deflate", "br"]) {
    const r = await fetcher().fetch(`http://127.0.0.1:${port}/incompressible?enc=${enc}`, { onBodyLimit: "truncate" });
    assert.equal(r.truncated, true, enc);
    assert.ok(r.body.length <= LIMIT, enc);
    assert.ok(r.body.toString().startsWith(HEAD), `${enc}: ${JSON.stringify(r.body.subarray(0, 40).toString())}`);
  }
});

test("error: both over-limit cases are refused", async () => {
  for (const path of ["inflating", "incompressible"]) {
    await assert.rejects(fetcher().fetch(`http://127.0.0.1:${port}/${path}?enc=gzip`), (e: unknown) => isNetError(e) && e.code === "body-too-large", path);
  }
});

test("a body that is not in its declared encoding comes back whole, as sent", async () => {
  for (const enc of ["gzip", "deflate", "br"]) {
    const r = await fetcher().fetch(`http://127.0.0.1:${port}/mislabelled?enc=${enc}`);
    assert.equal(r.body.length, HEAD.length + 100_000 + "</body></html>".length, enc);
    assert.equal(r.truncated, false);
  }
});
