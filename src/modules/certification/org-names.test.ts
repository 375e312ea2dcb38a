// Names beside organisation ids: one batched lookup per response, unknown organisations as null.
import assert from "node:assert/strict";
import { test } from "node:test";
import { onePartyNames, withBodyNames, withPartyNames, type OrgName, type OrgNames } from "./org-names.ts";

function directory(known: Record<string, OrgName>): { names: OrgNames; calls: string[][] } {
  const calls: string[][] = [];
  const names: OrgNames = async (ids) => {
    calls.push([...ids]);
    return new Map(ids.flatMap((id) => (known[id] ? [[id, known[id]] as const] : [])));
  };
  return { names, calls };
}
const known = { m1: { nameZh: "好店", nameEn: "Good Shop" }, cb: { nameZh: "驗證甲", nameEn: "Body A" } };

test("a list of applications is named with one lookup; an unknown organisation gets null", async () => {
  const { names, calls } = directory(known);
  const rows = await withPartyNames(names, [
    { id: "a", merchantOrgId: "m1", cbOrgId: "cb" },
    { id: "b", merchantOrgId: "gone", cbOrgId: "cb" },
  ]);
  assert.equal(calls.length, 1, "one lookup for the whole list");
  assert.deepEqual(
    rows.map((r) => [r.id, r.merchantNameZh, r.merchantNameEn, r.cbNameZh, r.cbNameEn]),
    [
      ["a", "好店", "Good Shop", "驗證甲", "Body A"],
      ["b", null, null, "驗證甲", "Body A"],
    ],
  );
});

test("one record and body-only rows", async () => {
  const { names, calls } = directory(known);
  const one = await onePartyNames(names, { merchantOrgId: "m1", cbOrgId: "cb" });
  assert.deepEqual([one.merchantNameEn, one.cbNameZh], ["Good Shop", "驗證甲"]);
  const bodies = await withBodyNames(names, [{ cbOrgId: "cb" }, { cbOrgId: "x" }]);
  assert.deepEqual(bodies.map((b) => b.cbNameEn), ["Body A", null]);
  assert.equal(calls.length, 2);
});
