// Pure parts of the web app, under Node: the translation tables agree, in-app redirects stay
// in the app, query strings drop empty filters, problem fields are found by name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, query } from "../web/api/client.ts";
import { safeNext, stagePath } from "../web/api/session.ts";
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
