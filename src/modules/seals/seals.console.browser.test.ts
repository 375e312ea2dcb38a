// The merchant console's seal page in Chromium against the full server with the demo data: a
// demo merchant's shop is confirmed through the registry service (the origin marked proven in the
// database, as the registry's own browser test does: no outside names), the seals job issues its
// credential; the merchant opens "信任標章" from the navigation, sees the one-line snippet whose
// integrity is the SRI of exactly what /seal/loader.js serves, copies it with the button, sees the
// live preview green; after the authority withdraws the shop, "check again" turns it red. A
// merchant without a shop gets the empty state. axe-core on the page, no CSP violation.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../demo.ts";
import { memberships, users } from "../accounts/accounts.tables.ts";
import { registryOrigins } from "../registry/registry.tables.ts";
import { startTestServer } from "../../platform/testing/server.ts";
import { zhTW as zh } from "../../web/i18n/zh-TW.ts";
import { sealTextZh as s } from "../../web/pages/seals/text.ts";
import { axeViolations, launchBrowser, type Browser } from "../../web-tests/browser.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

after(async () => {
  // let the jobs this file set off (seals syncs, the scanner's sweep of the new origin) finish before the database goes
  for (let i = 0; i < 300 && (await server.server.jobs.stats()).some((q) => q.active > 0 || (q.queued > 0 && q.name !== "seals.hourly")); i++) await new Promise((r) => setTimeout(r, 100));
  await (browser as Browser | undefined)?.close();
  await (server as typeof server | undefined)?.close();
});

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel(zh.common.email, { exact: true }).fill(email);
  await page.getByLabel(zh.common.password, { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: zh.signIn.submit, exact: true }).click();
  await page.getByRole("navigation", { name: zh.nav.main }).waitFor();
}

async function eventually<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

async function actorOf(email: string) {
  const db = server.server.database.db;
  const [m] = await db.select({ userId: users.id, orgId: memberships.orgId, role: memberships.role }).from(users).innerJoin(memberships, eq(memberships.userId, users.id)).where(eq(users.email, email));
  assert.ok(m, email);
  return { kind: "user" as const, userId: m.userId, orgId: m.orgId, orgKind: "merchant" as const, role: m.role };
}

async function* pdf(): AsyncGenerator<Uint8Array> {
  yield Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
}

test("the merchant's seal page: snippet with the loader's SRI, copy button, live preview green then red", async () => {
  const { registry, evidence, seals } = server.server.services;
  const merchant = await actorOf("owner@shop1.example");
  const authority = { kind: "user" as const, userId: merchant.userId, orgId: merchant.orgId, orgKind: "authority" as const, role: "authority_admin" as const };
  const shop = await registry.createShop(merchant, {
    legalNameZh: "好好買網路商店股份有限公司", legalNameEn: "HaoHaoMai Online Co., Ltd.", ubn: "04595252", representative: "王小明",
    address: "臺北市中正區重慶南路一段122號", contactEmail: "owner@shop1.example", contactPhone: "02 2311 1234",
    serviceChannel: "LINE @haohaomai", salesModel: "both", sector: "online_shop",
  });
  await registry.addOrigin(merchant, shop.id, "https://www.haohaomai.example");
  await server.server.database.db.update(registryOrigins).set({ status: "proven", method: "dns", provenAt: new Date(), proofExpiresAt: new Date(Date.now() + 30 * 86_400_000) }).where(eq(registryOrigins.host, "www.haohaomai.example"));
  const file = await evidence.upload(merchant, merchant.orgId, { filename: "registration.pdf", stream: pdf(), declaredType: "application/pdf" });
  await registry.attachDocument(merchant, shop.id, { evidenceId: file.id, kind: "business_registration", note: "" });
  await registry.act(merchant, shop.id, "submit", "");
  await registry.act(authority, shop.id, "approve", "documents match the register");
  await eventually("the credential", async () => (await seals.credentials(shop.id)).find((c) => c.mark === "IdentityConfirmed"));

  const person = await browser.person();
  const { page, context } = person;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await signIn(page, "owner@shop1.example");
  await page.getByRole("link", { name: s.nav.seal, exact: true }).first().click();
  await page.getByRole("heading", { level: 1, name: s.page.title }).waitFor();

  const snippet = await page.getByLabel(s.snippet.label, { exact: true }).inputValue();
  assert.doesNotMatch(snippet, /\n/, "one line");
  const loader = await (await fetch(`${server.url}/seal/loader.js`)).text();
  const sri = `sha384-${createHash("sha384").update(loader).digest("base64")}`;
  assert.ok(snippet.includes(`integrity="${sri}"`), `${snippet} carries the SRI of /seal/loader.js`);
  assert.ok(snippet.includes(`data-shop="${shop.id}"`));
  assert.ok(snippet.startsWith(`<script src="${server.url}/seal/loader.js"`));

  await page.getByRole("button", { name: s.snippet.copy, exact: true }).first().click();
  await page.getByText(s.snippet.copied, { exact: true }).waitFor();
  assert.equal(await page.evaluate("navigator.clipboard.readText()"), snippet);

  const preview = page.getByTestId("seal-preview").locator("[data-state]");
  await preview.waitFor();
  assert.equal(await preview.getAttribute("data-state"), "valid");
  const text = await preview.innerText();
  assert.match(text, /www\.haohaomai\.example/);
  assert.match(text, /好好買網路商店股份有限公司/);
  await page.getByRole("cell", { name: s.marks.names.IdentityConfirmed, exact: true }).waitFor();
  await page.locator(".loading").first().waitFor({ state: "detached" }).catch(() => undefined);
  assert.deepEqual(await axeViolations(page), [], "axe-core on the seal page");

  // the authority withdraws the shop: the seals job revokes, "check again" shows it
  await registry.act(authority, shop.id, "withdraw", "the company was dissolved");
  await eventually("revoked", async () => {
    const rows = await seals.credentialHistory(shop.id);
    const sync = (await server.server.jobs.stats()).find((q) => q.name === "seals.sync-shop");
    return rows.every((c) => c.state === "revoked") && sync?.queued === 0 && sync.active === 0 ? true : undefined;
  });
  await page.getByRole("button", { name: s.preview.recheck, exact: true }).click();
  await eventually("red preview", async () => ((await preview.getAttribute("data-state")) === "revoked" ? true : undefined));
  await page.getByText(s.state.revoked).first().waitFor();
  assert.deepEqual(person.problems, []);
});

test("a merchant without a shop gets the empty state with a way forward", async () => {
  const person = await browser.person();
  await signIn(person.page, "owner@shop2.example");
  await person.page.goto(`${server.url}/seals`);
  await person.page.getByText(s.page.noShop).waitFor();
  await person.page.getByRole("link", { name: s.page.toMyShop, exact: true }).waitFor();
  assert.deepEqual(person.problems, []);
});
