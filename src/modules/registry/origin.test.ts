import assert from "node:assert/strict";
import { test } from "node:test";
import { OriginError, parseOrigin } from "./origin.ts";

const problem = (input: string): string => {
  try {
    parseOrigin(input);
    return "accepted";
  } catch (e) {
    assert.ok(e instanceof OriginError);
    assert.ok(e.message.length > 10 && e.messageZh.length > 3);
    return e.problem;
  }
};

test("normalises case, trailing slash, default port and IDN to punycode", () => {
  assert.equal(parseOrigin("HTTPS://WWW.Shop.Example/").origin, "https://www.shop.example");
  assert.equal(parseOrigin("https://shop.example:443").origin, "https://shop.example");
  assert.equal(parseOrigin("https://shop.test:8443").origin, "https://shop.test:8443");
  const idn = parseOrigin("https://商店.tw");
  assert.equal(idn.origin, "https://xn--czrs0t.tw");
  assert.equal(idn.unicodeHost, "商店.tw");
});

test("refuses each kind of bad origin with its own problem", () => {
  assert.equal(problem("http://shop.example"), "not-https");
  assert.equal(problem("ftp://shop.example"), "not-https");
  assert.equal(problem("shop.example"), "not-a-url");
  assert.equal(problem("https://user:pw@shop.example"), "userinfo");
  assert.equal(problem("https://shop.example@evil.example"), "userinfo");
  assert.equal(problem("https://shop.example/store"), "path");
  assert.equal(problem("https://shop.example/?a=1"), "query");
  assert.equal(problem("https://shop.example/#x"), "query");
  assert.equal(problem("https://127.0.0.1"), "ip-literal");
  assert.equal(problem("https://[::1]"), "ip-literal");
  assert.equal(problem("https://0x7f.1"), "ip-literal");
  assert.equal(problem("https://2130706433"), "ip-literal");
  assert.equal(problem("https://localhost"), "not-a-domain");
  assert.equal(problem("https://" + "a".repeat(300) + ".example"), "too-long");
});

test("IDN homographs are refused and shown in punycode", () => {
  try {
    parseOrigin("https://аpple.com"); // Cyrillic а
    assert.fail("accepted a homograph");
  } catch (e) {
    assert.ok(e instanceof OriginError);
    assert.equal(e.problem, "homograph");
    assert.match(e.message, /xn--pple-43d\.com/);
  }
  assert.equal(problem("https://раураl.com"), "homograph"); // wholly Cyrillic look-alikes
  assert.equal(problem("https://müller.de"), "accepted"); // Latin with diacritics is one script
  assert.equal(problem("https://пример.рф"), "accepted"); // genuine Cyrillic word
});
