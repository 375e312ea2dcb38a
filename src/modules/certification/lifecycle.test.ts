// Walks every edge of the lifecycle table from every status it leaves, with the parties it
// allows, and every refusal: each status it does not leave, each party it does not allow, each
// guard failing on its own.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { AppError } from "../../platform/errors.ts";
import { parseCatalogue } from "../schemes/catalogue.ts";
import { addDays, addMonths, availableEvents, decide, guards, markStatusOf, parties, statuses, transitions, type CaseState, type Facts, type GuardName } from "./lifecycle.ts";

const load = (n: string) => parseCatalogue(readFileSync(new URL(`../../../catalogues/${n}.yaml`, import.meta.url), "utf8")).parameters;
const pmark = load("tw-pims");
const iso = load("ec-supplier");
const NOW = new Date("2027-01-10T00:00:00Z");
const LATER = addDays(NOW, 1);
const EARLIER = addDays(NOW, -1);

function base(): { s: CaseState; f: Facts } {
  return {
    s: { status: "draft", cycle: "initial", caRound: 0, caDueAt: null, activationDueAt: null, validFrom: null, validTo: null, renewalCounter: 0, surveillanceDueAt: null, suspendedUntil: null, reapplyAfter: null, flags: [] },
    f: {
      now: NOW,
      params: pmark,
      actorUserId: "committee",
      selfAssessment: { total: 5, answered: 5 },
      barredUntil: null,
      team: [{ userId: "lead", lead: true, conflictFree: true }],
      results: { total: 5, assessed: 5, nonconformities: 0 },
      correctiveActions: { open: 0, unverified: 0 },
      agreementSigned: true,
      feePaid: true,
      bodyAccredited: true,
      input: { reason: "recorded reason" },
    },
  };
}

type Fix = (x: { s: CaseState; f: Facts }) => void;
const pass: Record<GuardName, Fix> = {
  reason_given: () => undefined,
  self_assessment_complete: () => undefined,
  not_barred: () => undefined,
  team_conflict_checked: () => undefined,
  all_requirements_assessed: () => undefined,
  no_nonconformities: () => undefined,
  has_nonconformities: ({ f }) => void (f.results.nonconformities = 2),
  all_corrective_actions_verified: () => undefined,
  has_unverified_corrective_actions: ({ f }) => void (f.correctiveActions.unverified = 1),
  ca_deadline_passed: ({ s }) => void (s.caDueAt = EARLIER),
  ca_deadline_open: ({ s }) => void (s.caDueAt = LATER),
  decider_not_on_audit_team: () => undefined,
  agreement_and_fee: () => undefined,
  body_accredited: () => undefined,
  activation_deadline_passed: ({ s }) => void (s.activationDueAt = EARLIER),
  iso_style: ({ f }) => void (f.params = iso),
  surveillance_due: ({ s }) => void (s.surveillanceDueAt = EARLIER),
  in_renewal_window: ({ s }) => void (s.validTo = addMonths(NOW, 6)),
  valid_to_reached: ({ s }) => void (s.validTo = EARLIER),
  suspension_ended: ({ s }) => void (s.suspendedUntil = EARLIER),
  suspension_running: ({ s }) => void (s.suspendedUntil = LATER),
  ladder_caution: ({ f }) => void (f.input.level = 1),
  ladder_recommendation: ({ f }) => void (f.input.level = 6),
  ladder_suspension: ({ f }) => void Object.assign(f.input, { level: 8, months: 3 }),
  ladder_revocation: ({ f }) => void (f.input.level = 10),
  surveillance_suspension_period: ({ f }) => void (f.input.months = 3),
  initial_cycle: () => undefined,
};
const fail: Record<GuardName, Fix> = {
  reason_given: ({ f }) => void (f.input.reason = " "),
  self_assessment_complete: ({ f }) => void (f.selfAssessment.answered = 4),
  not_barred: ({ f }) => void (f.barredUntil = LATER),
  team_conflict_checked: ({ f }) => void (f.team = [{ userId: "lead", lead: true, conflictFree: false }]),
  all_requirements_assessed: ({ f }) => void (f.results.assessed = 4),
  no_nonconformities: ({ f }) => void (f.results.nonconformities = 1),
  has_nonconformities: ({ f }) => void (f.results.nonconformities = 0),
  all_corrective_actions_verified: ({ f }) => void (f.correctiveActions.unverified = 1),
  has_unverified_corrective_actions: ({ f }) => void (f.correctiveActions.unverified = 0),
  ca_deadline_passed: ({ s }) => void (s.caDueAt = LATER),
  ca_deadline_open: ({ s }) => void (s.caDueAt = EARLIER),
  decider_not_on_audit_team: ({ f }) => void (f.actorUserId = "lead"),
  agreement_and_fee: ({ f }) => void (f.feePaid = false),
  body_accredited: ({ f }) => void (f.bodyAccredited = false),
  activation_deadline_passed: ({ s }) => void (s.activationDueAt = LATER),
  iso_style: ({ f }) => void (f.params = pmark),
  surveillance_due: ({ s }) => void (s.surveillanceDueAt = LATER),
  in_renewal_window: ({ s }) => void (s.validTo = addMonths(NOW, 10)),
  valid_to_reached: ({ s }) => void (s.validTo = LATER),
  suspension_ended: ({ s }) => void (s.suspendedUntil = LATER),
  suspension_running: ({ s }) => void (s.suspendedUntil = EARLIER),
  ladder_caution: ({ f }) => void (f.input.level = 10),
  ladder_recommendation: ({ f }) => void (f.input.level = 1),
  ladder_suspension: ({ f }) => void Object.assign(f.input, { level: 8, months: 9 }),
  ladder_revocation: ({ f }) => void (f.input.level = 8),
  surveillance_suspension_period: ({ f }) => void (f.input.months = 99),
  initial_cycle: ({ s }) => void (s.cycle = "renewal"),
};

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  assert.fail("not refused");
}

describe("every edge", () => {
  for (const edge of transitions) {
    test(`${edge.event}: ${edge.from.join("|")} → ${edge.targets.join("|")}`, () => {
      for (const from of edge.from) {
        for (const party of edge.parties) {
          const x = base();
          x.s.status = from;
          for (const g of edge.guards) pass[g](x);
          const d = decide(x.s, edge.event, [party], x.f);
          assert.equal(d.from, from);
          assert.ok(edge.targets.includes(d.to), `${edge.event} from ${from} led to ${d.to}`);
          assert.ok(availableEvents(from, [party]).includes(edge.event));
        }
        // each guard failing alone refuses, naming the guard
        for (const g of edge.guards) {
          const x = base();
          x.s.status = from;
          for (const h of edge.guards) pass[h](x);
          fail[g](x);
          assert.ok(guards[g](x.s, x.f) !== null, `${g} should fail`);
          const e = refusal(() => decide(x.s, edge.event, edge.parties, x.f));
          assert.equal(e.code, "invalid_transition");
          assert.ok((e.extra.guards as string[]).includes(g), `${edge.event}: ${g} not named in ${JSON.stringify(e.extra)}`);
        }
        // parties the edge does not allow
        for (const other of parties.filter((p) => !edge.parties.includes(p))) {
          const x = base();
          x.s.status = from;
          assert.equal(refusal(() => decide(x.s, edge.event, [other], x.f)).code, "forbidden");
        }
      }
      // statuses the edge does not leave (and no other edge of that name does)
      const leaving = new Set(transitions.filter((t) => t.event === edge.event).flatMap((t) => t.from));
      for (const st of statuses.filter((s) => !leaving.has(s))) {
        const x = base();
        x.s.status = st;
        assert.equal(refusal(() => decide(x.s, edge.event, parties, x.f)).code, "invalid_transition");
      }
    });
  }

  test("every status except the terminal ones has a way out; every status is reachable", () => {
    const reachable = new Set(["draft", ...transitions.flatMap((t) => t.targets)]);
    assert.deepEqual([...statuses].filter((s) => !reachable.has(s)), []);
    for (const st of statuses) {
      const out = transitions.filter((t) => t.from.includes(st));
      if (["revoked", "expired", "withdrawn", "rejected"].includes(st)) assert.equal(out.length, 0, st);
      else assert.ok(out.length > 0, st);
    }
  });

  test("an unknown event is a validation error", () => {
    assert.equal(refusal(() => decide(base().s, "teleport", parties, base().f)).code, "validation");
  });
});

describe("edges whose target depends on the scheme or cycle", () => {
  test("corrective-action timeout: P-Mark ends the application, ISO repeats the on-site audit, a renewal lets the mark run out", () => {
    const x = base();
    Object.assign(x.s, { status: "corrective_action", caDueAt: EARLIER });
    assert.equal(decide(x.s, "ca_timeout", ["system"], x.f).to, "withdrawn");
    x.f.params = iso;
    assert.equal(decide(x.s, "ca_timeout", ["system"], x.f).to, "onsite_audit");
    x.f.params = pmark;
    Object.assign(x.s, { cycle: "renewal", validTo: addMonths(NOW, 2) });
    const d = decide(x.s, "ca_timeout", ["system"], x.f);
    assert.equal(d.to, "active");
    assert.equal(d.changes.flags?.at(-1)?.kind, "renewal_failed");
    x.s.validTo = EARLIER;
    assert.equal(decide(x.s, "ca_timeout", ["system"], x.f).to, "expired");
  });

  test("grant: initial → waiting for activation with a deadline; renewal → active, validity follows on, counter + 1", () => {
    const x = base();
    x.s.status = "decision_pending";
    const d = decide(x.s, "grant", ["cb_admin"], x.f);
    assert.equal(d.to, "approved_pending_activation");
    assert.deepEqual(d.changes.activationDueAt, addDays(NOW, 90));
    const validTo = addMonths(NOW, 3);
    Object.assign(x.s, { cycle: "renewal", validTo, renewalCounter: 1 });
    const r = decide(x.s, "grant", ["cb_admin"], x.f);
    assert.equal(r.to, "active");
    assert.deepEqual(r.changes.validFrom, validTo);
    assert.deepEqual(r.changes.validTo, addMonths(validTo, 24));
    assert.equal(r.changes.renewalCounter, 2);
  });

  test("refuse: initial → rejected; renewal → active until valid_to, or expired past it", () => {
    const x = base();
    x.s.status = "decision_pending";
    assert.equal(decide(x.s, "refuse", ["cb_admin"], x.f).to, "rejected");
    Object.assign(x.s, { cycle: "renewal", validTo: LATER });
    assert.equal(decide(x.s, "refuse", ["cb_admin"], x.f).to, "active");
    x.s.validTo = EARLIER;
    assert.equal(decide(x.s, "refuse", ["cb_admin"], x.f).to, "expired");
  });

  test("activation sets validity from the scheme; ISO schemes get a surveillance date", () => {
    const x = base();
    x.s.status = "approved_pending_activation";
    const p = decide(x.s, "activate", ["cb_admin"], x.f);
    assert.deepEqual(p.changes.validTo, addMonths(NOW, 24));
    assert.equal(p.changes.surveillanceDueAt, null);
    x.f.params = iso;
    const i = decide(x.s, "activate", ["cb_admin"], x.f);
    assert.deepEqual(i.changes.validTo, addMonths(NOW, 36));
    assert.deepEqual(i.changes.surveillanceDueAt, addMonths(NOW, 12));
  });

  test("sanctions: flags for caution and recommendation; suspension period within its level; revocation bars reapplication", () => {
    const x = base();
    x.s.status = "active";
    x.f.input.level = 2;
    assert.equal(decide(x.s, "sanction_caution", ["authority"], x.f).changes.flags?.[0]?.kind, "caution");
    Object.assign(x.f.input, { level: 9, months: 8 });
    assert.deepEqual(decide(x.s, "sanction_suspend", ["cb_admin"], x.f).changes.suspendedUntil, addMonths(NOW, 8));
    x.f.input.level = 10;
    assert.deepEqual(decide(x.s, "sanction_revoke", ["cb_admin"], x.f).changes.reapplyAfter, addMonths(NOW, 12));
  });

  test("mark status for other modules", () => {
    const s = base().s;
    assert.equal(markStatusOf({ ...s, status: "decision_pending" }, NOW), null);
    assert.equal(markStatusOf({ ...s, status: "active", validTo: LATER }, NOW), "active");
    assert.equal(markStatusOf({ ...s, status: "active", validTo: EARLIER }, NOW), "expired");
    assert.equal(markStatusOf({ ...s, status: "onsite_audit", cycle: "renewal", validTo: LATER }, NOW), "active");
    assert.equal(markStatusOf({ ...s, status: "suspended", validTo: LATER }, NOW), "suspended");
    assert.equal(markStatusOf({ ...s, status: "withdrawn" }, NOW), null);
  });
});
