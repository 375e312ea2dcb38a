// A page cannot hide from analysis by compression: gzip'd HTML followed by megabytes of padding
// (tiny on the wire, over the 2 MiB page limit once decoded) is analysed from its decoded first
// bytes. Before the fetcher decoded while reading, such a page came back empty and its
// insecure third-party script went unseen (SRI −50 and mixed content did not count).
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import zlib from "node:zlib";
import { FixedClock } from "../../platform/clock.ts";
import { createScannerFetcher, scan } from "./scan.ts";

const servers: http.Server[] = [];
after(() => { for (const s of servers) s.close(); });

test("a gzip-padded home page is still analysed", async () => {
  const html = '<!doctype html><html><head><script src="http://cdn.other.example.net/skim.js"></script></head><body><p>shop</p></body></html>';
  const body = zlib.gzipSync(Buffer.concat([Buffer.from(html), Buffer.alloc(3 * 1024 * 1024, 32)]));
  const s = http.createServer((req, res) => {
    if (req.url !== "/") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-encoding": "gzip" }).end(body);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  const fetcher = createScannerFetcher({ allowHosts: [`127.0.0.1:${port}`] });
  const r = await scan(`http://127.0.0.1:${port}/`, { fetcher, clock: new FixedClock(new Date()), deep: false, tlsProbes: false, budgetMs: 8000 });
  assert.equal(r.tests["subresource-integrity"]?.result, "sri-not-implemented-and-external-scripts-not-loaded-securely");
});
