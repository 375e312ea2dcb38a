// Seals HTTP through app.inject(): the seal page's per-shop headers (frame-ancestors, no
// cookies, no X-Frame-Options), publication paths with their cache headers, the verification
// page and API, and the embed snippet (own shop only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTestApp, Client, seedOrg } from "../../platform/testing/http.ts";
import { freePort } from "../../platform/testing/server.ts";
import { verifyRemote } from "./seals.remote.ts";
import { createSealsService, type SealsService } from "./seals.service.ts";
import { sealsRoutes } from "./seals.routes.ts";
import { fakeRegistry, fakeShop, type FakeShop } from "./seals.testing.ts";

const widgetDir = new URL("../../../dist/widget", import.meta.url).pathname;

test("seal endpoint, publication, verification and embed snippet over HTTP", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-http-"));
  const shops = new Map<string, FakeShop>();
  let seals: SealsService | undefined;
  const port = await freePort();
  const base = `http://127.0.0.1:${String(port)}`;
  const scanGrade = { grade: "B", score: 82, scannedAt: new Date("2026-11-20T00:00:00Z"), origin: "https://shop.example" };
  const t = await buildTestApp({
    env: { PUBLIC_URL: base },
    register: async (app, p) => {
      seals = createSealsService({ db: p.database.db, clock: p.clock, masterKey: Buffer.alloc(32, 9), registry: fakeRegistry(shops), scanGrade: () => Promise.resolve(scanGrade), dataDir, publicUrl: p.config.publicUrl, logDelayMs: 5 });
      await app.register(sealsRoutes, { seals, publicUrl: p.config.publicUrl, widgetDir });
    },
  });
  try {
    assert.ok(seals);
    const merchant = await seedOrg(t.accounts, "merchant", "Shop", [{ key: "admin", role: "merchant_admin" }]);
    const other = await seedOrg(t.accounts, "merchant", "Other", [{ key: "admin", role: "merchant_admin" }]);
    const shop = fakeShop({ orgId: merchant.orgId, origins: ["https://shop.example", "https://www.shop.example"], expiresAt: new Date("2027-02-01T00:00:00Z"), confirmedAt: new Date("2026-02-01T00:00:00Z") });
    shops.set(shop.id, shop);
    await seals.init();
    await seals.syncShop(shop.id);

    const page = await t.app.inject({ method: "GET", url: `/seal/s/${shop.id}`, headers: { cookie: "ectrust_session=whatever" } });
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /^frame-ancestors https:\/\/shop\.example https:\/\/www\.shop\.example; default-src 'none'; script-src 'self'/);
    assert.equal(page.headers["x-frame-options"], undefined);
    assert.equal(page.headers["set-cookie"], undefined);
    assert.equal(page.headers["cross-origin-resource-policy"], "cross-origin");
    assert.equal(page.headers["referrer-policy"], "no-referrer");
    assert.equal(page.headers["cache-control"], "public, max-age=300");
    assert.match(page.body, /<script type="application\/json" id="ectrust-seal-data">\{"verifyUrl"/);
    assert.match(page.body, /<script type="module" src="\/seal\/v1\/widget\.[A-Z0-9]{8}\.js" integrity="sha384-/);
    assert.doesNotMatch(page.body.split('id="ectrust-seal-data">')[1]?.split("</script>")[0] ?? "", /</);

    const none = await t.app.inject({ method: "GET", url: "/seal/s/00000000-0000-4000-8000-000000000000" });
    assert.equal(none.statusCode, 404);
    assert.match(String(none.headers["content-security-policy"]), /^frame-ancestors 'none'/);

    const widget = await t.app.inject({ method: "GET", url: page.body.match(/src="(\/seal\/v1\/[^"]+)"/)?.[1] ?? "" });
    assert.equal(widget.statusCode, 200);
    assert.match(String(widget.headers["cache-control"]), /immutable/);

    for (const [url, cache] of [
      ["/trust/.well-known/jwks.json", "public, max-age=3600"],
      ["/trust/.well-known/ectrust/trust-anchor.json", "public, max-age=3600"],
      ["/trust/.well-known/ectrust/trust-anchor/1.json", "public, max-age=31536000, immutable"],
      [`/trust/c/${shop.id}/index.json`, "public, max-age=300"],
      ["/trust/status/r/1", "public, max-age=300, stale-if-error=86400"],
      ["/trust/status/s/1", "public, max-age=300, stale-if-error=86400"],
      ["/log/checkpoint", "public, max-age=5"],
      ["/log/tile/0/000.p/" + String(Number((await t.app.inject({ method: "GET", url: "/log/checkpoint" })).body.split("\n")[1])), "public, max-age=31536000, immutable"],
    ] as const) {
      const r = await t.app.inject({ method: "GET", url });
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.headers["cache-control"], cache, url);
      assert.equal(r.headers["access-control-allow-origin"], "*", url);
    }
    for (const url of ["/log/lock", "/trust/../../etc/passwd", "/trust/%2e%2e/pglite", "/log/checkpoints/../lock"]) {
      assert.equal((await t.app.inject({ method: "GET", url })).statusCode, 404, url);
    }

    const api = await t.app.inject({ method: "GET", url: `/api/v1/seals/shops/${shop.id}/verification` });
    assert.equal(api.statusCode, 200);
    const body = JSON.parse(api.body) as { legalNameZh: string; legalNameEn: string; registrationNumber: string; identity: { status: string; confirmedAt: string; expiresAt: string }; privacyMark: null; scanGrade: { grade: string; scannedAt: string }; marks: { mark: string; state: string; validFrom: string; validUntil: string; logIndex: number; credentialUrl: string; tlogProofUrl: string }[] };
    assert.deepEqual(body.marks.map((m) => [m.mark, m.state]), [["IdentityConfirmed", "valid"]]);
    assert.deepEqual([body.legalNameZh, body.legalNameEn, body.registrationNumber], [shop.legalNameZh, shop.legalNameEn, shop.ubn]);
    assert.deepEqual(body.identity, { status: "confirmed", confirmedAt: "2026-02-01T00:00:00.000Z", expiresAt: "2027-02-01T00:00:00.000Z" });
    assert.equal(body.privacyMark, null);
    assert.deepEqual(body.scanGrade, { ...scanGrade, scannedAt: "2026-11-20T00:00:00.000Z" });
    const m0 = body.marks[0];
    assert.ok(m0);
    assert.equal(m0.validUntil, "2027-02-01T00:00:00.000Z");
    for (const u of [m0.credentialUrl, m0.tlogProofUrl]) assert.equal((await t.app.inject({ method: "GET", url: new URL(u).pathname })).statusCode, 200, u);
    const lookup = JSON.parse((await t.app.inject({ method: "GET", url: "/api/v1/seals/lookup?origin=https://www.shop.example/" })).body) as { shopIds: string[] };
    assert.deepEqual(lookup.shopIds, [shop.id]);
    const human = await t.app.inject({ method: "GET", url: `/verify/${shop.id}` });
    assert.equal(human.statusCode, 200);
    // shoppers open it: never framed (no clickjacking of "valid"), no script, the platform's strict CSP
    assert.match(String(human.headers["content-security-policy"]), /default-src 'none';script-src 'self';.*frame-ancestors 'none'/);
    assert.equal(human.headers["x-frame-options"], "DENY");
    assert.doesNotMatch(human.body, /<script|\son\w+=|style=/i);
    const legalNameEn = shop.legalNameEn;
    shop.legalNameEn = '"><script>alert(1)</script>';
    const hostile = (await t.app.inject({ method: "GET", url: `/verify/${shop.id}` })).body;
    shop.legalNameEn = legalNameEn;
    assert.ok(hostile.includes("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "what the shop registered is escaped");
    assert.doesNotMatch(hostile, /<script/i);
    assert.match(human.body, /This seal is valid only on: <strong>https:\/\/shop\.example, https:\/\/www\.shop\.example<\/strong>/);
    assert.match(human.body, /有效 Valid/);
    for (const text of [shop.legalNameZh, shop.legalNameEn, shop.ubn, "2026-02-01 – 2027-02-01", "B (82/100) · https://shop.example · 2026-11-20", `#${String(m0.logIndex)}</a> ✓`, "重新驗證 Verify again"]) assert.ok(human.body.includes(text), text);
    const roots = (await seals.pinned()).roots;
    assert.ok(human.body.includes(`npx ectrust verify ${shop.id} --server ${base} --root ${roots[0] ?? ""}`), "the re-verification command with the pinned root");
    // parity: \`ectrust verify <shop id> --server\` reaches the same verdicts from the pinned root alone
    await t.app.listen({ port, host: "127.0.0.1" });
    const remote = await verifyRemote(shop.id, base, { roots, origin: "https://shop.example", now: t.clock.now() });
    assert.deepEqual(remote.map((r) => r.verdict.state), body.marks.map((m) => m.state), JSON.stringify(remote));

    const mine = new Client(t.app);
    await mine.signIn(merchant.users.admin?.email ?? "");
    const embed = await mine.request("GET", `/api/v1/seals/shops/${shop.id}/embed`);
    assert.equal(embed.statusCode, 200);
    const e = JSON.parse(embed.body) as { script: string; iframe: string };
    assert.match(e.script, /^<script src="http:\/\/127\.0\.0\.1:\d+\/seal\/loader\.js" integrity="sha384-[A-Za-z0-9+/=]{64}" crossorigin="anonymous" data-shop="[0-9a-f-]{36}" async><\/script>$/);
    const loader = await t.app.inject({ method: "GET", url: "/seal/loader.js" });
    const { createHash } = await import("node:crypto");
    assert.ok(e.script.includes(`sha384-${createHash("sha384").update(loader.body).digest("base64")}`), "SRI matches the served loader");
    const theirs = new Client(t.app);
    await theirs.signIn(other.users.admin?.email ?? "");
    assert.equal((await theirs.request("GET", `/api/v1/seals/shops/${shop.id}/embed`)).statusCode, 404, "another organisation is refused");
    assert.equal((await t.app.inject({ method: "GET", url: `/api/v1/seals/shops/${shop.id}/embed` })).statusCode, 401);

    // The verdict line comes first, and "valid only on" is said of a valid seal only: once expired,
    // suspended or revoked, the page says the seal is not valid on any website (it said "valid only on").
    const verdictOf = async (): Promise<string> => {
      const html = (await t.app.inject({ method: "GET", url: `/verify/${shop.id}` })).body;
      assert.equal(/valid only on/.test(html), /<main>\n<p class="verdict v-valid"/.test(html), "valid only on, when valid only");
      return /<main>\n<p class="verdict v-(\w+)"[^\n]*<strong>([^<]*)<\/strong><\/p>/.exec(html)?.slice(1).join(" ") ?? "no verdict line first";
    };
    assert.match(await verdictOf(), /^valid ✓ 有效：.*Valid: /);
    const start = t.clock.now();
    const expiresAt = shop.expiresAt;
    shop.expiresAt = new Date(start.getTime() + 10 * 86_400_000); // a confirmation shortened: reissued to end then
    await seals.syncShop(shop.id);
    t.clock.advance(10 * 86_400_000 + 600_000); // past its end, before any sync
    assert.match(await verdictOf(), /^expired ✕ 已過期：.*Expired: /);
    t.clock.set(start);
    shop.expiresAt = expiresAt;
    await seals.syncShop(shop.id);
    assert.match(await verdictOf(), /^valid /);
    shop.identityStatus = "lapsed";
    await seals.syncShop(shop.id);
    assert.match(await verdictOf(), /^suspended ! 暫停：.*Suspended: /);
    shop.identityStatus = "confirmed";
    await seals.syncShop(shop.id);

    // revoked: the page still renders (red in the widget) on the shop's own origins
    shop.identityStatus = "withdrawn";
    await seals.syncShop(shop.id);
    assert.match(await verdictOf(), /^revoked ✕ 已撤銷：.*Revoked: /);
    assert.match((await t.app.inject({ method: "GET", url: `/verify/${shop.id}` })).body, /it is not valid on any website now: <strong>https:\/\/shop\.example, https:\/\/www\.shop\.example<\/strong>/);
    const after = JSON.parse((await t.app.inject({ method: "GET", url: `/api/v1/seals/shops/${shop.id}/verification` })).body) as { marks: { state: string }[] };
    assert.deepEqual(after.marks.map((m) => m.state), ["revoked"]);
    assert.deepEqual((await verifyRemote(shop.id, base, { roots, origin: "https://shop.example", now: t.clock.now() })).map((r) => r.verdict.state), ["revoked"], "the CLI agrees");
  } finally {
    await seals?.close();
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
