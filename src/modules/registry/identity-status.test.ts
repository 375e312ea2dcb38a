import assert from "node:assert/strict";
import { test } from "node:test";
import { identityStatuses, identityTransitions, transition, type GuardFacts, type Party } from "./identity-status.ts";

const now = new Date("2026-03-01T00:00:00Z");
const ok: GuardFacts = { now, profileComplete: true, provenOrigins: 1, documents: 1, awaitingShop: false, expiresAt: new Date("2026-03-10T00:00:00Z"), reason: "checked", renewalWindowDays: 60 };
const facts = (o: Partial<GuardFacts>): GuardFacts => ({ ...ok, ...o });

/** Facts under which each action's guard passes. */
const passing: Record<string, Partial<GuardFacts>> = {
  respond: { awaitingShop: true },
  expire: { expiresAt: new Date("2026-02-01T00:00:00Z") },
  lapse_origins: { provenOrigins: 0 },
};

test("every edge of the table: allowed for its parties from each source state, refused for others", () => {
  let walked = 0;
  for (const edge of identityTransitions) {
    for (const from of identityStatuses) {
      for (const party of ["shop", "authority", "system"] as Party[]) {
        const r = transition(from, edge.action, party, facts(passing[edge.action] ?? {}));
        const expected = edge.from.includes(from) && edge.parties.includes(party);
        assert.equal(r.ok, expected, `${edge.action} from ${from} by ${party}`);
        if (r.ok) {
          walked++;
          assert.equal(r.to, edge.to === "same" ? from : edge.to);
        } else {
          assert.equal(r.why, edge.parties.includes(party) ? "no-edge" : "party");
        }
      }
    }
  }
  assert.ok(walked >= identityTransitions.length);
});

test("guards refuse with a readable message", () => {
  const cases: [Parameters<typeof transition>, string][] = [
    [["unconfirmed", "submit", "shop", facts({ profileComplete: false })], "profile"],
    [["unconfirmed", "submit", "shop", facts({ provenOrigins: 0 })], "origin"],
    [["unconfirmed", "submit", "shop", facts({ documents: 0 })], "document"],
    [["pending", "reject", "authority", facts({ reason: "" })], "reason"],
    [["pending", "request_more", "authority", facts({ awaitingShop: true })], "answered"],
    [["pending", "respond", "shop", facts({ awaitingShop: false })], "asked"],
    [["pending", "approve", "authority", facts({ awaitingShop: true })], "Waiting"],
    [["confirmed", "renew", "authority", facts({ expiresAt: new Date("2027-03-01T00:00:00Z") })], "Renewal opens"],
    [["confirmed", "expire", "system", facts({})], "not expired"],
    [["confirmed", "lapse_origins", "system", facts({})], "still has"],
    [["confirmed", "withdraw", "shop", facts({ reason: " " })], "reason"],
  ];
  for (const [args, text] of cases) {
    const r = transition(...args);
    assert.ok(!r.ok, args[1]);
    assert.equal(r.why, "guard");
    assert.match(r.message, new RegExp(text));
  }
});

test("every status is reachable and none is a dead end except by design", () => {
  const reachable = new Set(identityTransitions.flatMap((e) => (e.to === "same" ? e.from : [e.to])));
  for (const s of identityStatuses.filter((x) => x !== "unconfirmed")) assert.ok(reachable.has(s), s);
  for (const s of identityStatuses) assert.ok(identityTransitions.some((e) => e.from.includes(s) && e.to !== "same"), `${s} has a way out`);
});
