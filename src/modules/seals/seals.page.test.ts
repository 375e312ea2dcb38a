// The verification page shoppers open (/verify/<shopId>): a verdict line first, wording that
// fits the state (never "valid only on …" for a seal that is not valid), IDN origins in Unicode
// with their A-label beside them and mixed scripts flagged, everything escaped, no script.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { VerificationReport } from "./seals.service.ts";
import type { Verdict } from "./verify/seal.ts";
import { mixesScripts, originHtml, overallVerdict, verifyPage } from "./seals.page.ts";

const subject = { credentialId: "urn:uuid:1", mark: "IdentityConfirmed", legalName: "範例", origins: ["https://shop.example"], validUntil: "2027-11-01T00:00:00Z" };
const VERDICTS: Record<string, Verdict> = {
  valid: { state: "valid", subject, originCheck: "csp-only" },
  suspended: { state: "suspended", subject },
  revoked: { state: "revoked", subject },
  expired: { state: "invalid", code: "expired", message: "expired" },
  unavailable: { state: "unavailable", subject, code: "status_rollback", message: "older list" },
  invalid: { state: "invalid", code: "signature_invalid", message: "bad" },
};

function report(verdicts: Verdict[], origins = ["https://shop.example", "https://www.shop.example"], over: Partial<VerificationReport> = {}): VerificationReport {
  return {
    shopId: "0b5c1a6e-0000-4000-8000-000000000001", legalNameZh: "範例商店股份有限公司", legalNameEn: "Example Shop Co.", registrationNumber: "12345675",
    identity: { status: "confirmed", confirmedAt: new Date("2026-02-01T00:00:00Z"), expiresAt: new Date("2027-02-01T00:00:00Z") },
    privacyMark: null, scanGrade: null, checkedAt: new Date("2026-12-01T00:00:00Z"),
    marks: verdicts.map((verdict, i) => ({
      credentialId: `urn:uuid:${String(i)}`, mark: i === 0 ? "IdentityConfirmed" : "PrivacyMark", verdict, origins,
      validFrom: new Date("2026-02-01T00:00:00Z"), validUntil: new Date("2027-02-01T00:00:00Z"), issuedAt: new Date("2026-02-01T00:00:00Z"),
      logIndex: 7 + i, jwtPath: `/trust/c/x/${String(i)}.jwt`, proofPath: `/trust/c/x/${String(i)}.tlog-proof`,
    })),
    ...over,
  };
}
const page = (r: VerificationReport): string => verifyPage(r, { origin: "https://ectrust.example", roots: ["root"] });
/** The first element of <main>: the verdict line. */
const verdictLine = (html: string): string => /<main>\n(<p class="verdict[^\n]*<\/p>)\n/.exec(html)?.[1] ?? "(no verdict line first)";

test("the verdict line comes first and the origins line fits the state", () => {
  const lines: Record<string, RegExp> = {
    valid: /v-valid.*✓ 有效：.*Valid: this shop's seal checks out\./,
    suspended: /v-suspended.*! 暫停：.*Suspended: /,
    revoked: /v-revoked.*✕ 已撤銷：.*Revoked: this shop's seal was withdrawn/,
    expired: /v-expired.*✕ 已過期：.*Expired: this shop's seal has expired/,
    unavailable: /v-unavailable.*\? 狀態無法確認：.*Status unavailable: /,
    invalid: /v-invalid.*✕ 無效：.*Not verified: /,
  };
  for (const [state, line] of Object.entries(lines)) {
    const html = page(report([VERDICTS[state] as Verdict]));
    assert.match(verdictLine(html), line, state);
    const onlyOn = /This seal is valid only on: <strong>https:\/\/shop\.example, https:\/\/www\.shop\.example<\/strong>/.test(html);
    assert.equal(onlyOn, state === "valid", `${state}: "valid only on" is said of a valid seal only`);
    if (state === "suspended" || state === "revoked" || state === "expired") {
      assert.match(html, /it is not valid on any website now: <strong>https:\/\/shop\.example, https:\/\/www\.shop\.example<\/strong>/, state);
      assert.match(html, /If a website shows this seal as valid, do not trust it\./, state);
      assert.doesNotMatch(html, /If the address bar of the page you came from shows anything else/, state);
    }
    assert.match(html, /<title>ECTrust — [^<]+ — 範例商店股份有限公司<\/title>/);
    assert.doesNotMatch(html, /<script|\son\w+=|style=/i);
  }
  // the worst seal of the shop decides, as in the widget; no seal at all says so
  assert.match(verdictLine(page(report([VERDICTS.valid as Verdict, VERDICTS.suspended as Verdict]))), /v-suspended/);
  assert.match(verdictLine(page(report([VERDICTS.expired as Verdict, VERDICTS.revoked as Verdict]))), /v-revoked/);
  const none = page(report([], []));
  assert.match(verdictLine(none), /v-none.*No seal: this shop has no seal/);
  assert.doesNotMatch(none, /valid only on|was issued for/);
  assert.equal(overallVerdict([{ state: "wrong_origin", subject, embeddingOrigin: "https://evil.example" }]), "invalid");
});

test("IDN origins in Unicode with the A-label beside them; mixed scripts flagged; nothing unescaped", () => {
  // 商店.台灣, and аpple.com whose first letter is Cyrillic (a homograph of apple.com)
  const html = page(report([VERDICTS.valid as Verdict], ["https://xn--czrs0t.xn--kpry57d", "https://xn--pple-43d.com:8443"]));
  assert.ok(html.includes("valid only on: <strong><bdi>https://商店.台灣</bdi> (<bdi>https://xn--czrs0t.xn--kpry57d</bdi>), "), html);
  assert.ok(html.includes("<bdi>https://аpple.com:8443</bdi> (<bdi>https://xn--pple-43d.com:8443</bdi>) <em>⚠ 混用多種文字"), "the homograph is flagged, its A-label shown");
  assert.equal(html.split("⚠").length - 1, 2, "flagged in the origins line and in the table, the Han name never");
  // what does not round-trip, or hides characters, stays an A-label only
  assert.equal(originHtml("https://xn--zz-invalid.com"), "https://xn--zz-invalid.com");
  assert.equal(originHtml("https://xn--a.com"), "https://xn--a.com");
  assert.equal(originHtml("https://shop.example"), "https://shop.example");
  assert.equal(originHtml('https://x"><script>alert(1)</script>'), "https://x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  for (const [label, mixed] of [["аpple", true], ["apple", false], ["商店", false], ["東京ショップ", false], ["한국shop", false], ["ραypal", true], ["shop台灣", false], ["ок", false]] as const) {
    assert.equal(mixesScripts(label), mixed, label);
  }
  const hostile = page(report([VERDICTS.revoked as Verdict], ["https://shop.example"], { legalNameZh: "<img src=x onerror=alert(1)>", legalNameEn: '"><script>alert(1)</script>' }));
  assert.doesNotMatch(hostile, /<script|<img|<[^>]*\son\w+=/i);
  assert.ok(hostile.includes("&lt;img src=x onerror=alert(1)&gt;"));
});
