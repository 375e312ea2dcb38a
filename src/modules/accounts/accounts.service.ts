// Accounts: organisations, users, memberships, sessions, MFA, invitations, password reset and
// API tokens. Every change runs in one transaction together with its audit row (and its mail,
// through the outbox). Object-level rule: a user acts on their own organisation only, unless
// they belong to the authority.
import { hash as argonHash, verify as argonVerify } from "@node-rs/argon2";
import { and, asc, desc, eq, getTableColumns, ilike, inArray, isNotNull, isNull, lt, ne, notInArray, or, sql, type SQL } from "drizzle-orm";
import { generateSecret, generateURI, verify as totpVerify } from "otplib";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit, type AuditEntry } from "../../platform/audit/audit.ts";
import { mfaRequiredRoles, rolesByOrgKind, type OrgKind, type Role } from "../../platform/auth/roles.ts";
import type { Clock } from "../../platform/clock.ts";
import { constantTimeEqual, openSecret, randomToken, sealSecret, sha256Hex } from "../../platform/crypto.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { SessionContext } from "../../platform/http/app.ts";
import { mailTemplates } from "../../platform/mail/mail.templates.ts";
import { ACCOUNTS_JOBS, type AccountLinkJob, type AccountLinkKind } from "./accounts.jobs.ts";
import { UNCONFIRMED_PURGE_DAYS, VERIFICATION_HOURS } from "./accounts.limits.ts";
import { ACCOUNTS_TEMPLATES, addAccountsTemplates } from "./accounts.mail.ts";
import { apiTokens, emailVerifications, invitations, memberships, organisations, passwordResets, recoveryCodes, sessions, users, type OrgStatus } from "./accounts.tables.ts";
import { checkPassword, passwordMessages } from "./password-policy.ts";

export type Locale = "zh-TW" | "en";

/** The outbox, as accounts needs it: a message written in the caller's transaction. */
export interface MailPort {
  enqueue(tx: Db, message: { to: string; template: string; locale: Locale; vars: Record<string, string>; orgId?: string | null }): Promise<unknown>;
}

/**
 * The job queue, as accounts needs it: work taken off the request path (accounts.jobs.ts), so that
 * a request about an e-mail address answers the same, in the same time, whether or not it has an account.
 */
export interface AccountsJobsPort {
  send(name: string, data: object): Promise<unknown>;
}

export interface AccountsDeps {
  db: Db;
  clock: Clock;
  masterKey: Buffer;
  mail: MailPort;
  jobs: AccountsJobsPort;
  publicUrl: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** argon2id cost; lowered only in tests */
  argon?: { memoryCost: number; timeCost: number };
}

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;
const INVITATION_DAYS = 7;
const RESET_MINUTES = 60;
const RECOVERY_CODES = 10;
const TOKEN_PREFIX = "ect_";

export interface SessionView {
  user: { id: string; email: string; displayName: string; locale: Locale; mfaEnabled: boolean };
  organisation: { id: string; kind: OrgKind; nameZh: string; nameEn: string; status: OrgStatus };
  role: Role;
  stage: "mfa" | "enrol" | "full";
  csrfToken: string;
  memberships: { orgId: string; orgNameZh: string; orgNameEn: string; orgKind: OrgKind; role: Role }[];
}

export interface OrganisationView {
  id: string;
  kind: OrgKind;
  nameZh: string;
  nameEn: string;
  status: OrgStatus;
  createdAt: Date;
}

/** The TOTP time step a verified code belonged to (RFC 6238 §4), kept to refuse replays. */
const timeStepOf = (r: object): number | null => ("timeStep" in r && typeof r.timeStep === "number" ? r.timeStep : null);

const normEmail = (email: string): string => email.trim().toLowerCase();
const WRONG_REGISTRATION_PASSWORD = "That is not this account's password. Enter the password you chose when you registered; if you forgot it, reset it by e-mail (that confirms the address too).";
const minutes = (n: number): number => n * 60_000;

export function createAccountsService(deps: AccountsDeps) {
  const { db, clock } = deps;
  addAccountsTemplates(mailTemplates);
  const argonOptions = { algorithm: 2 /* Argon2id */, memoryCost: deps.argon?.memoryCost ?? 19456, timeCost: deps.argon?.timeCost ?? 2, parallelism: 1 };
  // A real hash to verify against when the e-mail is unknown, so timing does not reveal accounts.
  const dummyHash = argonHash(randomToken(16), argonOptions);

  const hashPassword = (password: string): Promise<string> => argonHash(password, argonOptions);

  function requirePassword(password: string, email: string, field = "password"): void {
    const problem = checkPassword(password, email);
    if (problem) throw invalid(field, passwordMessages[problem].en);
  }

  const audit = (tx: Db, actor: Actor, entry: AuditEntry) => appendAudit(tx, clock, actor, entry);

  function isAuthority(actor: Actor): boolean {
    return (actor.kind === "user" || actor.kind === "token") && actor.orgKind === "authority";
  }

  /** Object-level check: the actor's own organisation, or the authority. Others see "not found". */
  function assertOrgAccess(actor: Actor, orgId: string): void {
    if (isAuthority(actor)) return;
    if ((actor.kind === "user" || actor.kind === "token") && actor.orgId === orgId) return;
    throw notFound("Organisation");
  }

  async function getOrg(tx: Db, orgId: string) {
    const [org] = await tx.select().from(organisations).where(eq(organisations.id, orgId));
    if (!org) throw notFound("Organisation");
    return org;
  }

  async function sessionView(tx: Db, idHash: string): Promise<SessionView> {
    const [row] = await tx
      .select({ s: sessions, u: users, org: organisations })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(organisations, eq(organisations.id, sessions.orgId))
      .where(eq(sessions.idHash, idHash));
    if (!row) throw new AppError("unauthenticated");
    const { s, u, org } = row;
    const ms = await tx
      .select({ orgId: memberships.orgId, role: memberships.role, orgNameZh: organisations.nameZh, orgNameEn: organisations.nameEn, orgKind: organisations.kind })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.orgId))
      .where(and(eq(memberships.userId, u.id), eq(organisations.status, "active")))
      .orderBy(asc(memberships.createdAt));
    return {
      user: { id: u.id, email: u.email, displayName: u.displayName, locale: u.locale, mfaEnabled: u.mfaEnabledAt !== null },
      organisation: { id: org.id, kind: org.kind, nameZh: org.nameZh, nameEn: org.nameEn, status: org.status },
      role: s.role,
      stage: s.stage,
      csrfToken: s.csrfToken,
      memberships: ms,
    };
  }

  /**
   * A session that passed its second factor becomes full under a new token and CSRF token: the
   * token it had while waiting for the code (all a stolen password gets) stops working.
   */
  async function promoteSession(tx: Db, idHash: string): Promise<{ stage: "full"; csrfToken: string; token: string }> {
    const token = randomToken(32);
    const csrfToken = randomToken(24);
    await tx.update(sessions).set({ idHash: sha256Hex(token), stage: "full", csrfToken }).where(eq(sessions.idHash, idHash));
    return { stage: "full", csrfToken, token };
  }

  async function openSession(tx: Db, userId: string, orgId: string, role: Role, mfaEnabled: boolean, meta: { ip?: string; userAgent?: string | undefined }) {
    const token = randomToken(32);
    const now = clock.now();
    const stage: "mfa" | "enrol" | "full" = mfaEnabled ? "mfa" : mfaRequiredRoles.has(role) ? "enrol" : "full";
    const csrfToken = randomToken(24);
    await tx.insert(sessions).values({
      idHash: sha256Hex(token),
      userId,
      orgId,
      role,
      stage,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + deps.sessionAbsoluteHours * 3_600_000),
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip ?? null,
    });
    return { token, stage, csrfToken };
  }

  async function activeMemberships(tx: Db, userId: string) {
    return tx
      .select({ orgId: memberships.orgId, role: memberships.role, orgStatus: organisations.status, orgKind: organisations.kind })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.orgId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.createdAt));
  }

  const service = {
    // ---------------------------------------------------------------- sign-in
    async login(input: { email: string; password: string }, meta: { ip?: string; userAgent?: string | undefined }) {
      const email = normEmail(input.email);
      const [u] = await db.select().from(users).where(eq(users.email, email));
      if (!u || !u.passwordHash || u.disabled) {
        await argonVerify(await dummyHash, input.password);
        throw new AppError("invalid_credentials");
      }
      const now = clock.now();
      // A locked account answers as a wrong password does, after the same work (the hash checked,
      // the attempt written): a lock said out loud would tell anyone who exists. Its owner was
      // mailed when it locked (recordFailedSignIn).
      const ok = await argonVerify(u.passwordHash, input.password);
      if (u.lockedUntil && u.lockedUntil > now) {
        const lockedUntil = u.lockedUntil;
        await db.transaction((tx) => audit(tx, { kind: "anonymous" }, { action: "user.login_refused_locked", objectType: "user", objectId: u.id, summary: { lockedUntil: lockedUntil.toISOString(), passwordRight: ok } }));
        throw new AppError("invalid_credentials");
      }
      // An unconfirmed account answers as a wrong password does, after the same work (the attempt
      // counted and audited), even to its right password: anyone can register an address with a
      // password of their choosing, and a different answer to it would tell a free address (the
      // registration created the account) from a taken one. The sign-in page's failure answer says
      // how to confirm an address or have the link sent again.
      if (!ok || u.emailVerifiedAt === null) {
        await db.transaction((tx) => recordFailedSignIn(tx, u.id, ok ? "user.login_refused_unverified" : "user.login_failed"));
        throw new AppError("invalid_credentials");
      }
      const ms = await activeMemberships(db, u.id);
      const m = ms.find((x) => x.orgStatus === "active");
      if (!m) {
        const pending = ms.some((x) => x.orgStatus === "pending");
        throw new AppError("forbidden", pending ? "Your organisation's registration is waiting for the authority's confirmation. You will get an e-mail when it is confirmed." : "Your account has no active organisation.");
      }
      return db.transaction(async (tx) => {
        // Guesses sent in parallel were all checked against the lock before any of them failed:
        // look again now that the failures are written.
        const [fresh] = await tx.select({ lockedUntil: users.lockedUntil }).from(users).where(eq(users.id, u.id)).for("update");
        if (fresh?.lockedUntil && fresh.lockedUntil > clock.now()) throw new AppError("invalid_credentials");
        // With MFA still to pass, the failure count carries on into the code step (verifyMfa resets it).
        if (u.mfaEnabledAt === null) await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, u.id));
        const s = await openSession(tx, u.id, m.orgId, m.role, u.mfaEnabledAt !== null, meta);
        await audit(tx, { kind: "user", userId: u.id, orgId: m.orgId, orgKind: m.orgKind, role: m.role }, { action: "session.created", objectType: "user", objectId: u.id, orgId: m.orgId, summary: { stage: s.stage } });
        return s;
      });
    },

    /** Resolves a session cookie; enforces idle and absolute expiry. */
    async authenticateSession(token: string): Promise<SessionContext | undefined> {
      if (token.length < 20 || token.length > 100) return undefined;
      const idHash = sha256Hex(token);
      // One query: the session, its user, its organisation and the membership it was opened for.
      const rows = await db
        .select({ s: sessions, orgKind: organisations.kind, orgStatus: organisations.status, disabled: users.disabled, verifiedAt: users.emailVerifiedAt, memberRole: memberships.role })
        .from(sessions)
        .innerJoin(organisations, eq(organisations.id, sessions.orgId))
        .innerJoin(users, eq(users.id, sessions.userId))
        .leftJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.orgId, sessions.orgId)))
        .where(eq(sessions.idHash, idHash));
      const row = rows[0];
      if (!row) return undefined;
      const now = clock.now();
      const idleLimit = new Date(row.s.lastSeenAt.getTime() + minutes(deps.sessionIdleMinutes));
      if (row.s.expiresAt <= now || idleLimit <= now || row.disabled || row.verifiedAt === null || row.orgStatus !== "active" || row.memberRole !== row.s.role) {
        await db.delete(sessions).where(eq(sessions.idHash, idHash));
        return undefined;
      }
      if (now.getTime() - row.s.lastSeenAt.getTime() > 30_000) {
        await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash));
      }
      return {
        actor: { kind: "user", userId: row.s.userId, orgId: row.s.orgId, orgKind: row.orgKind, role: row.s.role },
        stage: row.s.stage,
        csrfToken: row.s.csrfToken,
        idHash,
      };
    },

    getSession: (idHash: string) => sessionView(db, idHash),

    async verifyMfa(session: SessionContext, input: { code?: string | undefined; recoveryCode?: string | undefined }) {
      if (session.stage !== "mfa") throw new AppError("conflict", "This session does not wait for a verification code.");
      if (input.code === undefined && input.recoveryCode === undefined) throw invalid("code", "Enter the 6-digit code or a recovery code.");
      const userId = session.actor.userId;
      // A wrong code is written (failure count, lock, audit) and only then refused, so the
      // transaction commits: guesses count towards the same lock as wrong passwords.
      const outcome = await db.transaction(async (tx): Promise<{ refused: AppError } | { stage: "full"; csrfToken: string; token: string }> => {
        const [u] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
        if (!u?.mfaSecretEnc) throw new AppError("conflict", "Two-step verification is not set up for this account.");
        const now = clock.now();
        if (u.lockedUntil && u.lockedUntil > now) {
          await tx.delete(sessions).where(eq(sessions.idHash, session.idHash));
          return { refused: lockedOut() };
        }
        let how: string | undefined;
        let wrong = "";
        if (input.code !== undefined) {
          const secret = openSecret(deps.masterKey, u.mfaSecretEnc, `mfa:${u.id}`);
          const r = await totpVerify({ secret, token: input.code, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30, afterTimeStep: u.mfaLastStep ?? undefined });
          if (r.valid) {
            await tx.update(users).set({ mfaLastStep: timeStepOf(r) }).where(eq(users.id, u.id));
            how = "totp";
          } else wrong = "The code is wrong or was already used. Codes change every 30 seconds.";
        } else {
          const codeHash = sha256Hex((input.recoveryCode ?? "").replace(/[\s-]/g, "").toLowerCase());
          const [rc] = await tx.select().from(recoveryCodes).where(and(eq(recoveryCodes.userId, u.id), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)));
          if (rc) {
            await tx.update(recoveryCodes).set({ usedAt: now }).where(eq(recoveryCodes.id, rc.id));
            how = "recovery_code";
          } else wrong = "That recovery code is wrong or was already used.";
        }
        if (how === undefined) {
          const locked = await recordFailedSignIn(tx, u.id, "user.mfa_failed", session.actor);
          // every session of this user still waiting for a code ends with the lock
          if (locked) await tx.delete(sessions).where(and(eq(sessions.userId, u.id), eq(sessions.stage, "mfa")));
          return { refused: locked ? lockedOut() : new AppError("mfa_invalid", wrong) };
        }
        await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, u.id));
        const full = await promoteSession(tx, session.idHash);
        await audit(tx, session.actor, { action: "session.mfa_verified", objectType: "user", objectId: u.id, orgId: session.actor.orgId, summary: { how } });
        return full;
      });
      if ("refused" in outcome) throw outcome.refused;
      return outcome;
    },

    async startMfaEnrolment(session: SessionContext) {
      const userId = session.actor.userId;
      const [u] = await db.select().from(users).where(eq(users.id, userId));
      if (!u) throw new AppError("unauthenticated");
      if (u.mfaEnabledAt) throw new AppError("conflict", "Two-step verification is already set up.");
      if (session.stage === "mfa") throw new AppError("mfa_required");
      const secret = generateSecret({ length: 20 });
      await db.transaction(async (tx) => {
        await tx.update(users).set({ mfaSecretEnc: sealSecret(deps.masterKey, secret, `mfa:${u.id}`) }).where(eq(users.id, u.id));
        await audit(tx, session.actor, { action: "user.mfa_enrolment_started", objectType: "user", objectId: u.id, orgId: session.actor.orgId });
      });
      return { secret, otpauthUrl: generateURI({ issuer: "ectrust", label: u.email, secret }) };
    },

    async confirmMfaEnrolment(session: SessionContext, code: string) {
      const userId = session.actor.userId;
      return db.transaction(async (tx) => {
        const [u] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
        if (!u?.mfaSecretEnc) throw new AppError("conflict", "Start the set-up first.");
        if (u.mfaEnabledAt) throw new AppError("conflict", "Two-step verification is already set up.");
        const secret = openSecret(deps.masterKey, u.mfaSecretEnc, `mfa:${u.id}`);
        const r = await totpVerify({ secret, token: code, epoch: Math.floor(clock.now().getTime() / 1000), epochTolerance: 30 });
        if (!r.valid) throw new AppError("mfa_invalid", "The code does not match. Check the time on your phone and try the current code.");
        const codes = Array.from({ length: RECOVERY_CODES }, () => randomToken(8).replace(/[-_]/g, "x").slice(0, 10).toLowerCase());
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, u.id));
        await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId: u.id, codeHash: sha256Hex(c) })));
        await tx.update(users).set({ mfaEnabledAt: clock.now(), mfaLastStep: timeStepOf(r) }).where(eq(users.id, u.id));
        const full = await promoteSession(tx, session.idHash);
        await audit(tx, session.actor, { action: "user.mfa_enabled", objectType: "user", objectId: u.id, orgId: session.actor.orgId });
        return { recoveryCodes: codes, ...full };
      });
    },

    async logout(session: SessionContext) {
      await db.transaction(async (tx) => {
        await tx.delete(sessions).where(eq(sessions.idHash, session.idHash));
        await audit(tx, session.actor, { action: "session.ended", objectType: "user", objectId: session.actor.userId, orgId: session.actor.orgId });
      });
    },

    async logoutEverywhere(session: SessionContext) {
      await db.transaction(async (tx) => {
        const ended = await tx.delete(sessions).where(eq(sessions.userId, session.actor.userId)).returning({ id: sessions.idHash });
        await audit(tx, session.actor, { action: "session.ended_everywhere", objectType: "user", objectId: session.actor.userId, orgId: session.actor.orgId, summary: { sessions: ended.length } });
      });
    },

    async switchOrganisation(session: SessionContext, orgId: string, meta: { ip?: string; userAgent?: string | undefined }) {
      const ms = await activeMemberships(db, session.actor.userId);
      const m = ms.find((x) => x.orgId === orgId && x.orgStatus === "active");
      if (!m) throw notFound("Organisation");
      const [u] = await db.select().from(users).where(eq(users.id, session.actor.userId));
      if (!u) throw new AppError("unauthenticated");
      return db.transaction(async (tx) => {
        await tx.delete(sessions).where(eq(sessions.idHash, session.idHash));
        // MFA already passed in this sign-in carries over; enrolment is still demanded where the role needs it.
        const s = await openSession(tx, u.id, m.orgId, m.role, false, meta);
        const stage = session.stage === "full" && (u.mfaEnabledAt !== null || !mfaRequiredRoles.has(m.role)) ? "full" : s.stage;
        await tx.update(sessions).set({ stage }).where(eq(sessions.idHash, sha256Hex(s.token)));
        await audit(tx, session.actor, { action: "session.switched_organisation", objectType: "user", objectId: u.id, orgId, summary: { role: m.role } });
        return { ...s, stage };
      });
    },

    async setLocale(actor: Actor, locale: Locale) {
      if (actor.kind !== "user") throw forbidden();
      await db.update(users).set({ locale }).where(eq(users.id, actor.userId));
    },

    async changePassword(session: SessionContext, currentPassword: string, newPassword: string) {
      const [u] = await db.select().from(users).where(eq(users.id, session.actor.userId));
      if (!u?.passwordHash) throw new AppError("unauthenticated");
      if (!(await argonVerify(u.passwordHash, currentPassword))) {
        // Guesses of the current password from a signed-in session (a session someone else took
        // over) count towards the sign-in lock; the lock ends the user's sessions.
        const locked = await db.transaction(async (tx) => {
          const l = await recordFailedSignIn(tx, u.id, "user.password_change_failed", session.actor);
          if (l) await tx.delete(sessions).where(eq(sessions.userId, u.id));
          return l;
        });
        if (locked) throw new AppError("account_locked", "Too many wrong passwords. The account is temporarily locked and signed out everywhere; sign in again later.");
        throw new AppError("validation", "The current password is wrong.", { fields: [{ field: "currentPassword", message: "The current password is wrong." }] });
      }
      requirePassword(newPassword, u.email, "newPassword");
      const passwordHash = await hashPassword(newPassword);
      await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash }).where(eq(users.id, u.id));
        // every other session of this user ends, and every reset link mailed before the change
        await tx.delete(sessions).where(and(eq(sessions.userId, u.id), sql`${sessions.idHash} <> ${session.idHash}`));
        await tx.update(passwordResets).set({ usedAt: clock.now() }).where(and(eq(passwordResets.userId, u.id), isNull(passwordResets.usedAt)));
        await audit(tx, session.actor, { action: "user.password_changed", objectType: "user", objectId: u.id, orgId: session.actor.orgId });
      });
    },

    // ---------------------------------------------------------------- mailed links: password reset, address confirmation
    /**
     * Queues a reset link for the address. The request does the same work for any address: one read
     * by the e-mail index (as sign-in does) and one job, which names the account or none
     * (accountLinkJob); the job (sendAccountLink) does the rest.
     */
    async requestPasswordReset(emailInput: string) {
      await deps.jobs.send(ACCOUNTS_JOBS.link, await accountLinkJob("password_reset", emailInput));
    },

    /** Queues a new address-confirmation link ("send it again"), the same way as a reset link. */
    async requestEmailVerification(emailInput: string) {
      await deps.jobs.send(ACCOUNTS_JOBS.link, await accountLinkJob("email_verification", emailInput));
    },

    /**
     * The job behind both requests: mails the link when the account can use it (any live account for
     * a reset; an unconfirmed one for a confirmation), and otherwise does nothing.
     */
    async sendAccountLink(job: AccountLinkJob) {
      // jobs queued before links named the account carry the typed address instead
      const [u] = "email" in job ? await db.select().from(users).where(eq(users.email, normEmail(job.email))) : job.userId === null ? [] : await db.select().from(users).where(eq(users.id, job.userId));
      if (!u || u.disabled) return;
      if (job.kind === "email_verification") {
        if (u.emailVerifiedAt !== null) return;
        await db.transaction(async (tx) => {
          await issueEmailVerification(tx, u);
          await audit(tx, { kind: "anonymous" }, { action: "user.email_verification_requested", objectType: "user", objectId: u.id });
        });
        return;
      }
      const token = randomToken(32);
      const now = clock.now();
      await db.transaction(async (tx) => {
        await tx.insert(passwordResets).values({ tokenHash: sha256Hex(token), userId: u.id, createdAt: now, expiresAt: new Date(now.getTime() + minutes(RESET_MINUTES)) });
        await deps.mail.enqueue(tx, { to: u.email, template: "password_reset", locale: u.locale, vars: { name: u.displayName, link: `${deps.publicUrl}/reset-password#token=${token}`, minutes: String(RESET_MINUTES) } });
        await audit(tx, { kind: "anonymous" }, { action: "user.password_reset_requested", objectType: "user", objectId: u.id });
      });
    },

    /**
     * Confirms a registered address: the mailed link (the person reads the mailbox) and the password
     * chosen at registration (the person is the one who registered). The link alone would let the
     * owner of an address confirm, with one click, an account someone else registered in their name
     * and holds the password of. Wrong passwords count towards the sign-in lock.
     */
    async completeEmailVerification(token: string, password: string) {
      const tokenHash = sha256Hex(token);
      const now = clock.now();
      const [r] = await db.select().from(emailVerifications).where(eq(emailVerifications.tokenHash, tokenHash));
      const [u] = r ? await db.select().from(users).where(eq(users.id, r.userId)) : [];
      if (!r || !u || r.usedAt || r.expiresAt <= now || u.disabled || !u.passwordHash || u.emailVerifiedAt !== null) {
        throw new AppError("gone", "This confirmation link has expired or was already used. Sign in to have a new one sent.");
      }
      const ok = await argonVerify(u.passwordHash, password);
      const wrongPassword = () => new AppError("invalid_credentials", WRONG_REGISTRATION_PASSWORD, { fields: [{ field: "password", message: WRONG_REGISTRATION_PASSWORD }] });
      if (u.lockedUntil && u.lockedUntil > now) throw wrongPassword();
      if (!ok) {
        await db.transaction((tx) => recordFailedSignIn(tx, u.id, "user.email_verification_failed"));
        throw wrongPassword();
      }
      await db.transaction(async (tx) => {
        const used = await tx.update(emailVerifications).set({ usedAt: now }).where(and(eq(emailVerifications.tokenHash, tokenHash), isNull(emailVerifications.usedAt))).returning({ t: emailVerifications.tokenHash });
        if (used.length === 0) throw new AppError("gone", "This confirmation link was already used.");
        await markEmailVerified(tx, u.id, now);
        await tx.update(users).set({ failedLogins: 0 }).where(eq(users.id, u.id));
        await audit(tx, { kind: "anonymous" }, { action: "user.email_verified", objectType: "user", objectId: u.id, summary: { how: "link" } });
      });
    },

    async completePasswordReset(token: string, password: string) {
      const tokenHash = sha256Hex(token);
      const now = clock.now();
      const [r] = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, tokenHash));
      if (!r || r.usedAt || r.expiresAt <= now) throw new AppError("gone", "This reset link has expired or was already used. Ask for a new one.");
      const [u] = await db.select().from(users).where(eq(users.id, r.userId));
      if (!u) throw new AppError("gone");
      requirePassword(password, u.email);
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const used = await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt))).returning({ t: passwordResets.tokenHash });
        if (used.length === 0) throw new AppError("gone");
        // every other link mailed before this reset ends with it
        await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, u.id), isNull(passwordResets.usedAt)));
        await tx.update(users).set({ passwordHash, failedLogins: 0, lockedUntil: null }).where(eq(users.id, u.id));
        // the link came to the address: it is confirmed (and the password whoever registered it chose is gone)
        const verified = await markEmailVerified(tx, u.id, now);
        await tx.delete(sessions).where(eq(sessions.userId, u.id));
        await audit(tx, { kind: "anonymous" }, { action: "user.password_reset", objectType: "user", objectId: u.id, ...(verified ? { summary: { emailVerified: true } } : {}) });
      });
    },

    // ---------------------------------------------------------------- registration and organisations
    /**
     * Registers a merchant organisation (pending until the authority confirms it) and its first
     * administrator (unconfirmed until they open the mailed link). The answer is the same whether or
     * not the address already has an account, after the same work (the password hashed, one
     * transaction, one mail, one audit row): a new address gets the confirmation link, a known one a
     * notice to its owner, and nothing is created.
     */
    async registerMerchant(input: { organisation: { nameZh: string; nameEn: string }; admin: { email: string; displayName: string; password: string }; locale?: Locale | undefined }) {
      const email = normEmail(input.admin.email);
      requirePassword(input.admin.password, email, "admin.password");
      const passwordHash = await hashPassword(input.admin.password);
      await db.transaction(async (tx) => {
        const now = clock.now();
        // inserted first: two registrations of one address at once meet here, and the second waits
        // for the first and then finds the account (on PostgreSQL a check before the insert passes both)
        const [u] = await tx
          .insert(users)
          .values({ email, displayName: input.admin.displayName, passwordHash, locale: input.locale ?? "zh-TW", createdAt: now })
          .onConflictDoNothing({ target: users.email })
          .returning();
        if (!u) {
          const [owner] = await tx.select().from(users).where(eq(users.email, email));
          if (!owner) throw new AppError("internal", "the registered address has no account and took none");
          await deps.mail.enqueue(tx, {
            to: owner.email,
            template: ACCOUNTS_TEMPLATES.registrationExists,
            locale: owner.locale,
            vars: { name: owner.displayName, signInLink: `${deps.publicUrl}/sign-in`, resetLink: `${deps.publicUrl}/forgot-password` },
          });
          await audit(tx, { kind: "anonymous" }, { action: "user.registration_repeated", objectType: "user", objectId: owner.id, summary: { nameZh: input.organisation.nameZh, nameEn: input.organisation.nameEn } });
          return;
        }
        const [org] = await tx.insert(organisations).values({ kind: "merchant", nameZh: input.organisation.nameZh, nameEn: input.organisation.nameEn, status: "pending", createdAt: now }).returning();
        if (!org) throw new AppError("internal");
        await tx.insert(memberships).values({ userId: u.id, orgId: org.id, role: "merchant_admin", createdAt: now });
        await issueEmailVerification(tx, u);
        await audit(tx, { kind: "anonymous" }, { action: "organisation.registered", objectType: "organisation", objectId: org.id, orgId: org.id, summary: { nameZh: org.nameZh, nameEn: org.nameEn, admin: u.id } });
      });
      return { status: "check_mail" as const };
    },

    /**
     * Deletes self-registrations whose address was never confirmed, UNCONFIRMED_PURGE_DAYS after the
     * last link mailed to them (confirmation or reset) expired: the account, its links and
     * memberships, and its organisation if that is still pending and no one else belongs to it, is
     * invited to it or holds a token of it (only accounts' tables refer to organisations; a pending
     * one has no member who could have made anything elsewhere). One transaction and one audit row
     * per account. Unconfirmed accounts never mailed a confirmation link (from before confirmation,
     * migration 0010) are left alone, whatever reset links they had. Answers the ids of the accounts deleted.
     */
    async purgeUnconfirmedRegistrations(): Promise<{ purged: string[] }> {
      const cutoff = new Date(clock.now().getTime() - UNCONFIRMED_PURGE_DAYS * 86_400_000);
      // greatest() ignores nulls: an account with no link at all has no last expiry, and is never chosen
      // (drizzle writes columns unqualified in a one-table select: the outer row is named here)
      const lastLinkExpiry = sql`greatest((select max(ev.expires_at) from email_verifications ev where ev.user_id = "users"."id"), (select max(pr.expires_at) from password_resets pr where pr.user_id = "users"."id"))`.mapWith(emailVerifications.expiresAt);
      // Only accounts that were mailed a confirmation link: a registration from before migration 0010
      // has none, and may have old reset links, which did not confirm then (even used) and are no
      // reason to delete it; it confirms at its next sign-in (a later reset still sets the deadline).
      const hadConfirmationLink = sql`exists (select 1 from email_verifications ev where ev.user_id = "users"."id")`;
      const stale = and(isNull(users.emailVerifiedAt), hadConfirmationLink, sql`${lastLinkExpiry} < ${cutoff}`);
      const purged: string[] = [];
      /** accounts left alone in this run: confirmed or sent a new link meanwhile (undefined), or their deletion failed */
      const kept = new Map<string, unknown>();
      for (;;) {
        const batch = await db.select({ id: users.id }).from(users).where(kept.size ? and(stale, notInArray(users.id, [...kept.keys()])) : stale).orderBy(asc(users.id)).limit(100);
        if (batch.length === 0) break;
        for (const { id } of batch) {
          try {
            if (await purgeUnconfirmed(id, stale, lastLinkExpiry)) purged.push(id);
            else kept.set(id, undefined);
          } catch (e) {
            kept.set(id, e);
          }
        }
      }
      const errors = [...kept.values()].filter((e) => e !== undefined);
      // the others are gone; the job fails (and is retried) for the ones that could not be deleted
      if (errors.length > 0) throw new AggregateError(errors, `${String(errors.length)} unconfirmed registration(s) could not be deleted`);
      return { purged };
    },

    async decideRegistration(actor: Actor, orgId: string, decision: "approve" | "reject", reason: string) {
      if (!isAuthority(actor)) throw forbidden();
      return db.transaction(async (tx) => {
        const org = await getOrg(tx, orgId);
        if (org.status !== "pending") throw new AppError("invalid_transition", `The organisation is ${org.status}, not pending.`);
        if (decision === "approve") {
          // the authority vouches for an organisation whose administrator proved the address they registered with
          const [confirmed] = await tx.select({ id: users.id }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(and(eq(memberships.orgId, orgId), isNotNull(users.emailVerifiedAt))).limit(1);
          if (!confirmed) throw new AppError("invalid_transition", "The registration's administrator has not confirmed their e-mail address yet. Approve it once they have; it can be rejected now.");
        }
        const status: OrgStatus = decision === "approve" ? "active" : "rejected";
        await tx.update(organisations).set({ status }).where(eq(organisations.id, orgId));
        const admins = await tx.select({ email: users.email, locale: users.locale, name: users.displayName }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(eq(memberships.orgId, orgId));
        for (const a of admins) {
          await deps.mail.enqueue(tx, { to: a.email, template: "account_confirmed", locale: a.locale, orgId, vars: { name: a.name, organisation: a.locale === "en" ? org.nameEn : org.nameZh, decision, reason, link: `${deps.publicUrl}/login` } });
        }
        await audit(tx, actor, { action: `organisation.${decision === "approve" ? "approved" : "rejected"}`, objectType: "organisation", objectId: orgId, orgId, summary: { before: org.status, after: status, reason } });
        return { ...org, status };
      });
    },

    async createOrganisation(actor: Actor, input: { kind: OrgKind; nameZh: string; nameEn: string; adminEmail: string }) {
      if (!isAuthority(actor) || actor.kind !== "user") throw forbidden();
      return db.transaction(async (tx) => {
        const now = clock.now();
        const [org] = await tx.insert(organisations).values({ kind: input.kind, nameZh: input.nameZh, nameEn: input.nameEn, status: "active", createdAt: now }).returning();
        if (!org) throw new AppError("internal");
        await audit(tx, actor, { action: "organisation.created", objectType: "organisation", objectId: org.id, orgId: org.id, summary: { kind: org.kind, nameZh: org.nameZh } });
        const role = rolesByOrgKind[input.kind][0];
        if (!role) throw new AppError("internal");
        await inviteTx(tx, actor, org, normEmail(input.adminEmail), role);
        return org;
      });
    },

    async listOrganisations(actor: Actor, q: { kind?: OrgKind | undefined; status?: OrgStatus | undefined; q?: string | undefined; before?: string | undefined; limit: number }) {
      if (!isAuthority(actor)) throw forbidden();
      const conds: SQL[] = [];
      if (q.kind) conds.push(eq(organisations.kind, q.kind));
      if (q.status) conds.push(eq(organisations.status, q.status));
      if (q.q) {
        const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const c = or(ilike(organisations.nameZh, pattern), ilike(organisations.nameEn, pattern));
        if (c) conds.push(c);
      }
      if (q.before) {
        const [b] = await db.select({ createdAt: organisations.createdAt }).from(organisations).where(eq(organisations.id, q.before));
        if (b) {
          const c = or(lt(organisations.createdAt, b.createdAt), and(eq(organisations.createdAt, b.createdAt), lt(organisations.id, q.before)));
          if (c) conds.push(c);
        }
      }
      // whether a member proved their address: the authority approves a registration only then (decideRegistration)
      // (drizzle writes columns unqualified in a one-table select: the outer row is named here)
      const emailConfirmed = sql<boolean>`exists (select 1 from memberships m join users u on u.id = m.user_id where m.org_id = "organisations"."id" and u.email_verified_at is not null)`;
      const rows = await db
        .select({ ...getTableColumns(organisations), emailConfirmed })
        .from(organisations)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(organisations.createdAt), desc(organisations.id))
        .limit(q.limit + 1);
      const items = rows.slice(0, q.limit);
      return { items: items as (OrganisationView & { emailConfirmed: boolean })[], nextBefore: rows.length > q.limit ? (items[items.length - 1]?.id ?? null) : null };
    },

    async getOrganisation(actor: Actor, orgId: string): Promise<OrganisationView> {
      assertOrgAccess(actor, orgId);
      return getOrg(db, orgId);
    },

    /**
     * Display names of organisations, one query for a whole list (certification (issue 4) shows
     * who applied to whom). Names only, for ids the caller already holds in a record it may read.
     */
    async orgNames(ids: readonly string[]): Promise<Map<string, { nameZh: string; nameEn: string }>> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db.select({ id: organisations.id, nameZh: organisations.nameZh, nameEn: organisations.nameEn }).from(organisations).where(inArray(organisations.id, unique));
      return new Map(rows.map((r) => [r.id, { nameZh: r.nameZh, nameEn: r.nameEn }]));
    },

    /**
     * Display names of users, one query for a whole page (the audit trail names who acted). Names
     * only, never addresses, for ids the caller already holds in a record it may read; a user who
     * no longer exists has no entry.
     */
    async userNames(ids: readonly string[]): Promise<Map<string, string>> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db.select({ id: users.id, displayName: users.displayName }).from(users).where(inArray(users.id, unique));
      return new Map(rows.map((r) => [r.id, r.displayName]));
    },

    // ---------------------------------------------------------------- members and invitations
    async listMembers(actor: Actor, orgId: string) {
      assertOrgAccess(actor, orgId);
      await getOrg(db, orgId);
      const rows = await db
        .select({ userId: users.id, email: users.email, displayName: users.displayName, role: memberships.role, mfaEnabledAt: users.mfaEnabledAt, createdAt: memberships.createdAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.orgId, orgId))
        .orderBy(asc(memberships.createdAt));
      return rows.map(({ mfaEnabledAt, ...r }) => ({ ...r, mfaEnabled: mfaEnabledAt !== null }));
    },

    async changeRole(actor: Actor, orgId: string, userId: string, role: Role) {
      assertOrgAccess(actor, orgId);
      return db.transaction(async (tx) => {
        const org = await getOrg(tx, orgId);
        if (!rolesByOrgKind[org.kind].includes(role)) throw invalid("role", `An organisation of kind ${org.kind} cannot have the role ${role}.`);
        const [m] = await tx.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
        if (!m) throw notFound("Member");
        if (m.role === role) return;
        await assertNotLastAdmin(tx, org.kind, orgId, m.role, userId);
        await tx.update(memberships).set({ role }).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
        await tx.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.orgId, orgId)));
        // tokens this person made with a role they no longer hold stop working
        // (a promotion to the organisation's administrator takes nothing away: its tokens stay)
        const revoked = role === rolesByOrgKind[org.kind][0] ? [] : await revokeTokensOf(tx, org, userId, ne(apiTokens.role, role));
        await audit(tx, actor, { action: "member.role_changed", objectType: "membership", objectId: `${orgId}:${userId}`, orgId, summary: { before: m.role, after: role, revokedApiTokens: revoked } });
      });
    },

    async removeMember(actor: Actor, orgId: string, userId: string) {
      assertOrgAccess(actor, orgId);
      await db.transaction(async (tx) => {
        const org = await getOrg(tx, orgId);
        const [m] = await tx.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
        if (!m) throw notFound("Member");
        await assertNotLastAdmin(tx, org.kind, orgId, m.role, userId);
        await tx.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
        await tx.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.orgId, orgId)));
        // a person who leaves keeps no access through the API tokens they made
        const revoked = await revokeTokensOf(tx, org, userId);
        await audit(tx, actor, { action: "member.removed", objectType: "membership", objectId: `${orgId}:${userId}`, orgId, summary: { role: m.role, revokedApiTokens: revoked } });
      });
    },

    async listInvitations(actor: Actor, orgId: string) {
      assertOrgAccess(actor, orgId);
      const now = clock.now();
      const rows = await db.select().from(invitations).where(eq(invitations.orgId, orgId)).orderBy(desc(invitations.createdAt));
      return rows.map((i) => ({
        id: i.id,
        email: i.email,
        role: i.role,
        createdAt: i.createdAt,
        expiresAt: i.expiresAt,
        status: i.acceptedAt ? ("accepted" as const) : i.revokedAt ? ("revoked" as const) : i.expiresAt <= now ? ("expired" as const) : ("pending" as const),
      }));
    },

    async invite(actor: Actor, orgId: string, input: { email: string; role: Role }) {
      assertOrgAccess(actor, orgId);
      return db.transaction(async (tx) => {
        const org = await getOrg(tx, orgId);
        if (!rolesByOrgKind[org.kind].includes(input.role)) throw invalid("role", `An organisation of kind ${org.kind} cannot have the role ${input.role}.`);
        const email = normEmail(input.email);
        const [already] = await tx.select({ u: memberships.userId }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(and(eq(memberships.orgId, orgId), eq(users.email, email)));
        if (already) throw new AppError("conflict", "This person is already a member.", { fields: [{ field: "email", message: "already a member" }] });
        return inviteTx(tx, actor, org, email, input.role);
      });
    },

    async revokeInvitation(actor: Actor, orgId: string, invitationId: string) {
      assertOrgAccess(actor, orgId);
      await db.transaction(async (tx) => {
        const [i] = await tx.select().from(invitations).where(and(eq(invitations.id, invitationId), eq(invitations.orgId, orgId)));
        if (!i) throw notFound("Invitation");
        if (i.acceptedAt || i.revokedAt) throw new AppError("invalid_transition", "This invitation was already accepted or revoked.");
        await tx.update(invitations).set({ revokedAt: clock.now() }).where(eq(invitations.id, invitationId));
        await audit(tx, actor, { action: "invitation.revoked", objectType: "invitation", objectId: invitationId, orgId, summary: { email: i.email } });
      });
    },

    async lookupInvitation(token: string) {
      const i = await openInvitation(db, token);
      const org = await getOrg(db, i.orgId);
      const [u] = await db.select({ id: users.id, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.email, i.email));
      // an unconfirmed account is taken over by whoever accepts (acceptInvitation): they choose its name and password
      return { email: i.email, role: i.role, organisation: { nameZh: org.nameZh, nameEn: org.nameEn }, existingUser: u !== undefined && u.verifiedAt !== null };
    },

    /**
     * The mailed link proves the address, so the account ends up confirmed. An account whose address
     * was never confirmed is not asked for its password: it may be someone else's registration in
     * the invitee's name. The invitee sets its name and password as for a new account, and the
     * password the registrant chose stops working.
     */
    async acceptInvitation(input: { token: string; displayName?: string | undefined; password: string }) {
      const i = await openInvitation(db, input.token);
      const [found] = await db.select().from(users).where(eq(users.email, i.email));
      const existing = found?.emailVerifiedAt === null ? undefined : found;
      const unconfirmed = found !== undefined && existing === undefined ? found : undefined;
      let passwordHash: string | undefined;
      if (existing) {
        if (!existing.passwordHash || !(await argonVerify(existing.passwordHash, input.password))) {
          throw new AppError("invalid_credentials", "You already have an account: enter its current password to join.");
        }
      } else {
        if (!input.displayName?.trim()) throw invalid("displayName", "Enter your name.");
        requirePassword(input.password, i.email);
        passwordHash = await hashPassword(input.password);
      }
      await db.transaction(async (tx) => {
        const now = clock.now();
        const claimed = await tx.update(invitations).set({ acceptedAt: now }).where(and(eq(invitations.id, i.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))).returning({ id: invitations.id });
        if (claimed.length === 0) throw new AppError("gone");
        let userId = existing?.id;
        if (unconfirmed) {
          const [u] = await tx
            .update(users)
            .set({ displayName: (input.displayName ?? "").trim(), passwordHash: passwordHash ?? null, emailVerifiedAt: now, failedLogins: 0, lockedUntil: null })
            .where(and(eq(users.id, unconfirmed.id), isNull(users.emailVerifiedAt)))
            .returning({ id: users.id });
          if (!u) throw new AppError("conflict", "This account's e-mail address was just confirmed. Accept the invitation again with that account's password.");
          await tx.update(emailVerifications).set({ usedAt: now }).where(and(eq(emailVerifications.userId, unconfirmed.id), isNull(emailVerifications.usedAt)));
          await tx.delete(sessions).where(eq(sessions.userId, unconfirmed.id));
          userId = u.id;
        } else if (!userId) {
          // The address was free when looked up above, before hashing; another acceptance for it
          // (another organisation's invitation) may have taken it since.
          const [u] = await tx
            .insert(users)
            .values({ email: i.email, displayName: (input.displayName ?? "").trim(), passwordHash: passwordHash ?? null, emailVerifiedAt: now, createdAt: now })
            .onConflictDoNothing({ target: users.email })
            .returning({ id: users.id });
          if (!u) throw new AppError("conflict", "An account with this e-mail address was just created. Accept the invitation again with that account's password.");
          userId = u.id;
        }
        if (!userId) throw new AppError("internal");
        await tx.insert(memberships).values({ userId, orgId: i.orgId, role: i.role, createdAt: now }).onConflictDoNothing();
        await audit(tx, { kind: "anonymous" }, { action: "invitation.accepted", objectType: "invitation", objectId: i.id, orgId: i.orgId, summary: { userId, role: i.role, newUser: !found, ...(unconfirmed ? { unconfirmedAccountTakenOver: true } : {}) } });
      });
    },

    // ---------------------------------------------------------------- API tokens
    async listApiTokens(actor: Actor, orgId: string) {
      assertOrgAccess(actor, orgId);
      const rows = await db.select().from(apiTokens).where(eq(apiTokens.orgId, orgId)).orderBy(desc(apiTokens.createdAt));
      return rows.map(({ tokenHash: _h, createdBy: _c, orgId: _o, ...t }) => t);
    },

    async createApiToken(actor: Actor, orgId: string, input: { name: string; role: Role; expiresInDays: number }) {
      assertOrgAccess(actor, orgId);
      if (actor.kind !== "user") throw forbidden("API tokens are created by people, not by other tokens.");
      return db.transaction(async (tx) => {
        const org = await getOrg(tx, orgId);
        if (!rolesByOrgKind[org.kind].includes(input.role)) throw invalid("role", `An organisation of kind ${org.kind} cannot have the role ${input.role}.`);
        const secret = randomToken(32);
        const token = `${TOKEN_PREFIX}${secret}`;
        const now = clock.now();
        const [row] = await tx
          .insert(apiTokens)
          .values({ orgId, role: input.role, name: input.name, prefix: token.slice(0, 10), tokenHash: sha256Hex(token), createdBy: actor.userId, createdAt: now, expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000) })
          .returning();
        if (!row) throw new AppError("internal");
        await audit(tx, actor, { action: "api_token.created", objectType: "api_token", objectId: row.id, orgId, summary: { name: input.name, role: input.role, expiresAt: row.expiresAt?.toISOString() } });
        const { tokenHash: _h, createdBy: _c, orgId: _o, ...view } = row;
        return { ...view, token };
      });
    },

    async revokeApiToken(actor: Actor, orgId: string, tokenId: string) {
      assertOrgAccess(actor, orgId);
      await db.transaction(async (tx) => {
        const [t] = await tx.select().from(apiTokens).where(and(eq(apiTokens.id, tokenId), eq(apiTokens.orgId, orgId)));
        if (!t) throw notFound("API token");
        if (t.revokedAt) return;
        await tx.update(apiTokens).set({ revokedAt: clock.now() }).where(eq(apiTokens.id, tokenId));
        await audit(tx, actor, { action: "api_token.revoked", objectType: "api_token", objectId: tokenId, orgId, summary: { name: t.name } });
      });
    },

    async authenticateApiToken(token: string): Promise<Extract<Actor, { kind: "token" }> | undefined> {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined;
      const [row] = await db
        .select({ t: apiTokens, orgKind: organisations.kind, orgStatus: organisations.status })
        .from(apiTokens)
        .innerJoin(organisations, eq(organisations.id, apiTokens.orgId))
        .where(eq(apiTokens.tokenHash, sha256Hex(token)));
      const now = clock.now();
      if (!row || row.t.revokedAt || (row.t.expiresAt && row.t.expiresAt <= now) || row.orgStatus !== "active") return undefined;
      if (!constantTimeEqual(row.t.tokenHash, sha256Hex(token))) return undefined;
      if (!row.t.lastUsedAt || now.getTime() - row.t.lastUsedAt.getTime() > 60_000) {
        await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.t.id));
      }
      return { kind: "token", tokenId: row.t.id, orgId: row.t.orgId, orgKind: row.orgKind, role: row.t.role };
    },

    // ---------------------------------------------------------------- seeding (demo, tests)
    async seedOrganisation(input: { kind: OrgKind; nameZh: string; nameEn: string; status?: OrgStatus }) {
      return db.transaction(async (tx) => {
        const [org] = await tx.insert(organisations).values({ ...input, status: input.status ?? "active", createdAt: clock.now() }).returning();
        if (!org) throw new AppError("internal");
        await audit(tx, { kind: "system", name: "seed" }, { action: "organisation.created", objectType: "organisation", objectId: org.id, orgId: org.id, summary: { kind: org.kind } });
        return org;
      });
    },

    async seedUser(input: { orgId: string; role: Role; email: string; displayName: string; password: string; totpSecret?: string; locale?: Locale }) {
      const passwordHash = await hashPassword(input.password);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const [u] = await tx
          .insert(users)
          .values({ email: normEmail(input.email), displayName: input.displayName, passwordHash, locale: input.locale ?? "zh-TW", emailVerifiedAt: now, createdAt: now })
          .returning();
        if (!u) throw new AppError("internal");
        if (input.totpSecret) {
          await tx.update(users).set({ mfaSecretEnc: sealSecret(deps.masterKey, input.totpSecret, `mfa:${u.id}`), mfaEnabledAt: now }).where(eq(users.id, u.id));
        }
        await tx.insert(memberships).values({ userId: u.id, orgId: input.orgId, role: input.role, createdAt: now });
        await audit(tx, { kind: "system", name: "seed" }, { action: "user.created", objectType: "user", objectId: u.id, orgId: input.orgId, summary: { role: input.role } });
        return u;
      });
    },

    async findUserByEmail(email: string) {
      const [u] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, normEmail(email)));
      return u;
    },

    async findOrganisationByName(nameEn: string) {
      const [o] = await db.select().from(organisations).where(eq(organisations.nameEn, nameEn));
      return o;
    },
  };

  /** The refusal of a second-factor attempt while the account is locked (or that locked it). */
  function lockedOut(): AppError {
    return new AppError("account_locked", "Too many failed attempts. The account is temporarily locked; sign in again later.");
  }

  /**
   * One failed sign-in step (password or second factor), counted atomically so that parallel
   * guesses cannot overwrite each other's count; locks the account at LOCKOUT_THRESHOLD.
   * Answers whether this failure locked it.
   */
  async function recordFailedSignIn(tx: Db, userId: string, action: string, actor: Actor = { kind: "anonymous" }): Promise<boolean> {
    const now = clock.now();
    const [row] = await tx.update(users).set({ failedLogins: sql`${users.failedLogins} + 1` }).where(eq(users.id, userId)).returning({ failed: users.failedLogins });
    const failed = row?.failed ?? LOCKOUT_THRESHOLD;
    const locked = failed >= LOCKOUT_THRESHOLD;
    if (locked) {
      const [u] = await tx
        .update(users)
        .set({ failedLogins: 0, lockedUntil: new Date(now.getTime() + minutes(LOCKOUT_MINUTES)) })
        .where(eq(users.id, userId))
        .returning({ email: users.email, locale: users.locale, name: users.displayName });
      // The sign-in page does not say that an account is locked (that would say it exists): its owner hears it here.
      if (u) await deps.mail.enqueue(tx, { to: u.email, template: ACCOUNTS_TEMPLATES.locked, locale: u.locale, vars: { name: u.name, minutes: String(LOCKOUT_MINUTES), link: `${deps.publicUrl}/forgot-password` } });
    }
    await audit(tx, actor, { action: locked ? "user.locked" : action, objectType: "user", objectId: userId, summary: { failedLogins: failed } });
    return locked;
  }

  /**
   * The job for a link request: the account's id, or null for an address without one. The address
   * typed into the form is not stored: the job queue keeps jobs (for days, docs/jobs.md), and an
   * address that has no account, or one someone else typed, is no business of ours to keep.
   */
  async function accountLinkJob(kind: AccountLinkKind, emailInput: string): Promise<AccountLinkJob> {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, normEmail(emailInput)));
    return { kind, userId: u?.id ?? null };
  }

  /** A new single-use confirmation link for a registered address, mailed in the caller's transaction. */
  async function issueEmailVerification(tx: Db, u: { id: string; email: string; displayName: string; locale: Locale }): Promise<void> {
    const token = randomToken(32);
    const now = clock.now();
    await tx.insert(emailVerifications).values({ tokenHash: sha256Hex(token), userId: u.id, createdAt: now, expiresAt: new Date(now.getTime() + VERIFICATION_HOURS * 3_600_000) });
    await deps.mail.enqueue(tx, {
      to: u.email,
      template: ACCOUNTS_TEMPLATES.verifyEmail,
      locale: u.locale,
      vars: { name: u.displayName, link: `${deps.publicUrl}/verify-email#token=${token}`, hours: String(VERIFICATION_HOURS) },
    });
  }

  /** One unconfirmed registration deleted (purgeUnconfirmedRegistrations), if it is still `stale` under its row lock. */
  async function purgeUnconfirmed(userId: string, stale: SQL | undefined, lastLinkExpiry: SQL<Date>): Promise<boolean> {
    return db.transaction(async (tx) => {
      // the lock holds off a confirmation, a reset or an invitation taking the account over
      const [u] = await tx.select({ id: users.id, lastLinkExpiry }).from(users).where(and(eq(users.id, userId), stale)).for("update");
      if (!u) return false;
      const ms = await tx.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId));
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      await tx.delete(emailVerifications).where(eq(emailVerifications.userId, userId));
      await tx.delete(passwordResets).where(eq(passwordResets.userId, userId));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      await tx.delete(memberships).where(eq(memberships.userId, userId));
      const organisationsDeleted: string[] = [];
      for (const { orgId } of ms) {
        const [org] = await tx.select({ status: organisations.status }).from(organisations).where(eq(organisations.id, orgId)).for("update");
        if (org?.status !== "pending") continue;
        const held =
          (await tx.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.orgId, orgId)).limit(1)).length > 0 ||
          (await tx.select({ id: invitations.id }).from(invitations).where(eq(invitations.orgId, orgId)).limit(1)).length > 0 ||
          (await tx.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.orgId, orgId)).limit(1)).length > 0;
        if (held) continue;
        await tx.delete(organisations).where(eq(organisations.id, orgId));
        organisationsDeleted.push(orgId);
      }
      await tx.delete(users).where(eq(users.id, userId));
      await audit(tx, { kind: "system", name: "accounts.purge-unconfirmed" }, {
        action: "user.purged_unconfirmed",
        objectType: "user",
        objectId: userId,
        orgId: organisationsDeleted[0] ?? ms[0]?.orgId ?? null,
        summary: { lastLinkExpiredAt: u.lastLinkExpiry.toISOString(), purgeDays: UNCONFIRMED_PURGE_DAYS, memberships: ms.map((m) => m.orgId), organisationsDeleted },
      });
      return true;
    });
  }

  /** Marks the address confirmed (if it was not) and ends its outstanding confirmation links; answers whether it changed. */
  async function markEmailVerified(tx: Db, userId: string, now: Date): Promise<boolean> {
    const changed = await tx.update(users).set({ emailVerifiedAt: now }).where(and(eq(users.id, userId), isNull(users.emailVerifiedAt))).returning({ id: users.id });
    await tx.update(emailVerifications).set({ usedAt: now }).where(and(eq(emailVerifications.userId, userId), isNull(emailVerifications.usedAt)));
    return changed.length > 0;
  }

  /**
   * Revokes the live API tokens `userId` created in `org` (matching `extra`); answers their ids. A
   * member of the authority acts on every organisation, so for the authority it is the tokens they
   * created anywhere.
   */
  async function revokeTokensOf(tx: Db, org: { id: string; kind: OrgKind }, userId: string, extra?: SQL): Promise<string[]> {
    const rows = await tx
      .update(apiTokens)
      .set({ revokedAt: clock.now() })
      .where(
        and(
          // for the authority: its own tokens, and those in organisations the person is not a member of
          org.kind === "authority"
            ? or(eq(apiTokens.orgId, org.id), notInArray(apiTokens.orgId, tx.select({ id: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId))))
            : eq(apiTokens.orgId, org.id),
          eq(apiTokens.createdBy, userId),
          isNull(apiTokens.revokedAt),
          extra,
        ),
      )
      .returning({ id: apiTokens.id });
    return rows.map((r) => r.id);
  }

  async function assertNotLastAdmin(tx: Db, kind: OrgKind, orgId: string, currentRole: Role, userId: string) {
    const adminRole = rolesByOrgKind[kind][0];
    if (currentRole !== adminRole) return;
    // One change to an organisation's administrators at a time: two admins removing or demoting each
    // other at once each counted the other as the one left (READ COMMITTED). The organisation's row is
    // the lock; the count below then sees the other change committed.
    await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, orgId)).for("update");
    const others = await tx.select({ u: memberships.userId }).from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.role, currentRole), sql`${memberships.userId} <> ${userId}`));
    if (others.length === 0) throw new AppError("conflict", "An organisation needs at least one administrator. Make someone else an administrator first.");
  }

  async function inviteTx(tx: Db, actor: Actor, org: { id: string; nameZh: string; nameEn: string }, email: string, role: Role) {
    const token = randomToken(32);
    const now = clock.now();
    const [inv] = await tx
      .insert(invitations)
      .values({ orgId: org.id, email, role, tokenHash: sha256Hex(token), invitedBy: actor.userId ?? "00000000-0000-0000-0000-000000000000", createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000) })
      .returning();
    if (!inv) throw new AppError("internal");
    const [known] = await tx.select({ locale: users.locale }).from(users).where(eq(users.email, email));
    const locale = known?.locale ?? "zh-TW";
    await deps.mail.enqueue(tx, { to: email, template: "invitation", locale, orgId: org.id, vars: { organisation: locale === "en" ? org.nameEn : org.nameZh, role, link: `${deps.publicUrl}/accept-invite#token=${token}`, days: String(INVITATION_DAYS) } });
    await audit(tx, actor, { action: "invitation.created", objectType: "invitation", objectId: inv.id, orgId: org.id, summary: { email, role } });
    return { id: inv.id, email, role, createdAt: inv.createdAt, expiresAt: inv.expiresAt, status: "pending" as const };
  }

  async function openInvitation(tx: Db, token: string) {
    const [i] = await tx.select().from(invitations).where(eq(invitations.tokenHash, sha256Hex(token)));
    if (!i || i.acceptedAt || i.revokedAt || i.expiresAt <= clock.now()) throw new AppError("gone", "This invitation has expired, was revoked or was already used. Ask for a new one.");
    return i;
  }

  return service;
}

export type AccountsService = ReturnType<typeof createAccountsService>;
