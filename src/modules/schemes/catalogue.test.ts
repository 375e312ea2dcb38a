import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import YAML from "yaml";
import { AppError } from "../../platform/errors.ts";
import { compareVersions, diffCatalogues, parseCatalogue } from "./catalogue.ts";

const bundled = (name: string) => readFileSync(new URL(`../../../catalogues/${name}.yaml`, import.meta.url), "utf8");
const twPims = bundled("tw-pims");

function mutate(edit: (doc: Record<string, unknown> & { requirements: Record<string, unknown>[] }) => void): string {
  const doc = YAML.parse(twPims) as Record<string, unknown> & { requirements: Record<string, unknown>[] };
  edit(doc);
  return YAML.stringify(doc);
}

function refused(source: string): AppError {
  try {
    parseCatalogue(source, "test.yaml");
  } catch (e) {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, "validation");
    return e;
  }
  assert.fail("the catalogue was accepted");
}

test("bundled catalogues load; TW-PIMS has the 52 draft requirements in 14 domains", () => {
  const c = parseCatalogue(twPims);
  assert.equal(c.requirements.length, 52);
  assert.equal(c.domains.length, 14);
  assert.equal(c.markPrefix, "TWPIMS");
  assert.equal(c.parameters.validityMonths, 24);
  assert.deepEqual(c.parameters.renewalRemindersMonthsBefore, [8, 6, 4]);
  const gov1 = c.requirements.find((r) => r.id === "TW-PIMS.GOV-01");
  assert.ok(gov1);
  assert.equal(gov1.title["zh-TW"], "個資保護政策");
  assert.ok(gov1.evidenceExamples.length >= 2);
  for (const name of ["ec-supplier", "ec-logistics"]) {
    const x = parseCatalogue(bundled(name));
    assert.equal(x.parameters.style, "iso");
    assert.equal(x.parameters.surveillance.cadenceMonths, 12);
  }
});

test("duplicate requirement ids are refused, naming the row", () => {
  const e = refused(mutate((d) => {
    const second = d.requirements[1];
    if (second) second.id = "TW-PIMS.GOV-01";
  }));
  assert.ok(e.fields.some((f) => f.field === "requirements.1.id" && /duplicate requirement id TW-PIMS.GOV-01/.test(f.message)));
});

test("a missing translation is refused", () => {
  const e = refused(mutate((d) => {
    const first = d.requirements[0];
    if (first) first.title = { en: "Policy" };
  }));
  assert.ok(e.fields.some((f) => f.field === "requirements.0.title.zh-TW"));
  const checks = refused(mutate((d) => {
    const first = d.requirements[0];
    if (first) first.auditorChecks = { en: "What the auditor checks" };
  }));
  assert.ok(checks.fields.some((f) => f.field === "requirements.0.auditorChecks.zh-TW"), "what the auditor checks is bilingual too");
  assert.ok(e.fields.some((f) => f.message.startsWith("TW-PIMS.GOV-01:")));
});

test("unknown fields, undeclared domains, contradictory parameters and bad YAML are refused", () => {
  const unknown = refused(mutate((d) => {
    const first = d.requirements[0];
    if (first) first.weight = 3;
  }));
  assert.ok(unknown.fields.some((f) => f.field === "requirements.0.weight" && /unknown field/.test(f.message)));
  const domain = refused(mutate((d) => {
    const first = d.requirements[0];
    if (first) first.domain = "ZZZ";
  }));
  assert.ok(domain.fields.some((f) => /domain ZZZ is not declared/.test(f.message)));
  const window = refused(mutate((d) => {
    (d.parameters as { renewalWindow: unknown }).renewalWindow = { opensMonthsBefore: 4, closesMonthsBefore: 8 };
  }));
  assert.ok(window.fields.some((f) => f.field === "parameters.renewalWindow.closesMonthsBefore"));
  const style = refused(mutate((d) => {
    (d.parameters as { surveillance: unknown }).surveillance = { cadenceMonths: 12, firstWithinMonths: 12 };
  }));
  assert.ok(style.fields.some((f) => f.field === "parameters.surveillance.cadenceMonths"));
  refused("scheme: [unclosed");
  refused("scheme: a\nscheme: b\n");
});

test("diff lists added, removed and changed requirements and parameters", () => {
  const a = parseCatalogue(twPims);
  const b = parseCatalogue(mutate((d) => {
    d.version = "0.2.0";
    d.requirements = d.requirements.filter((r) => r.id !== "TW-PIMS.MRK-01");
    const first = d.requirements[0];
    if (first) first.basis = "ER 12(1)";
    d.requirements.push({ id: "TW-PIMS.AUD-04", domain: "AUD", title: { "zh-TW": "新", en: "New" }, basis: "scheme", auditorChecks: { "zh-TW": "檢查", en: "x" } });
    (d.parameters as { validityMonths: number }).validityMonths = 36;
  }));
  const diff = diffCatalogues(a, b);
  assert.deepEqual(diff.added, ["TW-PIMS.AUD-04"]);
  assert.deepEqual(diff.removed, ["TW-PIMS.MRK-01"]);
  assert.deepEqual(diff.changed, [{ id: "TW-PIMS.GOV-01", fields: ["basis"] }]);
  assert.deepEqual(diff.parameters, [{ path: "validityMonths", from: 24, to: 36 }]);
  assert.ok(compareVersions("0.10.0", "0.9.9") > 0);
});

test("YAML anchors and aliases are refused (expansion attacks; quadratic to resolve)", () => {
  const shared = { "zh-TW": "共用", en: "Shared" };
  const doc = YAML.parse(twPims) as { requirements: Record<string, unknown>[] };
  for (const r of doc.requirements.slice(0, 3)) r.title = shared;
  const text = YAML.stringify(doc);
  assert.match(text, /&\w+/);
  const e = refused(text);
  assert.ok(e.fields.some((f) => f.field === "yaml" && /aliases/.test(f.message)));
  // the same data with each value written out loads
  assert.equal(parseCatalogue(YAML.stringify(doc, { aliasDuplicateObjects: false })).requirements[0]?.title.en, "Shared");
});

test("duplicate keys and broken YAML are refused as validation errors", () => {
  assert.ok(refused("scheme: a\nscheme: b\n").fields.some((f) => f.field === "yaml"));
  assert.ok(refused("scheme: [unclosed\n").fields.some((f) => f.field === "yaml"));
});

test("a mapping with many keys is refused quickly (the duplicate-key check is linear, not quadratic)", () => {
  // ~600 KB, well under the 4 MB limit: the yaml package's own uniqueKeys check compared each key
  // with every earlier one and held the event loop for over a minute here
  const keys = Array.from({ length: 60_000 }, (_, i) => `k${i}: 1`).join("\n");
  const started = performance.now();
  const e = refused(`${keys}\n`);
  const ms = performance.now() - started;
  assert.ok(e.fields.some((f) => /unknown field/.test(f.message)));
  assert.ok(ms < 10_000, `took ${Math.round(ms)} ms`);
  // duplicates anywhere, and keys that are not plain names, are still refused
  assert.ok(refused(`${keys}\nk17: 2\n`).fields.some((f) => f.field === "yaml" && /unique/.test(f.message)));
  assert.ok(refused("parameters: {style: iso, style: pmark}\n").fields.some((f) => f.field === "yaml"));
  assert.ok(refused("? [a, b]\n: 1\n").fields.some((f) => f.field === "yaml"));
});

test("versions have no leading zeros and bounded parts, so no two versions compare equal", () => {
  for (const version of ["0.01.0", "00.1.0", "1.0.00", "1234567.0.0", "99999999999999999999.0.0"]) {
    const e = refused(twPims.replace("version: 0.1.0", `version: "${version}"`));
    assert.ok(e.fields.some((f) => f.field === "version"), version);
  }
  assert.equal(parseCatalogue(twPims.replace("version: 0.1.0", "version: 10.0.123456")).version, "10.0.123456");
});
