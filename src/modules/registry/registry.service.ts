// Registry: who a shop is (profile, legal-field changes through review), which origins are
// really theirs (HTTP/DNS proofs, re-checks, TLS binding), the identity confirmation workflow
// (identity-status.ts) and the public registry. Every change runs in one transaction with its
// audit row (and mail, through the outbox). Object rule: a merchant acts on its own shop;
// the authority on every shop; anyone else is told the shop does not exist.
import { randomBytes } from "node:crypto";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit, type AuditEntry } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { Fetcher } from "../../platform/net/fetcher.ts";
import type { CertificateInfo } from "../../platform/net/tls-info.ts";
import { transition, type GuardFacts, type IdentityAction, type IdentityStatus, type Party } from "./identity-status.ts";
import { OriginError, parseOrigin } from "./origin.ts";
import { checkProof, proofInstructions } from "./proofs.ts";
import { parseSearchQuery, SearchQueryError } from "./search-query.ts";
import { mailTemplates } from "../../platform/mail/mail.templates.ts";
import { MAX_VAR_LENGTH } from "../../platform/mail/templates.ts";
import { addRegistryTemplates, type RegistryNoticeEvent } from "./registry.mail.ts";
import { LIVE_ORIGIN, registryRepo as repo, type OriginRow, type ShopRow, type TlsRow } from "./registry.repo.ts";
import type { ProofMethod, SalesModel, Sector } from "./registry.tables.ts";
import { checkUbn } from "./ubn.ts";

export interface RegistryMailPort {
  enqueue(tx: Db, message: { to: string; template: string; locale: "zh-TW" | "en"; vars: Record<string, string>; orgId?: string | null }): Promise<unknown>;
}
/** Only what the registry needs from evidence storage: the row, with its own access check. */
export interface RegistryEvidencePort {
  get(actor: Actor, id: string): Promise<{ id: string; orgId: string; filename: string; mediaType: string; sizeBytes: number }>;
}

export interface RegistrySettings {
  /** how long a confirmation lasts (default 12 months) */
  confirmationMonths: number;
  /** how long a proof holds before it is re-checked (default 30 days) */
  proofValidDays: number;
  /** how long a failing origin keeps counting before it lapses (default 14 days) */
  graceDays: number;
  /** warn this many days before a certificate expires (default 21) */
  tlsWarnDays: number;
  /** renewal may be decided this many days before expiry (default 60) */
  renewalWindowDays: number;
  /** when another shop proves a held host, the holder's proof is re-checked at once if older than this (default 60) */
  challengeRecheckMinutes: number;
}

export const defaultRegistrySettings: RegistrySettings = { confirmationMonths: 12, proofValidDays: 30, graceDays: 14, tlsWarnDays: 21, renewalWindowDays: 60, challengeRecheckMinutes: 60 };

export interface RegistryDeps {
  db: Db;
  clock: Clock;
  fetcher: Fetcher;
  mail: RegistryMailPort;
  evidence: RegistryEvidencePort;
  publicUrl: string;
  settings?: Partial<RegistrySettings>;
}

export const LEGAL_FIELDS = ["legalNameZh", "legalNameEn", "ubn", "representative", "address"] as const;
export type LegalField = (typeof LEGAL_FIELDS)[number];
export const CONTACT_FIELDS = ["contactEmail", "contactPhone", "serviceChannel", "salesModel", "sector"] as const;

export interface ProfileInput {
  legalNameZh: string;
  legalNameEn: string;
  ubn: string;
  representative: string;
  address: string;
  contactEmail: string;
  contactPhone: string;
  serviceChannel: string;
  salesModel: SalesModel;
  sector: Sector;
}

export interface IdentityChange {
  shopId: string;
  orgId: string;
  from: IdentityStatus;
  to: IdentityStatus;
  action: IdentityAction;
  at: Date;
  expiresAt: Date | null;
  /** the open transaction: a listener's writes commit or roll back with the change */
  tx: Db;
}
export type IdentityListener = (change: IdentityChange) => Promise<void> | void;
/** An origin removed from a shop, inside the removal's transaction (seals re-sync the shop's credentials at once). */
export type OriginRemovedListener = (change: { shopId: string; orgId: string; origin: string; tx: Db }) => Promise<void> | void;

/** Other modules add sections to the public shop page (marks, scan grade) through this hook. */
export type PublicShopExtension = (shopId: string) => Promise<unknown>;

type Member = Extract<Actor, { kind: "user" | "token" }>;
const isMember = (a: Actor): a is Member => a.kind === "user" || a.kind === "token";
const isAuthority = (a: Actor): boolean => isMember(a) && a.orgKind === "authority";
const DAY = 86_400_000;

export function shopView(s: ShopRow) {
  return {
    id: s.id,
    orgId: s.orgId,
    legalNameZh: s.legalNameZh,
    legalNameEn: s.legalNameEn,
    ubn: s.ubn,
    ubnCurrentRuleOnly: s.ubnCurrentRuleOnly,
    representative: s.representative,
    address: s.address,
    contactEmail: s.contactEmail,
    contactPhone: s.contactPhone,
    serviceChannel: s.serviceChannel,
    salesModel: s.salesModel,
    sector: s.sector,
    identityStatus: s.identityStatus,
    awaitingShop: s.awaitingShop,
    statusChangedAt: s.statusChangedAt,
    confirmedAt: s.confirmedAt,
    expiresAt: s.expiresAt,
    createdAt: s.createdAt,
  };
}
export type ShopView = ReturnType<typeof shopView>;
/** Another shop stating the same business number, as the authority's review shows it. */
export interface SameUbnShop { id: string; legalNameZh: string; legalNameEn: string; identityStatus: IdentityStatus; statusChangedAt: Date }

export function originView(o: OriginRow, tls?: TlsRow) {
  const p = parseOrigin(o.origin);
  return {
    id: o.id,
    origin: o.origin,
    host: o.host,
    unicodeHost: p.unicodeHost ?? null,
    status: o.status,
    method: o.method,
    provenAt: o.provenAt,
    proofExpiresAt: o.proofExpiresAt,
    lastCheckedAt: o.lastCheckedAt,
    lastError: o.lastError,
    failingSince: o.failingSince,
    instructions: proofInstructions(o.origin, o.host, o.token),
    tls: tls ? tlsView(tls) : null,
  };
}

export function tlsView(t: TlsRow) {
  return {
    fingerprint256: t.fingerprint256,
    subject: t.subject,
    issuer: t.issuer,
    subjectAltNames: t.subjectAltNames,
    validFrom: t.validFrom,
    validTo: t.validTo,
    keyType: t.keyType,
    keyBits: t.keyBits,
    firstSeenAt: t.firstSeenAt,
    lastSeenAt: t.lastSeenAt,
  };
}

function addMonths(d: Date, months: number): Date {
  const x = new Date(d.getTime());
  x.setUTCMonth(x.getUTCMonth() + months);
  return x;
}

/** The refusal of a proof whose host another shop holds; when the holder is failing, the day its claim lapses. */
function hostHeld(host: string, held: OriginRow[], graceDays: number): AppError {
  const lapses = held.every((h) => h.status === "failing" && h.failingSince)
    ? new Date(Math.max(...held.map((h) => (h.failingSince?.getTime() ?? 0) + graceDays * DAY))).toISOString().slice(0, 10)
    : null;
  const as = held.map((h) => h.origin).join(", ");
  const detail = lapses
    ? `${host} is already proven by another shop (${as}), whose proof no longer verifies: that shop has been told, and its claim lapses on ${lapses} unless it proves the site again. Check again after that day, or contact the authority.`
    : `${host} is already proven by another shop (${as}); a host belongs to one shop whatever its port. Contact the authority if this is your site.`;
  return new AppError("conflict", detail, { extra: { heldBy: held.map((h) => h.origin), lapsesOn: lapses } });
}

export function createRegistryService(deps: RegistryDeps) {
  const { db, clock, fetcher, mail } = deps;
  const settings: RegistrySettings = { ...defaultRegistrySettings, ...deps.settings };
  addRegistryTemplates(mailTemplates);
  const listeners: IdentityListener[] = [];
  const originListeners: OriginRemovedListener[] = [];
  const extensions = new Map<string, PublicShopExtension>();
  const audit = (tx: Db, actor: Actor, entry: AuditEntry) => appendAudit(tx, clock, actor, entry);
  const link = (path: string): string => new URL(path, deps.publicUrl).toString();

  async function notify(tx: Db, shop: ShopRow, event: RegistryNoticeEvent, detail: string, path = "/registry/my-shop"): Promise<void> {
    // the template refuses a variable over MAX_VAR_LENGTH, which would abort the step being notified
    // (a reason may be 2000 characters, and the detail adds its own words; a certificate's issuer has no bound)
    let bounded = detail;
    if (detail.length > MAX_VAR_LENGTH) {
      bounded = detail.slice(0, MAX_VAR_LENGTH - 1);
      if (/[\ud800-\udbff]$/.test(bounded)) bounded = bounded.slice(0, -1); // not half a character
      bounded += "…";
    }
    await mail.enqueue(tx, { to: shop.contactEmail, template: "registry.notice", locale: "zh-TW", vars: { shop: shop.legalNameZh, event, detail: bounded, link: link(path) }, orgId: shop.orgId });
  }

  /** Loads a shop the actor may act on (own organisation or authority); others get not_found. */
  async function ownShop(tx: Db, actor: Actor, shopId: string, lock = false): Promise<ShopRow> {
    const shop = await repo.shopById(tx, shopId, lock);
    if (!shop || !(isAuthority(actor) || (isMember(actor) && actor.orgId === shop.orgId))) throw notFound("The shop");
    return shop;
  }

  function partyOf(actor: Actor, shop: ShopRow): Party {
    if (actor.kind === "system") return "system";
    if (isAuthority(actor)) return "authority";
    if (isMember(actor) && actor.orgId === shop.orgId) return "shop";
    throw notFound("The shop");
  }

  function validateProfile(input: ProfileInput): { ubn: string; currentOnly: boolean } {
    const v = checkUbn(input.ubn);
    if (!v.ok) throw new AppError("validation", v.message, { fields: [{ field: "ubn", message: `${v.messageZh} ${v.message}` }], extra: { ubnProblem: v.reason } });
    return { ubn: v.ubn, currentOnly: v.currentOnly };
  }

  const searchText = (zh: string, en: string): string => `${zh}\n${en}`.toLowerCase();

  /**
   * One business number, one confirmed shop (docs/registry.md "Business numbers"): refused while
   * another shop holds `ubn` confirmed. Takes the number's lock first, so two claims decided at
   * once take turns and the second sees the first's commit.
   */
  async function claimUbn(tx: Db, shopId: string | null, ubn: string): Promise<void> {
    await repo.lockClaim(tx, "ubn", ubn);
    if (await repo.ubnConfirmedElsewhere(tx, ubn, shopId)) {
      const zh = `統一編號 ${ubn} 已由另一家商店完成網站主體確認。同一公司的所有網站請登記在同一商店之下；若此統一編號屬於貴公司，請聯絡授證機構。`;
      const en = `Business number ${ubn} is already confirmed for another shop. A company registers all its websites under its one shop; if this number is yours, contact the authority.`;
      throw new AppError("conflict", en, { fields: [{ field: "ubn", message: `${zh} ${en}` }], extra: { ubnProblem: "confirmed-elsewhere" } });
    }
  }

  async function facts(tx: Db, shop: ShopRow, reason: string): Promise<GuardFacts> {
    return {
      now: clock.now(),
      profileComplete: [shop.legalNameZh, shop.legalNameEn, shop.ubn, shop.representative, shop.address, shop.contactEmail, shop.contactPhone, shop.serviceChannel].every((v) => v.trim() !== ""),
      provenOrigins: await repo.countLiveOrigins(tx, shop.id),
      documents: (await repo.documents(tx, shop.id)).length,
      awaitingShop: shop.awaitingShop,
      expiresAt: shop.expiresAt,
      reason,
      renewalWindowDays: settings.renewalWindowDays,
    };
  }

  /** The one door through which the identity status changes: check, write, history, audit, hooks. */
  async function applyTransition(tx: Db, actor: Actor, shop: ShopRow, action: IdentityAction, reason: string): Promise<ShopRow> {
    const party = partyOf(actor, shop);
    const r = transition(shop.identityStatus, action, party, await facts(tx, shop, reason));
    if (!r.ok) {
      if (r.why === "party") throw forbidden(r.message);
      throw new AppError("invalid_transition", r.message, { extra: { status: shop.identityStatus, action } });
    }
    if (action === "submit" || action === "approve") await claimUbn(tx, shop.id, shop.ubn);
    const now = clock.now();
    const values: Partial<ShopRow> = { updatedAt: now };
    if (r.to !== r.from) values.statusChangedAt = now;
    values.identityStatus = r.to;
    if (action === "request_more") values.awaitingShop = true;
    if (action === "respond" || action === "approve" || action === "reject" || action === "withdraw" || action === "submit") values.awaitingShop = false;
    if (action === "approve" || action === "renew") {
      values.confirmedAt = now;
      const base = action === "renew" && shop.expiresAt && shop.expiresAt > now ? shop.expiresAt : now;
      values.expiresAt = addMonths(base, settings.confirmationMonths);
    }
    if (action === "respond") values.statusChangedAt = now; // back in the queue, by time of answer
    const updated = await repo.updateShop(tx, shop.id, values);
    await repo.insertEvent(tx, { shopId: shop.id, action, fromStatus: r.from, toStatus: r.to, reason, actorUserId: actor.userId ?? null, actorKind: actor.kind, at: now });
    await audit(tx, actor, { action: `registry.identity.${action}`, objectType: "registry_shop", objectId: shop.id, orgId: shop.orgId, summary: { from: r.from, to: r.to, reason, expiresAt: updated.expiresAt?.toISOString() ?? null } });
    if (party !== "shop" || r.to !== r.from) {
      await notify(tx, updated, "identity_changed", `${r.from} → ${r.to}${reason ? `：${reason}` : ""}`);
    }
    for (const l of listeners) await l({ shopId: shop.id, orgId: shop.orgId, from: r.from, to: r.to, action, at: now, expiresAt: updated.expiresAt, tx });
    return updated;
  }

  async function recordCertificate(tx: Db, actor: Actor, shop: ShopRow, origin: OriginRow, cert: CertificateInfo | undefined): Promise<void> {
    if (!cert) return;
    const now = clock.now();
    const current = await repo.currentTls(tx, origin.id);
    if (current?.fingerprint256 === cert.fingerprint256) {
      await repo.touchTls(tx, current.id, { lastSeenAt: now });
      return;
    }
    await repo.insertTls(tx, {
      originId: origin.id,
      fingerprint256: cert.fingerprint256,
      subject: cert.subject,
      issuer: cert.issuer,
      subjectAltNames: cert.subjectAltNames,
      validFrom: new Date(cert.validFrom),
      validTo: new Date(cert.validTo),
      keyType: cert.curve ? `${cert.keyType} ${cert.curve}` : cert.keyType,
      keyBits: cert.keyBits ?? null,
      firstSeenAt: now,
      lastSeenAt: now,
      current: true,
    });
    await audit(tx, actor, { action: current ? "registry.tls.changed" : "registry.tls.recorded", objectType: "registry_origin", objectId: origin.id, orgId: shop.orgId, summary: { origin: origin.origin, fingerprint256: cert.fingerprint256, previous: current?.fingerprint256 ?? null, validTo: cert.validTo } });
    if (current) {
      await notify(tx, shop, "tls_changed", `${origin.origin}: ${current.fingerprint256.slice(0, 16)}… → ${cert.fingerprint256.slice(0, 16)}… (issuer ${cert.issuer}, valid to ${cert.validTo})`);
    }
  }

  const service = {
    settings,

    // ------------------------------------------------------------ hooks for other modules
    /** Called inside the transaction of every identity status change (seals issue IdentityConfirmed from it). */
    onIdentityStatusChange(listener: IdentityListener): void {
      listeners.push(listener);
    },
    /** Called inside the transaction of every origin removal (no identity change fires for one that leaves others). */
    onOriginRemoved(listener: OriginRemovedListener): void {
      originListeners.push(listener);
    },
    /** Adds a named section to the public shop page (e.g. "marks", "scanGrade"). */
    addPublicExtension(name: string, fn: PublicShopExtension): void {
      if (extensions.has(name)) throw new Error(`public shop extension "${name}" is defined twice`);
      extensions.set(name, fn);
    },

    // ------------------------------------------------------------ service API for other modules
    /** The shop's facts, without an access check: for other modules' services, not for routes. */
    async getShop(shopId: string): Promise<ShopView | undefined> {
      const s = await repo.shopById(db, shopId);
      return s ? shopView(s) : undefined;
    },
    async getShopByOrg(orgId: string): Promise<ShopView | undefined> {
      const s = await repo.shopByOrg(db, orgId);
      return s ? shopView(s) : undefined;
    },
    /** Origins proven (or failing within grace) for a confirmed shop; empty for any other status. */
    async listConfirmedOrigins(shopId: string): Promise<string[]> {
      const s = await repo.shopById(db, shopId);
      if (s?.identityStatus !== "confirmed") return [];
      return (await repo.liveOriginsOf(db, [shopId])).map((o) => o.origin);
    },
    async identityStatus(shopId: string): Promise<{ status: IdentityStatus; confirmedAt: Date | null; expiresAt: Date | null } | undefined> {
      const s = await repo.shopById(db, shopId);
      return s ? { status: s.identityStatus, confirmedAt: s.confirmedAt, expiresAt: s.expiresAt } : undefined;
    },

    // ------------------------------------------------------------ profile
    async myShop(actor: Actor): Promise<ShopView | null> {
      if (!isMember(actor)) throw new AppError("unauthenticated");
      const s = await repo.shopByOrg(db, actor.orgId);
      return s ? shopView(s) : null;
    },

    async createShop(actor: Actor, input: ProfileInput): Promise<ShopView> {
      if (!isMember(actor) || actor.orgKind !== "merchant") throw forbidden("Only a merchant organisation can register its shop.");
      const { ubn, currentOnly } = validateProfile(input);
      return db.transaction(async (tx) => {
        if (await repo.shopByOrg(tx, actor.orgId)) throw new AppError("conflict", "This organisation already has a shop profile.");
        await claimUbn(tx, null, ubn);
        const now = clock.now();
        const shop = await repo.insertShop(tx, {
          ...input,
          ubn,
          ubnCurrentRuleOnly: currentOnly,
          orgId: actor.orgId,
          identityStatus: "unconfirmed",
          statusChangedAt: now,
          createdAt: now,
          updatedAt: now,
          searchText: searchText(input.legalNameZh, input.legalNameEn),
        });
        await audit(tx, actor, { action: "registry.shop.create", objectType: "registry_shop", objectId: shop.id, orgId: shop.orgId, summary: { legalNameEn: shop.legalNameEn, ubn } });
        return shopView(shop);
      });
    },

    /** One shop; the authority also sees the other shops stating its business number (a conflict to review). */
    async getShopFor(actor: Actor, shopId: string): Promise<ShopView & { sameUbn?: SameUbnShop[] }> {
      const shop = await ownShop(db, actor, shopId);
      if (!isAuthority(actor)) return shopView(shop);
      const same = await repo.shopsWithUbn(db, shop.ubn, shop.id);
      return { ...shopView(shop), sameUbn: same.map((o) => ({ id: o.id, legalNameZh: o.legalNameZh, legalNameEn: o.legalNameEn, identityStatus: o.identityStatus, statusChangedAt: o.statusChangedAt })) };
    },

    /**
     * Contact fields change at once. Legal fields change at once only while the shop has never
     * been submitted; afterwards they become a change request the authority decides on.
     */
    async updateProfile(actor: Actor, shopId: string, input: ProfileInput): Promise<{ shop: ShopView; pendingChange: string | null }> {
      const { ubn, currentOnly } = validateProfile(input);
      return db.transaction(async (tx) => {
        const shop = await ownShop(tx, actor, shopId, true);
        const now = clock.now();
        const next = { ...input, ubn };
        const legalChanged = LEGAL_FIELDS.filter((f) => next[f] !== shop[f]);
        if (legalChanged.includes("ubn")) await claimUbn(tx, shop.id, ubn);
        const contact = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, next[f]]));
        const reviewed = shop.identityStatus !== "unconfirmed" || (await repo.events(tx, shop.id)).length > 0;
        let pendingChange: string | null = null;
        let values: Partial<ShopRow> = { ...contact, updatedAt: now };
        if (legalChanged.length > 0 && reviewed && !isAuthority(actor)) {
          if (await repo.pendingChange(tx, shop.id)) throw new AppError("conflict", "A change of legal details is already waiting for review.");
          const change = await repo.insertChange(tx, {
            shopId: shop.id,
            proposed: Object.fromEntries(legalChanged.map((f) => [f, next[f]])),
            previous: Object.fromEntries(legalChanged.map((f) => [f, shop[f]])),
            status: "pending",
            requestedBy: actor.userId ?? null,
            createdAt: now,
          });
          pendingChange = change.id;
        } else if (legalChanged.length > 0) {
          values = { ...values, ...Object.fromEntries(legalChanged.map((f) => [f, next[f]])), ubnCurrentRuleOnly: currentOnly, searchText: searchText(next.legalNameZh, next.legalNameEn) };
          if (reviewed) {
            await repo.insertChange(tx, { shopId: shop.id, proposed: Object.fromEntries(legalChanged.map((f) => [f, next[f]])), previous: Object.fromEntries(legalChanged.map((f) => [f, shop[f]])), status: "approved", reason: "changed by the authority", requestedBy: actor.userId ?? null, decidedBy: actor.userId ?? null, createdAt: now, decidedAt: now });
          }
        }
        const updated = await repo.updateShop(tx, shop.id, values);
        await audit(tx, actor, { action: "registry.shop.update", objectType: "registry_shop", objectId: shop.id, orgId: shop.orgId, summary: { legalChanged, pendingChange } });
        return { shop: shopView(updated), pendingChange };
      });
    },

    async listChanges(actor: Actor, shopId: string) {
      const shop = await ownShop(db, actor, shopId);
      return repo.changes(db, shop.id);
    },

    async decideChange(actor: Actor, changeId: string, decision: "approve" | "reject", reason: string) {
      if (!isAuthority(actor)) throw forbidden();
      return db.transaction(async (tx) => {
        const change = await repo.changeById(tx, changeId);
        if (!change) throw notFound("The change request");
        if (change.status !== "pending") throw new AppError("invalid_transition", "This change request was already decided.");
        if (decision === "reject" && reason.trim().length < 3) throw invalid("reason", "Give a reason for the rejection.");
        const shop = await ownShop(tx, actor, change.shopId, true);
        const now = clock.now();
        await repo.updateChange(tx, change.id, { status: decision === "approve" ? "approved" : "rejected", reason, decidedBy: actor.userId ?? null, decidedAt: now });
        let updated = shop;
        if (decision === "approve") {
          if (change.proposed.ubn !== undefined) await claimUbn(tx, shop.id, change.proposed.ubn);
          const merged = { ...shop, ...change.proposed };
          const v = checkUbn(merged.ubn);
          updated = await repo.updateShop(tx, shop.id, { ...change.proposed, ubnCurrentRuleOnly: v.ok && v.currentOnly, searchText: searchText(merged.legalNameZh, merged.legalNameEn), updatedAt: now });
        }
        await audit(tx, actor, { action: `registry.change.${decision}`, objectType: "registry_profile_change", objectId: change.id, orgId: shop.orgId, summary: { proposed: change.proposed, previous: change.previous, reason } });
        await notify(tx, updated, "profile_change", `${decision === "approve" ? "核准 approved" : "未核准 rejected"}${reason ? `：${reason}` : ""}`);
        return shopView(updated);
      });
    },

    // ------------------------------------------------------------ business register
    async registerCheck(ubnInput: string) {
      const v = checkUbn(ubnInput);
      if (!v.ok) throw new AppError("validation", v.message, { fields: [{ field: "ubn", message: `${v.messageZh} ${v.message}` }] });
      const row = await repo.register(db, v.ubn);
      return { ubn: v.ubn, currentRuleOnly: v.currentOnly, found: row !== undefined, name: row?.name ?? null, status: row?.status ?? null, statusText: row?.statusText ?? null, updatedAt: row?.updatedAt ?? null };
    },

    // ------------------------------------------------------------ origins and proofs
    async listOrigins(actor: Actor, shopId: string) {
      const shop = await ownShop(db, actor, shopId);
      const rows = await repo.origins(db, shop.id);
      return Promise.all(rows.map(async (o) => originView(o, await repo.currentTls(db, o.id))));
    },

    async addOrigin(actor: Actor, shopId: string, input: string) {
      let parsed;
      try {
        parsed = parseOrigin(input);
      } catch (e) {
        if (e instanceof OriginError) throw new AppError("validation", e.message, { fields: [{ field: "origin", message: `${e.messageZh} ${e.message}` }], extra: { originProblem: e.problem }, cause: e });
        throw e;
      }
      return db.transaction(async (tx) => {
        const shop = await ownShop(tx, actor, shopId, true);
        if (partyOf(actor, shop) !== "shop") throw forbidden("Origins are added by the shop itself.");
        const existing = await repo.origins(tx, shop.id);
        if (existing.some((o) => o.origin === parsed.origin)) throw new AppError("conflict", `${parsed.origin} is already registered for this shop.`);
        if (existing.length >= 20) throw new AppError("conflict", "A shop can register at most 20 origins.");
        const now = clock.now();
        const row = await repo.insertOrigin(tx, { shopId: shop.id, origin: parsed.origin, host: parsed.host, status: "unproven", token: randomBytes(24).toString("base64url"), createdAt: now });
        await audit(tx, actor, { action: "registry.origin.add", objectType: "registry_origin", objectId: row.id, orgId: shop.orgId, summary: { origin: row.origin } });
        return originView(row);
      });
    },

    async removeOrigin(actor: Actor, shopId: string, originId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const shop = await ownShop(tx, actor, shopId, true);
        const origin = await repo.originById(tx, originId);
        if (origin?.shopId !== shop.id) throw notFound("The origin");
        await repo.deleteOrigin(tx, origin.id);
        await audit(tx, actor, { action: "registry.origin.remove", objectType: "registry_origin", objectId: origin.id, orgId: shop.orgId, summary: { origin: origin.origin } });
        for (const l of originListeners) await l({ shopId: shop.id, orgId: shop.orgId, origin: origin.origin, tx });
        if (shop.identityStatus === "confirmed" && (await repo.countLiveOrigins(tx, shop.id)) === 0) {
          await applyTransition(tx, { kind: "system", name: "registry" }, shop, "lapse_origins", "the last proven origin was removed");
        }
      });
    },

    /**
     * Checks the proof now (network I/O outside the transaction), then records the outcome. A host
     * belongs to one shop whatever its port; when another shop holds it and this proof succeeded,
     * the holder's proof is re-checked at once (a domain that changed hands starts its grace
     * period now, not at the holder's next scheduled re-check), and the claim is tried again if
     * the holder's origin lapsed.
     */
    async verifyOrigin(actor: Actor, shopId: string, originId: string, method: ProofMethod) {
      const shop = await ownShop(db, actor, shopId);
      const origin = await repo.originById(db, originId);
      if (origin?.shopId !== shop.id) throw notFound("The origin");
      const outcome = await checkProof(fetcher, origin.origin, origin.host, origin.token, method);
      const record = () => db.transaction(async (tx) => {
        const now = clock.now();
        // one host, one holder: proofs of the same host by two shops at once take turns here,
        // so the second one sees the first's commit (READ COMMITTED would otherwise let both in)
        await repo.lockClaim(tx, "host", origin.host);
        // the origin may have been removed while its proof was being fetched
        if ((await repo.originById(tx, origin.id))?.shopId !== shop.id) throw notFound("The origin");
        if (!outcome.ok) {
          const row = await repo.updateOrigin(tx, origin.id, { lastCheckedAt: now, lastError: outcome.message });
          await audit(tx, actor, { action: "registry.origin.proof_failed", objectType: "registry_origin", objectId: origin.id, orgId: shop.orgId, summary: { origin: origin.origin, method, error: outcome.message } });
          return { ok: false as const, message: outcome.message, messageZh: outcome.messageZh, origin: originView(row, await repo.currentTls(tx, origin.id)) };
        }
        const held = await repo.liveHostElsewhere(tx, origin.host, shop.id);
        if (held.length > 0) return held; // the other shops' origins of this host
        const row = await repo.updateOrigin(tx, origin.id, { status: "proven", method, provenAt: now, proofExpiresAt: new Date(now.getTime() + settings.proofValidDays * DAY), lastCheckedAt: now, lastError: null, failingSince: null });
        await audit(tx, actor, { action: "registry.origin.proven", objectType: "registry_origin", objectId: origin.id, orgId: shop.orgId, summary: { origin: origin.origin, method } });
        await recordCertificate(tx, actor, shop, row, outcome.certificate);
        return { ok: true as const, message: outcome.message, messageZh: outcome.messageZh, origin: originView(row, await repo.currentTls(tx, origin.id)) };
      });
      let result = await record();
      if (!Array.isArray(result)) return result;
      const stale = clock.now().getTime() - settings.challengeRecheckMinutes * 60_000;
      const due = result.filter((o) => (o.lastCheckedAt?.getTime() ?? 0) <= stale);
      for (const h of due) await service.recheckOrigin(h.id, shop.id);
      if (due.length > 0) result = await record(); // the claim again: the holder may have lapsed
      if (!Array.isArray(result)) return result;
      throw hostHeld(origin.host, result, settings.graceDays);
    },

    /** The scheduled re-check of one origin (job). Idempotent: a not-due origin is left alone. */
    async recheckOrigin(originId: string, challengedBy?: string): Promise<"ok" | "failing" | "lapsed" | "skipped"> {
      const challenge = challengedBy === undefined ? {} : { challengedBy };
      const system: Actor = { kind: "system", name: "registry.recheck" };
      const origin = await repo.originById(db, originId);
      if (!origin?.method || !LIVE_ORIGIN.includes(origin.status)) return "skipped";
      const outcome = await checkProof(fetcher, origin.origin, origin.host, origin.token, origin.method);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const shop = await repo.shopById(tx, origin.shopId, true);
        const fresh = await repo.originById(tx, origin.id);
        if (!shop || !fresh || !LIVE_ORIGIN.includes(fresh.status)) return "skipped";
        if (outcome.ok) {
          const row = await repo.updateOrigin(tx, fresh.id, { status: "proven", proofExpiresAt: new Date(now.getTime() + settings.proofValidDays * DAY), lastCheckedAt: now, lastError: null, failingSince: null });
          await audit(tx, system, { action: "registry.origin.rechecked", objectType: "registry_origin", objectId: fresh.id, orgId: shop.orgId, summary: { origin: fresh.origin, ok: true, ...challenge } });
          await recordCertificate(tx, system, shop, row, outcome.certificate);
          return "ok";
        }
        const failingSince = fresh.failingSince ?? now;
        if (now.getTime() - failingSince.getTime() >= settings.graceDays * DAY) {
          await repo.updateOrigin(tx, fresh.id, { status: "lapsed", lastCheckedAt: now, lastError: outcome.message });
          await audit(tx, system, { action: "registry.origin.lapsed", objectType: "registry_origin", objectId: fresh.id, orgId: shop.orgId, summary: { origin: fresh.origin, error: outcome.message, failingSince: failingSince.toISOString(), ...challenge } });
          await notify(tx, shop, "origin_lapsed", `${fresh.origin}: ${outcome.messageZh} / ${outcome.message}`);
          if (shop.identityStatus === "confirmed" && (await repo.countLiveOrigins(tx, shop.id)) === 0) {
            await applyTransition(tx, system, shop, "lapse_origins", `no proven origin left (${fresh.origin} lapsed)`);
          }
          return "lapsed";
        }
        await repo.updateOrigin(tx, fresh.id, { status: "failing", lastCheckedAt: now, lastError: outcome.message, failingSince });
        if (!fresh.failingSince) {
          await audit(tx, system, { action: "registry.origin.failing", objectType: "registry_origin", objectId: fresh.id, orgId: shop.orgId, summary: { origin: fresh.origin, error: outcome.message, ...challenge } });
          const lapseOn = new Date(failingSince.getTime() + settings.graceDays * DAY).toISOString().slice(0, 10);
          const why = challengedBy === undefined ? "" : "另一家商店剛證明了對此網站的控制權。 / Another shop has just proven control of this site.\n";
          await notify(tx, shop, "origin_failing", `${fresh.origin}: ${why}${outcome.messageZh}\n若未於 ${lapseOn} 前修正，驗證將失效。\n${outcome.message}\nFix it before ${lapseOn} or the proof lapses.`);
        }
        return "failing";
      });
    },

    /** Origins due for a re-check now. */
    async originsDue(limit = 500): Promise<string[]> {
      return (await repo.originsDue(db, clock.now(), limit)).map((o) => o.id);
    },

    /**
     * Daily sweep: shops are reminded once when their confirmation enters the renewal window;
     * expired confirmations lapse; certificates close to expiry are warned about.
     */
    async expirySweep(): Promise<{ reminded: number; lapsed: number; tlsWarned: number }> {
      const system: Actor = { kind: "system", name: "registry.expiry" };
      const now = clock.now();
      let reminded = 0;
      for (const s of await repo.confirmedExpiring(db, now, new Date(now.getTime() + settings.renewalWindowDays * DAY), 500)) {
        await db.transaction(async (tx) => {
          const shop = await repo.shopById(tx, s.id, true);
          if (shop?.identityStatus !== "confirmed" || !shop.expiresAt || shop.expiresAt <= now) return;
          if (shop.expiryRemindedFor?.getTime() === shop.expiresAt.getTime()) return;
          await repo.updateShop(tx, shop.id, { expiryRemindedFor: shop.expiresAt });
          const day = shop.expiresAt.toISOString().slice(0, 10);
          await audit(tx, system, { action: "registry.identity.expiring", objectType: "registry_shop", objectId: shop.id, orgId: shop.orgId, summary: { expiresAt: shop.expiresAt.toISOString() } });
          await notify(tx, shop, "identity_expiring", `網站主體確認將於 ${day} 到期，請於到期前申請展延。 / The identity confirmation expires on ${day}; ask for renewal before then.`);
          reminded++;
        });
      }
      let lapsed = 0;
      for (const s of await repo.confirmedExpired(db, now, 500)) {
        await db.transaction(async (tx) => {
          const shop = await repo.shopById(tx, s.id, true);
          if (shop?.identityStatus !== "confirmed" || !shop.expiresAt || shop.expiresAt > now) return;
          await applyTransition(tx, system, shop, "expire", "the confirmation period ended");
          lapsed++;
        });
      }
      let tlsWarned = 0;
      for (const { tls, origin } of await repo.tlsExpiring(db, new Date(now.getTime() + settings.tlsWarnDays * DAY), 500)) {
        await db.transaction(async (tx) => {
          const shop = await repo.shopById(tx, origin.shopId);
          if (!shop) return;
          await repo.touchTls(tx, tls.id, { expiryWarnedAt: now });
          await audit(tx, system, { action: "registry.tls.expiring", objectType: "registry_origin", objectId: origin.id, orgId: shop.orgId, summary: { origin: origin.origin, validTo: tls.validTo.toISOString() } });
          await notify(tx, shop, "tls_expiring", `${origin.origin}: 憑證將於 ${tls.validTo.toISOString().slice(0, 10)} 到期 / the certificate expires on ${tls.validTo.toISOString().slice(0, 10)} (SHA-256 ${tls.fingerprint256.slice(0, 16)}…).`);
          tlsWarned++;
        });
      }
      return { reminded, lapsed, tlsWarned };
    },

    // ------------------------------------------------------------ identity review
    async attachDocument(actor: Actor, shopId: string, input: { evidenceId: string; kind: "business_registration" | "representative_id" | "authorisation" | "other"; note: string }) {
      const shop = await ownShop(db, actor, shopId);
      if (partyOf(actor, shop) !== "shop") throw forbidden("Documents are attached by the shop itself.");
      // The evidence service applies its own access rule; the file must also be this shop's organisation's.
      const file = await deps.evidence.get(actor, input.evidenceId).catch((e: unknown) => {
        if (e instanceof AppError && (e.code === "not_found" || e.code === "forbidden")) throw notFound("The evidence file");
        throw e;
      });
      if (file.orgId !== shop.orgId) throw notFound("The evidence file");
      return db.transaction(async (tx) => {
        const now = clock.now();
        const existing = await repo.documents(tx, shop.id);
        if (existing.some((d) => d.evidenceId === file.id)) throw new AppError("conflict", "This file is already attached.");
        const row = await repo.insertDocument(tx, { shopId: shop.id, evidenceId: file.id, kind: input.kind, note: input.note, addedBy: actor.userId ?? null, addedAt: now });
        await audit(tx, actor, { action: "registry.document.attach", objectType: "registry_shop", objectId: shop.id, orgId: shop.orgId, summary: { evidenceId: file.id, kind: input.kind, filename: file.filename } });
        return row;
      });
    },

    async listDocuments(actor: Actor, shopId: string) {
      const shop = await ownShop(db, actor, shopId);
      return repo.documents(db, shop.id);
    },

    async act(actor: Actor, shopId: string, action: Exclude<IdentityAction, "expire" | "lapse_origins">, reason: string): Promise<ShopView> {
      return db.transaction(async (tx) => shopView(await applyTransition(tx, actor, await ownShop(tx, actor, shopId, true), action, reason.trim())));
    },

    async history(actor: Actor, shopId: string) {
      const shop = await ownShop(db, actor, shopId);
      return repo.events(db, shop.id);
    },

    async reviewQueue(actor: Actor, page: { limit: number; offset: number }) {
      if (!isAuthority(actor)) throw forbidden();
      const rows = await repo.reviewQueue(db, page.limit + 1, page.offset);
      return { items: rows.slice(0, page.limit).map((r) => ({ ...shopView(r.shop), hasPendingChange: r.hasChange, sameUbnClaims: r.sameUbn })), nextOffset: rows.length > page.limit ? page.offset + page.limit : null };
    },

    // ------------------------------------------------------------ public registry
    async search(q: { q?: string | undefined; limit: number; offset: number }) {
      let parsed;
      try {
        parsed = parseSearchQuery(q.q ?? "");
      } catch (e) {
        if (e instanceof SearchQueryError) throw new AppError("validation", e.message, { fields: [{ field: "q", message: `${e.messageZh} ${e.message}` }], extra: { searchProblem: e.problem }, cause: e });
        throw e;
      }
      let criteria: { text?: string; ubn?: string; host?: string } = {};
      let searched: { by: "name" | "ubn" | "host"; value: string; unicodeHost: string | null } | null = null;
      if (parsed.by === "ubn") {
        criteria = { ubn: parsed.valid ? parsed.ubn : "invalid" }; // a bad checksum matches nothing
        searched = { by: "ubn", value: parsed.ubn, unicodeHost: null };
      } else if (parsed.by === "host") {
        criteria = { host: parsed.host };
        searched = { by: "host", value: parsed.host, unicodeHost: parsed.unicodeHost ?? null };
      } else if (parsed.by === "name") {
        criteria = { text: parsed.text };
        searched = { by: "name", value: parsed.text, unicodeHost: null };
      }
      const rows = await repo.search(db, { ...criteria, status: ["confirmed"], limit: q.limit, offset: q.offset });
      const page = rows.slice(0, q.limit);
      const origins = await repo.liveOriginsOf(db, page.map((s) => s.id));
      return {
        items: page.map((s) => ({ ...publicShop(s), origins: origins.filter((o) => o.shopId === s.id).map((o) => o.origin) })),
        nextOffset: rows.length > q.limit ? q.offset + q.limit : null,
        searched,
      };
    },

    /** The public shop page: identity, confirmed origins, status with dates, and extension sections. */
    async getPublicShop(shopId: string) {
      const s = await repo.shopById(db, shopId);
      if (!s || (s.identityStatus !== "confirmed" && s.identityStatus !== "lapsed" && s.identityStatus !== "withdrawn") || s.confirmedAt === null) throw notFound("The shop");
      const origins = s.identityStatus === "confirmed" ? await repo.liveOriginsOf(db, [s.id]) : [];
      const ext: Record<string, unknown> = {};
      for (const [name, fn] of extensions) ext[name] = await fn(s.id);
      return {
        ...publicShop(s),
        origins: await Promise.all(origins.map(async (o) => {
          const tls = await repo.currentTls(db, o.id);
          return { origin: o.origin, unicodeHost: parseOrigin(o.origin).unicodeHost ?? null, provenAt: o.provenAt, method: o.method, certificate: tls ? { fingerprint256: tls.fingerprint256, issuer: tls.issuer, validTo: tls.validTo } : null };
        })),
        extensions: ext,
      };
    },

    async exportRows(actor: Actor) {
      if (!isAuthority(actor)) throw forbidden();
      const shops = await repo.allShops(db, undefined);
      const origins = await repo.liveOriginsOf(db, shops.map((s) => s.id));
      return shops.map((s) => ({ ...shopView(s), origins: origins.filter((o) => o.shopId === s.id).map((o) => o.origin) }));
    },
  };
  return service;
}

function publicShop(s: ShopRow) {
  return {
    id: s.id,
    legalNameZh: s.legalNameZh,
    legalNameEn: s.legalNameEn,
    ubn: s.ubn,
    representative: s.representative,
    serviceChannel: s.serviceChannel,
    salesModel: s.salesModel,
    sector: s.sector,
    identityStatus: s.identityStatus,
    confirmedAt: s.confirmedAt,
    expiresAt: s.expiresAt,
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;
