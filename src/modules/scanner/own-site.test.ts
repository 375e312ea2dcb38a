// Our own site's privacy notice and security.txt, judged by our own checks: the notice in each
// language alone covers every PDPA Art. 8 para. 1 item, the home page's HTML links it, and the
// security.txt built from config is valid RFC 9116. The full-server version of this is in
// self-scan.test.ts (privacy-notice-complete and security-txt-valid while still A+).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { FixedClock } from "../../platform/clock.ts";
import { loadConfig } from "../../platform/config.ts";
import { coverage, check as privacyCheck } from "./checks/privacy-notice.ts";
import { check as securityTxtCheck } from "./checks/security-txt.ts";
import { buildContext } from "./context.ts";
import { parseHtml } from "./html.ts";
import { privacyNoticeEn, privacyNoticeZh, type PrivacyNotice } from "./own-site.notice.ts";
import { privacyHtml, securityTxt } from "./own-site.routes.ts";
import { buildResponse, buildRetrieval } from "./testing.ts";

const indexHtml = readFileSync(new URL("../../web/index.html", import.meta.url), "utf8");
const text = (n: PrivacyNotice): string => [n.title, n.intro, ...n.sections.flatMap((s) => [s.heading, ...s.paragraphs])].join("\n");

test("the notice in zh-TW alone and in English alone covers all six PDPA Art. 8 items", () => {
  for (const n of [privacyNoticeZh, privacyNoticeEn]) {
    assert.deepEqual(coverage(text(n)).missing, [], n.title);
    assert.deepEqual(n.sections.map((s) => s.item), ["collector", "purposes", "categories", "period-region-recipients-method", "rights", "effect-of-not-providing"]);
  }
});

test("the home page's HTML links /privacy, whose HTML holds the notice: privacy-notice-complete", () => {
  const html = privacyHtml(indexHtml);
  assert.match(html, /<div id="root"><main/);
  assert.doesNotMatch(html, /<script>|style=/, "no inline script or style (our CSP)");
  const r = buildRetrieval({ body: indexHtml }, { privacyPage: buildResponse({ url: "https://shop.example.com.tw/privacy", body: html }) });
  const out = privacyCheck(buildContext(r));
  assert.equal(out.result, "privacy-notice-complete", JSON.stringify(out.data));
  assert.equal(out.data?.link, "https://shop.example.com.tw/privacy");
  // without the web build, a standalone page with the same words
  assert.deepEqual(coverage(parseHtml(privacyHtml(undefined)).text).missing, []);
  // the check can fail: a page with only the title is incomplete
  const thin = buildRetrieval({ body: indexHtml }, { privacyPage: buildResponse({ body: `<h1>${privacyNoticeEn.title}</h1>` }) });
  assert.equal(privacyCheck(buildContext(thin)).result, "privacy-notice-incomplete");
});

test("security.txt from config is valid RFC 9116 with Expires in the future, within a year", () => {
  const now = new Date("2026-11-27T03:00:00Z");
  const config = loadConfig({ PUBLIC_URL: "https://trust.example.tw", SECURITY_CONTACT: "mailto:security@trust.example.tw, https://trust.example.tw/report" });
  assert.deepEqual(config.securityContacts, ["mailto:security@trust.example.tw", "https://trust.example.tw/report"]);
  const body = securityTxt({ publicUrl: config.publicUrl, contacts: config.securityContacts, now });
  assert.match(body, /^Contact: https:\/\/trust\.example\.tw\/report$/m);
  assert.match(body, /^Canonical: https:\/\/trust\.example\.tw\/\.well-known\/security\.txt$/m);
  const res = buildResponse({ url: "https://trust.example.tw/.well-known/security.txt", headers: [["content-type", "text/plain; charset=utf-8"]], body });
  const out = securityTxtCheck(buildContext(buildRetrieval({}, { securityTxt: res })), now);
  assert.equal(out.result, "security-txt-valid", JSON.stringify(out));
  assert.deepEqual(out.issues, []);
  const expires = Date.parse(/^Expires: (.+)$/m.exec(body)?.[1] ?? "");
  assert.ok(expires > now.getTime() + 170 * 86_400_000 && expires < now.getTime() + 366 * 86_400_000);
  // the same text, read a year later, is expired: the check can fail
  assert.equal(securityTxtCheck(buildContext(buildRetrieval({}, { securityTxt: res })), new FixedClock(new Date("2027-11-27T00:00:00Z")).now()).result, "security-txt-invalid");
});

test("config: default contact from PUBLIC_URL; scanner cadences with their bounds", () => {
  const c = loadConfig({ PUBLIC_URL: "https://trust.example.tw" });
  assert.deepEqual(c.securityContacts, ["mailto:security@trust.example.tw"]);
  assert.deepEqual(c.scanner, { cadenceDays: 7, paymentCadenceDays: 7 });
  assert.deepEqual(loadConfig({ SCANNER_CADENCE_DAYS: "14", SCANNER_PAYMENT_CADENCE_DAYS: "3" }).scanner, { cadenceDays: 14, paymentCadenceDays: 3 });
  assert.throws(() => loadConfig({ SCANNER_CADENCE_DAYS: "0", SCANNER_PAYMENT_CADENCE_DAYS: "8", SECURITY_CONTACT: "javascript:alert(1)" }), (e: Error) =>
    /SCANNER_CADENCE_DAYS/.test(e.message) && /SCANNER_PAYMENT_CADENCE_DAYS/.test(e.message) && /SECURITY_CONTACT/.test(e.message));
});
