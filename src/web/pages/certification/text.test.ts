// The certification and scheme pages' own word tables: English has every zh-TW key (the type
// says so), and this checks what types cannot: the same {{placeholders}}, no empty text, and
// English that is not left in Chinese.
import assert from "node:assert/strict";
import { test } from "node:test";
import { schemesTextEn, schemesTextZh } from "../schemes/text.ts";
import { certTextEn, certTextZh } from "./text.ts";

function leaves(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [];
}
const placeholders = (s: string): string[] => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? "").sort();

for (const [name, zh, en] of [["certification", certTextZh, certTextEn], ["schemes", schemesTextZh, schemesTextEn]] as const) {
  test(`${name} text: same keys and placeholders in zh-TW and English, nothing empty or untranslated`, () => {
    const z = new Map(leaves(zh));
    const e = new Map(leaves(en));
    assert.deepEqual([...e.keys()].sort(), [...z.keys()].sort());
    for (const [k, zv] of z) {
      const ev = e.get(k) ?? "";
      assert.ok(zv.trim() && ev.trim(), `${k} is empty`);
      assert.deepEqual(placeholders(ev), placeholders(zv), `${k}: placeholders differ`);
      assert.doesNotMatch(ev, /[\u4e00-\u9fff]/, `${k}: the English text is Chinese`);
    }
  });
}
