// Browser-test helpers: Debian's Chromium driven by playwright-core, a console watcher that
// fails on any Content-Security-Policy violation or uncaught page error, and an axe-core check
// that fails on serious or critical accessibility violations.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { zhTW } from "../web/i18n/zh-TW.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Browser {
  /** A fresh browser context (its own cookies and storage): one person. */
  person(): Promise<Person>;
  close(): Promise<void>;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** CSP violations and uncaught errors seen so far on this person's pages. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  // One Chromium per test file; each person is a browser context of it, with cookies and storage
  // of its own (starting a Chromium per person cost a second or more each).
  const chromiumBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const people: Person[] = [];
  return {
    async person() {
      const context = await chromiumBrowser.newContext({ locale: "zh-TW", viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const problems: string[] = [];
      context.on("console", (m) => {
        const text = m.text();
        if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) problems.push(`CSP: ${text}`);
      });
      context.on("weberror", (e) => problems.push(`page error: ${e.error().message}`));
      const person: Person = {
        context,
        page,
        problems,
        async close() {
          await context.close();
        },
      };
      people.push(person);
      return person;
    },
    async close() {
      for (const p of people) await p.close().catch(() => undefined);
      await chromiumBrowser.close();
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Serious and critical axe-core violations on the current page, as readable lines. axe-core is
 * injected once per document (into every frame, so it can look inside them) and run in the page
 * itself; @axe-core/playwright re-injected it and opened a helper page on every call, three
 * times the cost.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  for (const frame of page.frames()) {
    try {
      if (!(await frame.evaluate("typeof window.axe === 'object'"))) await frame.evaluate(AXE_SOURCE);
    } catch {
      // a frame that went away while we looked: nothing to check in it
    }
  }
  const violations = await page.evaluate(async (tags: string[]) => {
    const win = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } };
    const results = await win.axe.run(win.document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return results.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) }));
  }, AXE_TAGS);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact ?? "?"}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Waits for the page's loading indicator to go, then fails on serious or critical axe-core violations. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  await page.locator(".loading").first().waitFor({ state: "detached" }).catch(() => undefined);
  assert.deepEqual(await axeViolations(page), [], `axe-core on ${label} (${page.url()})`);
}

/** The first mailed link to `path` (e.g. "/accept-invite"), with its #token fragment. */
export function linkIn(text: string, path: string): string {
  const link = (text.match(/https?:\/\/[^\s"'<>]+#token=[A-Za-z0-9_-]+/g) ?? []).find((l) => new URL(l).pathname === path);
  if (!link) throw new Error(`no ${path} link in mail:\n${text}`);
  return link;
}

/**
 * Signs in through the sign-in page (and the verification step when a TOTP secret is given) and
 * waits for the main navigation. TOTP codes are single-use: when another sign-in of the same
 * account (an API client in the test's setup, another page) already used this 30-second step's
 * code, the server refuses it, so the step is retried once with the next step's code.
 */
export async function signIn(page: Page, options: { url: string; email: string; password: string; totp?: (() => string) | undefined }): Promise<void> {
  await page.goto(`${options.url}/sign-in`);
  await page.getByLabel(zhTW.common.email, { exact: true }).fill(options.email);
  await page.getByLabel(zhTW.common.password, { exact: true }).fill(options.password);
  await page.getByRole("button", { name: zhTW.signIn.submit, exact: true }).click();
  const nav = page.getByRole("navigation", { name: zhTW.nav.main });
  if (options.totp) {
    await page.waitForURL(/\/sign-in\/verify$/);
    for (let attempt = 1; ; attempt++) {
      await page.getByLabel(zhTW.mfa.code, { exact: true }).fill(options.totp());
      // The answer to this code, not what the page shows right after the click: on the second
      // attempt the first refusal's alert is still on screen until the page re-renders.
      const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname.endsWith("/auth/mfa"));
      await page.getByRole("button", { name: zhTW.mfa.submit, exact: true }).click();
      if ((await answered).ok()) break;
      await page.getByRole("alert").first().waitFor();
      if (attempt === 2) throw new Error(`the verification code was refused twice for ${options.email}`);
      await page.waitForTimeout(30_500 - (Date.now() % 30_000)); // into the next 30-second step
    }
  }
  await nav.waitFor();
}
