// The scanner in the platform, through HTTP (app.inject) on a real database: watched origins
// synced from a ScanTargets double (the registry's confirmed origins), scans queued by the
// sweep and on demand (idempotent), run as the job would run them against a real loopback
// site, history with diff, the payment-page script inventory, alert mail in both languages,
// the failure path, the authority's grade distribution, cross-organisation refusals, bad input.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { staticResolver } from "../../platform/net/resolver.ts";
import { mailTemplates } from "../../platform/mail/mail.templates.ts";
import { buildTestApp, Client, seedOrg, TEST_PASSWORD, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { createScannerFetcher } from "./scan.ts";
import { createScannerPlatform, type ScannerPlatform } from "./scanner.platform.ts";
import { scannerRoutes } from "./scanner.routes.ts";
import { memoryScanTargets } from "./scanner.targets.ts";

const PAGE_MARKER = "page-body-marker-7f3a";
let checkout = '<script src="/pay.js"></script>';
const site = http.createServer((req, res) => {
  const headers = { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; frame-ancestors 'none'", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
  if (req.url === "/") res.writeHead(200, headers).end(`<html><p>${PAGE_MARKER}</p></html>`);
  else if (req.url === "/checkout") res.writeHead(200, headers).end(`<html>${checkout}</html>`);
  else if (req.url === "/pay.js") res.writeHead(200, { "content-type": "text/javascript" }).end("pay()");
  else res.writeHead(404, { "content-type": "text/plain" }).end("not found");
});

let port = 0;
let t: TestApp;
let scanner: ScannerPlatform;
let authority: SeededOrg;
let shopA: SeededOrg;
let shopB: SeededOrg;
const SHOP_A = randomUUID();
const SHOP_B = randomUUID();
const targets = memoryScanTargets([]);
const sent: { name: string; data: { scanId?: string }; key: string | undefined }[] = [];
const mails: { to: string; template: string; vars: Record<string, string> }[] = [];
let originA = "";

before(async () => {
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  port = (site.address() as AddressInfo).port;
  originA = `http://127.0.0.1:${String(port)}`;
  t = await buildTestApp({
    register: async (app, p) => {
      scanner = createScannerPlatform({
        db: p.database.db,
        clock: p.clock,
        fetcher: createScannerFetcher({ allowHosts: [`127.0.0.1:${String(port)}`], resolver: staticResolver({}) }),
        targets,
        jobs: {
          send: (name, data, o) => {
            if (o?.singletonKey !== undefined && sent.some((s) => s.name === name && s.key === o.singletonKey)) return Promise.resolve(null);
            sent.push({ name, data: data, key: o?.singletonKey });
            return Promise.resolve(randomUUID());
          },
        },
        mail: { enqueue: (_tx, m) => { mails.push(m); return Promise.resolve(); } },
        publicUrl: p.config.publicUrl,
        budgetMs: 20_000,
      });
      await app.register(scannerRoutes, { scanner });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  shopA = await seedOrg(t.accounts, "merchant", "Shop A", [{ key: "admin", role: "merchant_admin" }, { key: "staff", role: "merchant_staff" }]);
  shopB = await seedOrg(t.accounts, "merchant", "Shop B", [{ key: "admin", role: "merchant_admin" }]);
  targets.shops.push(
    { id: SHOP_A, orgId: shopA.orgId, contactEmail: "owner@shop-a.test", origins: [originA] },
    { id: SHOP_B, orgId: shopB.orgId, contactEmail: "owner@shop-b.test", origins: ["https://shop-b.test"] },
  );
});
after(async () => {
  site.close();
  await (t as TestApp | undefined)?.close();
});

async function as(org: SeededOrg, key: string): Promise<Client> {
  const c = new Client(t.app);
  const u = org.users[key];
  assert.ok(u);
  await c.signIn(u.email, TEST_PASSWORD, u.totp, Math.floor(t.clock.now().getTime() / 1000));
  return c;
}

const scanJobs = (): string[] => sent.filter((s) => s.name === "scanner.scan").map((s) => s.data.scanId ?? "");
let originIdA = "";

test("the sweep watches every confirmed origin and queues each due one once", async () => {
  const first = await scanner.sweep();
  assert.deepEqual(first, { shops: 2, queued: 2 });
  const again = await scanner.sweep();
  assert.equal(again.queued, 0, "a repeated sweep queues nothing (next scan moved a cadence ahead)");
  const a = await as(shopA, "admin");
  const list = await a.get(`/api/v1/scanner/shops/${SHOP_A}/origins`);
  assert.equal(list.statusCode, 200, list.body);
  const items = list.json<{ items: { id: string; origin: string; nextScanAt: string }[] }>().items;
  assert.deepEqual(items.map((o) => o.origin), [originA]);
  originIdA = items[0]?.id ?? "";
  assert.equal(Date.parse(items[0]?.nextScanAt ?? "") - t.clock.now().getTime(), 7 * 86_400_000, "default cadence: weekly");
});

test("a scan runs as the job runs it: stored result without page bodies, history, grade for other modules", async () => {
  const a = await as(shopA, "admin");
  const declared = await a.request("PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: [`${originA}/checkout`] });
  assert.equal(declared.statusCode, 200, declared.body);
  for (const id of scanJobs()) await scanner.runScan(id);
  const latest = await a.get(`/api/v1/scanner/origins/${originIdA}/latest`);
  assert.equal(latest.statusCode, 200, latest.body);
  const body = latest.json<{ scan: { status: string; grade: string; result: { findings: { id: string; title: { "zh-TW": string; en: string } }[] } } }>();
  assert.equal(body.scan.status, "done");
  assert.ok(body.scan.result.findings.length > 0 && body.scan.result.findings.every((f) => f.title["zh-TW"] && f.title.en), "findings carry zh-TW and English text");
  assert.ok(!latest.body.includes(PAGE_MARKER), "no page body is stored or served");
  const grade = await scanner.getLatestGrade({ shopId: SHOP_A });
  assert.equal(grade?.grade, body.scan.grade);
  assert.equal((await scanner.getLatestGrade({ origin: originA }))?.grade, body.scan.grade);
  assert.equal(await scanner.getLatestGrade({ shopId: randomUUID() }), null);
});

test("on demand: the shop scans its own origin; a second request returns the open scan", async () => {
  t.clock.advance(3_600_000); // history is ordered by queue time (one open scan per origin, so never a tie in real use)
  const a = await as(shopA, "admin");
  const r1 = await a.post(`/api/v1/scanner/origins/${originIdA}/scans`);
  assert.equal(r1.statusCode, 202, r1.body);
  const s1 = r1.json<{ scan: { id: string; status: string; trigger: string }; created: boolean }>();
  assert.deepEqual([s1.created, s1.scan.status, s1.scan.trigger], [true, "queued", "shop"]);
  const r2 = await a.post(`/api/v1/scanner/origins/${originIdA}/scans`);
  assert.equal(r2.json<{ scan: { id: string }; created: boolean }>().scan.id, s1.scan.id);
  assert.equal(r2.json<{ created: boolean }>().created, false);
  // the skimmer: a new script on the checkout page between two scans
  checkout += '<script src="https://cdn.evil.example/skim.js"></script>';
  await scanner.runScan(s1.scan.id);
  await scanner.runScan(s1.scan.id); // the job delivered twice: nothing runs or is mailed again
  const alertMails = mails.filter((m) => m.template === "scanner.alert");
  assert.equal(alertMails.length, 1, JSON.stringify(mails));
  const m = alertMails[0];
  assert.ok(m);
  assert.equal(m.to, "owner@shop-a.test");
  for (const locale of ["zh-TW", "en"] as const) {
    const rendered = mailTemplates.render("scanner.alert", locale, m.vars);
    assert.ok(rendered.text.includes("https://cdn.evil.example/skim.js"), rendered.text);
  }
  assert.ok(mailTemplates.render("scanner.alert", "zh-TW", m.vars).text.includes("付款頁面"));
  const scripts = await a.get(`/api/v1/scanner/origins/${originIdA}/scripts`);
  const inv = scripts.json<{ items: { src: string; firstSeenAt: string; removedAt: string | null }[] }>().items;
  assert.deepEqual(inv.map((s) => s.src).sort(), [`${originA}/pay.js`, "https://cdn.evil.example/skim.js"]);
  const history = await a.get(`/api/v1/scanner/origins/${originIdA}/scans?limit=1`);
  assert.equal(history.statusCode, 200, history.body);
  const h = history.json<{ items: { id: string; diff: { alerts: { kind: string }[] } }[]; nextBefore: string | null }>();
  const [newest] = h.items;
  assert.ok(newest);
  assert.equal(newest.id, s1.scan.id);
  assert.deepEqual(newest.diff.alerts.map((x) => x.kind), ["payment-script-added"]);
  assert.ok(h.nextBefore, "older scans on the next page");
  const one = await a.get(`/api/v1/scanner/scans/${s1.scan.id}`);
  assert.equal(one.statusCode, 200);
});

test("another organisation's user is refused on every endpoint with an object id", async () => {
  const b = await as(shopB, "admin");
  const first = scanJobs()[0] ?? "";
  for (const [method, url] of [
    ["GET", `/api/v1/scanner/shops/${SHOP_A}/origins`],
    ["POST", `/api/v1/scanner/origins/${originIdA}/scans`],
    ["GET", `/api/v1/scanner/origins/${originIdA}/scans`],
    ["GET", `/api/v1/scanner/origins/${originIdA}/latest`],
    ["GET", `/api/v1/scanner/origins/${originIdA}/scripts`],
    ["PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`],
    ["GET", `/api/v1/scanner/scans/${first}`],
  ] as const) {
    const r = await b.request(method, url, method === "GET" ? undefined : method === "PUT" ? { pages: [] } : {});
    assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
  }
  const anon = new Client(t.app);
  assert.equal((await anon.get(`/api/v1/scanner/origins/${originIdA}/latest`)).statusCode, 401);
  const staff = await as(shopA, "staff");
  assert.equal((await staff.get(`/api/v1/scanner/origins/${originIdA}/latest`)).statusCode, 200, "staff may read");
  assert.equal((await staff.post(`/api/v1/scanner/origins/${originIdA}/scans`)).statusCode, 403, "staff may not start scans");
  assert.equal((await b.get("/api/v1/scanner/grades")).statusCode, 403);
  assert.equal((await b.get("/api/v1/scanner/origins")).statusCode, 403, "the list of every origin is the authority's");
  assert.equal((await b.request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: 1 })).statusCode, 404, "another shop's origin does not exist for it");
  assert.equal((await staff.request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: 1 })).statusCode, 403, "staff may not change the cadence");
});

test("cadence: the shop may ask for scans more often than the default, not less; the authority may set any", async () => {
  const a = await as(shopA, "admin");
  const often = await a.request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: 2 });
  assert.equal(often.statusCode, 200, often.body);
  assert.equal(often.json<{ cadenceDays: number }>().cadenceDays, 2);
  const rare = await a.request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: 30 });
  assert.equal(rare.statusCode, 400, rare.body);
  assert.equal(rare.json<{ errors?: { field: string }[] }>().errors?.[0]?.field, "cadenceDays");
  const back = await a.request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: null });
  assert.equal(back.json<{ cadenceDays: number | null }>().cadenceDays, null, "back to the platform default");
});

test("bad input is refused with the field named", async () => {
  const a = await as(shopA, "admin");
  const cases: [string, string, unknown, number][] = [
    ["GET", "/api/v1/scanner/origins/not-a-uuid/latest", undefined, 400],
    ["GET", `/api/v1/scanner/origins/${originIdA}/scans?limit=0`, undefined, 400],
    ["GET", `/api/v1/scanner/origins/${originIdA}/scans?before=yesterday`, undefined, 400],
    ["PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: ["https://elsewhere.example/checkout"] }, 400],
    ["PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: ["checkout"] }, 400],
    ["PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: Array.from({ length: 11 }, (_, i) => `${originA}/p${String(i)}`) }, 400],
    ["PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: [`${originA}/checkout`], extra: 1 }, 400],
    ["GET", `/api/v1/scanner/scans/${randomUUID()}`, undefined, 404],
  ];
  for (const [method, url, body, status] of cases) {
    const r = await a.request(method as "GET" | "PUT", url, body);
    assert.equal(r.statusCode, status, `${method} ${url}: ${r.body}`);
  }
  const r = await a.request("PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: ["https://elsewhere.example/checkout"] });
  assert.equal(r.json<{ errors?: { field: string }[] }>().errors?.[0]?.field, "pages.0", r.body);
});

test("failure path: a scan that cannot run ends failed with its error; the authority sees the distribution", async () => {
  targets.shops.push({ id: randomUUID(), orgId: shopB.orgId, origins: ["http://bad host"] });
  await scanner.sweep();
  const broken = scanJobs().at(-1) ?? "";
  await assert.rejects(scanner.runScan(broken, { lastAttempt: false }));
  const auth = await as(authority, "admin");
  let s = (await auth.get(`/api/v1/scanner/scans/${broken}`)).json<{ status: string; error: string | null }>();
  assert.equal(s.status, "queued", "retried while retries remain");
  await assert.rejects(scanner.runScan(broken, { lastAttempt: true }));
  s = (await auth.get(`/api/v1/scanner/scans/${broken}`)).json<{ status: string; error: string | null }>();
  assert.equal(s.status, "failed");
  assert.match(s.error ?? "", /not a valid URL|neither|not a scan target/);
  const d = await auth.get("/api/v1/scanner/grades");
  assert.equal(d.statusCode, 200, d.body);
  const dist = d.json<{ origins: Record<string, number>; shops: Record<string, number>; totalOrigins: number; totalShops: number }>();
  assert.equal(dist.totalOrigins, 3);
  assert.equal(dist.totalShops, 3);
  assert.equal(Object.values(dist.origins).reduce((x, y) => x + y, 0), 3);
  // a shop that is no longer confirmed stops being watched
  const entry = targets.shops.find((x) => x.id === SHOP_B);
  assert.ok(entry);
  entry.confirmed = false;
  await scanner.sweep();
  assert.equal((await auth.get("/api/v1/scanner/grades")).json<{ totalOrigins: number }>().totalOrigins, 2);
  const grade = (await scanner.getLatestGrade({ origin: originA }))?.grade ?? "?";
  // every watched origin, one grade at a time, a page at a time
  const graded = (await auth.get(`/api/v1/scanner/origins?grade=${encodeURIComponent(grade)}`)).json<{ items: { origin: string }[] }>();
  assert.deepEqual(graded.items.map((o) => o.origin), [originA]);
  const first = (await auth.get("/api/v1/scanner/origins?limit=1")).json<{ items: { id: string }[]; nextAfter: string | null }>();
  assert.equal(first.items.length, 1);
  assert.ok(first.nextAfter);
  const second = (await auth.get(`/api/v1/scanner/origins?limit=1&after=${first.nextAfter}`)).json<{ items: { id: string }[]; nextAfter: string | null }>();
  assert.equal(second.items.length, 1);
  assert.notEqual(second.items[0]?.id, first.items[0]?.id);
  assert.equal(second.nextAfter, null, "two watched origins: two pages of one");
  assert.equal((await auth.get("/api/v1/scanner/origins?grade=Z")).statusCode, 400);
  const cad = await auth.request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: 30 });
  assert.equal(cad.statusCode, 200, cad.body);
  assert.equal(cad.json<{ cadenceDays: number }>().cadenceDays, 30);
});

test("getLatestGrade: a shop's grade is its worst watched origin's; an origin's is its own", async () => {
  const unreachable = "http://127.0.0.1:9"; // not allowed to the engine's fetcher: refused, nothing answers
  const entry = targets.shops.find((x) => x.id === SHOP_A);
  assert.ok(entry);
  entry.origins.push(unreachable);
  const own = await scanner.getLatestGrade({ origin: originA });
  assert.ok(own);
  const queuedBefore = scanJobs().length;
  await scanner.sweep(); // the new origin is due at once
  const fresh = scanJobs().slice(queuedBefore);
  assert.equal(fresh.length, 1);
  await scanner.runScan(fresh[0] ?? "");
  assert.equal((await scanner.getLatestGrade({ origin: unreachable }))?.grade, "F", "a scan that reached nothing is F");
  const shop = await scanner.getLatestGrade({ shopId: SHOP_A });
  assert.deepEqual([shop?.grade, shop?.origin], ["F", unreachable], "the shop counts with its worst origin");
  assert.deepEqual(await scanner.getLatestGrade({ origin: originA }), own, "the good origin keeps its own grade");
});

test("payment pages keep an origin on a weekly schedule even when its interval is longer (PCI DSS 11.6.1)", async () => {
  t.clock.advance(60_000); // a fresh TOTP step for the authority's sign-in
  const o = (await (await as(authority, "admin")).request("PUT", `/api/v1/scanner/origins/${originIdA}/cadence`, { cadenceDays: 30 })).json<{ cadenceDays: number; paymentPages: string[] }>();
  assert.deepEqual([o.cadenceDays, o.paymentPages.length], [30, 1]);
  const nextScanIn = async (): Promise<number> => {
    const res = await (await as(shopA, "admin")).get(`/api/v1/scanner/origins/${originIdA}/latest`);
    assert.equal(res.statusCode, 200, res.body);
    return Date.parse(res.json<{ origin: { nextScanAt: string } }>().origin.nextScanAt) - t.clock.now().getTime();
  };
  t.clock.advance(8 * 86_400_000);
  await scanner.sweep(); // due (or already open) after a week, not after 30 days
  assert.equal(await nextScanIn(), 7 * 86_400_000, "next scan one week ahead");
  await (await as(shopA, "admin")).request("PUT", `/api/v1/scanner/origins/${originIdA}/payment-pages`, { pages: [] });
  t.clock.advance(8 * 86_400_000);
  await scanner.sweep();
  assert.equal(await nextScanIn(), 30 * 86_400_000, "without payment pages, its own 30 days");
});

test("an origin that changes hands starts a new history: the new shop's first scan has no diff against the old shop's", async () => {
  const shopC = await seedOrg(t.accounts, "merchant", "Shop C", [{ key: "admin", role: "merchant_admin" }]);
  const SHOP_C = randomUUID();
  // shop A's origin (scanned above, with its payment-page scripts) is now proven by shop C
  targets.shops.push({ id: SHOP_C, orgId: shopC.orgId, contactEmail: "owner@shop-c.test", origins: [originA] });
  const queuedBefore = scanJobs().length;
  await scanner.sweep();
  for (const id of scanJobs().slice(queuedBefore)) await scanner.runScan(id);
  const c = await as(shopC, "admin");
  const list = (await c.get(`/api/v1/scanner/shops/${SHOP_C}/origins`)).json<{ items: { id: string }[] }>().items;
  assert.equal(list.length, 1);
  const history = (await c.get(`/api/v1/scanner/origins/${list[0]?.id ?? ""}/scans`)).json<{ items: { status: string; diff: unknown }[] }>().items;
  const [first] = history;
  assert.ok(first);
  assert.equal(first.status, "done");
  assert.equal(first.diff, null, "shop C was shown a diff against shop A's scans");
});
