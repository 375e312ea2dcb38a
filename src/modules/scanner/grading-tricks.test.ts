// Tricks that earned a better grade than the page deserves, and hostile markup that made
// analysis unbounded (found in review). Each test failed before its fix.
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyze } from "./scan.ts";
import { buildRetrieval } from "./testing.ts";
import { parseHtml } from "./html.ts";

const now = new Date("2026-11-26T00:00:00Z");
const html = [["content-type", "text/html; charset=utf-8"]] as [string, string][];

test("frame-ancestors in a <meta> CSP does not count as clickjacking protection (browsers ignore it there)", () => {
  const body = `<!doctype html><head><meta http-equiv="Content-Security-Policy" content="frame-ancestors 'none'; img-src 'self'"></head><p>shop</p>`;
  const r = analyze(buildRetrieval({ headers: html, body }), { now });
  assert.equal(r.tests["x-frame-options"]?.result, "x-frame-options-not-implemented");
  assert.equal(r.tests["x-frame-options"].pass, false);
  // still recognised when it comes in the header
  const h = analyze(buildRetrieval({ headers: [...html, ["content-security-policy", "frame-ancestors 'none'; default-src 'self'"]], body: "<p>x</p>" }), { now });
  assert.equal(h.tests["x-frame-options"]?.result, "x-frame-options-implemented-via-csp");
});

test("a bogus integrity attribute is not SRI (browsers load the script unchecked)", () => {
  for (const integrity of ["x", "none", "md5-abc", "sha1-abc"]) {
    const body = `<script src="https://cdn.other.example.net/lib.js" integrity="${integrity}" crossorigin="anonymous"></script>`;
    const r = analyze(buildRetrieval({ headers: html, body }), { now });
    assert.equal(r.tests["subresource-integrity"]?.result, "sri-not-implemented-but-external-scripts-loaded-securely", integrity);
  }
  const good = `<script src="https://cdn.other.example.net/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>`;
  assert.equal(analyze(buildRetrieval({ headers: html, body: good }), { now }).tests["subresource-integrity"]?.result, "sri-implemented-and-external-scripts-loaded-securely");
});

test("payment pages: a bogus integrity attribute does not hide a third-party script without SRI", () => {
  const page = buildRetrieval().https.final;
  assert.ok(page);
  const body = `<script src="https://pay.other.example.net/skim.js" integrity="trust-me"></script>`;
  const r = analyze(buildRetrieval({}, { paymentPages: [{ url: "https://shop.example.com.tw/checkout", response: { ...page, url: "https://shop.example.com.tw/checkout", body }, error: null, scriptHashes: {} }] }), { now });
  assert.equal(r.tests["payment-scripts"]?.result, "payment-scripts-without-integrity");
});

test("HSTS with a repeated directive is invalid (RFC 6797 §6.1: UAs ignore the header)", () => {
  for (const v of ["max-age=0; max-age=31536000", "max-age=31536000; includeSubDomains; includeSubDomains"]) {
    const r = analyze(buildRetrieval({ headers: [...html, ["strict-transport-security", v]] }), { now });
    assert.equal(r.tests["strict-transport-security"]?.result, "hsts-header-invalid", v);
  }
});

test("deeply nested markup is parsed in bounded time", () => {
  for (const tag of ["div", "b", "table"]) {
    const page = `<${tag}>`.repeat(Math.floor((2 * 1024 * 1024) / (tag.length + 2))) + `<script src="https://cdn.other.example.net/x.js"></script>`;
    const t = Date.now();
    const doc = parseHtml(page);
    const ms = Date.now() - t;
    assert.ok(ms < 3000, `${tag}: ${ms} ms`);
    // what comes after the nesting is still seen (no evasion by nesting)
    assert.ok(doc.elements.some((e) => e.tag === "script"), tag);
  }
});

test("backslashes, tabs and extra slashes in a script's URL do not pass a foreign script off as same-origin", () => {
  for (const src of ["/\\cdn.other.example.net/x.js", "\\\\cdn.other.example.net/x.js", "https:\\\\cdn.other.example.net/x.js", "///cdn.other.example.net/x.js", " //cdn.other.exa\tmple.net/x.js"]) {
    const body = `<script src="${src}"></script>`;
    const r = analyze(buildRetrieval({ headers: html, body }), { now });
    assert.notEqual(r.tests["subresource-integrity"]?.result, "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", src);
    assert.equal(r.tests["subresource-integrity"]?.pass, false, src);
  }
  // a same-origin path is still one
  const own = analyze(buildRetrieval({ headers: html, body: `<script src="/js/app.js"></script>` }), { now });
  assert.equal(own.tests["subresource-integrity"]?.result, "sri-not-implemented-but-all-scripts-loaded-from-secure-origin");
});

test("mixed content: http: references written with backslashes or without slashes are found", () => {
  for (const src of ["http:\\\\cdn.other.example.net/x.js", "http:cdn.other.example.net/x.js", " HTTP://cdn.other.example.net/x.js"]) {
    const r = analyze(buildRetrieval({ headers: html, body: `<script src="${src}"></script>` }), { now });
    assert.equal(r.tests["mixed-content"]?.result, "mixed-content-active", src);
  }
  const https = analyze(buildRetrieval({ headers: html, body: `<script src="https://cdn.other.example.net/x.js"></script><img src="/a.png">` }), { now });
  assert.equal(https.tests["mixed-content"]?.result, "mixed-content-none");
});

test("a <meta> CSP counts only in the head, where browsers apply it", () => {
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`;
  const grade = (body: string): string | undefined => analyze(buildRetrieval({ headers: html, body }), { now }).tests["content-security-policy"]?.result;
  const inBody = [
    `<!doctype html><html><head><title>s</title></head><body><p>shop</p>${csp}</body></html>`, `<!doctype html>welcome ${csp}`, `<title>s</title><div></div>${csp}`,
    `<html>&nbsp;${csp}`, `<html>\u00a0${csp}`, // a no-break space is text, not HTML whitespace
    `<head><noscript>${csp}</noscript></head>`, `<head><template>${csp}</template></head>`, // not the document's elements
  ];
  for (const body of inBody) assert.equal(grade(body), "csp-not-implemented", body);
  const inHead = [`<!doctype html><html><head><title>s &amp; t</title>${csp}</head><body><p>shop</p></body></html>`, `<!doctype html><html><head></head>\n  ${csp}<body></body></html>`, `<script>var a = "<p>";</script>${csp}`];
  for (const body of inHead) assert.notEqual(grade(body), "csp-not-implemented", body);
});
