// Who may claim what (third review of the registry): one business number is confirmed for one shop
// at a time; one host belongs to one shop whatever its port; a domain that changes hands is
// re-checked when the new owner proves it; the public check reads a pasted address as its host.
// Services on a real database (run it with ECTRUST_TEST_DB=postgres too: the races need a pool of
// connections to show) and the public search through HTTP.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Actor } from "../../platform/actor.ts";
import { AppError } from "../../platform/errors.ts";
import type { Fetcher, FetchResponse } from "../../platform/net/fetcher.ts";
import { createEvidenceService, type EvidenceService } from "../../platform/storage/evidence.service.ts";
import { createMemoryStorage } from "../../platform/storage/storage.ts";
import { buildTestApp, Client, type TestApp } from "../../platform/testing/http.ts";
import { registryRoutes } from "./registry.routes.ts";
import { createRegistryService, type RegistryService } from "./registry.service.ts";
import { pdf, shopProfile } from "./testing.ts";

type User = Extract<Actor, { kind: "user" }>;
const DAY = 86_400_000;
let t: TestApp;
let registry: RegistryService;
let evidence: EvidenceService;
const authority: User = { kind: "user", userId: randomUUID(), orgId: randomUUID(), orgKind: "authority", role: "authority_admin" };
const merchant = (): User => ({ kind: "user", userId: randomUUID(), orgId: randomUUID(), orgKind: "merchant", role: "merchant_admin" });

/** The web as the proofs see it: host → tokens it serves. `hold` makes that many fetches wait for each other. */
const serving = new Map<string, Set<string>>();
const fetched: string[] = [];
let hold = 1;
let waiting: (() => void)[] = [];
const fetcher: Fetcher = {
  async fetch(url) {
    const u = new URL(String(url));
    const token = u.pathname.split("/").at(-1) ?? "";
    fetched.push(u.href);
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length >= hold) {
        for (const r of waiting) r();
        waiting = [];
      }
    });
    const ok = serving.get(u.hostname)?.has(token) === true;
    return { url: u.href, status: ok ? 200 : 404, headers: [], address: "203.0.113.7", tls: undefined, body: Buffer.from(ok ? token : "not found"), truncated: false, redirects: [], elapsedMs: 1 } satisfies FetchResponse;
  },
  async probeTls() {
    return { offered: true, protocol: "TLSv1.3", error: undefined };
  },
  async txt() {
    return [];
  },
};
const serve = (origin: { host: string; instructions: { http: { body: string } } }): void => {
  const set = serving.get(origin.host) ?? new Set<string>();
  set.add(origin.instructions.http.body);
  serving.set(origin.host, set);
};

const profile = (ubn: string, name = "好物網路商店股份有限公司") => shopProfile({ ubn, legalNameZh: name });

/** A shop with proven origins and a document, submitted: waiting for the authority. */
async function pendingShop(ubn: string, origins: string[], name?: string): Promise<{ actor: User; id: string; origins: { id: string; host: string; instructions: { http: { body: string } } }[] }> {
  const actor = merchant();
  const shop = await registry.createShop(actor, profile(ubn, name));
  const added = [];
  for (const o of origins) {
    const row = await registry.addOrigin(actor, shop.id, o);
    serve(row);
    const v = await registry.verifyOrigin(actor, shop.id, row.id, "http");
    assert.equal(v.ok, true, v.message);
    added.push(row);
  }
  const file = await evidence.upload(actor, actor.orgId, { filename: "registration.pdf", stream: pdf(), declaredType: "application/pdf" });
  await registry.attachDocument(actor, shop.id, { evidenceId: file.id, kind: "business_registration", note: "" });
  assert.equal((await registry.act(actor, shop.id, "submit", "")).identityStatus, "pending");
  return { actor, id: shop.id, origins: added };
}

/** The AppError a refused call threw. */
async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  assert.fail("the call was not refused");
}

before(async () => {
  t = await buildTestApp({
    register: async (app, partial) => {
      evidence = createEvidenceService({ db: partial.database.db, clock: partial.clock, storage: createMemoryStorage(), maxBytes: 1024 * 1024 });
      registry = createRegistryService({ db: partial.database.db, clock: partial.clock, fetcher, mail: { enqueue: async (_tx, m) => { partial.mail.push(m); } }, evidence, publicUrl: partial.config.publicUrl });
      await app.register(registryRoutes, { registry });
    },
  });
});
after(async () => t.close());

let holder: Awaited<ReturnType<typeof pendingShop>>;

test("a business number confirmed for one shop is refused to another: profile, change of details, submission", async () => {
  holder = await pendingShop("04595252", ["https://goodthings.example", "https://商店.tw"]);
  assert.equal((await registry.act(authority, holder.id, "approve", "documents match the register")).identityStatus, "confirmed");

  const other = merchant();
  const created = await refusal(registry.createShop(other, profile("04595252", "冒名商店")));
  assert.equal(created.code, "conflict");
  assert.match(created.message, /04595252 is already confirmed for another shop/);
  assert.match(JSON.stringify(created.fields), /統一編號 04595252 已由另一家商店完成網站主體確認/);

  // a draft with another number cannot be edited into the confirmed one, before or after submission
  const shop = await registry.createShop(other, profile("22099131", "冒名商店"));
  assert.equal((await refusal(registry.updateProfile(other, shop.id, profile("04595252", "冒名商店")))).code, "conflict");
  const late = await pendingShop("10000009", ["https://late.example"]);
  assert.equal((await refusal(registry.updateProfile(late.actor, late.id, profile("04595252")))).code, "conflict");
  // nor by the authority on the shop's behalf
  assert.equal((await refusal(registry.updateProfile(authority, late.id, profile("04595252")))).code, "conflict");
  assert.equal((await registry.getShop(late.id))?.ubn, "10000009");
});

test("two claims of one number both reach the review, the conflict shown to the authority only; approved at once, one is confirmed", async () => {
  // several numbers, each claimed by two shops, approved concurrently
  const pairs = [];
  for (const [i, ubn] of ["10000015", "10000021", "10000036"].entries()) {
    pairs.push([await pendingShop(ubn, [`https://first${String(i)}.example`], "甲商店"), await pendingShop(ubn, [`https://second${String(i)}.example`], "乙商店")] as const);
  }
  const [a, b] = pairs[0] ?? assert.fail();
  const queue = await registry.reviewQueue(authority, { limit: 100, offset: 0 });
  assert.equal(queue.items.find((s) => s.id === a.id)?.sameUbnClaims, 1);
  assert.equal(queue.items.find((s) => s.id === b.id)?.sameUbnClaims, 1);
  assert.deepEqual((await registry.getShopFor(authority, a.id)).sameUbn?.map((s) => [s.id, s.identityStatus]), [[b.id, "pending"]]);
  assert.equal((await registry.getShopFor(a.actor, a.id)).sameUbn, undefined, "a merchant does not see the other claimant");

  const results = await Promise.all(pairs.map(([x, y]) => Promise.allSettled([registry.act(authority, x.id, "approve", "ok"), registry.act(authority, y.id, "approve", "ok")])));
  for (const [i, r] of results.entries()) {
    assert.deepEqual(r.map((s) => s.status).sort(), ["fulfilled", "rejected"], `pair ${String(i)}: ${r.map((s) => (s.status === "rejected" ? String(s.reason) : "ok")).join(", ")}`);
    const lost = r.find((s) => s.status === "rejected");
    assert.ok(lost?.status === "rejected" && lost.reason instanceof AppError && lost.reason.code === "conflict", lost?.status === "rejected" ? String(lost.reason) : "no refusal");
  }
  // the one left pending cannot be approved later, nor withdrawn and submitted again
  const [, waiting] = results[0]?.[0]?.status === "fulfilled" ? [a, b] : [b, a];
  assert.equal((await registry.getShop(waiting.id))?.identityStatus, "pending");
  assert.equal((await refusal(registry.act(authority, waiting.id, "approve", "ok"))).code, "conflict");
  await registry.act(authority, waiting.id, "reject", "the number is confirmed for another shop");
  assert.equal((await refusal(registry.act(waiting.actor, waiting.id, "submit", ""))).code, "conflict");
});

test("one host belongs to one shop whatever its port, also when both prove it at once", async () => {
  const other = merchant();
  const shop = await registry.createShop(other, profile("22099131", "冒名商店"));
  const port = await registry.addOrigin(other, shop.id, "https://goodthings.example:8443");
  serve(port);
  const r = await refusal(registry.verifyOrigin(other, shop.id, port.id, "http"));
  assert.equal(r.code, "conflict");
  assert.match(r.message, /goodthings\.example is already proven by another shop \(https:\/\/goodthings\.example\); a host belongs to one shop whatever its port/);
  assert.equal((await registry.listOrigins(other, shop.id))[0]?.status, "unproven");

  const x = merchant();
  const y = merchant();
  const sx = await registry.createShop(x, profile("10000042"));
  const sy = await registry.createShop(y, profile("10000057"));
  const ox = await registry.addOrigin(x, sx.id, "https://contested.example");
  const oy = await registry.addOrigin(y, sy.id, "https://contested.example:8443");
  serve(ox);
  serve(oy);
  hold = 2;
  const both = await Promise.allSettled([registry.verifyOrigin(x, sx.id, ox.id, "http"), registry.verifyOrigin(y, sy.id, oy.id, "http")]);
  hold = 1;
  const proven = [...(await registry.listOrigins(x, sx.id)), ...(await registry.listOrigins(y, sy.id))].filter((o) => o.status === "proven");
  assert.equal(proven.length, 1, `both shops hold contested.example (${both.map((s) => s.status).join(", ")})`);
});

test("the public check finds a shop from a pasted product link, an upper-case or absolute host, or a Unicode IDN", async () => {
  const anon = new Client(t.app);
  const search = (q: string) => anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent(q)}`);
  const link = `https://GoodThings.example/products/123?utm_source=line&utm_medium=social&utm_campaign=${"spring-sale-".repeat(40)}#reviews`;
  assert.ok(link.length > 400);
  for (const q of [link, "goodthings.example/products/123", "GOODTHINGS.EXAMPLE.", "https://www.goodthings.example./", "goodthings.example:8443", "商店.tw", "https://商店.tw/商品/1?ref=x", "商店。tw"]) {
    const r = await search(q);
    assert.equal(r.statusCode, 200, `${q}: ${r.body}`);
    assert.deepEqual(r.json<{ items: { id: string }[] }>().items.map((s) => s.id), [holder.id], q);
  }
  const idn = (await search("https://商店.tw/商品/1")).json<{ searched: unknown }>().searched;
  assert.deepEqual(idn, { by: "host", value: "xn--czrs0t.tw", unicodeHost: "商店.tw" });
  // the real host of a phishing-style link is the one after "@"
  const phish = (await search("https://goodthings.example@evil.example/login")).json<{ items: unknown[]; searched: { value: string } }>();
  assert.deepEqual(phish.items, []);
  assert.equal(phish.searched.value, "evil.example");
  assert.equal((await search("Note: goodthings")).statusCode, 200);
});

test("a name with a full-width or ideographic dot is searched as a name, not as a host", async () => {
  const shop = await pendingShop("10000004", ["https://smith-select.example"], "約翰．史密斯選物有限公司");
  assert.equal((await registry.act(authority, shop.id, "approve", "documents match the register")).identityStatus, "confirmed");
  const anon = new Client(t.app);
  for (const q of ["約翰．史密斯選物", "約翰．史密斯"]) {
    const r = await anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent(q)}`);
    assert.equal(r.statusCode, 200, `${q}: ${r.body}`);
    const page = r.json<{ items: { id: string }[]; searched: { by: string } }>();
    assert.equal(page.searched.by, "name", q);
    assert.deepEqual(page.items.map((s) => s.id), [shop.id], q);
  }
  // a name pasted with its closing full stop is no "host": a name search (nothing ends in 。), not a 400
  assert.equal((await anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent("約翰．史密斯選物。")}`)).statusCode, 200);
  // so is a brand with a colon: a name search, not "only web addresses" (a 400)
  assert.equal((await anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent("B:MING")}`)).statusCode, 200);
});

test("hostile input to the public check is a clear 400, never a 500", async () => {
  const anon = new Client(t.app);
  const cases: [string, RegExp][] = [
    ["javascript:alert(document.cookie)", /Only web addresses/],
    ["data:text/html,<script>alert(1)</script>", /Only web addresses/],
    ["file:///etc/passwd", /Only web addresses/],
    ["x".repeat(5000), /2048/],
    ["好".repeat(300), /A name search is at most 200/],
    ["shop\u0000.example", /NUL/],
    ["https://shop.example/\r\nSet-Cookie: x=1", /control characters/],
    ["https://exa mple.com/", /not a valid web address/],
    ["https://127.0.0.1/admin", /IP address/],
  ];
  for (const [q, text] of cases) {
    const r = await anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent(q)}`);
    assert.equal(r.statusCode, 400, `${q.slice(0, 40)}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    assert.match(r.body, text, q.slice(0, 40));
    assert.match(r.headers["content-type"] as string, /application\/problem\+json/);
  }
});

test("a domain that changes hands: the new owner's proof has the holder re-checked at once; the holder lapses after the grace period", async () => {
  const [site] = holder.origins;
  assert.ok(site);
  serving.delete("goodthings.example"); // sold: the holder's token is gone, the buyer serves theirs
  t.clock.advance(2 * 3600_000);
  const buyer = merchant();
  const shop = await registry.createShop(buyer, profile("10000063", "新網站主"));
  const o = await registry.addOrigin(buyer, shop.id, "https://goodthings.example");
  serve(o);
  const first = await refusal(registry.verifyOrigin(buyer, shop.id, o.id, "http"));
  const lapsesOn = new Date(t.clock.now().getTime() + 14 * DAY).toISOString().slice(0, 10);
  assert.equal(first.code, "conflict");
  assert.match(first.message, new RegExp(`no longer verifies: that shop has been told, and its claim lapses on ${lapsesOn}`));
  const held = (await registry.listOrigins(holder.actor, holder.id)).find((x) => x.id === site.id);
  assert.equal(held?.status, "failing", "the holder's proof is re-checked on the challenge, not in up to 30 days");
  assert.ok(t.mail.some((m) => m.vars.event === "origin_failing" && /Another shop has just proven control of this site/.test(m.vars.detail ?? "")));

  // a second try within the hour does not fetch the holder's site again
  const before = fetched.length;
  assert.equal((await refusal(registry.verifyOrigin(buyer, shop.id, o.id, "http"))).code, "conflict");
  assert.equal(fetched.length - before, 1, "only the buyer's own proof was fetched");

  t.clock.advance(14 * DAY + 3600_000);
  const v = await registry.verifyOrigin(buyer, shop.id, o.id, "http");
  assert.equal(v.ok, true, v.message);
  assert.equal((await registry.listOrigins(holder.actor, holder.id)).find((x) => x.id === site.id)?.status, "lapsed");
});
