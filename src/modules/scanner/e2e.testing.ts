// End-to-end harness for the scanner (used by scanner.e2e.test.ts and the browser test in
// src/web-tests/scanner.test.ts): a shop's HTTPS site on 127.0.0.1 under a test CA and a test
// DNS name, the whole server (startTestServer: demo data, job queue, real SMTP capture) whose
// registry and scanner fetchers may reach that one host:port, and the registry's real flow to
// confirm the shop: the merchant creates the profile, registers the origin, serves the HTTP
// proof token, has it checked over TLS, attaches a document and submits; the authority approves.
// Not imported by production code.
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Actor } from "../../platform/actor.ts";
import { createFetcher } from "../../platform/net/fetcher.ts";
import { dnsServerResolver } from "../../platform/net/resolver.ts";
import { startTestDns, type TestDns } from "../../platform/net/testing.ts";
import { Client } from "../../platform/testing/http.ts";
import { startTestServer, type TestServer } from "../../platform/testing/server.ts";
import { DEMO_PASSWORD } from "../../demo.ts";
import { DEMO_AUTHORITY } from "../../web-tests/demo-accounts.ts";
import { makeHostPki } from "../registry/testing.ts";
import { createScannerFetcher } from "./scan.ts";

export const SHOP_HOST = "shop-e2e.test";
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "strict-transport-security": "max-age=31536000",
};

/** What the shop's site serves; tests change it between scans. */
export interface ShopSite {
  /** headers of every HTML page (drop some to lower the grade) */
  headers: Record<string, string>;
  /** the checkout page's script tags */
  checkoutScripts: string;
  /** body of /pay.js (change it to simulate a skimmer injected into a first-party script) */
  payJs: string;
}

export interface ScannerE2e {
  ts: TestServer;
  site: ShopSite;
  origin: string;
  shopId: string;
  merchantEmail: string;
  /** signed in through the API (app.inject); TOTP codes are single-use, so reuse this authority */
  merchant: Client;
  authority: Client;
  close(): Promise<void>;
}

export async function startScannerE2e(o: { merchant?: string } = {}): Promise<ScannerE2e> {
  const merchantEmail = o.merchant ?? "owner@shop2.example";
  const pki = makeHostPki([SHOP_HOST]);
  const tokens = new Map<string, string>(); // path → body
  const site: ShopSite = { headers: { ...PAGE_HEADERS }, checkoutScripts: '<script src="/pay.js"></script>', payJs: "pay();" };
  const server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const token = tokens.get(path);
    if (token !== undefined) res.writeHead(200, { "content-type": "text/plain" }).end(`${token}\n`);
    else if (path === "/") res.writeHead(200, site.headers).end('<!doctype html><html lang="zh-TW"><title>好好買</title><h1>好好買</h1><a href="/checkout">結帳</a></html>');
    else if (path === "/checkout") res.writeHead(200, site.headers).end(`<!doctype html><html lang="zh-TW"><title>結帳</title>${site.checkoutScripts}<form method="post" action="/pay"><button>付款</button></form></html>`);
    else if (path === "/pay.js") res.writeHead(200, { "content-type": "text/javascript", "x-content-type-options": "nosniff" }).end(site.payJs);
    else res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const origin = `https://${SHOP_HOST}:${String(port)}`;
  let dns: TestDns | undefined;
  let ts: TestServer | undefined;
  try {
    dns = await startTestDns({ [SHOP_HOST]: { a: ["127.0.0.1"] } });
    const net = { resolver: dnsServerResolver([dns.server]), allowHosts: [`${SHOP_HOST}:${String(port)}`], ca: [pki.caCert] };
    ts = await startTestServer({ build: { registryFetcher: createFetcher({ ...net, totalTimeoutMs: 5_000 }), scannerFetcher: createScannerFetcher(net) } });
    const { shopId, merchant, authority } = await confirmShop(ts, merchantEmail, origin, tokens);
    const running = ts;
    const d = dns;
    return {
      ts: running, site, origin, shopId, merchantEmail, merchant, authority,
      async close() {
        await running.close();
        await d.close();
        server.close();
      },
    };
  } catch (e) {
    await ts?.close().catch(() => undefined);
    await dns?.close().catch(() => undefined);
    server.close();
    throw e;
  }
}

const need = (r: { statusCode: number; body: string }, status: number, what: string): void => {
  assert.equal(r.statusCode, status, `${what}: ${r.body}`);
};

/** The registry's real flow, through its HTTP API and the real proof check. */
async function confirmShop(ts: TestServer, merchantEmail: string, origin: string, tokens: Map<string, string>): Promise<{ shopId: string; merchant: Client; authority: Client }> {
  const app = await ts.server.http();
  const merchant = new Client(app);
  await merchant.signIn(merchantEmail, DEMO_PASSWORD);
  const session = (await merchant.get("/api/v1/auth/session")).json<{ user: { id: string }; organisation: { id: string } }>();
  const created = await merchant.post("/api/v1/registry/shops", {
    legalNameZh: "好好買網路商店股份有限公司", legalNameEn: "HaoHaoMai Online Co., Ltd.", ubn: "04595252", representative: "王小明", address: "臺北市中正區重慶南路一段122號",
    contactEmail: merchantEmail, contactPhone: "02 2311 1234", serviceChannel: "LINE @haohaomai", salesModel: "own_site", sector: "online_shop",
  });
  need(created, 201, "create the shop");
  const shopId = created.json<{ id: string }>().id;
  const added = await merchant.post(`/api/v1/registry/shops/${shopId}/origins`, { origin });
  need(added, 201, "register the origin");
  const o = added.json<{ id: string; instructions: { http: { url: string; body: string } } }>();
  tokens.set(new URL(o.instructions.http.url).pathname, o.instructions.http.body);
  need(await merchant.post(`/api/v1/registry/shops/${shopId}/origins/${o.id}/verify`, { method: "http" }), 200, "prove the origin over HTTPS");
  const actor: Actor = { kind: "user", userId: session.user.id, orgId: session.organisation.id, orgKind: "merchant", role: "merchant_admin" };
  async function* pdf(): AsyncGenerator<Uint8Array> {
    yield Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
  }
  const file = await ts.server.services.evidence.upload(actor, session.organisation.id, { filename: "registration.pdf", stream: pdf(), declaredType: "application/pdf" });
  need(await merchant.post(`/api/v1/registry/shops/${shopId}/documents`, { evidenceId: file.id, kind: "business_registration", note: "登記表" }), 201, "attach a document");
  need(await merchant.post(`/api/v1/registry/shops/${shopId}/identity`, { action: "submit", reason: "" }), 200, "submit");
  const authority = new Client(app);
  await authority.signIn(DEMO_AUTHORITY.email, DEMO_AUTHORITY.password, DEMO_AUTHORITY.totpSecret);
  need(await authority.post(`/api/v1/registry/shops/${shopId}/identity`, { action: "approve", reason: "登記資料相符" }), 200, "approve");
  assert.deepEqual(await ts.server.services.registry.listConfirmedOrigins(shopId), [origin], "the registry lists the proven origin of the confirmed shop");
  return { shopId, merchant, authority };
}
