// The registry in a real browser (Debian's Chromium) against the full server with demo data:
// a merchant walks the onboarding wizard (profile with a refused business number first,
// websites with a refused IP origin, copy-paste proof instructions, a document upload, submit),
// the authority approves from the review queue, and the public finds the shop by name and opens
// its page. axe-core on every page, no CSP violation. Proof checking itself (HTTP token, DNS
// TXT, hostile answers) is tested over HTTP in src/modules/registry/registry.routes.test.ts:
// this test must not resolve outside names, so the origin is marked proven in the database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { DEMO_PASSWORD } from "../demo.ts";
import { registryOrigins } from "../modules/registry/registry.tables.ts";
import { startTestServer } from "../platform/testing/server.ts";
import { registryTextZh } from "../web/pages/registry/text.ts";
import { zhTW } from "../web/i18n/zh-TW.ts";
import { scannerTextZh } from "../web/pages/scanner/text.ts";
import { launchBrowser, type Browser, type Person, signIn as signInAs, assertAccessible as accessible } from "./browser.ts";
import { DEMO_AUTHORITY } from "./demo-accounts.ts";

const r = registryTextZh; // the registry pages' own words (zh-TW)

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let merchant: Person;
let authority: Person;
let visitor: Person;
let staff: Person;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  merchant = await browser.person();
  authority = await browser.person();
  visitor = await browser.person();
  staff = await browser.person();
});

after(async () => {
  await (browser as Browser | undefined)?.close();
  await (server as typeof server | undefined)?.close();
});

async function signIn(page: Page, email: string, password: string, totpSecret?: string): Promise<void> {
  await signInAs(page, { url: server.url, email, password, totp: totpSecret ? () => server.totp(totpSecret) : undefined });
}

const SHOP = { zh: "好好買網路商店股份有限公司", en: "HaoHaoMai Online Co., Ltd." };

test("a merchant completes the onboarding wizard and submits", async () => {
  const { page } = merchant;
  await signIn(page, "owner@shop1.example", DEMO_PASSWORD);
  // the scanner, with no shop yet to scan, leads to the wizard
  await page.getByRole("link", { name: scannerTextZh.nav.scanner, exact: true }).click();
  await page.getByRole("link", { name: scannerTextZh.shop.toMyShop, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: r.wizard.title }).waitFor();
  await accessible(page, "wizard: profile");
  await page.getByLabel(r.shop.legalNameZh, { exact: true }).fill(SHOP.zh);
  await page.getByLabel(r.shop.legalNameEn, { exact: true }).fill(SHOP.en);
  await page.getByLabel(r.shop.ubn, { exact: true }).fill("12345678");
  await page.getByLabel(r.shop.representative, { exact: true }).fill("王小明");
  await page.getByLabel(r.shop.address, { exact: true }).fill("臺北市中正區重慶南路一段122號");
  await page.getByLabel(r.shop.contactEmail, { exact: true }).fill("owner@shop1.example");
  await page.getByLabel(r.shop.contactPhone, { exact: true }).fill("02 2311 1234");
  await page.getByLabel(r.shop.serviceChannel, { exact: true }).fill("LINE @haohaomai");
  await page.getByRole("button", { name: r.wizard.saveProfile }).click();
  await page.getByText("統一編號檢查碼不符").first().waitFor();
  await accessible(page, "wizard: profile error");
  await page.getByLabel(r.shop.ubn, { exact: true }).fill("04595252");
  await page.getByRole("button", { name: r.wizard.saveProfile }).click();
  await page.getByRole("heading", { level: 2, name: r.wizard.steps.origins }).waitFor();

  await page.getByLabel(r.wizard.originLabel, { exact: true }).fill("https://10.0.0.1");
  await page.getByRole("button", { name: r.wizard.addOrigin, exact: true }).click();
  await page.getByText("不可登記 IP 位址").first().waitFor();
  await page.getByLabel(r.wizard.originLabel, { exact: true }).fill("https://www.haohaomai.example/");
  await page.getByRole("button", { name: r.wizard.addOrigin, exact: true }).click();
  await page.getByText("https://www.haohaomai.example", { exact: true }).waitFor();
  await accessible(page, "wizard: origins");

  await page.getByRole("button", { name: r.wizard.steps.proofs }).click();
  await page.getByText("/.well-known/ectrust/").first().waitFor();
  await page.getByText(r.wizard.dnsMethod).click();
  await page.getByText("_ectrust.www.haohaomai.example").first().waitFor();
  await accessible(page, "wizard: proofs");
  // proof checking is covered over HTTP with loopback servers; here the database says "proven"
  const db = server.server.database.db;
  await db.update(registryOrigins).set({ status: "proven", method: "dns", provenAt: new Date(), proofExpiresAt: new Date(Date.now() + 30 * 86_400_000) }).where(eq(registryOrigins.host, "www.haohaomai.example"));

  await page.getByRole("button", { name: r.wizard.steps.documents }).click();
  await page.getByLabel(r.wizard.file, { exact: true }).setInputFiles({ name: "registration.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n") });
  await page.getByLabel(r.wizard.note, { exact: true }).fill("公司登記表");
  await page.getByRole("button", { name: r.wizard.upload, exact: true }).click();
  await page.getByText("公司登記表").waitFor();
  await accessible(page, "wizard: documents");

  await page.getByRole("button", { name: r.wizard.steps.submit }).click();
  await page.getByRole("button", { name: r.wizard.submit, exact: true }).click();
  await page.getByText(r.status.pending).first().waitFor();
  await accessible(page, "wizard: submitted");
  assert.deepEqual(merchant.problems, []);
});

test("the shop's staff read the application but are offered no change the server would refuse", async () => {
  const { page } = staff;
  await signIn(page, "staff@shop1.example", DEMO_PASSWORD);
  await page.getByRole("link", { name: r.nav.myShop, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: r.wizard.title }).waitFor();
  await page.getByText(r.wizard.readOnly).waitFor();
  assert.equal(await page.getByLabel(r.shop.legalNameZh, { exact: true }).inputValue(), SHOP.zh);
  assert.equal(await page.getByLabel(r.shop.legalNameZh, { exact: true }).isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: r.wizard.saveProfile }).isDisabled(), true);
  await page.getByRole("button", { name: r.wizard.steps.documents }).click();
  assert.equal(await page.getByRole("button", { name: r.wizard.upload }).isDisabled(), true);
  await accessible(page, "wizard: read-only");
  assert.deepEqual(staff.problems, []);
});

test("the authority approves from the review queue", async () => {
  const { page } = authority;
  await signIn(page, DEMO_AUTHORITY.email, DEMO_AUTHORITY.password, DEMO_AUTHORITY.totpSecret);
  await page.getByRole("link", { name: r.nav.review, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: r.review.title }).waitFor();
  await accessible(page, "review queue");
  await page.getByRole("link", { name: `${r.review.open} ${SHOP.zh}` }).click();
  await page.getByRole("heading", { level: 1, name: SHOP.zh }).waitFor();
  await accessible(page, "review shop");
  await page.getByLabel(r.review.reasonLabel, { exact: true }).fill("登記資料相符");
  await page.getByRole("button", { name: r.review.approve, exact: true }).click();
  await page.getByText(`${SHOP.en} · ${r.status.confirmed}`).waitFor();
  // the history says what happened in words, not by action code ("submit", "approve")
  const history = page.locator("section", { has: page.locator("#registry-review-history-title") }).locator("li");
  await history.filter({ hasText: r.historyAction.approve ?? "" }).waitFor();
  assert.doesNotMatch((await history.allInnerTexts()).join("\n"), /\b(submit|approve)\b/);

  // The confirmed shop changes its representative: a change the authority decides, in words,
  // each button naming the change it decides.
  await merchant.page.goto(`${server.url}/registry/my-shop`);
  await merchant.page.getByLabel(r.shop.representative, { exact: true }).fill("林大華");
  await merchant.page.getByRole("button", { name: r.wizard.saveProfile }).click();
  await merchant.page.getByText(r.wizard.pendingChange).waitFor();
  await page.reload();
  const change = page.locator("section", { has: page.locator("#registry-review-changes-title") }).locator("li").filter({ hasText: "林大華" });
  await change.waitFor();
  const text = await change.innerText();
  assert.ok(text.includes(`${r.review.changeStatus.pending} · ${r.shop.representative}: 王小明 → 林大華`), text);
  assert.doesNotMatch(text, /pending|representative/);
  const approve = change.getByRole("button", { name: new RegExp(`^${r.review.approveChange}`) });
  const name = (await approve.getAttribute("aria-label")) ?? "";
  assert.ok(name.startsWith(r.review.approveChange) && name.includes(r.shop.representative), name);
  await accessible(page, "review shop with a pending change");
  assert.deepEqual(authority.problems, []);
});

test("anyone finds the confirmed shop by partial name and opens its page", async () => {
  const { page } = visitor;
  // a shopper who opens the site, not signed in, finds the shop lookup in the header
  await page.goto(`${server.url}/`);
  await page.getByRole("navigation", { name: zhTW.nav.public }).getByRole("link", { name: r.nav.search, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: r.search.title }).waitFor();
  await accessible(page, "public search");
  await page.getByLabel(r.search.label, { exact: true }).fill("好好買");
  await page.getByRole("button", { name: r.search.submit, exact: true }).click();
  await page.getByRole("link", { name: SHOP.zh }).click();
  await page.getByRole("heading", { level: 1, name: SHOP.zh }).waitFor();
  await page.getByText("https://www.haohaomai.example").waitFor();
  await page.getByText(r.status.confirmed).first().waitFor();
  await accessible(page, "public shop page");
  await page.goto(`${server.url}/registry?q=${encodeURIComponent("no such shop at all")}`);
  await page.getByText(r.search.none).waitFor();
  assert.deepEqual(visitor.problems, []);
});
