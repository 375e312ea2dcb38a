import assert from "node:assert/strict";
import { test } from "node:test";
import { locales, TemplateRegistry } from "../../platform/mail/templates.ts";
import { ACCOUNTS_TEMPLATES, addAccountsTemplates } from "./accounts.mail.ts";

// the variables the accounts service passes (the HTTP tests record mail without rendering it)
const vars: Record<string, Record<string, string>> = {
  [ACCOUNTS_TEMPLATES.verifyEmail]: { name: "王小明", link: "https://ectrust.example/verify-email#token=abc", hours: "24" },
  [ACCOUNTS_TEMPLATES.registrationExists]: { name: "王小明", signInLink: "https://ectrust.example/sign-in", resetLink: "https://ectrust.example/forgot-password" },
  [ACCOUNTS_TEMPLATES.locked]: { name: "王小明", minutes: "15", link: "https://ectrust.example/forgot-password" },
};

test("the accounts templates render in both languages with the service's variables, once however often they are added", () => {
  const registry = new TemplateRegistry();
  addAccountsTemplates(registry);
  addAccountsTemplates(registry);
  assert.deepEqual(registry.names(), Object.keys(vars).sort());
  for (const name of registry.names()) {
    for (const locale of locales) {
      const r = registry.render(name, locale, vars[name] ?? {});
      assert.ok(r.subject.length > 0 && !r.text.includes("{{") && !r.html.includes("{{"), `${name} ${locale}`);
    }
  }
  const confirm = registry.render(ACCOUNTS_TEMPLATES.verifyEmail, "en", vars[ACCOUNTS_TEMPLATES.verifyEmail] ?? {});
  assert.match(confirm.text, /within 24 hours and enter the password/);
  assert.match(confirm.html, /<a href="https:\/\/ectrust\.example\/verify-email#token=abc">/);
});
