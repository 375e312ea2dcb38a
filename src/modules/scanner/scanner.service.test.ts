// The service the platform's scan jobs will call: history, diff, alerts, concurrency limits.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { FixedClock } from "../../platform/clock.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { createScannerFetcher } from "./scan.ts";
import { createScannerService, memoryAlerts, memoryHistory } from "./scanner.service.ts";

let port = 0;
let checkoutScripts = '<script src="/pay.js"></script>';
const server = http.createServer((req, res) => {
  const done = (): void => undefined;
  setTimeout(() => {
    const body = req.url === "/checkout" ? `<html>${checkoutScripts}</html>` : req.url === "/pay.js" ? "pay()" : "<html><p>shop</p></html>";
    res.writeHead(req.url === "/" || req.url === "/checkout" || req.url === "/pay.js" ? 200 : 404, { "content-type": req.url === "/pay.js" ? "text/javascript" : "text/html" }).end(body, done);
  }, 5);
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => { server.close(); });

test("second scan diffs against the first; a new payment-page script raises an alert", async () => {
  const history = memoryHistory();
  const alerts = memoryAlerts();
  const clock = new FixedClock("2026-11-26T00:00:00Z");
  const fetcher = createScannerFetcher({ allowHosts: [`127.0.0.1:${port}`], resolver: staticResolver({}) });
  const svc = createScannerService({ fetcher, clock, history, alerts });
  const origin = `http://127.0.0.1:${port}/`;
  const pages = [`http://127.0.0.1:${port}/checkout`];
  const first = await svc.scanOrigin(origin, { paymentPages: pages });
  assert.equal(first.diff, null);
  assert.equal(alerts.sent.length, 0);
  clock.advance(7 * 86_400_000);
  checkoutScripts += '<script src="https://cdn.evil.example/skim.js"></script>';
  const second = await svc.scanOrigin(origin, { paymentPages: pages });
  assert.ok(second.diff);
  assert.equal(history.all.get(origin)?.length, 2);
  assert.deepEqual(alerts.sent.flatMap((s) => s.alerts.map((a) => `${a.kind} ${a.src ?? ""}`)), ["payment-script-added https://cdn.evil.example/skim.js"]);
  const pay = second.result.paymentScripts[0]?.scripts.find((s) => s.src.endsWith("/pay.js"));
  assert.equal(pay?.firstSeen, "2026-11-26T00:00:00.000Z", "first seen kept from the first scan");
});

test("per-host and overall limits: scans of one host never overlap", async () => {
  // The history port sees each scan start (latest) and end (append): count overlaps there.
  let active = 0;
  let maxActive = 0;
  const base = memoryHistory();
  const history = {
    latest: (o: string) => { active++; maxActive = Math.max(maxActive, active); return base.latest(o); },
    append: async (o: string, r: Parameters<typeof base.append>[1], d: Parameters<typeof base.append>[2]) => { active--; await base.append(o, r, d); },
  };
  const fetcher = createScannerFetcher({ allowHosts: [`127.0.0.1:${port}`, `localhost:${port}`], resolver: staticResolver({ localhost: ["127.0.0.1"] }) });
  const clock = new FixedClock("2026-11-26T00:00:00Z");
  const oneHost = createScannerService({ fetcher, clock, history, alerts: memoryAlerts(), limits: { perHost: 1, overall: 4 } });
  const origin = `http://127.0.0.1:${port}/`;
  await Promise.all([oneHost.scanOrigin(origin), oneHost.scanOrigin(origin), oneHost.scanOrigin(origin)]);
  assert.equal(maxActive, 1, "same host: one at a time");
  assert.equal(base.all.get(origin)?.length, 3);
  maxActive = 0;
  const twoHosts = createScannerService({ fetcher, clock, history, alerts: memoryAlerts(), limits: { perHost: 1, overall: 2 } });
  await Promise.all([twoHosts.scanOrigin(origin), twoHosts.scanOrigin(`http://localhost:${port}/`)]);
  assert.equal(maxActive, 2, "different hosts run side by side");
  maxActive = 0;
  const capped = createScannerService({ fetcher, clock, history, alerts: memoryAlerts(), limits: { perHost: 4, overall: 1 } });
  await Promise.all([capped.scanOrigin(origin), capped.scanOrigin(`http://localhost:${port}/`)]);
  assert.equal(maxActive, 1, "overall limit");
});
