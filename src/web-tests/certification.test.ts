// Certification in a real browser (Debian's Chromium) against the full server with the demo
// data: the body is accredited and registers its auditors; one shop applies, answers its
// self-assessment and submits; the body takes it in and assigns the team (an auditor with a
// declared conflict is refused, on screen); the lead auditor audits with one finding; the shop
// answers the corrective action and the auditor verifies it; the committee (the body's admin,
// not on the team) grants with reasons; the mark is activated and public; the authority
// suspends it (a level/months pair off the ladder is refused first) and lifts the suspension;
// at the end the holder gives the mark up (without a reason first, refused on screen).
// Everything through the pages, each role with its own demo account; axe-core on each page,
// no CSP violation or page error.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { DEMO_PASSWORD, demoAccounts } from "../demo.ts";
import { startTestServer } from "../platform/testing/server.ts";
import { readFileSync } from "node:fs";
import { confirmDemoShop } from "../modules/registry/registry.demo.ts";
import { certTextEn, certTextZh } from "../web/pages/certification/text.ts";
import { schemesTextEn, schemesTextZh } from "../web/pages/schemes/text.ts";
import { zhTW } from "../web/i18n/zh-TW.ts";
import { launchBrowser, type Browser, type Person, assertAccessible as accessible, signIn as signInAs } from "./browser.ts";
import { DEMO_AUTHORITY, DEMO_CB_ADMIN } from "./demo-accounts.ts";

const c = certTextZh; // the certification pages' own words (zh-TW)
const SCOPE = "好好買網路商店會員與訂單個資處理";
const FINDING_REQ = "TW-PIMS.GOV-01";
const EVIDENCE_TITLE = "隱私權政策 2026 年版";
// the consoles show organisations by name (zh-TW here), not by id
const BODY_ORG = "甲驗證股份有限公司（示範）";
const SHOP_ORG = "好好買網路商店（示範）";
// schemes by their name, not their code ("tw-pims")
const SCHEME = "臺灣個人資料管理制度隱私標章";

function account(email: string): { email: string; totpSecret: string } {
  const a = demoAccounts.find((x) => x.email === email);
  if (!a?.totpSecret) throw new Error(`no demo account ${email} with TOTP`);
  return { email: a.email, totpSecret: a.totpSecret };
}
const LEAD = account("auditor1@cb-alpha.example");

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let merchant: Person;
let body: Person;
let lead: Person;
let authority: Person;
let visitor: Person;
let markNumber = "";

/**
 * Shop 1 gets a confirmed registry entry through the registry's own service (its wizard has its
 * own browser test; confirmDemoShop is the demo data's path), so that the application carries the
 * shop and its page shows the mark.
 */
async function confirmShop1(): Promise<string> {
  const { accounts } = server.server.services;
  const org = await accounts.findOrganisationByName("HaoHaoMai Online Shop (demo)");
  const owner = await accounts.findUserByEmail("owner@shop1.example");
  const authorityOrg = await accounts.findOrganisationByName("E-commerce Privacy Mark Authority (demo)");
  const admin = await accounts.findUserByEmail(DEMO_AUTHORITY.email);
  if (!org || !owner || !authorityOrg || !admin) throw new Error("demo data missing");
  const shopActor = { kind: "user", userId: owner.id, orgId: org.id, orgKind: "merchant", role: "merchant_admin" } as const;
  const authorityActor = { kind: "user", userId: admin.id, orgId: authorityOrg.id, orgKind: "authority", role: "authority_admin" } as const;
  return confirmDemoShop(server.server, shopActor, authorityActor, { legalNameZh: SHOP_NAME, legalNameEn: "HaoHaoMai Online Co., Ltd.", ubn: "04595252", representative: "王小明", address: "臺北市中正區重慶南路一段122號", contactEmail: "owner@shop1.example", contactPhone: "02 2311 1234", serviceChannel: "LINE @haohaomai", salesModel: "own_site", sector: "online_shop" }, "https://www.haohaomai.example", "登記資料相符");
}
const SHOP_NAME = "好好買網路商店股份有限公司";
let shopId = "";

before(async () => {
  server = await startTestServer();
  shopId = await confirmShop1();
  browser = await launchBrowser();
  [merchant, body, lead, authority, visitor] = [await browser.person(), await browser.person(), await browser.person(), await browser.person(), await browser.person()];
});

after(async () => {
  await (browser as Browser | undefined)?.close();
  await (server as typeof server | undefined)?.close();
});

async function signIn(page: Page, email: string, totpSecret?: string): Promise<void> {
  await signInAs(page, { url: server.url, email, password: DEMO_PASSWORD, totp: totpSecret ? () => server.totp(totpSecret) : undefined });
}

/** The application's status as its page shows it (the badge in the summary). */
async function statusIs(page: Page, status: keyof typeof c.status): Promise<void> {
  await page.locator("#cert-summary-title").waitFor();
  await page.locator(".page-header .status", { hasText: c.status[status] }).waitFor();
}

async function take(page: Page, event: keyof typeof c.event): Promise<void> {
  await page.getByRole("button", { name: c.event[event], exact: true }).click();
}

async function openCase(page: Page, merchantSide = false): Promise<void> {
  await page.getByRole("link", { name: merchantSide ? c.nav.myCert : c.nav.pipeline, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: merchantSide ? c.pipeline.titleMerchant : c.pipeline.title }).waitFor();
  await page.getByRole("link", { name: SCOPE, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: SCOPE }).waitFor();
}

test("the body applies for accreditation and the authority accredits it", async () => {
  await signIn(body.page, DEMO_CB_ADMIN.email, DEMO_CB_ADMIN.totpSecret);
  // every module of a body's work has its pages: the start page lists none as still to come
  assert.equal(await body.page.getByRole("heading", { name: zhTW.home.modules }).count(), 0);
  await body.page.getByRole("link", { name: c.nav.accreditations, exact: true }).click();
  await body.page.getByRole("heading", { level: 1, name: c.accreditations.title }).waitFor();
  await body.page.getByText(c.accreditations.empty).waitFor();
  await accessible(body.page, "accreditations (body, empty)");
  await body.page.getByRole("button", { name: c.accreditations.submit }).click();
  await body.page.getByRole("alert").waitFor(); // no scope: the API's problem, beside the field
  await body.page.getByLabel(c.common.scheme, { exact: true }).selectOption("tw-pims");
  await body.page.getByLabel(c.accreditations.scope, { exact: true }).fill("網路零售業個資管理");
  await body.page.getByRole("button", { name: c.accreditations.submit }).click();
  await body.page.getByText(c.accStatus.applied ?? "").waitFor();

  await signIn(authority.page, DEMO_AUTHORITY.email, DEMO_AUTHORITY.totpSecret);
  await authority.page.getByRole("link", { name: c.nav.accreditations, exact: true }).click();
  await authority.page.getByRole("heading", { level: 1, name: c.accreditations.title }).waitFor();
  await accessible(authority.page, "accreditations (authority)");
  const reason = authority.page.getByLabel(`${c.accreditations.reason} (${SCHEME})`, { exact: true });
  await reason.fill("申請文件齊備");
  await authority.page.getByRole("button", { name: c.accAction.start_assessment }).click();
  await authority.page.getByText(c.accStatus.assessment ?? "").waitFor();
  await reason.fill("見證稽核通過");
  await authority.page.getByRole("button", { name: c.accAction.accredit }).click();
  await authority.page.getByText(c.accStatus.accredited ?? "", { exact: true }).waitFor();
  await authority.page.getByRole("cell", { name: BODY_ORG, exact: true }).waitFor();
  assert.deepEqual([...body.problems, ...authority.problems], []);
});

test("the body registers its auditors", async () => {
  const { page } = body;
  await page.getByRole("link", { name: c.nav.auditors, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: c.auditors.title }).waitFor();
  await page.getByText(c.auditors.empty).waitFor();
  await accessible(page, "auditor register (empty)");
  for (const [name, email, grade, hours] of [["王稽核", "auditor1@cb-alpha.example", "lead_auditor", "40"], ["張稽核", "auditor2@cb-alpha.example", "auditor", "16"]] as const) {
    await page.getByLabel(c.auditors.name, { exact: true }).fill(name);
    const user = page.getByLabel(c.auditors.user, { exact: true });
    const label = await user.locator("option", { hasText: email }).textContent();
    await user.selectOption({ label: label ?? "" });
    await page.getByLabel(c.auditors.grade, { exact: true }).selectOption(grade);
    await page.getByLabel(c.auditors.trainingHours, { exact: true }).fill(hours);
    await page.getByRole("button", { name: c.auditors.add }).click();
    await page.getByRole("link", { name, exact: true }).waitFor();
  }
  await accessible(page, "auditor register");
  assert.deepEqual(body.problems, []);
});

test("the shop applies, answers its self-assessment and submits", async () => {
  const { page } = merchant;
  await signIn(page, "owner@shop1.example");
  await page.getByRole("link", { name: c.nav.myCert, exact: true }).click();
  await page.getByText(c.pipeline.emptyMerchant).waitFor();
  await accessible(page, "merchant: no application");
  await page.getByRole("link", { name: c.pipeline.apply }).click();
  await page.getByRole("heading", { level: 1, name: c.apply.title }).waitFor();
  await page.getByLabel(c.common.scheme, { exact: true }).selectOption("tw-pims");
  await page.getByRole("button", { name: c.apply.next }).click();
  await page.getByRole("button", { name: c.apply.next }).click(); // no scope yet
  await page.getByText(c.apply.scopeRequired).waitFor();
  await accessible(page, "apply: scope missing");
  await page.getByLabel(c.common.scope, { exact: true }).fill(SCOPE);
  assert.equal(await page.getByLabel(c.common.body, { exact: true }).locator("option", { hasText: BODY_ORG }).count(), 1, "the body is offered by name");
  await page.getByText(`${c.apply.shop}: ${SHOP_NAME}`).waitFor(); // the registered shop goes with the application
  await page.getByRole("button", { name: c.apply.next }).click();
  await page.getByText(BODY_ORG, { exact: true }).waitFor(); // the summary names the chosen body
  await page.getByRole("button", { name: c.apply.create }).click();
  await page.getByRole("heading", { level: 1, name: SCOPE }).waitFor();
  await statusIs(page, "draft");

  await take(page, "submit"); // the guard refuses: the self-assessment is not complete
  await page.locator("#cert-actions-title").locator("..").getByRole("alert").waitFor();
  await page.getByRole("button", { name: c.self.fillRest }).click();
  await page.getByLabel(`${c.self.note} ${FINDING_REQ}`, { exact: true }).fill("個資管理政策經董事會核定");
  await page.getByLabel(`${c.self.attach} ${FINDING_REQ}`, { exact: true }).setInputFiles({ name: "policy.txt", mimeType: "text/plain", buffer: Buffer.from("個資管理政策 v1\n") });
  await page.locator("#cert-self-title").locator("..").getByRole("link", { name: /下載/ }).first().waitFor();
  await page.getByRole("button", { name: c.self.save }).click();
  await page.getByText(c.common.saved).waitFor();
  await accessible(page, "self-assessment");
  await take(page, "submit");
  await statusIs(page, "submitted");
  assert.deepEqual(merchant.problems, []);
});

test("the shop keeps its personal-data inventory: a row by hand, a file import with a bad row refused", async () => {
  const { page } = merchant;
  await page.getByRole("link", { name: c.inventory.link, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: c.inventory.title }).waitFor();
  await page.getByText(c.inventory.empty).waitFor();
  await accessible(page, "inventory (empty)");
  await page.getByRole("button", { name: c.inventory.add, exact: true }).click();
  const form = page.getByRole("form", { name: c.inventory.add });
  await form.getByLabel(c.inventory.name, { exact: true }).fill("會員資料");
  await form.getByLabel(c.inventory.purpose, { exact: true }).fill("會員管理與訂單履行");
  await form.getByLabel(c.inventory.dataCategories, { exact: true }).fill("電話");
  await form.getByLabel(c.inventory.source, { exact: true }).fill("會員註冊表單");
  await form.getByLabel(c.inventory.retention, { exact: true }).fill("會員終止後一年");
  await form.getByLabel(c.inventory.recordCount, { exact: true }).fill("12000");
  await form.getByRole("button", { name: c.inventory.save }).click();
  await form.locator('input[name="dataCategories"][aria-invalid="true"]').waitFor(); // the API's message sits beside the field
  assert.match((await form.locator(".field-error").first().textContent()) ?? "", /C001/);
  await accessible(page, "inventory row refused");
  await form.getByLabel(c.inventory.dataCategories, { exact: true }).fill("C001, C003");
  await form.getByRole("button", { name: c.inventory.save }).click();
  await page.getByRole("region", { name: c.inventory.title }).getByText("會員資料", { exact: true }).waitFor();

  const csv = "name,purpose,dataCategories,source,legalBasis,retention,recordCount,crossBorder\n訂單資料,訂單履行,C001,結帳頁,contract,五年,3000,false\n行銷名單,行銷,X1,活動,consent,兩年,500,false\n";
  const imp = page.getByRole("form", { name: c.inventory.importTitle });
  await imp.getByLabel(c.inventory.file, { exact: true }).setInputFiles({ name: "inventory.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await imp.getByRole("button", { name: c.inventory.importSubmit }).click();
  await imp.getByRole("list", { name: c.inventory.rowErrors }).getByText(/第 3 列/).waitFor();
  await accessible(page, "inventory import refused");
  await page.getByText(/清冊項目（1 筆）/).waitFor(); // nothing was imported
  assert.deepEqual(merchant.problems, []);
});

test("the shop keeps one evidence item in its library and links it to two requirements", async () => {
  const { page } = merchant;
  const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await page.getByRole("link", { name: c.nav.myCert, exact: true }).click();
  await page.getByRole("link", { name: c.evidence.nav, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: c.evidence.title }).waitFor();
  await page.getByText(c.evidence.empty).waitFor();
  await accessible(page, "evidence library (empty)");
  const form = page.getByRole("form", { name: c.evidence.add });
  await form.getByRole("button", { name: c.evidence.addSubmit }).click(); // nothing chosen: told what is missing, in Chinese
  for (const message of [c.evidence.invalid.file, c.evidence.invalid.title, c.evidence.invalid.effectiveFrom]) await form.getByText(message, { exact: true }).waitFor();
  await form.getByLabel(c.evidence.file, { exact: true }).setInputFiles({ name: "privacy-policy.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n") });
  await form.getByLabel(c.evidence.itemTitle, { exact: true }).fill(EVIDENCE_TITLE);
  await form.getByLabel(c.evidence.effectiveFrom, { exact: true }).fill(day(0));
  await form.getByLabel(c.evidence.expiresOn, { exact: true }).fill(day(0)); // not after the effective date
  await form.getByRole("button", { name: c.evidence.addSubmit }).click();
  await form.locator('input[name="expiresOn"][aria-invalid="true"]').waitFor();
  await accessible(page, "evidence refused");
  await form.getByLabel(c.evidence.file, { exact: true }).setInputFiles({ name: "privacy-policy-2.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n2 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n") });
  await form.getByLabel(c.evidence.expiresOn, { exact: true }).fill(day(365));
  await form.getByRole("button", { name: c.evidence.addSubmit }).click();
  await page.getByRole("region", { name: c.evidence.list }).getByRole("link", { name: EVIDENCE_TITLE }).waitFor();
  // added: said so, and the form is cleared (pressing the button again uploaded the file twice)
  await form.getByRole("status").filter({ hasText: EVIDENCE_TITLE }).waitFor();
  assert.equal(await form.getByLabel(c.evidence.file, { exact: true }).evaluate((input) => (input as unknown as { files: { length: number } }).files.length), 0);
  assert.equal(await form.getByLabel(c.evidence.itemTitle, { exact: true }).inputValue(), "");
  assert.equal(await form.getByLabel(c.evidence.expiresOn, { exact: true }).inputValue(), "");

  await openCase(page, true);
  const link = page.getByRole("form", { name: c.evidence.linkSubmit });
  await link.getByLabel(c.evidence.pickItem, { exact: true }).selectOption({ label: `${EVIDENCE_TITLE} (privacy-policy-2.pdf)` });
  await link.getByLabel(c.evidence.pickRequirements, { exact: true }).selectOption([FINDING_REQ, "TW-PIMS.GOV-02"]);
  await link.getByRole("button", { name: c.evidence.linkSubmit }).click();
  const linked = page.getByRole("region", { name: c.evidence.linksTitle });
  await linked.getByRole("button", { name: `${c.evidence.unlink} TW-PIMS.GOV-02` }).waitFor();
  assert.equal(await linked.getByRole("link", { name: EVIDENCE_TITLE }).count(), 2);
  await accessible(page, "evidence links");
  assert.deepEqual(merchant.problems, []);
});

test("the body takes the application in and assigns the team; a declared conflict is refused", async () => {
  const { page } = body;
  await page.getByRole("link", { name: c.nav.pipeline, exact: true }).click();
  await page.getByRole("cell", { name: SHOP_ORG, exact: true }).waitFor(); // the pipeline names the applicant
  await page.getByRole("cell", { name: `${SCHEME} 0.1.0`, exact: true }).waitFor(); // and the scheme
  await openCase(page);
  await page.getByText(SHOP_ORG, { exact: true }).waitFor();
  await accessible(page, "case (body, submitted)");
  await take(page, "start_intake");
  await statusIs(page, "intake_review");
  const declare = page.getByRole("form", { name: c.team.declare });
  await declare.getByLabel(c.team.declareAuditor, { exact: true }).selectOption({ label: "張稽核" });
  await declare.getByLabel(c.team.declareReason, { exact: true }).fill("一年內曾任該商店顧問");
  await declare.getByRole("button", { name: c.team.declareSubmit }).click();
  await page.getByText(c.team.declared).waitFor();

  const assign = page.getByRole("form", { name: c.team.assign });
  await assign.getByLabel(`${c.team.leadPick} 王稽核`, { exact: true }).check();
  await assign.getByLabel(`張稽核 · ${c.grade.auditor}`, { exact: true }).check();
  await assign.getByRole("button", { name: c.team.assign }).click();
  await assign.getByRole("alert").filter({ hasText: "張稽核" }).waitFor();
  await accessible(page, "team: conflict refused");
  await assign.getByLabel(`張稽核 · ${c.grade.auditor}`, { exact: true }).uncheck();
  await assign.getByRole("button", { name: c.team.assign }).click();
  await page.getByRole("region", { name: c.team.title }).getByText(c.team.clear).waitFor();
  await take(page, "intake_accepted");
  await statusIs(page, "document_review");
  // the auditor's record keeps the declared conflict; the lead's keeps the assignment
  await page.getByRole("link", { name: c.nav.auditors, exact: true }).click();
  await page.getByRole("link", { name: "張稽核", exact: true }).click();
  await page.getByRole("region", { name: c.auditors.conflicts }).getByText("一年內曾任該商店顧問").waitFor();
  await page.getByText(c.auditors.noAudits).waitFor();
  await accessible(page, "auditor record");
  await page.goBack();
  await page.getByRole("link", { name: "王稽核", exact: true }).click();
  await page.getByRole("region", { name: c.auditors.audits }).getByRole("cell", { name: c.auditors.leadYes, exact: true }).waitFor();
  await openCase(page); // back to the case for the decision later
  assert.deepEqual(body.problems, []);
});

test("the lead auditor plans and audits, with one finding", async () => {
  const { page } = lead;
  await signIn(page, LEAD.email, LEAD.totpSecret);
  await openCase(page);
  // the auditor, who does not manage the register, sees the team by name
  await page.getByRole("region", { name: c.team.title }).getByRole("cell", { name: "王稽核", exact: true }).waitFor();
  await take(page, "doc_review_done");
  await statusIs(page, "onsite_audit");
  await page.getByLabel(c.audit.mode, { exact: true }).selectOption("remote");
  await page.getByLabel(c.audit.notes, { exact: true }).fill("遠端訪談個資管理代表與稽核負責人");
  await page.getByRole("button", { name: c.audit.savePlan }).click();
  await page.locator("#cert-plan-title").locator("..").getByText(c.common.saved).waitFor();
  // the applicant's answer and evidence sit beside the requirement
  await page.getByRole("region", { name: c.audit.results }).getByText("個資管理政策經董事會核定").waitFor();
  await page.getByRole("region", { name: c.audit.results }).getByRole("link", { name: EVIDENCE_TITLE }).first().waitFor();
  await page.getByRole("button", { name: c.audit.fillRest }).click();
  await page.getByLabel(`${c.audit.result} ${FINDING_REQ}`, { exact: true }).selectOption("minor_nc");
  await page.getByLabel(`${c.audit.resultNote} ${FINDING_REQ}`, { exact: true }).fill("管理審查紀錄缺少簽核");
  await page.getByRole("button", { name: c.audit.saveResults }).click();
  await page.locator("#cert-results-title").locator("..").getByText(c.common.saved).waitFor();
  await accessible(page, "audit workspace");
  await take(page, "audit_done_with_findings");
  await statusIs(page, "corrective_action");
  assert.deepEqual(lead.problems, []);
});

test("the shop answers the corrective action; the auditor verifies it", async () => {
  const { page } = merchant;
  await openCase(page, true);
  await statusIs(page, "corrective_action");
  await page.getByRole("button", { name: c.ca.submit }).click(); // empty: the API names the fields
  await page.getByRole("form", { name: `${c.ca.submit} ${FINDING_REQ}` }).getByRole("alert").waitFor();
  await page.getByLabel(`${c.ca.owner} (${FINDING_REQ})`, { exact: true }).fill("個資管理代表 林小姐");
  await page.getByLabel(`${c.ca.response} (${FINDING_REQ})`, { exact: true }).fill("補正管理審查紀錄並完成簽核");
  await page.getByLabel(`${c.ca.evidence} (${FINDING_REQ})`, { exact: true }).setInputFiles({ name: "review.txt", mimeType: "text/plain", buffer: Buffer.from("管理審查紀錄（已簽核）\n") });
  await page.getByRole("button", { name: c.ca.submit }).click();
  await page.getByText(c.ca.status.submitted ?? "", { exact: true }).waitFor();
  await accessible(page, "corrective action submitted");

  await lead.page.reload();
  await lead.page.getByLabel(`${c.ca.verification} (${FINDING_REQ})`, { exact: true }).fill("簽核紀錄已確認");
  await lead.page.getByRole("button", { name: c.ca.accept, exact: true }).click();
  await lead.page.getByText(c.ca.status.verified ?? "", { exact: true }).waitFor();
  await take(lead.page, "ca_accepted");
  await statusIs(lead.page, "decision_pending");
  assert.deepEqual([...merchant.problems, ...lead.problems], []);
});

test("the committee grants with reasons; the mark is activated and public", async () => {
  const { page } = body;
  await page.reload();
  await statusIs(page, "decision_pending");
  await page.getByText(c.detail.decisionNote).waitFor();
  await take(page, "grant"); // no reason: refused
  await page.locator("#cert-actions-title").locator("..").getByRole("alert").waitFor();
  await page.getByLabel(c.detail.reasonLabel, { exact: true }).fill("審議委員會：全部要求符合，矯正措施已確認");
  await take(page, "grant");
  await statusIs(page, "approved_pending_activation");
  await page.getByLabel(c.detail.agreementSigned).check();
  await page.getByLabel(c.detail.feePaid).check();
  await page.getByRole("button", { name: c.detail.saveAgreement }).click();
  await page.locator("#cert-agreement-title").locator("..").getByText(c.common.saved).waitFor();
  await take(page, "activate");
  await statusIs(page, "active");
  markNumber = (await page.getByRole("link", { name: /^TWPIMS-\d{6}-\d{2}$/ }).textContent()) ?? "";
  assert.match(markNumber, /^TWPIMS-\d{6}-01$/);
  await accessible(page, "case (active)");

  const report = await page.request.get(`${server.url}${(await page.getByRole("link", { name: c.report.html }).getAttribute("href")) ?? ""}`);
  assert.equal(report.status(), 200);
  assert.match(await report.text(), new RegExp(markNumber));

  await visitor.page.goto(`${server.url}/marks/${markNumber}`); // the old address leads to the certificate
  await visitor.page.waitForURL(new RegExp(`/certificates/${markNumber}$`));
  await visitor.page.getByRole("heading", { level: 1, name: new RegExp(markNumber) }).waitFor();
  await visitor.page.getByText(c.markStatus.active, { exact: true }).waitFor();
  for (const label of [c.common.validFrom, c.common.validTo]) {
    const day = await visitor.page.locator(`dt:text-is("${label}") + dd`).innerText();
    assert.match(day, /^\d{4}年\d{1,2}月\d{1,2}日$/u, `${label} is a date without a time of day: ${day}`);
  }
  await accessible(visitor.page, "public certificate page");
  await visitor.page.getByRole("link", { name: c.certificate.shopPage }).click();
  await visitor.page.waitForURL(new RegExp(`/registry/shops/${shopId}$`));
  await visitor.page.getByRole("heading", { level: 1, name: SHOP_NAME }).waitFor();
  await visitor.page.getByRole("heading", { level: 2, name: c.certificate.marksOfShop }).waitFor();
  await visitor.page.getByRole("link", { name: markNumber, exact: true }).waitFor();
  await accessible(visitor.page, "registry shop page with its mark");
  await visitor.page.getByRole("link", { name: markNumber, exact: true }).click();
  await visitor.page.getByRole("heading", { level: 1, name: new RegExp(markNumber) }).waitFor();
  assert.deepEqual([...body.problems, ...visitor.problems], []);
});

test("a consumer complains; the holder responds; the body upholds it with a caution; the holder reports a change the body accepts", async () => {
  await visitor.page.getByRole("link", { name: c.certificate.complain }).click();
  await visitor.page.getByRole("heading", { level: 1, name: c.complaint.title }).waitFor();
  await visitor.page.getByLabel(c.complaint.description, { exact: true }).fill("太短了");
  await visitor.page.getByRole("button", { name: c.complaint.submit }).click();
  await visitor.page.locator('textarea[name="description"][aria-invalid="true"]').waitFor();
  // what to correct, beside each field and in the page's language (the API's messages are English)
  for (const message of [c.complaint.invalid.description, c.complaint.invalid.name, c.complaint.invalid.email, c.complaint.invalid.consent]) {
    await visitor.page.getByText(message, { exact: true }).waitFor();
  }
  assert.equal(await visitor.page.getByLabel(c.complaint.description, { exact: true }).inputValue(), "太短了");
  await accessible(visitor.page, "complaint refused");
  await visitor.page.getByLabel(c.complaint.category, { exact: true }).selectOption("unwanted_marketing");
  await visitor.page.getByLabel(c.complaint.description, { exact: true }).fill("取消訂閱後仍每週收到好好買的行銷簡訊，客服未處理。");
  await visitor.page.getByLabel(c.complaint.name, { exact: true }).fill("陳消費者");
  await visitor.page.getByLabel(c.complaint.email, { exact: true }).fill("consumer@example.tw");
  await visitor.page.getByLabel(c.complaint.consent).check();
  await visitor.page.getByRole("button", { name: c.complaint.submit }).click();
  const receipt = (await visitor.page.getByRole("status").filter({ hasText: /C-[0-9A-Z]{8}/ }).textContent()) ?? "";
  const reference = /C-[0-9A-Z]{8}/.exec(receipt)?.[0] ?? "";
  assert.ok(reference, `a reference in "${receipt}"`);

  await merchant.page.getByRole("link", { name: c.complaint.nav, exact: true }).click();
  await merchant.page.getByRole("link", { name: reference, exact: true }).click();
  await merchant.page.getByText("consumer@example.tw").waitFor({ state: "detached" }); // the holder never sees the complainant
  await merchant.page.getByLabel(c.complaint.response, { exact: true }).fill("已將該號碼移出行銷名單並檢討退訂流程。");
  await merchant.page.getByRole("button", { name: c.complaint.respond }).click();
  await merchant.page.getByText(c.complaint.status.responded ?? "", { exact: true }).waitFor();
  await accessible(merchant.page, "complaint (holder)");

  await body.page.getByRole("link", { name: c.complaint.nav, exact: true }).click();
  await body.page.getByRole("heading", { level: 1, name: c.complaint.consoleTitle }).waitFor();
  await accessible(body.page, "complaints (body)");
  await body.page.getByRole("link", { name: reference, exact: true }).click();
  await body.page.getByText("consumer@example.tw", { exact: false }).waitFor();
  await body.page.getByLabel(c.complaint.determination, { exact: true }).fill("退訂後仍寄送行銷訊息，違反行銷退出要求。");
  await body.page.getByLabel(c.complaint.sanction, { exact: true }).selectOption("sanction_caution");
  await body.page.getByLabel(c.complaint.level, { exact: true }).fill("1");
  await body.page.getByRole("button", { name: c.complaint.determine }).click();
  await body.page.getByText(c.complaint.status.upheld ?? "", { exact: true }).waitFor();
  await accessible(body.page, "complaint determined");

  await visitor.page.goto(`${server.url}/certificates/${markNumber}`);
  await visitor.page.getByText(new RegExp(c.certificate.notices)).waitFor(); // the caution shows, without its reasons
  await visitor.page.goto(`${server.url}/complaints/status`);
  await visitor.page.getByLabel(c.complaint.reference, { exact: true }).fill("C-123");
  await visitor.page.getByRole("button", { name: c.complaint.statusLookup }).click();
  await visitor.page.getByText(c.complaint.invalid.reference, { exact: true }).waitFor();
  await visitor.page.getByLabel(c.complaint.reference, { exact: true }).fill("C-00000000");
  await visitor.page.getByRole("button", { name: c.complaint.statusLookup }).click();
  await visitor.page.getByText(c.complaint.notFound, { exact: true }).waitFor();
  await visitor.page.getByLabel(c.complaint.reference, { exact: true }).fill(reference);
  await visitor.page.getByRole("button", { name: c.complaint.statusLookup }).click();
  await visitor.page.getByText(c.complaint.status.upheld ?? "", { exact: true }).waitFor();
  await accessible(visitor.page, "complaint status");

  await openCase(merchant.page, true);
  const change = merchant.page.getByRole("form", { name: c.changes.file });
  await change.getByLabel(c.changes.kind, { exact: true }).selectOption("address");
  await change.getByLabel(c.changes.before, { exact: true }).fill("臺北市中正區重慶南路一段122號");
  await change.getByLabel(c.changes.after, { exact: true }).fill("臺北市大安區仁愛路四段1號");
  await change.getByLabel(c.changes.effectiveOn, { exact: true }).fill(new Date().toISOString().slice(0, 10));
  await change.getByLabel(c.changes.reason, { exact: true }).fill("公司搬遷");
  await change.getByRole("button", { name: c.changes.file }).click();
  await merchant.page.getByRole("region", { name: c.changes.title }).getByText(c.changes.status.submitted ?? "").waitFor();

  await body.page.getByRole("link", { name: c.changes.queue, exact: true }).click();
  await body.page.getByRole("heading", { level: 1, name: c.changes.queue }).waitFor();
  await accessible(body.page, "change reports (body)");
  await body.page.getByLabel(`${c.changes.reviewNote} (${c.changes.kinds.address ?? ""})`, { exact: true }).fill("登記資料已核對");
  await body.page.getByRole("button", { name: c.changes.accept }).click();
  await body.page.getByRole("region", { name: c.changes.queue }).getByText(c.changes.status.accepted ?? "", { exact: true }).waitFor();
  assert.deepEqual([...merchant.problems, ...body.problems, ...visitor.problems], []);
});

test("the authority suspends the mark and lifts the suspension", async () => {
  const { page } = authority;
  await page.getByRole("link", { name: c.nav.alarms, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: c.alarms.title }).waitFor();
  await page.getByText(c.alarms.empty).waitFor(); // nothing is overdue in this walk (the timers have their own tests)
  await accessible(page, "alarms (authority)");
  await page.getByRole("link", { name: c.nav.marks, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: c.marks.title }).waitFor();
  await accessible(page, "marks (authority)");
  await page.getByRole("link", { name: markNumber, exact: true }).click();
  await statusIs(page, "active");
  await page.getByLabel(c.detail.reasonLabel, { exact: true }).fill("消費者申訴查核：未依規定通知當事人");
  await page.getByLabel(c.detail.level, { exact: true }).fill("8");
  await page.getByLabel(c.detail.months, { exact: true }).fill("9"); // level 8 suspends 1 to 5 months
  await take(page, "sanction_suspend");
  await page.locator("#cert-actions-title").locator("..").getByRole("alert").waitFor();
  await page.getByLabel(c.detail.months, { exact: true }).fill("2");
  await take(page, "sanction_suspend");
  await statusIs(page, "suspended");
  await accessible(page, "case (suspended)");
  await visitor.page.goto(`${server.url}/certificates/${markNumber}`);
  await visitor.page.getByText(c.markStatus.suspended, { exact: true }).waitFor();

  await page.getByLabel(c.detail.reasonLabel, { exact: true }).fill("已完成改善並提出證明");
  await take(page, "suspension_lifted");
  await statusIs(page, "active");
  await page.getByRole("region", { name: c.detail.history }).getByText(c.event.suspension_lifted).waitFor();
  await visitor.page.goto(`${server.url}/certificates/${markNumber}`);
  await visitor.page.getByText(c.markStatus.active, { exact: true }).waitFor();
  assert.deepEqual([...authority.problems, ...visitor.problems], []);
});

test("the authority imports a new catalogue version, publishes it and sees the difference; the pages read in English", async () => {
  const { page } = authority;
  const s = schemesTextZh;
  const yaml = readFileSync(new URL("../../catalogues/tw-pims.yaml", import.meta.url), "utf8");
  const next = yaml.replace("version: 0.1.0", "version: 0.2.0").replace("      en: Personal data protection policy\n", "      en: Personal data protection policy, approved by the board\n");
  assert.notEqual(next, yaml);
  await page.getByRole("link", { name: c.nav.schemes, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: s.title }).waitFor();
  await accessible(page, "schemes");
  await page.getByLabel(s.importLabel, { exact: true }).fill(next.replace("- id: TW-PIMS.GOV-02", "- id: TW-PIMS.GOV-01"));
  await page.getByRole("button", { name: s.importSubmit }).click();
  await page.getByRole("alert").filter({ hasText: /TW-PIMS\.GOV-01/ }).waitFor(); // a duplicate id: refused, nothing stored
  await page.getByLabel(s.importLabel, { exact: true }).fill(next);
  await page.getByRole("button", { name: s.importSubmit }).click();
  await page.getByText(/0\.2\.0/).first().waitFor();
  await page.getByRole("link", { name: "臺灣個人資料管理制度隱私標章", exact: true }).click();
  await page.getByRole("button", { name: `${s.publish} 0.2.0` }).click();
  await page.getByRole("button", { name: `${s.publish} 0.2.0` }).waitFor({ state: "detached" });
  await page.getByLabel(s.from, { exact: true }).selectOption("0.1.0");
  await page.getByLabel(s.to, { exact: true }).selectOption("0.2.0");
  await page.getByRole("button", { name: s.compare, exact: true }).click();
  await page.getByText(/TW-PIMS\.GOV-01 \(title/).waitFor();
  await page.getByLabel(s.filter, { exact: true }).fill("GOV-0");
  await page.getByRole("region", { name: s.requirements }).getByText("TW-PIMS.GOV-01", { exact: true }).waitFor();
  await accessible(page, "scheme with diff");

  await page.context().addCookies([{ name: "lang", value: "en", url: server.url }]);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Taiwan PIMS privacy mark" }).waitFor();
  await page.getByRole("heading", { level: 2, name: schemesTextEn.diff }).waitFor();
  await page.getByRole("link", { name: certTextEn.nav.marks, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: certTextEn.marks.title }).waitFor();
  await page.getByRole("cell", { name: "HaoHaoMai Online Shop (demo)", exact: true }).waitFor(); // names follow the locale
  await page.getByRole("link", { name: markNumber, exact: true }).click();
  await page.locator(".page-header .status", { hasText: certTextEn.status.active }).waitFor();
  await page.getByText("Alpha Certification Co. (demo)", { exact: true }).waitFor();
  await page.getByRole("region", { name: certTextEn.detail.history }).getByText(certTextEn.event.suspension_lifted).waitFor();
  await accessible(page, "case in English");
  assert.deepEqual(authority.problems, []);
});

test("the holder gives up the mark, with a reason; the public certificate and the registry say so", async () => {
  const { page } = merchant;
  await openCase(page, true);
  await statusIs(page, "active");
  await take(page, "holder_withdraws"); // without a reason: refused on screen
  await page.locator("#cert-actions-title").locator("..").getByRole("alert").waitFor();
  await statusIs(page, "active");
  await page.getByLabel(c.detail.reasonLabel, { exact: true }).fill("停止線上銷售業務");
  await take(page, "holder_withdraws");
  await statusIs(page, "withdrawn");
  await page.getByRole("region", { name: c.detail.history }).getByText(c.event.holder_withdraws).waitFor();
  await accessible(page, "case (withdrawn, holder)");
  await visitor.page.goto(`${server.url}/certificates/${markNumber}`);
  await visitor.page.getByText(c.markStatus.withdrawn, { exact: true }).waitFor();
  assert.deepEqual([...merchant.problems, ...visitor.problems], []);
});
