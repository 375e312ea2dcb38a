// The mark lifecycle as data (pims-scheme.md §4): one status union, one table of transitions
// with the parties and guards of each edge, and one pure decide() that the service calls inside
// its transaction. decide() says where an event leads and which fields change, or refuses with
// a typed error: no edge from this status (invalid_transition), a party the edge does not allow
// (forbidden), or a failed guard (invalid_transition, naming the guard).
//
// Both scheme styles run on the same table: P-Mark (2-year mark, full renewal, no surveillance)
// and ISO/IEC 17021-1 (3-year cycle, yearly surveillance). Every number comes from the scheme's
// parameters. Caution and recommendation are flags on an active mark, not states.
import { AppError } from "../../platform/errors.ts";
import type { SchemeParameters } from "../schemes/catalogue.ts";

export const statuses = [
  "draft",
  "submitted",
  "intake_review",
  "document_review",
  "onsite_audit",
  "corrective_action",
  "decision_pending",
  "approved_pending_activation",
  "active",
  "active_under_surveillance",
  "renewal_in_review",
  "suspended",
  "revoked",
  "expired",
  "withdrawn",
  "rejected",
] as const;
export type Status = (typeof statuses)[number];

export const terminalStatuses: readonly Status[] = ["revoked", "expired", "withdrawn", "rejected"];

/** Who acts, as the service resolves it from the actor and the application. */
export const parties = ["applicant", "cb_admin", "team_auditor", "lead_auditor", "authority", "system"] as const;
export type Party = (typeof parties)[number];

export type Cycle = "initial" | "renewal";

export interface Flag {
  kind: "caution" | "recommendation" | "renewal_failed";
  level: number | null;
  at: string;
  reason: string;
}

/** The lifecycle fields of one application / mark (what decide() reads and changes). */
export interface CaseState {
  status: Status;
  cycle: Cycle;
  caRound: number;
  caDueAt: Date | null;
  activationDueAt: Date | null;
  validFrom: Date | null;
  validTo: Date | null;
  renewalCounter: number;
  surveillanceDueAt: Date | null;
  suspendedUntil: Date | null;
  reapplyAfter: Date | null;
  flags: Flag[];
}

/** What the service knows when an event arrives (computed in the same transaction). */
export interface Facts {
  now: Date;
  params: SchemeParameters;
  /** the acting user, if a user */
  actorUserId: string | null;
  selfAssessment: { total: number; answered: number };
  /** the merchant is barred from reapplying until this time (an earlier revocation) */
  barredUntil: Date | null;
  team: { userId: string; lead: boolean; conflictFree: boolean }[];
  results: { total: number; assessed: number; nonconformities: number };
  correctiveActions: { open: number; unverified: number };
  agreementSigned: boolean;
  feePaid: boolean;
  /** the application's certification body holds a current (accredited, unexpired) accreditation for the scheme */
  bodyAccredited: boolean;
  input: { reason: string; level?: number | undefined; months?: number | undefined };
}

export type Guard = (s: CaseState, f: Facts) => string | null;

const addMonths = (d: Date, n: number): Date => {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() + n);
  return x;
};
const addDays = (d: Date, n: number): Date => new Date(d.getTime() + n * 86_400_000);
export { addDays, addMonths };

/** Named guards: each returns null when satisfied, or why not. */
export const guards = {
  reason_given: (_s, f) => (f.input.reason.trim().length >= 3 ? null : "a reason is required"),
  self_assessment_complete: (_s, f) =>
    f.selfAssessment.total > 0 && f.selfAssessment.answered === f.selfAssessment.total ? null : `self-assessment incomplete (${f.selfAssessment.answered}/${f.selfAssessment.total})`,
  not_barred: (_s, f) => (f.barredUntil && f.barredUntil > f.now ? `reapplication is barred until ${f.barredUntil.toISOString()}` : null),
  team_conflict_checked: (_s, f) => {
    if (!f.team.some((m) => m.lead)) return "no lead auditor is assigned";
    if (f.team.some((m) => !m.conflictFree)) return "an assigned auditor has a declared conflict of interest";
    return null;
  },
  all_requirements_assessed: (_s, f) => (f.results.total > 0 && f.results.assessed === f.results.total ? null : `results missing (${f.results.assessed}/${f.results.total})`),
  no_nonconformities: (_s, f) => (f.results.nonconformities === 0 ? null : "there are nonconformities: use audit_done_with_findings"),
  has_nonconformities: (_s, f) => (f.results.nonconformities > 0 ? null : "there are no nonconformities: use audit_done_no_findings"),
  all_corrective_actions_verified: (_s, f) => (f.correctiveActions.unverified === 0 ? null : `${f.correctiveActions.unverified} corrective action(s) not verified`),
  has_unverified_corrective_actions: (_s, f) => (f.correctiveActions.unverified > 0 ? null : "every corrective action is verified: accept instead"),
  ca_deadline_passed: (s, f) => (s.caDueAt && s.caDueAt <= f.now ? null : "the corrective-action deadline has not passed"),
  ca_deadline_open: (s, f) => (s.caDueAt && s.caDueAt > f.now ? null : "the corrective-action deadline has passed"),
  decider_not_on_audit_team: (_s, f) => (f.actorUserId && !f.team.some((m) => m.userId === f.actorUserId) ? null : "the decision maker was on the audit team"),
  agreement_and_fee: (_s, f) => (f.agreementSigned && f.feePaid ? null : "the mark-use agreement must be signed and the fee paid"),
  body_accredited: (_s, f) => (f.bodyAccredited ? null : "the certification body's accreditation for this scheme is not current (suspended, withdrawn or expired)"),
  activation_deadline_passed: (s, f) => (s.activationDueAt && s.activationDueAt <= f.now ? null : "the activation deadline has not passed"),
  iso_style: (_s, f) => (f.params.surveillance.cadenceMonths !== null ? null : "this scheme has no surveillance audits"),
  surveillance_due: (s, f) => (s.surveillanceDueAt && s.surveillanceDueAt <= f.now ? null : "surveillance is not due yet"),
  in_renewal_window: (s, f) => {
    if (!s.validTo) return "the mark has no validity";
    const opens = addMonths(s.validTo, -f.params.renewalWindow.opensMonthsBefore);
    const closes = addMonths(s.validTo, -f.params.renewalWindow.closesMonthsBefore);
    return f.now >= opens && f.now <= closes ? null : `renewal is accepted from ${opens.toISOString()} to ${closes.toISOString()}`;
  },
  valid_to_reached: (s, f) => (s.validTo && s.validTo <= f.now ? null : "the mark has not reached its end of validity"),
  suspension_ended: (s, f) => (s.suspendedUntil && s.suspendedUntil <= f.now ? null : "the suspension period has not ended"),
  suspension_running: (s, f) => (s.suspendedUntil && s.suspendedUntil > f.now ? null : "the suspension period has ended"),
  ladder_caution: (_s, f) => ladder(f, "caution"),
  ladder_recommendation: (_s, f) => ladder(f, "recommendation"),
  ladder_suspension: (_s, f) => {
    const l = ladder(f, "suspension");
    if (l) return l;
    const step = f.params.sanctionLadder.find((x) => x.level === f.input.level);
    const m = f.input.months;
    if (m === undefined || !Number.isInteger(m) || m < (step?.minMonths ?? 1) || m > (step?.maxMonths ?? 0)) {
      return `level ${String(f.input.level)} suspends for ${String(step?.minMonths)} to ${String(step?.maxMonths)} months`;
    }
    return null;
  },
  ladder_revocation: (_s, f) => ladder(f, "revocation"),
  surveillance_suspension_period: (_s, f) => {
    const m = f.input.months;
    const { minMonths, maxMonths } = f.params.suspension;
    return m !== undefined && Number.isInteger(m) && m >= minMonths && m <= maxMonths ? null : `the suspension must last ${minMonths} to ${maxMonths} months`;
  },
  initial_cycle: (s) => (s.cycle === "initial" ? null : "only during an initial application"),
} satisfies Record<string, Guard>;
export type GuardName = keyof typeof guards;

function ladder(f: Facts, kind: "caution" | "recommendation" | "suspension" | "revocation"): string | null {
  const step = f.params.sanctionLadder.find((x) => x.level === f.input.level);
  if (!step) return `level ${String(f.input.level)} is not on this scheme's sanction ladder`;
  return step.kind === kind ? null : `level ${step.level} is a ${step.kind}, not a ${kind}`;
}

export interface Edge {
  from: readonly Status[];
  event: string;
  /** where the edge leads; a function when the scheme style or cycle decides */
  to: Status | ((s: CaseState, f: Facts) => Status);
  /** every status `to` can produce (for the diagram and the edge-walking test) */
  targets: readonly Status[];
  parties: readonly Party[];
  guards: readonly GuardName[];
  /** field changes beyond the status */
  effect?: (s: CaseState, f: Facts) => Partial<CaseState>;
}

const activeFamily: Status[] = ["active", "active_under_surveillance"];
/** A renewal that fails leaves the old mark running to its end; past its end it is expired. */
const renewalFailed = (s: CaseState, f: Facts): Status => (s.validTo && s.validTo > f.now ? "active" : "expired");
const failFlag = (s: CaseState, f: Facts): Partial<CaseState> =>
  s.cycle === "renewal" ? { cycle: "initial", caDueAt: null, flags: [...s.flags, { kind: "renewal_failed", level: null, at: f.now.toISOString(), reason: f.input.reason }] } : { caDueAt: null };

export const transitions: readonly Edge[] = [
  { from: ["draft"], event: "submit", to: "submitted", targets: ["submitted"], parties: ["applicant"], guards: ["self_assessment_complete", "not_barred"] },
  { from: ["draft", "submitted", "intake_review", "document_review", "onsite_audit", "corrective_action", "decision_pending", "approved_pending_activation"], event: "applicant_withdraws", to: "withdrawn", targets: ["withdrawn"], parties: ["applicant"], guards: ["initial_cycle", "reason_given"] },
  { from: ["submitted"], event: "start_intake", to: "intake_review", targets: ["intake_review"], parties: ["cb_admin"], guards: [] },
  { from: ["intake_review"], event: "intake_incomplete", to: "draft", targets: ["draft"], parties: ["cb_admin"], guards: ["reason_given"] },
  { from: ["intake_review"], event: "intake_ineligible", to: "rejected", targets: ["rejected"], parties: ["cb_admin"], guards: ["reason_given"] },
  { from: ["intake_review", "renewal_in_review"], event: "intake_accepted", to: "document_review", targets: ["document_review"], parties: ["cb_admin"], guards: ["team_conflict_checked"] },
  { from: ["document_review"], event: "doc_review_done", to: "onsite_audit", targets: ["onsite_audit"], parties: ["lead_auditor"], guards: [] },
  { from: ["onsite_audit"], event: "audit_done_no_findings", to: "decision_pending", targets: ["decision_pending"], parties: ["lead_auditor"], guards: ["all_requirements_assessed", "no_nonconformities"] },
  {
    from: ["onsite_audit"],
    event: "audit_done_with_findings",
    to: "corrective_action",
    targets: ["corrective_action"],
    parties: ["lead_auditor"],
    guards: ["all_requirements_assessed", "has_nonconformities"],
    effect: (s, f) => ({ caRound: s.caRound + 1, caDueAt: addDays(f.now, f.params.correctiveAction.initialDays) }),
  },
  { from: ["corrective_action"], event: "ca_accepted", to: "decision_pending", targets: ["decision_pending"], parties: ["lead_auditor", "team_auditor"], guards: ["all_corrective_actions_verified"], effect: () => ({ caDueAt: null }) },
  {
    from: ["corrective_action"],
    event: "ca_rejected",
    to: "corrective_action",
    targets: ["corrective_action"],
    parties: ["lead_auditor", "team_auditor"],
    guards: ["has_unverified_corrective_actions", "ca_deadline_open", "reason_given"],
    effect: (s, f) => ({ caRound: s.caRound + 1, caDueAt: addDays(f.now, f.params.correctiveAction.refindingDays) }),
  },
  {
    from: ["corrective_action"],
    event: "ca_timeout",
    to: (s, f) => (f.params.correctiveAction.onTimeout === "repeat_onsite" ? "onsite_audit" : s.cycle === "renewal" ? renewalFailed(s, f) : "withdrawn"),
    targets: ["onsite_audit", "withdrawn", "active", "expired"],
    parties: ["system"],
    guards: ["ca_deadline_passed"],
    effect: (s, f) => (f.params.correctiveAction.onTimeout === "repeat_onsite" ? { caDueAt: null } : failFlag(s, f)),
  },
  {
    from: ["decision_pending"],
    event: "grant",
    to: (s) => (s.cycle === "renewal" ? "active" : "approved_pending_activation"),
    targets: ["approved_pending_activation", "active"],
    parties: ["cb_admin"],
    guards: ["body_accredited", "decider_not_on_audit_team", "reason_given"],
    effect: (s, f) => {
      if (s.cycle === "initial") return { activationDueAt: addDays(f.now, f.params.activationTimeoutDays) };
      // renewal: the new validity follows on from the old one; the counter moves on
      const from = s.validTo && s.validTo > f.now ? s.validTo : f.now;
      const validTo = addMonths(from, f.params.validityMonths);
      return { cycle: "initial", validFrom: from, validTo, renewalCounter: s.renewalCounter + 1, surveillanceDueAt: surveillanceAfter(from, f) };
    },
  },
  {
    from: ["decision_pending"],
    event: "refuse",
    to: (s, f) => (s.cycle === "renewal" ? renewalFailed(s, f) : "rejected"),
    targets: ["rejected", "active", "expired"],
    parties: ["cb_admin"],
    guards: ["decider_not_on_audit_team", "reason_given"],
    effect: failFlag,
  },
  {
    from: ["approved_pending_activation"],
    event: "activate",
    to: "active",
    targets: ["active"],
    parties: ["cb_admin"],
    guards: ["body_accredited", "agreement_and_fee"],
    effect: (_s, f) => ({ activationDueAt: null, validFrom: f.now, validTo: addMonths(f.now, f.params.validityMonths), surveillanceDueAt: surveillanceAfter(f.now, f) }),
  },
  { from: ["approved_pending_activation"], event: "activation_timeout", to: "withdrawn", targets: ["withdrawn"], parties: ["system"], guards: ["activation_deadline_passed"] },
  { from: ["active"], event: "surveillance_due", to: "active_under_surveillance", targets: ["active_under_surveillance"], parties: ["system"], guards: ["iso_style", "surveillance_due"] },
  {
    from: ["active_under_surveillance"],
    event: "surveillance_passed",
    to: "active",
    targets: ["active"],
    parties: ["lead_auditor", "cb_admin"],
    guards: ["reason_given"],
    effect: (s, f) => ({ surveillanceDueAt: addMonths(s.surveillanceDueAt ?? f.now, f.params.surveillance.cadenceMonths ?? 12) }),
  },
  {
    from: ["active_under_surveillance"],
    event: "surveillance_failed",
    to: "suspended",
    targets: ["suspended"],
    parties: ["cb_admin"],
    guards: ["reason_given", "surveillance_suspension_period"],
    effect: (_s, f) => ({ suspendedUntil: addMonths(f.now, f.input.months ?? 0) }),
  },
  { from: ["active"], event: "renewal_submitted", to: "renewal_in_review", targets: ["renewal_in_review"], parties: ["applicant"], guards: ["in_renewal_window"], effect: () => ({ cycle: "renewal", caRound: 0 }) },
  { from: ["active", "active_under_surveillance", "suspended"], event: "expire", to: "expired", targets: ["expired"], parties: ["system"], guards: ["valid_to_reached"] },
  {
    from: activeFamily,
    event: "sanction_caution",
    to: (s) => s.status,
    targets: activeFamily,
    parties: ["cb_admin", "authority"],
    guards: ["reason_given", "ladder_caution"],
    effect: (s, f) => ({ flags: [...s.flags, { kind: "caution", level: f.input.level ?? null, at: f.now.toISOString(), reason: f.input.reason }] }),
  },
  {
    from: activeFamily,
    event: "sanction_recommendation",
    to: (s) => s.status,
    targets: activeFamily,
    parties: ["cb_admin", "authority"],
    guards: ["reason_given", "ladder_recommendation"],
    effect: (s, f) => ({ flags: [...s.flags, { kind: "recommendation", level: f.input.level ?? null, at: f.now.toISOString(), reason: f.input.reason }] }),
  },
  {
    from: [...activeFamily, "renewal_in_review"],
    event: "sanction_suspend",
    to: "suspended",
    targets: ["suspended"],
    parties: ["cb_admin", "authority"],
    guards: ["reason_given", "ladder_suspension"],
    effect: (_s, f) => ({ cycle: "initial", suspendedUntil: addMonths(f.now, f.input.months ?? 0) }),
  },
  { from: ["suspended"], event: "suspension_lifted", to: "active", targets: ["active"], parties: ["cb_admin", "authority"], guards: ["reason_given", "suspension_running"], effect: () => ({ suspendedUntil: null }) },
  {
    from: ["suspended"],
    event: "suspension_timeout",
    to: "revoked",
    targets: ["revoked"],
    parties: ["system"],
    guards: ["suspension_ended"],
    effect: (_s, f) => ({ suspendedUntil: null, reapplyAfter: addMonths(f.now, f.params.reapplicationBarMonths) }),
  },
  {
    from: [...activeFamily, "suspended", "renewal_in_review"],
    event: "sanction_revoke",
    to: "revoked",
    targets: ["revoked"],
    parties: ["cb_admin", "authority"],
    guards: ["reason_given", "ladder_revocation"],
    effect: (_s, f) => ({ suspendedUntil: null, reapplyAfter: addMonths(f.now, f.params.reapplicationBarMonths) }),
  },
  { from: [...activeFamily, "suspended", "renewal_in_review"], event: "holder_withdraws", to: "withdrawn", targets: ["withdrawn"], parties: ["applicant"], guards: ["reason_given"], effect: () => ({ suspendedUntil: null }) },
  { from: activeFamily, event: "change_report", to: (s) => s.status, targets: activeFamily, parties: ["applicant"], guards: ["reason_given"] },
];

function surveillanceAfter(from: Date, f: Facts): Date | null {
  const first = f.params.surveillance.firstWithinMonths;
  return first === null ? null : addMonths(from, first);
}

export const events = [...new Set(transitions.map((t) => t.event))];
export type LifecycleEvent = string;

export interface Decision {
  edge: Edge;
  from: Status;
  to: Status;
  changes: Partial<CaseState>;
}

/**
 * Decides one event: finds the edge from the current status, checks that one of the actor's
 * parties may take it, runs every guard, and returns the new status and field changes.
 */
export function decide(state: CaseState, event: string, actorParties: readonly Party[], facts: Facts): Decision {
  const named = transitions.filter((t) => t.event === event);
  if (named.length === 0) throw new AppError("validation", `Unknown event "${event}".`, { fields: [{ field: "event", message: `one of ${events.join(", ")}` }] });
  const edge = named.find((t) => t.from.includes(state.status));
  if (!edge) {
    throw new AppError("invalid_transition", `"${event}" is not possible while the application is ${state.status}.`, { extra: { status: state.status, event } });
  }
  if (!edge.parties.some((p) => actorParties.includes(p))) {
    throw new AppError("forbidden", `"${event}" is taken by ${edge.parties.join(" or ")}.`, { extra: { event, parties: edge.parties } });
  }
  const failed = edge.guards.map((g) => [g, guards[g](state, facts)] as const).filter(([, why]) => why !== null);
  if (failed.length) {
    throw new AppError("invalid_transition", `"${event}" refused: ${failed.map(([, why]) => why).join("; ")}.`, { extra: { status: state.status, event, guards: failed.map(([g]) => g) } });
  }
  const to = typeof edge.to === "function" ? edge.to(state, facts) : edge.to;
  return { edge, from: state.status, to, changes: edge.effect ? edge.effect(state, facts) : {} };
}

/** The events a set of parties could take from a status (guards not evaluated): for the consoles. */
export function availableEvents(status: Status, actorParties: readonly Party[]): string[] {
  return transitions.filter((t) => t.from.includes(status) && t.parties.some((p) => actorParties.includes(p))).map((t) => t.event);
}

/** What the public registry and other modules see of a mark. */
export type MarkStatus = "active" | "suspended" | "revoked" | "expired" | "withdrawn";
export function markStatusOf(s: Pick<CaseState, "status" | "cycle" | "validTo">, now: Date): MarkStatus | null {
  switch (s.status) {
    case "active":
    case "active_under_surveillance":
    case "renewal_in_review":
      return s.validTo && s.validTo <= now ? "expired" : "active";
    case "suspended":
      return "suspended";
    case "revoked":
      return "revoked";
    case "expired":
      return "expired";
    case "withdrawn":
      return s.validTo ? "withdrawn" : null;
    default:
      // a renewal in its audit steps keeps the mark valid until the decision (policy, §4.1)
      return s.cycle === "renewal" && s.validTo ? (s.validTo > now ? "active" : "expired") : null;
  }
}
