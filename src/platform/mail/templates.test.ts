import assert from "node:assert/strict";
import { test } from "node:test";
import { mailTemplates } from "./mail.templates.ts";
import { escapeHtml, locales, TemplateRegistry } from "./templates.ts";

const hostile = `<script>alert("x")</script> & 'quotes'`;

test("every built-in template renders in both languages, text and HTML", () => {
  const vars: Record<string, Record<string, string>> = {
    invitation: { organisation: "好好購物", role: "merchant_staff", link: "https://ectrust.example/accept-invite#token=abc", days: "7" },
    password_reset: { name: "王小明", link: "https://ectrust.example/reset-password#token=abc", minutes: "30" },
    account_confirmed: { name: "王小明", organisation: "好好購物", decision: "approve", reason: "", link: "https://ectrust.example/login" },
    alert: { title: "TLS certificate expires soon", message: "example.tw: 5 days left", link: "https://ectrust.example/scans/1" },
  };
  assert.deepEqual(mailTemplates.names(), Object.keys(vars).sort());
  for (const name of mailTemplates.names()) {
    for (const locale of locales) {
      const r = mailTemplates.render(name, locale, vars[name] ?? {});
      assert.ok(r.subject.length > 0 && !r.subject.includes("{{"), `${name} ${locale} subject`);
      assert.ok(!r.text.includes("{{") && !r.html.includes("{{"), `${name} ${locale} has no placeholder left`);
      assert.match(r.html, new RegExp(`<html lang="${locale}">`));
    }
  }
  const zh = mailTemplates.render("invitation", "zh-TW", vars.invitation ?? {});
  const en = mailTemplates.render("invitation", "en", vars.invitation ?? {});
  assert.match(zh.text, /商家人員/);
  assert.match(en.text, /merchant staff/);
  assert.match(zh.html, /<a href="https:\/\/ectrust\.example\/accept-invite#token=abc">/);
});

test("values are escaped in HTML, kept as written in text, and cannot break the subject line", () => {
  const r = mailTemplates.render("alert", "en", { title: `${hostile}\r\nBcc: victim@example.com`, message: hostile, link: "https://x.example/" });
  assert.ok(!r.html.includes("<script>"));
  assert.ok(r.html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"));
  assert.ok(r.text.includes(hostile), "plain text carries the value unchanged");
  assert.ok(!/[\r\n]/.test(r.subject), "no line break in the subject");
  assert.ok(!r.html.includes("&amp;lt;"), "nothing is escaped twice");
});

test("missing, extra, non-URL and unlisted values are refused", () => {
  assert.throws(() => mailTemplates.render("password_reset", "en", { name: "a", link: "https://x.example/" }), /needs the variable "minutes"/);
  assert.throws(() => mailTemplates.render("password_reset", "en", { name: "a", link: "https://x.example/", minutes: "1", extra: "x" }), /no variable "extra"/);
  assert.throws(() => mailTemplates.render("password_reset", "en", { name: "a", link: "javascript:alert(1)", minutes: "1" }), /http\(s\) URL/);
  assert.throws(() => mailTemplates.render("invitation", "en", { organisation: "a", role: "god", link: "https://x.example/", days: "1" }), /must be one of/);
  assert.throws(() => mailTemplates.render("invitation", "en", { organisation: "a", role: "constructor", link: "https://x.example/", days: "1" }), /must be one of/);
  assert.throws(() => mailTemplates.render("nope", "en", {}), /unknown mail template/);
  assert.throws(() => mailTemplates.render("alert", "en", { title: "x".repeat(2001), message: "", link: "https://x.example/" }), /longer than/);
});

test("a template that uses an undeclared variable, or is defined twice, is refused when added", () => {
  const reg = new TemplateRegistry();
  const t = { name: "x.y", vars: ["a"], "zh-TW": { subject: "{{a}}", text: "{{a}}" }, en: { subject: "{{a}}", text: "{{b}}" } };
  assert.throws(() => { reg.add(t); }, /\{\{b\}\} which is not in its vars/);
  const ok = { ...t, en: { subject: "{{a}}", text: "{{a}}" } };
  reg.add(ok);
  assert.throws(() => { reg.add(ok); }, /defined twice/);
  assert.equal(escapeHtml(`<&>"'`), "&lt;&amp;&gt;&quot;&#39;");
});
