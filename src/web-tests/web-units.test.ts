// Pure parts of the web app, under Node: the translation tables agree, in-app redirects stay
// in the app (and survive the MFA step), query strings drop empty filters, problem fields are
// found by name, errors are put into words in the interface's language.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError, problemFromFailure, problemFromStatus, query, type ProblemDocument } from "../web/api/client.ts";
import { safeNext, stagePath, stageTarget, withNext } from "../web/api/session.ts";
import { problemWords, type Words } from "../web/components/problem-text.ts";
import { formatDate, formatDateTime, shortId, taipeiDayBound, taipeiLocalInstant } from "../web/components/format.ts";
import { AppError, errorCatalogue } from "../platform/errors.ts";
import { en } from "../web/i18n/en.ts";
import { zhTW } from "../web/i18n/zh-TW.ts";

type Table = { [key: string]: string | Table };

function leaves(table: Table, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(table)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? "").sort();

test("zh-TW and English have the same keys, no empty text, and the same placeholders", () => {
  const zh = leaves(zhTW);
  const english = leaves(en);
  assert.deepEqual([...english.keys()].sort(), [...zh.keys()].sort());
  for (const [key, text] of zh) {
    const other = english.get(key) ?? "";
    assert.ok(text.trim() && other.trim(), `${key} is empty in one language`);
    assert.deepEqual(placeholders(other), placeholders(text), `${key}: placeholders differ`);
  }
});

test("the zh-TW table is in Chinese where it is not a name or a code", () => {
  const names = new Set(["common.appName", "home.intro"]);
  for (const [key, text] of leaves(zhTW)) {
    if (names.has(key)) continue;
    assert.match(text, /[\u4e00-\u9fff]/, `${key} has no Chinese: "${text}"`);
  }
});

test("dates and times read in Taipei time, whatever zone the browser is in", () => {
  const zone = process.env.TZ;
  process.env.TZ = "America/Los_Angeles"; // Node follows TZ at once, Intl's default zone too
  try {
    // 16:30 UTC on 1 January is half past midnight on 2 January in Taipei (UTC+8)
    assert.match(formatDateTime("2026-01-01T16:30:00.000Z", "en"), /^Jan 2, 2026, 12:30\sAM$/u);
    assert.match(formatDateTime("2026-01-01T16:30:00.000Z", "zh-TW"), /^2026年1月2日 凌晨12:30$/u);
    assert.equal(formatDateTime(null, "en"), "—");
    // validity dates are days: the Taipei day of an instant, a plain date as it is, no time of day
    assert.equal(formatDate("2026-01-01T16:30:00.000Z", "en"), "Jan 2, 2026");
    assert.equal(formatDate("2028-11-28", "en"), "Nov 28, 2028");
    assert.equal(formatDate("2028-11-28", "zh-TW"), "2028年11月28日");
    assert.equal(formatDate(undefined, "zh-TW"), "—");
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test("date filters and time ranges are Taipei days and times, whatever zone the browser is in", () => {
  const zone = process.env.TZ;
  process.env.TZ = "America/Los_Angeles";
  try {
    // 2 January in Taipei (UTC+8) runs from 16:00 UTC on 1 January to just before 16:00 UTC on 2 January
    assert.equal(taipeiDayBound("2026-01-02", false), "2026-01-01T16:00:00.000Z");
    assert.equal(taipeiDayBound("2026-01-02", true), "2026-01-02T15:59:59.999Z");
    // a day Los Angeles changes its clocks on is still a plain Taipei day
    assert.equal(taipeiDayBound("2026-03-08", false), "2026-03-07T16:00:00.000Z");
    assert.equal(taipeiDayBound("", false), undefined);
    assert.equal(taipeiDayBound("2026-02-30", false), undefined);
    // datetime-local values (the outbox's retry range), with and without seconds
    assert.equal(taipeiLocalInstant("2026-01-02T08:30"), "2026-01-02T00:30:00.000Z");
    assert.equal(taipeiLocalInstant("2026-01-02T00:00:15"), "2026-01-01T16:00:15.000Z");
    assert.equal(taipeiLocalInstant(""), undefined);
    assert.equal(taipeiLocalInstant(undefined), undefined);
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test("ids are cut to their first 8 characters", () => {
  assert.equal(shortId("0193e3c4-5b6a-7d8e-9f00-112233445566"), "0193e3c4");
  assert.equal(shortId("abc"), "abc");
});

test("?next= only ever leads to a path inside the app", () => {
  assert.equal(safeNext("/audit?action=x"), "/audit?action=x");
  for (const bad of [null, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "audit"]) {
    assert.equal(safeNext(bad), "/", String(bad));
  }
  assert.equal(stagePath("mfa"), "/sign-in/verify");
  assert.equal(stagePath("enrol"), "/sign-in/enrol");
  assert.equal(stagePath("full"), "/");
});

test("query strings leave out empty filters and encode values", () => {
  assert.equal(query({}), "");
  assert.equal(query({ kind: "", status: undefined, q: null, limit: 25 }), "?limit=25");
  assert.equal(query({ q: "好 & co", before: "a/b" }), "?q=%E5%A5%BD+%26+co&before=a%2Fb");
});

test("a problem's field messages are found by field name", () => {
  const e = new ApiError({ type: "urn:ectrust:problem:validation", title: "輸入資料有誤", status: 400, detail: "…", errors: [{ field: "admin.email", message: "Enter a valid e-mail address" }] });
  assert.equal(e.fieldMessage("admin.email"), "Enter a valid e-mail address");
  assert.equal(e.fieldMessage("email"), undefined);
  assert.equal(e.status, 400);
  assert.equal(e.message, "…");
});

test("a deep link survives every sign-in step, and only ever as a path inside the app", () => {
  const deep = "/audit?action=session.created";
  assert.equal(withNext("/sign-in", deep), "/sign-in?next=%2Faudit%3Faction%3Dsession.created");
  assert.equal(stageTarget("mfa", deep), "/sign-in/verify?next=%2Faudit%3Faction%3Dsession.created");
  assert.equal(stageTarget("enrol", deep), "/sign-in/enrol?next=%2Faudit%3Faction%3Dsession.created");
  assert.equal(stageTarget("full", deep), deep);
  // the next step reads ?next= back: the same page
  assert.equal(new URL(stageTarget("mfa", deep), "https://x.example").searchParams.get("next"), deep);
  for (const plain of ["/", null, "//evil.example/", "/\t/evil.example"]) {
    assert.equal(stageTarget("mfa", plain), "/sign-in/verify", String(plain));
    assert.equal(stageTarget("full", plain), "/", String(plain));
    assert.equal(withNext("/sign-in", plain), "/sign-in", String(plain));
  }
});

/** What a problem says on screen in one language (the tables i18next renders). */
function shown(error: unknown, lang: "zh-TW" | "en"): string {
  const table = lang === "en" ? en : zhTW;
  const words = problemWords(error, lang);
  const say = (w: Words): string => {
    if ("text" in w) return w.text;
    let node: unknown = table;
    for (const part of w.key.split(".")) node = (node as Record<string, unknown>)[part];
    assert.equal(typeof node, "string", w.key);
    return (node as string).replace(/\{\{(\w+)\}\}/g, (_, name: string) => (w.values as Record<string, string> | undefined)?.[name] ?? `{{${name}}}`);
  };
  return [say(words.title), words.detail ? say(words.detail) : ""].join("\n");
}

/** A problem document as the API sends it to a zh-TW browser (src/platform/http/problem.ts). */
function serverProblem(error: AppError): ApiError {
  const entry = errorCatalogue[error.code];
  const problem: ProblemDocument = { ...error.extra, type: `urn:ectrust:problem:${error.code}`, title: entry.zh, titles: { "zh-TW": entry.zh, en: entry.en }, status: entry.status, detail: error.message, code: error.code, requestId: "req-1", ...(error.fields.length > 0 ? { errors: error.fields } : {}) };
  return new ApiError(problem);
}

/** Latin words of three letters or more: English left in a zh-TW text ("HTTP" and "MB" are fine). */
const english = (text: string): string[] => (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => w !== "HTTP");

const stop = (server: ReturnType<typeof createServer>): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });

test("errors the client shows are in the interface's language: CSRF, network, timeout, 413, 429, 5xx", async () => {
  // a server that accepts the connection and never answers, and a port nobody listens on
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await stop(closed);
  let timeout: unknown;
  let refused: unknown;
  try {
    await fetch(`http://127.0.0.1:${String((silent.address() as AddressInfo).port)}/`, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => (timeout = e));
    await fetch(`http://127.0.0.1:${String(closedPort)}/`).catch((e: unknown) => (refused = e));
  } finally {
    silent.closeAllConnections();
    await stop(silent);
  }
  const cases: Array<[string, unknown, string, string]> = [
    ["csrf token", serverProblem(new AppError("csrf", "This change needs the X-CSRF-Token header from GET /api/v1/auth/session.")), zhTW.errors.csrf.detail, en.errors.csrf.detail],
    ["network", new ApiError(problemFromFailure(refused)), zhTW.errors.network.title, en.errors.network.title],
    ["timeout", new ApiError(problemFromFailure(timeout)), zhTW.errors.timeout.title, en.errors.timeout.title],
    ["429 problem", serverProblem(new AppError("rate_limited", "Too many requests; try again in 1 minute.", { extra: { retryAfterSeconds: 42 } })), "請在 42 秒後再試", "Try again in 42 seconds"],
    ["429 from a proxy", new ApiError(problemFromStatus(429, "Too Many Requests", "7")), "請在 7 秒後再試", "Too many requests"],
    ["413 problem", serverProblem(new AppError("payload_too_large", "The file is larger than 20971520 bytes.", { extra: { maxBytes: 20 * 1024 * 1024 } })), "20 MB", "20 MB"],
    ["413 from a proxy", new ApiError(problemFromStatus(413, "Request Entity Too Large", null)), zhTW.errors.tooLarge.detail, en.errors.tooLarge.detail],
    ["500 problem", serverProblem(new AppError("internal", "inventory row not written")), zhTW.errors.server.detail, en.errors.server.detail],
    ["502 from a proxy", new ApiError(problemFromStatus(502, "Bad Gateway", null)), zhTW.errors.unavailable.detail, en.errors.unavailable.detail],
    ["504 from a proxy", new ApiError(problemFromStatus(504, "Gateway Timeout", null)), zhTW.errors.timeout.title, en.errors.timeout.title],
    ["an odd status", new ApiError(problemFromStatus(418, "I'm a teapot", null)), "HTTP 418", "HTTP 418"],
    ["unexpected answer", new ApiError({ type: "about:blank", title: "Unexpected answer from the server", status: 200, code: "unexpected_response" }), zhTW.errors.unexpected.title, en.errors.unexpected.title],
  ];
  for (const [name, error, zhPart, enPart] of cases) {
    const zh = shown(error, "zh-TW");
    assert.ok(zh.includes(zhPart), `${name} (zh-TW): ${zh}`);
    assert.deepEqual(english(zh), [], `${name} (zh-TW) shows English: ${zh}`);
    const english_ = shown(error, "en");
    assert.ok(english_.includes(enPart), `${name} (en): ${english_}`);
  }
  assert.equal(problemFromFailure(timeout).code, "timeout");
  assert.equal(problemFromFailure(refused).code, "network");
});

test("other problems keep the server's title in the chosen language, and a detail only when it says more", () => {
  const wrong = serverProblem(new AppError("invalid_credentials"));
  assert.equal(shown(wrong, "zh-TW"), "帳號或密碼錯誤\n", "the English default detail only repeats the title");
  assert.equal(shown(wrong, "en"), "Wrong e-mail or password\n");
  const conflict = serverProblem(new AppError("conflict", "This business number is already registered."));
  assert.equal(shown(conflict, "zh-TW"), "資料衝突\nThis business number is already registered.");
  assert.equal(problemWords(conflict, "zh-TW").requestId, "req-1");
  assert.equal(shown(new Error("boom"), "zh-TW"), `${zhTW.errors.generic}\nboom`);
});

test("a request the API's schema refused asks to correct the marked fields, without its English list of them", () => {
  const fields = [{ field: "contactEmail", message: "Enter a valid e-mail address" }, { field: "contactPhone", message: "Enter a phone number" }];
  const refused = serverProblem(new AppError("validation", `The body is not valid: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`, { fields }));
  assert.equal(shown(refused, "zh-TW"), `輸入資料有誤\n${zhTW.errors.validation.detail}`);
  assert.equal(shown(refused, "en"), `The request is not valid\n${en.errors.validation.detail}`);
  assert.equal(refused.fieldMessage("contactEmail"), "Enter a valid e-mail address", "the field keeps its own message");
  // a service's own sentence says more than the fields: it stays
  const rule = serverProblem(new AppError("validation", "The documents must be reviewed before the decision.", { fields: [{ field: "reason", message: "required" }] }));
  assert.equal(shown(rule, "en"), "The request is not valid\nThe documents must be reviewed before the decision.");
});
