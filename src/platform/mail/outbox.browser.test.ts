// The outbox page's "retry failed mail" in a real browser, against the real server with the demo
// data and a local SMTP server: the empty state, a confirmation that can be declined, the count
// in the answer, and the mail arriving.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inArray } from "drizzle-orm";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { zhTW as zh } from "../../web/i18n/zh-TW.ts";
import { DEMO_AUTHORITY } from "../../web-tests/demo-accounts.ts";
import { assertAccessible, launchBrowser, signIn, type Browser, type Person } from "../../web-tests/browser.ts";
import { mailOutbox } from "./mail.tables.ts";

let server: TestServer;
let browser: Browser;
let admin: Person;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  admin = await browser.person();
});

after(async () => {
  await (browser as Browser | undefined)?.close();
  await (server as TestServer | undefined)?.close();
});

test("the authority queues failed mail again from the outbox page, after confirming", async () => {
  const { page } = admin;
  await signIn(page, { url: server.url, email: DEMO_AUTHORITY.email, password: DEMO_AUTHORITY.password, totp: () => server.totp(DEMO_AUTHORITY.totpSecret) });
  await page.goto(`${server.url}/outbox`);
  await page.getByText(zh.outbox.retry.none, { exact: true }).waitFor();

  // two messages as an SMTP outage leaves them: sent once, now failed
  const { db } = server.server.database;
  const to = ["outage1@shop.example", "outage2@shop.example"];
  const ids = await db.transaction(async (tx) => {
    const out: string[] = [];
    for (const address of to) out.push((await server.server.services.mail.enqueue(tx, { to: address, template: "alert", locale: "zh-TW", vars: { title: "停機", message: "m", link: `${server.url}/` } })).id);
    return out;
  });
  for (const address of to) await server.mail.waitFor((m) => m.to === address);
  await db.update(mailOutbox).set({ status: "failed", lastError: "421 4.3.2 service shutting down" }).where(inArray(mailOutbox.id, ids));

  await page.reload();
  const form = page.getByRole("form", { name: zh.outbox.retry.title });
  const button = form.getByRole("button", { name: zh.outbox.retry.button, exact: true });
  await button.waitFor();
  await assertAccessible(page, "outbox with failed mail");

  // declined: nothing is sent
  let posted = 0;
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/api/v1/outbox/retry-failed")) posted++;
  });
  page.once("dialog", (d) => void d.dismiss());
  await button.click();
  await page.waitForTimeout(300);
  assert.equal(posted, 0, "a declined confirmation sent nothing");

  page.once("dialog", (d) => {
    assert.match(d.message(), /500/);
    void d.accept();
  });
  await button.click();
  await page.getByRole("status").filter({ hasText: zh.outbox.retry.done.replace("{{count}}", "2") }).waitFor();
  assert.equal(posted, 1);
  await page.getByText(zh.outbox.retry.none, { exact: true }).waitFor();
  for (const address of to) await server.mail.waitFor((m) => m.to === address && server.mail.messages().filter((x) => x.to === address).length === 2);
  assert.deepEqual(admin.problems, [], "the browser reported CSP violations or page errors");
});
