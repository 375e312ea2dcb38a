// Found in a review of the web app, each checked in Chromium against the real server:
// - someone already signed in who opens an invitation link sees the invitation, not a CSRF
//   refusal (the page posts the lookup as it opens, before GET /auth/session has answered);
// - a certificate page opened with made-up text as the "number" does not put that text in the
//   page's heading;
// - a deep link opened while the session waits at the second factor is where the code leads
//   (it led to the home page);
// - a CSRF refusal and a lost network are told in the interface's language (they were English).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { zhTW as zh } from "../web/i18n/zh-TW.ts";
import { certTextZh } from "../web/pages/certification/text.ts";
import { startTestServer } from "../platform/testing/server.ts";
import { DEMO_AUTHORITY, DEMO_CB_ADMIN } from "./demo-accounts.ts";
import { DEMO_PASSWORD } from "../demo.ts";
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

test("a deep link opened while the session waits at the second factor is where the code leads", async () => {
  const person = await browser.person();
  const p = person.page;
  const deep = "/audit?action=session.created";
  await p.goto(`${server.url}${deep}`);
  await p.waitForURL(`${server.url}/sign-in?next=${encodeURIComponent(deep)}`);
  await p.getByLabel(zh.common.email, { exact: true }).fill(DEMO_AUTHORITY.email);
  await p.getByLabel(zh.common.password, { exact: true }).fill(DEMO_AUTHORITY.password);
  await p.getByRole("button", { name: zh.signIn.submit, exact: true }).click();
  await p.getByLabel(zh.mfa.code, { exact: true }).waitFor();
  // The link is followed again (from the mail, another tab) before the code is typed.
  await p.goto(`${server.url}${deep}`);
  await p.waitForURL(`${server.url}/sign-in/verify?next=${encodeURIComponent(deep)}`);
  await p.getByLabel(zh.mfa.code, { exact: true }).fill(server.totp(DEMO_AUTHORITY.totpSecret));
  await p.getByRole("button", { name: zh.mfa.submit, exact: true }).click();
  await p.waitForURL(`${server.url}${deep}`);
  assert.equal(await p.getByLabel(zh.audit.action).inputValue(), "session.created");
  assert.deepEqual(person.problems, []);
});

test("a CSRF refusal and a lost network are told in the interface's language", async () => {
  const person = await browser.person();
  const p = person.page;
  const owner = { url: server.url, email: "owner@shop2.example", password: DEMO_PASSWORD };
  await signIn(p, owner);
  await p.goto(`${server.url}/account`);
  await p.getByLabel(zh.password.current).waitFor();
  // Signing out and in again in another tab gives the browser a new session: this tab's CSRF
  // token is the old session's, and the server refuses its next change.
  const other = await person.context.newPage();
  await other.goto(`${server.url}/account`);
  await other.getByRole("banner").getByRole("button", { name: zh.nav.signOut, exact: true }).click();
  await signIn(other, owner);

  const submit = async (): Promise<void> => {
    await p.getByLabel(zh.password.current).fill("not my password at all");
    await p.getByLabel(zh.password.new, { exact: true }).fill("another long pass phrase 77");
    await p.getByLabel(zh.password.confirm).fill("another long pass phrase 77");
    await p.getByRole("button", { name: zh.account.changePasswordSubmit }).click();
  };
  const alert = p.getByRole("alert");
  await submit();
  await alert.filter({ hasText: zh.errors.csrf.detail }).waitFor();
  assert.doesNotMatch(await alert.innerText(), /X-CSRF-Token|header/);

  await person.context.setOffline(true);
  try {
    await submit();
    await alert.filter({ hasText: zh.errors.network.title }).waitFor();
    const text = await alert.innerText();
    assert.ok(text.includes(zh.errors.network.detail), text);
    assert.doesNotMatch(text, /[A-Za-z]{3,}/, "no English (such as \"Failed to fetch\")");
  } finally {
    await person.context.setOffline(false);
  }
  assert.deepEqual(person.problems, []);
});
