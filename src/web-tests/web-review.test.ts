// Found in a review of the web app, each checked in Chromium against the real server:
// - someone already signed in who opens an invitation link sees the invitation, not a CSRF
//   refusal (the page posts the lookup as it opens, before GET /auth/session has answered);
// - a certificate page opened with made-up text as the "number" does not put that text in the
//   page's heading.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { zhTW as zh } from "../web/i18n/zh-TW.ts";
import { certTextZh } from "../web/pages/certification/text.ts";
import { startTestServer } from "../platform/testing/server.ts";
import { DEMO_CB_ADMIN } from "./demo-accounts.ts";
import { launchBrowser, linkIn, signIn, type Browser } from "./browser.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

after(async () => {
  await (browser as Browser | undefined)?.close();
  await (server as typeof server | undefined)?.close();
});

test("a signed-in person opening an invitation link sees the invitation", async () => {
  const cb = await browser.person();
  const p = cb.page;
  await signIn(p, { url: server.url, email: DEMO_CB_ADMIN.email, password: DEMO_CB_ADMIN.password, totp: () => server.totp(DEMO_CB_ADMIN.totpSecret) });
  await p.goto(`${server.url}/organisation`);
  const invitee = `review.invitee.${Date.now()}@cb.example`;
  const invite = p.getByRole("form", { name: zh.org.inviteForm });
  await invite.getByLabel(zh.org.inviteEmail).fill(invitee);
  await invite.getByLabel(zh.common.role).selectOption({ label: zh.roles.auditor });
  await invite.getByRole("button", { name: zh.org.inviteSubmit }).click();
  await server.mail.waitFor(() => server.mail.messages().some((m) => m.to === invitee && m.text.includes("/accept-invite#")));
  const mail = server.mail.messages().find((m) => m.to === invitee && m.text.includes("/accept-invite#"));
  assert.ok(mail);
  const link = new URL(linkIn(mail.text, "/accept-invite"));

  // The same browser, still signed in, opens the mailed link.
  await p.goto(`${server.url}${link.pathname}${link.hash}`);
  await p.locator("main .loading").waitFor({ state: "detached" });
  const alerts = await p.getByRole("alert").allInnerTexts();
  assert.deepEqual(alerts, [], "no problem shown");
  await p.locator("main dd").filter({ hasText: invitee }).waitFor();
  assert.deepEqual(cb.problems, []);
});

test("a certificate page's heading never repeats text from the address", async () => {
  const anyone = await browser.person();
  const p = anyone.page;
  const bait = "本商店已通過認證請放心購買";
  await p.goto(`${server.url}/certificates/${encodeURIComponent(bait)}`);
  await p.getByText(certTextZh.mark.notFound).waitFor();
  const h1 = await p.getByRole("heading", { level: 1 }).innerText();
  assert.ok(!h1.includes(bait), `heading: ${h1}`);
  assert.ok(!(await p.title()).includes(bait), "document title");
});
