// The identity status of a shop as a state machine written as data: one status union, one
// transitions table with the role and guard of each edge, one transition() that checks them.
// The service applies a transition, writes the audit row and the history row, and calls the
// status-change hooks in one transaction.

export const identityStatuses = ["unconfirmed", "pending", "confirmed", "lapsed", "withdrawn"] as const;
export type IdentityStatus = (typeof identityStatuses)[number];

export const identityActions = ["submit", "request_more", "respond", "approve", "reject", "renew", "expire", "lapse_origins", "withdraw", "reopen"] as const;
export type IdentityAction = (typeof identityActions)[number];

/** Who may take an edge: the shop itself, the authority, or the system (scheduled jobs). */
export type Party = "shop" | "authority" | "system";

/** Facts a guard looks at; the service gathers them inside the transaction. */
export interface GuardFacts {
  now: Date;
  profileComplete: boolean;
  provenOrigins: number;
  documents: number;
  /** the authority asked for more and the shop has not answered yet */
  awaitingShop: boolean;
  expiresAt: Date | null;
  reason: string;
  /** days before expiry when a renewal may be decided */
  renewalWindowDays: number;
}

export type Guard = (f: GuardFacts) => string | null;

export interface Edge {
  action: IdentityAction;
  from: readonly IdentityStatus[];
  to: IdentityStatus | "same";
  parties: readonly Party[];
  guard: Guard;
}

const needReason: Guard = (f) => (f.reason.trim().length >= 3 ? null : "A reason is required.");
const readyToSubmit: Guard = (f) =>
  !f.profileComplete ? "Complete the shop profile first."
  : f.provenOrigins === 0 ? "Prove control of at least one origin first."
  : f.documents === 0 ? "Attach at least one identity document first."
  : null;
const all = (...gs: Guard[]): Guard => (f) => gs.reduce<string | null>((acc, g) => acc ?? g(f), null);
const DAY = 86_400_000;

/** The table. Order matters only for documentation; each action has one edge. */
export const identityTransitions: readonly Edge[] = [
  { action: "submit", from: ["unconfirmed", "lapsed"], to: "pending", parties: ["shop"], guard: readyToSubmit },
  { action: "request_more", from: ["pending"], to: "same", parties: ["authority"], guard: all(needReason, (f) => (f.awaitingShop ? "The shop has not answered the last request yet." : null)) },
  { action: "respond", from: ["pending"], to: "same", parties: ["shop"], guard: (f) => (f.awaitingShop ? null : "The authority has not asked for anything.") },
  { action: "approve", from: ["pending"], to: "confirmed", parties: ["authority"], guard: all(readyToSubmit, (f) => (f.awaitingShop ? "Waiting for the shop's answer." : null)) },
  { action: "reject", from: ["pending"], to: "unconfirmed", parties: ["authority"], guard: needReason },
  {
    action: "renew",
    from: ["confirmed"],
    to: "confirmed",
    parties: ["authority"],
    guard: all(readyToSubmit, (f) =>
      f.expiresAt && f.expiresAt.getTime() - f.now.getTime() > f.renewalWindowDays * DAY ? `Renewal opens ${f.renewalWindowDays} days before expiry.` : null,
    ),
  },
  { action: "expire", from: ["confirmed"], to: "lapsed", parties: ["system"], guard: (f) => (f.expiresAt && f.expiresAt <= f.now ? null : "The confirmation has not expired.") },
  { action: "lapse_origins", from: ["confirmed"], to: "lapsed", parties: ["system"], guard: (f) => (f.provenOrigins === 0 ? null : "The shop still has proven origins.") },
  { action: "withdraw", from: ["pending", "confirmed", "lapsed"], to: "withdrawn", parties: ["authority", "shop"], guard: needReason },
  { action: "reopen", from: ["withdrawn"], to: "unconfirmed", parties: ["authority"], guard: needReason },
];

export type TransitionResult =
  | { ok: true; from: IdentityStatus; to: IdentityStatus; edge: Edge }
  | { ok: false; why: "no-edge" | "party" | "guard"; message: string };

/** Checks one step; pure. */
export function transition(from: IdentityStatus, action: IdentityAction, party: Party, facts: GuardFacts): TransitionResult {
  const edge = identityTransitions.find((e) => e.action === action);
  if (edge && !edge.parties.includes(party)) return { ok: false, why: "party", message: `"${action}" is not for the ${party}.` };
  if (!edge || !edge.from.includes(from)) {
    return { ok: false, why: "no-edge", message: `"${action}" is not possible while the identity is ${from}.` };
  }
  const blocked = edge.guard(facts);
  if (blocked) return { ok: false, why: "guard", message: blocked };
  return { ok: true, from, to: edge.to === "same" ? from : edge.to, edge };
}
