import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSearchQuery, SearchQueryError, type SearchQuery } from "./search-query.ts";

const problem = (input: string): string => {
  try {
    return `accepted as ${parseSearchQuery(input).by}`;
  } catch (e) {
    assert.ok(e instanceof SearchQueryError);
    assert.ok(e.message.length > 10 && e.messageZh.length > 3);
    return e.problem;
  }
};
const host = (input: string): string => {
  const q: SearchQuery = parseSearchQuery(input);
  if (q.by !== "host") assert.fail(`${input} read as ${q.by}`);
  return q.host;
};

test("a pasted address is read as its host: path, query, fragment, port, case, trailing dot, userinfo", () => {
  const long = `https://Shop.Example/products/123?utm_source=line&utm_campaign=${"x".repeat(900)}#reviews`;
  for (const q of [long, "shop.example/path", "SHOP.EXAMPLE.", "https://shop.example./", "shop.example:8443/p", "http://shop.example", "//shop.example/p?x=1", "shop.example?x=1", " shop.example "]) {
    assert.equal(host(q), "shop.example", q);
  }
  // the real host of a phishing-style address is the one after the "@"
  assert.equal(host("https://shop.example@evil.example/login"), "evil.example");
  assert.equal(host("www.shop.example"), "www.shop.example");
});

test("an IDN in Unicode (with ideographic dots) is searched by its punycode form", () => {
  for (const q of ["商店.tw", "https://商店.tw/商品/1", "商店。tw", "HTTPS://商店．TW/"]) {
    assert.deepEqual(parseSearchQuery(q), { by: "host", host: "xn--czrs0t.tw", unicodeHost: "商店.tw" }, q);
  }
});

test("Chinese names with full-width or ideographic dots stay names; those dots make a host only before an ASCII top-level domain", () => {
  // 間隔號 and 句號 are punctuation in names (約翰．史密斯, a name pasted with its full stop); before
  // the full-width dots were read as a host, such a name search looked for a host and found nothing
  for (const q of ["約翰．史密斯選物", "台北3C．購物", "好好買。", "莎莎｡美妝"]) assert.deepEqual(parseSearchQuery(q), { by: "name", text: q }, q);
  for (const q of ["商店。tw", "商店．tw", "ＳＨＯＰ．ＥＸＡＭＰＬＥ", "商店。tw:8443", "商店。xn--kpry57d", "商店。tw。"]) assert.equal(parseSearchQuery(q).by, "host", q);
  // an ASCII dot is a host, as it always was
  assert.equal(host("約翰.史密斯"), "xn--09zv3d.xn--mpr05pqzi");
});

test("a brand with a colon (B:MING, Re:Zero) is a name; only a web-address-like scheme is refused", () => {
  for (const q of ["B:MING", "Re:Zero商店", "i:Store", "TW:好物"]) assert.deepEqual(parseSearchQuery(q), { by: "name", text: q }, q);
  for (const q of ["javascript:alert(1)", "vbscript:msgbox(1)", "data:,x", "mailto:a@shop.example", "tel:+886212345678", "blob:https://x.example/1", "line://ti/p/@shop", "chrome-extension://abc/x"]) {
    assert.equal(problem(q), "not-a-web-address", q);
  }
});

test("names, business numbers and the empty query", () => {
  assert.deepEqual(parseSearchQuery("  "), { by: "all" });
  assert.deepEqual(parseSearchQuery("好物 網路"), { by: "name", text: "好物 網路" });
  assert.deepEqual(parseSearchQuery("Note: good things"), { by: "name", text: "Note: good things" });
  assert.deepEqual(parseSearchQuery("Good Things Ltd."), { by: "name", text: "Good Things Ltd." });
  assert.deepEqual(parseSearchQuery("０４５９５２５２"), { by: "ubn", ubn: "04595252", valid: true });
  assert.deepEqual(parseSearchQuery("12345678"), { by: "ubn", ubn: "12345678", valid: false });
});

test("hostile or unusable input is refused, each with its own problem", () => {
  assert.equal(problem("javascript:alert(1)"), "not-a-web-address");
  assert.equal(problem("JavaScript:alert(document.domain)"), "not-a-web-address");
  assert.equal(problem("data:text/html,<script>alert(1)</script>"), "not-a-web-address");
  assert.equal(problem("file:///etc/passwd"), "not-a-web-address");
  assert.equal(problem("ftp://shop.example"), "not-a-web-address");
  assert.equal(problem("x".repeat(5000)), "too-long");
  assert.equal(problem(`https://shop.example/${"x".repeat(2100)}`), "too-long");
  assert.equal(problem("好".repeat(201)), "too-long");
  assert.equal(problem("shop\u0000.example"), "control-character");
  assert.equal(problem("https://shop.example/\nx"), "control-character");
  assert.equal(problem("good\u0085things"), "control-character");
  assert.equal(problem("https://exa mple.com/"), "not-a-url");
  assert.equal(problem("https://%zz/"), "not-a-url");
  assert.equal(problem("https://127.0.0.1/"), "ip-address");
  assert.equal(problem("https://0x7f.1/"), "ip-address");
  assert.equal(problem("[::1]:8443"), "ip-address");
  assert.equal(problem("192.168.0.1/admin"), "ip-address");
  assert.equal(problem("https://[::1]/"), "ip-address");
  assert.equal(problem("localhost:3000"), "not-a-domain");
  assert.equal(problem("https://shop..example/"), "not-a-domain");
  // a refusal's message never carries more than a short piece of the input
  try {
    parseSearchQuery(`${"a".repeat(900)}:x`);
    assert.fail("accepted");
  } catch (e) {
    assert.ok(e instanceof SearchQueryError && e.message.length < 200, String(e));
  }
});
