// Registry through HTTP (app.inject) on a real database, with real proofs: an HTTPS server on
// 127.0.0.1 with a throwaway test CA and a real DNS server on loopback (dns2). One database
// for the whole file; the tests run in order and build on each other.
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { eq, like } from "drizzle-orm";
import ExcelJS from "exceljs";
import { auditLog } from "../../platform/audit/audit.tables.ts";
import { createFetcher } from "../../platform/net/fetcher.ts";
import { dnsServerResolver } from "../../platform/net/resolver.ts";
import { startTestDns, type TestDns } from "../../platform/net/testing.ts";
import { createEvidenceService, type EvidenceService } from "../../platform/storage/evidence.service.ts";
import { createMemoryStorage } from "../../platform/storage/storage.ts";
import { buildTestApp, Client, seedOrg, TEST_PASSWORD, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { registryRoutes } from "./registry.routes.ts";
import { makeHostPki, pdf, shopProfile } from "./testing.ts";
import { createRegistryService, type IdentityChange, type RegistryService } from "./registry.service.ts";

const HOSTS = ["shopa.test", "shopb.test", "dnsproof.test", "evil.test", "redir.test", "big.test", "slow.test", "internal.test"];
const pki = makeHostPki(HOSTS);
let server: https.Server;
let port = 0;
let dns: TestDns;
let t: TestApp;
let registry: RegistryService;
let evidence: EvidenceService;
let authority: SeededOrg;
let shopA: SeededOrg;
let shopB: SeededOrg;
const served = new Map<string, string>(); // "host/token" → body
const changes: Omit<IdentityChange, "tx">[] = [];
const DAY = 86_400_000;

const profile = (o: Record<string, string> = {}) => shopProfile({ contactEmail: "owner@shop-a.test", serviceChannel: "LINE @goodthings, 02-2311-1234", ...o });

const clients = new Map<string, { at: number; client: Client }>();
/** One browser per person, signed in again when the test clock has moved (sessions time out; TOTP codes are single-use). */
async function signedIn(org: SeededOrg, key: string): Promise<Client> {
  const id = `${org.orgId}/${key}`;
  const known = clients.get(id);
  if (known?.at === t.clock.now().getTime()) return known.client;
  const c = new Client(t.app);
  clients.set(id, { at: t.clock.now().getTime(), client: c });
  const u = org.users[key];
  assert.ok(u);
  await c.signIn(u.email, TEST_PASSWORD, u.totp, Math.floor(t.clock.now().getTime() / 1000));
  return c;
}

before(async () => {
  server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const host = (req.headers.host ?? "").split(":")[0] ?? "";
    const path = req.url ?? "/";
    if (host === "redir.test") {
      res.writeHead(302, { location: `https://internal.test:${port}${path}` }).end();
      return;
    }
    if (host === "big.test") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(64 * 1024));
      return;
    }
    if (host === "slow.test") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a"); // then nothing: a slow drip
      return;
    }
    const m = /^\/\.well-known\/ectrust\/([A-Za-z0-9_-]+)$/.exec(path);
    const body = m ? served.get(`${host}/${m[1] ?? ""}`) : undefined;
    if (body === undefined) {
      res.writeHead(path === "/" ? 200 : 404).end(path === "/" ? "home" : "not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(`${body}\n`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  const loop = { a: ["127.0.0.1"] };
  dns = await startTestDns({
    "shopa.test": loop,
    "shopb.test": loop,
    "dnsproof.test": loop,
    "_ectrust.dnsproof.test": { txt: [] },
    "evil.test": loop, // resolves to loopback but is not allow-listed
    "redir.test": loop,
    "big.test": loop,
    "slow.test": loop,
    "internal.test": { a: ["10.0.0.7"] },
  });
  const allowHosts = ["shopa.test", "shopb.test", "dnsproof.test", "redir.test", "big.test", "slow.test"].map((h) => `${h}:${port}`);
  const fetcher = createFetcher({ resolver: dnsServerResolver([dns.server]), allowHosts, ca: [pki.caCert], idleTimeoutMs: 1500, totalTimeoutMs: 3000 });
  t = await buildTestApp({
    register: async (app, partial) => {
      evidence = createEvidenceService({ db: partial.database.db, clock: partial.clock, storage: createMemoryStorage(), maxBytes: 1024 * 1024 });
      registry = createRegistryService({
        db: partial.database.db,
        clock: partial.clock,
        fetcher,
        mail: { enqueue: async (_tx, m) => { partial.mail.push(m); } },
        evidence,
        publicUrl: partial.config.publicUrl,
      });
      registry.onIdentityStatusChange(({ tx: _tx, ...c }) => { changes.push(c); });
      registry.addPublicExtension("marks", (shopId) => Promise.resolve({ shopId, items: [] }));
      await app.register(registryRoutes, { registry });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  shopA = await seedOrg(t.accounts, "merchant", "Shop A", [{ key: "owner", role: "merchant_admin" }, { key: "staff", role: "merchant_staff" }]);
  shopB = await seedOrg(t.accounts, "merchant", "Shop B", [{ key: "owner", role: "merchant_admin" }]);
});

after(async () => {
  await t.close();
  await dns.close();
  server.close();
});

const ids: { shopA?: string; shopB?: string; originA?: string; originDns?: string; originB?: string; change?: string } = {};
const need = (k: keyof typeof ids): string => {
  const v = ids[k];
  assert.ok(v, `${k} not set by an earlier test`);
  return v;
};

test("profile: invalid and look-alike business numbers are refused with a clear message", async () => {
  const a = await signedIn(shopA, "owner");
  for (const [ubn, text] of [["12345678", /checksum/], ["0459525O", /8 digits/], ["٠٤٥٩٥٢٥٢", /8 digits/], ["045952521", /8 digits/]] as const) {
    const r = await a.post("/api/v1/registry/shops", profile({ ubn }));
    assert.equal(r.statusCode, 400, ubn);
    const p = r.json<{ detail: string; errors?: { field: string; message: string }[] }>();
    assert.match(JSON.stringify(p), text);
    assert.match(JSON.stringify(p), /統一編號/);
  }
  const staff = await signedIn(shopA, "staff");
  assert.equal((await staff.post("/api/v1/registry/shops", profile())).statusCode, 403);
});

test("profile: created with the 2023-rule-only flag; one per organisation", async () => {
  const a = await signedIn(shopA, "owner");
  const r = await a.post("/api/v1/registry/shops", profile());
  assert.equal(r.statusCode, 201, r.body);
  const shop = r.json<{ id: string; ubnCurrentRuleOnly: boolean; identityStatus: string }>();
  assert.equal(shop.ubnCurrentRuleOnly, true);
  assert.equal(shop.identityStatus, "unconfirmed");
  ids.shopA = shop.id;
  assert.equal((await a.post("/api/v1/registry/shops", profile())).statusCode, 409);
  const mine = await a.get("/api/v1/registry/my-shop");
  assert.equal(mine.json<{ shop: { id: string } }>().shop.id, shop.id);

  const b = await signedIn(shopB, "owner");
  const rb = await b.post("/api/v1/registry/shops", profile({ legalNameZh: "乙商店有限公司", legalNameEn: "Shop Bee Co.", ubn: "22099131", contactEmail: "b@shop-b.test" }));
  assert.equal(rb.statusCode, 201);
  ids.shopB = rb.json<{ id: string; ubnCurrentRuleOnly: boolean }>().id;
  assert.equal(rb.json<{ ubnCurrentRuleOnly: boolean }>().ubnCurrentRuleOnly, false);
});

test("origins: bad input refused, each with its own message", async () => {
  const a = await signedIn(shopA, "owner");
  const url = `/api/v1/registry/shops/${need("shopA")}/origins`;
  const cases: [string, RegExp][] = [
    ["http://shopa.test", /Only https/],
    ["https://shopa.test/store", /without a path/],
    ["https://user:pw@shopa.test", /user name or password/],
    ["https://127.0.0.1", /IP addresses/],
    ["https://[::1]:8443", /IP addresses/],
    ["https://аpple.com", /xn--pple-43d\.com/],
    ["shopa.test", /starting with https/],
  ];
  for (const [origin, text] of cases) {
    const r = await a.post(url, { origin });
    assert.equal(r.statusCode, 400, origin);
    assert.match(r.body, text, origin);
  }
  const ok = await a.post(url, { origin: `https://ShopA.test:${port}/` });
  assert.equal(ok.statusCode, 201, ok.body);
  const o = ok.json<{ id: string; origin: string; instructions: { http: { url: string; zh: string }; dns: { name: string; value: string } } }>();
  assert.equal(o.origin, `https://shopa.test:${port}`);
  assert.match(o.instructions.http.url, /\/\.well-known\/ectrust\//);
  assert.match(o.instructions.http.zh, /純文字檔/);
  assert.equal(o.instructions.dns.name, "_ectrust.shopa.test");
  ids.originA = o.id;
  assert.equal((await a.post(url, { origin: `https://shopa.test:${port}` })).statusCode, 409);
});

async function addOrigin(c: Client, shopId: string, origin: string): Promise<{ id: string; token: string }> {
  const r = await c.post(`/api/v1/registry/shops/${shopId}/origins`, { origin });
  assert.equal(r.statusCode, 201, r.body);
  const o = r.json<{ id: string; instructions: { http: { body: string } } }>();
  return { id: o.id, token: o.instructions.http.body };
}

const verify = (c: Client, shopId: string, originId: string, method: "http" | "dns") =>
  c.post(`/api/v1/registry/shops/${shopId}/origins/${originId}/verify`, { method });

test("proofs: hostile answers are refused with a clear message and nothing is proven", async () => {
  const a = await signedIn(shopA, "owner");
  const shopId = need("shopA");
  const cases: [string, RegExp][] = [
    ["evil.test", /private|loopback|reserved/i], // DNS answer is 127.0.0.1, not allow-listed
    ["redir.test", /internal\.test resolves to 10\.0\.0\.7/], // token redirects to a private address
    ["big.test", /exceeds 1024 bytes/], // oversized
    ["slow.test", /sent nothing|time budget/], // slow drip
  ];
  for (const [host, text] of cases) {
    const o = await addOrigin(a, shopId, `https://${host}:${port}`);
    const r = await verify(a, shopId, o.id, "http");
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json<{ ok: boolean; message: string; messageZh: string; origin: { status: string; lastError: string } }>();
    assert.equal(body.ok, false, host);
    assert.match(body.message, text, host);
    assert.ok(body.messageZh.length > 0);
    assert.equal(body.origin.status, "unproven");
    await a.del(`/api/v1/registry/shops/${shopId}/origins/${o.id}`);
  }
  // a wrong token body
  const originA = need("originA");
  const list = await a.get(`/api/v1/registry/shops/${shopId}/origins`);
  const token = list.json<{ items: { id: string; instructions: { http: { body: string } } }[] }>().items.find((x) => x.id === originA)?.instructions.http.body ?? "";
  served.set(`shopa.test/${token}`, "not-the-token");
  const wrong = await verify(a, shopId, originA, "http");
  assert.match(wrong.json<{ message: string }>().message, /does not contain the expected token/);
  // no TXT record yet
  const noTxt = await verify(a, shopId, originA, "dns");
  assert.match(noTxt.json<{ message: string }>().message, /No TXT record at _ectrust\.shopa\.test/);
});

test("proofs: HTTP token proves the origin and records its certificate; DNS TXT proves another", async () => {
  const a = await signedIn(shopA, "owner");
  const shopId = need("shopA");
  const list = await a.get(`/api/v1/registry/shops/${shopId}/origins`);
  const token = list.json<{ items: { id: string; instructions: { http: { body: string } } }[] }>().items.find((x) => x.id === need("originA"))?.instructions.http.body ?? "";
  served.set(`shopa.test/${token}`, token);
  const r = await verify(a, shopId, need("originA"), "http");
  const body = r.json<{ ok: boolean; origin: { status: string; proofExpiresAt: string; tls: { fingerprint256: string; subjectAltNames: string[]; keyType: string; issuer: string } } }>();
  assert.equal(body.ok, true, r.body);
  assert.equal(body.origin.status, "proven");
  assert.equal(new Date(body.origin.proofExpiresAt).getTime(), t.clock.now().getTime() + 30 * DAY);
  assert.match(body.origin.tls.fingerprint256, /^[0-9a-f]{64}$/);
  assert.ok(body.origin.tls.subjectAltNames.includes("DNS:shopa.test"));
  assert.match(body.origin.tls.issuer, /ectrust registry test CA/);
  assert.match(body.origin.tls.keyType, /ec/);

  const d = await addOrigin(a, shopId, `https://dnsproof.test:${port}`);
  dns.zone.set("_ectrust.dnsproof.test", { txt: ["v=spf1 -all", `ectrust-verification=${d.token}`] });
  const rd = await verify(a, shopId, d.id, "dns");
  assert.equal(rd.json<{ ok: boolean }>().ok, true, rd.body);
  ids.originDns = d.id;

  // the same origin cannot be proven by a second shop
  const b = await signedIn(shopB, "owner");
  const ob = await addOrigin(b, need("shopB"), `https://shopa.test:${port}`);
  served.set(`shopa.test/${ob.token}`, ob.token);
  const rb = await verify(b, need("shopB"), ob.id, "http");
  assert.equal(rb.statusCode, 409);
  assert.match(rb.body, /already proven by another shop/);
  await b.del(`/api/v1/registry/shops/${need("shopB")}/origins/${ob.id}`);
  const own = await addOrigin(b, need("shopB"), `https://shopb.test:${port}`);
  served.set(`shopb.test/${own.token}`, own.token);
  assert.equal((await verify(b, need("shopB"), own.id, "http")).json<{ ok: boolean }>().ok, true);
  ids.originB = own.id;
});

test("another organisation's user is refused on every endpoint with a shop or origin id", async () => {
  const b = await signedIn(shopB, "owner");
  const s = need("shopA");
  const o = need("originA");
  const calls: [string, () => ReturnType<Client["get"]>][] = [
    ["get shop", () => b.get(`/api/v1/registry/shops/${s}`)],
    ["update", () => b.request("PATCH", `/api/v1/registry/shops/${s}`, profile())],
    ["changes", () => b.get(`/api/v1/registry/shops/${s}/changes`)],
    ["origins", () => b.get(`/api/v1/registry/shops/${s}/origins`)],
    ["add origin", () => b.post(`/api/v1/registry/shops/${s}/origins`, { origin: "https://x.example" })],
    ["remove origin", () => b.del(`/api/v1/registry/shops/${s}/origins/${o}`)],
    ["verify", () => verify(b, s, o, "http")],
    ["remove own-shop path, foreign origin", () => b.del(`/api/v1/registry/shops/${need("shopB")}/origins/${o}`)],
    ["verify foreign origin via own shop", () => verify(b, need("shopB"), o, "http")],
    ["documents", () => b.get(`/api/v1/registry/shops/${s}/documents`)],
    ["attach", () => b.post(`/api/v1/registry/shops/${s}/documents`, { evidenceId: s, kind: "other" })],
    ["identity", () => b.post(`/api/v1/registry/shops/${s}/identity`, { action: "withdraw", reason: "not mine" })],
    ["history", () => b.get(`/api/v1/registry/shops/${s}/history`)],
  ];
  for (const [name, call] of calls) {
    const r = await call();
    assert.equal(r.statusCode, 404, `${name}: ${r.statusCode} ${r.body}`);
  }
  // authority-only endpoints
  for (const url of ["/api/v1/registry/review-queue", "/api/v1/registry/export"]) assert.equal((await b.get(url)).statusCode, 403, url);
  assert.equal((await b.post(`/api/v1/registry/changes/${s}/decision`, { decision: "approve" })).statusCode, 403);
  // a document from another organisation's evidence cannot be attached
  const fileB = await evidence.upload({ kind: "user", userId: shopB.users.owner?.id ?? "", orgId: shopB.orgId, orgKind: "merchant", role: "merchant_admin" }, shopB.orgId, { filename: "reg.pdf", stream: pdf(), declaredType: "application/pdf" });
  const a = await signedIn(shopA, "owner");
  const r = await a.post(`/api/v1/registry/shops/${s}/documents`, { evidenceId: fileB.id, kind: "business_registration" });
  assert.equal(r.statusCode, 404);
});

test("identity review: submit needs documents; ask for more, answer, approve; hooks and audit in the same transaction", async () => {
  const a = await signedIn(shopA, "owner");
  const auth = await signedIn(authority, "admin");
  const s = need("shopA");
  const early = await a.post(`/api/v1/registry/shops/${s}/identity`, { action: "submit" });
  assert.equal(early.statusCode, 409);
  assert.match(early.body, /identity document/);
  const file = await evidence.upload({ kind: "user", userId: shopA.users.owner?.id ?? "", orgId: shopA.orgId, orgKind: "merchant", role: "merchant_admin" }, shopA.orgId, { filename: "registration.pdf", stream: pdf(), declaredType: "application/pdf" });
  const att = await a.post(`/api/v1/registry/shops/${s}/documents`, { evidenceId: file.id, kind: "business_registration", note: "商業登記抄本" });
  assert.equal(att.statusCode, 201, att.body);
  assert.equal((await a.post(`/api/v1/registry/shops/${s}/documents`, { evidenceId: file.id, kind: "other" })).statusCode, 409);

  assert.equal((await a.post(`/api/v1/registry/shops/${s}/identity`, { action: "approve" })).statusCode, 403, "the shop cannot approve itself");
  const sub = await a.post(`/api/v1/registry/shops/${s}/identity`, { action: "submit" });
  assert.equal(sub.json<{ identityStatus: string }>().identityStatus, "pending", sub.body);

  const queue = await auth.get("/api/v1/registry/review-queue");
  assert.deepEqual(queue.json<{ items: { id: string }[] }>().items.map((x) => x.id), [s]);

  assert.equal((await auth.post(`/api/v1/registry/shops/${s}/identity`, { action: "request_more" })).statusCode, 409, "needs a reason");
  const more = await auth.post(`/api/v1/registry/shops/${s}/identity`, { action: "request_more", reason: "請補代表人身分證明" });
  assert.equal(more.json<{ awaitingShop: boolean }>().awaitingShop, true);
  const blocked = await auth.post(`/api/v1/registry/shops/${s}/identity`, { action: "approve" });
  assert.equal(blocked.statusCode, 409);
  assert.match(blocked.body, /Waiting for the shop/);
  assert.equal((await a.post(`/api/v1/registry/shops/${s}/identity`, { action: "respond", reason: "已上傳" })).statusCode, 200);
  const ok = await auth.post(`/api/v1/registry/shops/${s}/identity`, { action: "approve", reason: "documents match the register" });
  const shop = ok.json<{ identityStatus: string; confirmedAt: string; expiresAt: string }>();
  assert.equal(shop.identityStatus, "confirmed", ok.body);
  assert.equal(shop.expiresAt, "2027-03-01T09:00:00.000Z");
  assert.deepEqual(changes.map((c) => `${c.action}:${c.from}->${c.to}`), ["submit:unconfirmed->pending", "request_more:pending->pending", "respond:pending->pending", "approve:pending->confirmed"]);

  const hist = await a.get(`/api/v1/registry/shops/${s}/history`);
  assert.deepEqual(hist.json<{ items: { action: string }[] }>().items.map((e) => e.action), ["submit", "request_more", "respond", "approve"]);
  const rows = await t.database.db.select().from(auditLog).where(like(auditLog.action, "registry.identity.%"));
  assert.equal(rows.length, 4);
  assert.ok(t.mail.some((m) => m.template === "registry.notice" && m.vars.event === "identity_changed" && m.to === "owner@shop-a.test"));
  assert.deepEqual(await registry.listConfirmedOrigins(s), [`https://dnsproof.test:${port}`, `https://shopa.test:${port}`]);
  assert.equal((await registry.identityStatus(s))?.status, "confirmed");
  assert.equal((await registry.getShop(s))?.ubn, "04595252");
});

test("public registry: search by partial zh/en name, business number, domain; shop page with extensions", async () => {
  const anon = new Client(t.app);
  const search = async (q: string) => (await anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent(q)}`)).json<{ items: { id: string; origins: string[] }[]; nextOffset: number | null }>();
  for (const q of ["好物", "good things", "ONLINE", "04595252", "shopa.test", `https://shopa.test:${port}`, "dnsproof.test"]) {
    assert.deepEqual((await search(q)).items.map((x) => x.id), [need("shopA")], q);
  }
  for (const q of ["乙商店", "22099131", "shopb.test", "%", "_", "12345678"]) assert.deepEqual((await search(q)).items, [], `${q} (not confirmed or nothing)`);
  const all = await search("");
  assert.equal(all.items.length, 1);
  assert.equal(all.nextOffset, null);
  const page = await anon.get(`/api/v1/registry/public/shops/${need("shopA")}`);
  assert.equal(page.statusCode, 200, page.body);
  const p = page.json<{ legalNameZh: string; origins: { origin: string; certificate: { fingerprint256: string } | null }[]; extensions: { marks: { shopId: string } }; contactEmail?: string }>();
  assert.equal(p.legalNameZh, "好物網路商店股份有限公司");
  assert.equal(p.origins.length, 2);
  assert.ok(p.origins.some((o) => o.certificate?.fingerprint256));
  assert.equal(p.extensions.marks.shopId, need("shopA"));
  assert.equal(p.contactEmail, undefined, "contact mail is not public");
  assert.equal((await anon.get(`/api/v1/registry/public/shops/${need("shopB")}`)).statusCode, 404);
  assert.equal((await anon.get("/api/v1/registry/public/shops?limit=1000")).statusCode, 400);
  const doc = await anon.get("/api/openapi.json");
  assert.ok(Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths).includes("/api/v1/registry/public/shops"));
});

test("legal details change through review after submission, kept as history", async () => {
  const a = await signedIn(shopA, "owner");
  const auth = await signedIn(authority, "admin");
  const s = need("shopA");
  const r = await a.request("PATCH", `/api/v1/registry/shops/${s}`, profile({ legalNameEn: "Good Things Online Co., Ltd.", contactPhone: "02 2311 9999" }));
  const body = r.json<{ shop: { legalNameEn: string; contactPhone: string }; pendingChange: string }>();
  assert.equal(body.shop.legalNameEn, "Good Things Online Ltd.", "legal name waits for review");
  assert.equal(body.shop.contactPhone, "02 2311 9999", "contact details change at once");
  ids.change = body.pendingChange;
  assert.equal((await a.request("PATCH", `/api/v1/registry/shops/${s}`, profile({ legalNameEn: "Other" }))).statusCode, 409);
  assert.equal((await auth.post(`/api/v1/registry/changes/${need("change")}/decision`, { decision: "reject" })).statusCode, 400);
  const d = await auth.post(`/api/v1/registry/changes/${need("change")}/decision`, { decision: "approve", reason: "登記資料相符" });
  assert.equal(d.json<{ legalNameEn: string }>().legalNameEn, "Good Things Online Co., Ltd.");
  const hist = await a.get(`/api/v1/registry/shops/${s}/changes`);
  const items = hist.json<{ items: { status: string; previous: { legalNameEn: string } }[] }>().items;
  assert.equal(items[0]?.status, "approved");
  assert.equal(items[0].previous.legalNameEn, "Good Things Online Ltd.");
  assert.equal((await auth.post(`/api/v1/registry/changes/${need("change")}/decision`, { decision: "approve" })).statusCode, 409);
});

test("export: CSV and XLSX for the authority, formulas neutralised", async () => {
  const auth = await signedIn(authority, "admin");
  const b = await signedIn(shopB, "owner");
  await b.request("PATCH", `/api/v1/registry/shops/${need("shopB")}`, profile({ legalNameZh: "乙商店有限公司", legalNameEn: "=HYPERLINK(\"http://evil\")", ubn: "22099131", contactEmail: "b@shop-b.test" }));
  const csv = await auth.get("/api/v1/registry/export?format=csv");
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers["content-type"] as string, /text\/csv/);
  assert.ok(csv.body.startsWith("\ufeff"));
  assert.match(csv.body, /"'=HYPERLINK/);
  assert.match(csv.body, /好物網路商店股份有限公司/);
  const x = await auth.get("/api/v1/registry/export?format=xlsx");
  assert.equal(x.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
  const ws = wb.getWorksheet("shops");
  assert.equal(ws?.rowCount, 3);
});

test("re-checks: a failed re-check warns, then the origin lapses after the grace period and the identity lapses with the last origin", async () => {
  const s = need("shopA");
  // due in 30 days
  assert.deepEqual(await registry.originsDue(), []);
  t.clock.advance(31 * DAY);
  const due = await registry.originsDue();
  assert.equal(due.length, 3);
  assert.equal(await registry.recheckOrigin(need("originA")), "ok");
  served.clear();
  dns.zone.set("_ectrust.dnsproof.test", { txt: [] });
  t.mail.length = 0;
  assert.equal(await registry.recheckOrigin(need("originDns")), "failing");
  assert.ok(t.mail.some((m) => m.vars.event === "origin_failing" && /_ectrust\.dnsproof\.test/.test(m.vars.detail ?? "")));
  assert.equal(await registry.recheckOrigin(need("originDns")), "failing");
  assert.equal(t.mail.filter((m) => m.vars.event === "origin_failing").length, 1, "warned once");
  t.clock.advance(15 * DAY);
  assert.equal(await registry.recheckOrigin(need("originDns")), "lapsed");
  assert.equal((await registry.identityStatus(s))?.status, "confirmed", "one origin still proven");
  // shopa: proven until +30 days from the re-check; then it fails and lapses too
  t.clock.advance(16 * DAY);
  assert.equal(await registry.recheckOrigin(need("originA")), "failing");
  t.clock.advance(14 * DAY);
  assert.equal(await registry.recheckOrigin(need("originA")), "lapsed");
  assert.equal((await registry.identityStatus(s))?.status, "lapsed");
  assert.deepEqual(await registry.listConfirmedOrigins(s), []);
  assert.equal(changes.at(-1)?.action, "lapse_origins");
  const anon = new Client(t.app);
  const page = await anon.get(`/api/v1/registry/public/shops/${s}`);
  assert.equal(page.json<{ identityStatus: string; origins: unknown[] }>().identityStatus, "lapsed");
});

test("expiry: a confirmation lapses after 12 months; certificates are warned about before they expire", async () => {
  const sB = need("shopB");
  const auth = await signedIn(authority, "admin");
  const b = await signedIn(shopB, "owner");
  const file = await evidence.upload({ kind: "user", userId: shopB.users.owner?.id ?? "", orgId: shopB.orgId, orgKind: "merchant", role: "merchant_admin" }, shopB.orgId, { filename: "b.pdf", stream: pdf(), declaredType: "application/pdf" });
  await b.post(`/api/v1/registry/shops/${sB}/documents`, { evidenceId: file.id, kind: "business_registration" });
  // shopb's proof is stale by now: re-prove, then submit and approve
  const list = await b.get(`/api/v1/registry/shops/${sB}/origins`);
  const token = list.json<{ items: { instructions: { http: { body: string } } }[] }>().items[0]?.instructions.http.body ?? "";
  served.set(`shopb.test/${token}`, token);
  assert.equal((await verify(b, sB, need("originB"), "http")).json<{ ok: boolean }>().ok, true);
  assert.equal((await b.post(`/api/v1/registry/shops/${sB}/identity`, { action: "submit" })).statusCode, 200);
  assert.equal((await auth.post(`/api/v1/registry/shops/${sB}/identity`, { action: "approve", reason: "ok" })).statusCode, 200);
  const renewEarly = await auth.post(`/api/v1/registry/shops/${sB}/identity`, { action: "renew", reason: "early" });
  assert.match(renewEarly.body, /Renewal opens 60 days before expiry/);

  // certificate expiry warning: move to 10 days before the leaf's notAfter
  const [cert] = await t.database.db.select().from((await import("./registry.tables.ts")).registryTlsBindings).where(eq((await import("./registry.tables.ts")).registryTlsBindings.originId, need("originB")));
  assert.ok(cert);
  const saved = t.clock.now();
  t.clock.set(new Date(cert.validTo.getTime() - 10 * DAY));
  t.mail.length = 0;
  const sweep = await registry.expirySweep();
  assert.equal(sweep.tlsWarned, 1);
  assert.equal((await registry.expirySweep()).tlsWarned, 0, "warned once");
  assert.ok(t.mail.some((m) => m.vars.event === "tls_expiring"));
  t.clock.set(saved);

  // the renewal reminder: not before the 60-day window, once inside it, never twice for one expiry
  const expiresAt = (await registry.identityStatus(sB))?.expiresAt;
  assert.ok(expiresAt);
  t.clock.set(new Date(expiresAt.getTime() - 61 * DAY));
  t.mail.length = 0;
  assert.equal((await registry.expirySweep()).reminded, 0, "not yet in the renewal window");
  t.clock.set(new Date(expiresAt.getTime() - 59 * DAY));
  assert.equal((await registry.expirySweep()).reminded, 1);
  assert.equal((await registry.expirySweep()).reminded, 0, "reminded once");
  const reminder = t.mail.find((m) => m.vars.event === "identity_expiring");
  assert.ok(reminder, "the shop's contact is mailed");
  assert.match(String(reminder.vars.detail), new RegExp(expiresAt.toISOString().slice(0, 10)));
  t.clock.set(saved);

  t.clock.advance(366 * DAY);
  const r = await registry.expirySweep();
  assert.equal(r.reminded, 0, "a reminded shop is not reminded again on lapsing");
  assert.equal(r.lapsed, 1);
  assert.equal((await registry.identityStatus(sB))?.status, "lapsed");
  const ev = await t.database.db.select().from(auditLog).where(eq(auditLog.action, "registry.identity.expire"));
  assert.equal(ev.length, 1);
});
