// `ectrust verify --server` and `ectrust log monitor --log <url>` against a hostile server on
// 127.0.0.1: a body that never ends, one that declares 50 MB, a tile longer than its width, a
// body that stalls. Both read through one capped reader (seals.fetch.ts): they stop at the cap
// (verify read the whole body before checking the size, monitor never checked it: an endless body
// never ended), close the connection, and the command prints one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { getText, MAX_RESPONSE_BYTES } from "./seals.fetch.ts";
import { verifyRemote } from "./seals.remote.ts";
import { HttpLogStore } from "./tlog/http-store.ts";

const repo = new URL("../../../", import.meta.url).pathname;
const SHOP = "0b5c1a6e-8f0e-4a8b-9c61-3f1d2e4a5b6c";
const ROOT = "A".repeat(43);

/**
 * Writes 64 KiB chunks for as long as the client reads (or up to `limit` bytes, then ends); resolves
 * with the bytes sent once the connection closes.
 */
function endless(res: ServerResponse, limit = Infinity): Promise<number> {
  const chunk = Buffer.alloc(65_536, 0x20);
  let sent = 0;
  res.writeHead(200, { "content-type": "application/json" });
  const pump = (): void => {
    while (!res.destroyed && !res.writableEnded) {
      const more = res.write(chunk); // false: buffered, wait for "drain" (counted either way)
      sent += chunk.length;
      if (sent >= limit) res.end();
      if (!more) break;
    }
  };
  res.on("drain", pump);
  pump();
  return once(res, "close").then(() => sent);
}

test("verify --server stops reading an endless or oversized response at 1 MB, aborts it, and says so in one line", async () => {
  const closed: Promise<number>[] = [];
  const server = createServer((req, res) => {
    if (req.url === "/trust/.well-known/ectrust/trust-anchor.json") closed.push(endless(res));
    else if (req.url?.startsWith("/api/v1/seals/lookup")) {
      res.writeHead(200, { "content-type": "application/json", "content-length": "50000000" });
      res.write("{"); // and nothing more: only the declared length can refuse it at once
      closed.push(once(res, "close").then(() => 1));
    } else res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const tooLarge = (e: Error): boolean => e.name === "UsageError" && /: the response is larger than 1,000,000 bytes; stopped reading it/.test(e.message);
  try {
    await assert.rejects(verifyRemote(SHOP, base, { roots: [ROOT] }), tooLarge);
    const sent = await closed[0];
    assert.ok(sent !== undefined && sent < 16 * MAX_RESPONSE_BYTES, `the server sent ${String(sent)} bytes before the client closed`);
    await assert.rejects(verifyRemote("https://shop.example", base, { roots: [ROOT] }), tooLarge);
    await closed[1];
    // the other failures are one clear line too
    await assert.rejects(getText(`${base}/trust/c/${SHOP}/index.json`), (e: Error) => e.name === "UsageError" && /index\.json: HTTP 404$/.test(e.message));
    // the command: one line on stderr, exit 1, no stack trace
    const cli = promisify(execFile)(process.execPath, [join(repo, "src/cli.ts"), "verify", SHOP, "--server", base, "--root", ROOT], { cwd: repo, timeout: 60_000 });
    const r = await cli.then(() => assert.fail("exit 0"), (e: unknown) => e as { code: number; stderr: string });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: http:\/\/127\.0\.0\.1:\d+\/trust\/\.well-known\/ectrust\/trust-anchor\.json: the response is larger than 1,000,000 bytes; stopped reading it \(is this an ectrust server\?\)\n$/);
    assert.ok((await closed[2]) !== undefined);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test("log monitor over HTTP stops reading an oversized checkpoint or tile at its cap, a stalled one at its timeout, and says so in one line", async () => {
  const closed: Promise<number>[] = [];
  const server = createServer((req, res) => {
    // 64 MB, then the end (an endless body would hang a reader without a cap instead of failing the test)
    if (req.url === "/log/checkpoint") closed.push(endless(res, 64 * MAX_RESPONSE_BYTES));
    else if (req.url === "/log/tile/0/000.p/2") res.writeHead(200).end(Buffer.alloc(2 * 32 + 1)); // a tile of width 2 is 64 bytes
    else if (req.url === "/slow/checkpoint") res.writeHead(200).write("slow"); // and nothing more
    else if (req.url === "/down/checkpoint") res.writeHead(503).end();
    else res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const oneLine = (re: RegExp) => (e: Error): boolean => e.name === "UsageError" && re.test(e.message) && !e.message.includes("\n");
  try {
    await assert.rejects(new HttpLogStore(`${base}/log`).readCheckpoint(), oneLine(/\/log\/checkpoint: the response is larger than 1,000,000 bytes; stopped reading it/));
    const sent = await closed[0];
    assert.ok(sent !== undefined && sent < 16 * MAX_RESPONSE_BYTES, `the server sent ${String(sent)} bytes before the client closed`);
    await assert.rejects(new HttpLogStore(`${base}/log/`).read({ level: 0, index: 0, width: 2 }), oneLine(/tile\/0\/000\.p\/2: the response is larger than 64 bytes/));
    await assert.rejects(new HttpLogStore(`${base}/slow`, { timeoutMs: 200 }).readCheckpoint(), oneLine(/\/slow\/checkpoint: no complete answer within 0\.2 s$/));
    await assert.rejects(new HttpLogStore(`${base}/down`).readCheckpoint(), oneLine(/\/down\/checkpoint: HTTP 503$/));
    assert.equal(await new HttpLogStore(`${base}/none`).readCheckpoint(), undefined, "a missing checkpoint is an empty log");
    // the command: one line on stderr, exit 1, no stack trace
    const cli = promisify(execFile)(process.execPath, [join(repo, "src/cli.ts"), "log", "monitor", "https://shop.example", "--log", `${base}/log`], { cwd: repo, timeout: 60_000 });
    const r = await cli.then(() => assert.fail("exit 0"), (e: unknown) => e as { code: number; stderr: string });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: http:\/\/127\.0\.0\.1:\d+\/log\/checkpoint: the response is larger than 1,000,000 bytes; stopped reading it \(is this an ectrust server\?\)\n$/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
