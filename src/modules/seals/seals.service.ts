// Seals service: issues IdentityConfirmed (and, through a port, PrivacyMark) credentials per
// shop from the registry's identity status, suspends/unsuspends/revokes them, re-signs the two
// Bitstring Status Lists, logs every event to the transparency log, and publishes the files.
// Order of every change: log first (durable checkpoint), then the DB row + audit in one
// transaction, then publication. A crash between log and DB leaves a logged credential that
// was never served (visible to monitors, harmless to shops); the next sync repeats the work.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { and, asc, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { systemActor, type Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { base64, sha256, utf8 } from "./tlog/bytes.ts";
import { DEFAULT_ENTRY_HEADER, formatEntry, issueEntry, type LogEntry } from "./tlog/entry.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { nodeEd25519Verify, nodeGunzip } from "./tlog/node-crypto.ts";
import { Sequencer } from "./tlog/sequencer.ts";
import { buildCredential, signCredential, type StatusPurpose } from "./verify/credential.ts";
import { parseCompactJws } from "./verify/jws.ts";
import { verifySealFromRoots, type SealBundle, type Verdict } from "./verify/seal.ts";
import { MAX_LIST_BYTES, MIN_LIST_BITS, setBit, signStatusList } from "./verify/status.ts";
import { createKeyStore, type LogAppend } from "./seals.keys.ts";
import { statusListsLock } from "./seals.locks.ts";
import { createPublisher } from "./seals.publish.ts";
import { sealCounters, sealCredentials, sealStatusLists, sealWidgetReleases, type SealCredentialState } from "./seals.tables.ts";
import { lockForTransaction } from "../../platform/db/locks.ts";

export type CredentialRow = typeof sealCredentials.$inferSelect;
export type MarkType = "IdentityConfirmed" | "PrivacyMark";

/** What seals needs from the registry (its service, never its tables). */
export interface SealsRegistryPort {
  getShop(shopId: string): Promise<{ id: string; orgId: string; legalNameZh: string; legalNameEn: string; ubn: string; identityStatus: string; expiresAt: Date | null; confirmedAt?: Date | null } | undefined>;
  listConfirmedOrigins(shopId: string): Promise<string[]>;
  /** the registry's origin-removal hook (called in its transaction); test doubles may leave it out */
  onOriginRemoved?(listener: (change: { shopId: string; tx: Db }) => Promise<void>): void;
}

/** What seals needs from certification for PrivacyMark (a narrow port; absent until wired). */
export interface SealsMarkPort {
  /** the shop's current privacy mark, if any: active or suspended, with its validity */
  currentMark(shopId: string): Promise<{ state: "active" | "suspended" | "ended"; number: string; validUntil: Date; validFrom?: Date } | undefined>;
}

export interface ScanGrade {
  grade: string;
  score: number;
  scannedAt: Date;
  origin: string;
}

/** What /verify/<shopId>, its API and the merchant console show: one server-side check of everything. */
export interface VerificationReport {
  shopId: string;
  legalNameZh: string;
  legalNameEn: string;
  registrationNumber: string;
  identity: { status: string; confirmedAt: Date | null; expiresAt: Date | null } | null;
  privacyMark: { number: string; state: string; validFrom: Date | null; validUntil: Date } | null;
  scanGrade: ScanGrade | null;
  checkedAt: Date;
  marks: {
    credentialId: string;
    mark: string;
    verdict: Verdict;
    origins: string[];
    validFrom: Date;
    validUntil: Date;
    issuedAt: Date;
    logIndex: number;
    /** paths below the public origin: the credential and its inclusion proof */
    jwtPath: string;
    proofPath: string;
  }[];
}

export interface SealsDeps {
  db: Db;
  clock: Clock;
  masterKey: Buffer;
  registry: SealsRegistryPort;
  marks?: SealsMarkPort;
  /** the scanner's latest grade for the shop (a trust signal on the verification page; absent until wired) */
  scanGrade?: (shopId: string) => Promise<ScanGrade | null>;
  /** the folder for the log (`<dataDir>/seals/log`) and the publication (`<dataDir>/seals/pub`) */
  dataDir: string;
  /** the public origin the platform is served at (issuer = `<publicUrl>/trust`) */
  publicUrl: string;
  logOrigin?: string;
  /** sequencer batching delay (ms) */
  logDelayMs?: number;
  /** test seams: pause points that let a test force an interleaving */
  hooks?: SealsHooks;
}

export interface SealsHooks {
  /** in `publishAll`, after it read the newest status lists and before it writes them */
  beforeListsWrite?: () => Promise<void>;
  /** a status-list re-sign or publication waits for the status-list lock (another holds it) */
  listsLockWait?: () => void;
}

const DAY = 86_400_000;
/** Status index i lives in list ⌊i / LIST_BITS⌋ + 1 at position i mod LIST_BITS; indices are never reused. */
const LIST_BITS = MIN_LIST_BITS;
export const statusSlot = (statusIndex: number): { list: number; position: number } => ({ list: Math.floor(statusIndex / LIST_BITS) + 1, position: statusIndex % LIST_BITS });
const listPath = (p: StatusPurpose, list: number): string => `status/${p === "revocation" ? "r" : "s"}/${String(list)}`;
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");
/** A timestamp to the millisecond, without ".000" when it falls on a second (status lists' validFrom). */
const isoMs = (d: Date): string => d.toISOString().replace(/\.000Z$/, "Z");

/**
 * The validFrom of a list's next version: now, to the millisecond, and always after the previous
 * version's, even if this process's clock is behind the one that signed it or stepped back.
 * Verifiers remember the newest validFrom they accepted and refuse an older list
 * (`status_rollback`), so a list signed "earlier" than its predecessor would show grey.
 */
function nextListValidFrom(now: Date, previousJwt: string | undefined): Date {
  const from = previousJwt === undefined ? undefined : parseCompactJws(previousJwt).payload.validFrom;
  const t = typeof from === "string" ? Date.parse(from) : NaN;
  return Number.isNaN(t) || t < now.getTime() ? now : new Date(t + 1);
}
const CREDENTIAL_MONTHS_MAX = 13;
/** a capped credential is renewed when it has this many days or fewer left */
const RENEW_DAYS = 30;

/** Key of the PostgreSQL advisory lock that serialises log batches between processes. */
export const LOG_LOCK_KEY = 0x5ea15;

/**
 * The log's writer lock: a transaction-scoped PostgreSQL advisory lock held for one batch, so
 * that several ectrust processes sharing the log folder (`serve` and `worker`, two workers, a
 * `keys` command) append in turn instead of refusing or overwriting each other (docs/seals.md,
 * "Log writers"). The batch itself touches only files, never the database.
 */
export function advisoryLogLock(db: Db) {
  return <T>(fn: () => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      await lockForTransaction(tx, LOG_LOCK_KEY);
      return fn();
    });
}

export function createSealsService(deps: SealsDeps) {
  const { db, clock } = deps;
  const publicOrigin = new URL(deps.publicUrl).origin;
  const issuer = `${publicOrigin}/trust`;
  const logOrigin = deps.logOrigin ?? `${new URL(deps.publicUrl).host}/log`;
  const listUrl = (p: StatusPurpose, list = 1): string => `${issuer}/${listPath(p, list)}`;
  const logDir = join(deps.dataDir, "seals", "log");
  const keys = createKeyStore({ db, clock, masterKey: deps.masterKey, issuer, logOrigin });
  const publisher = createPublisher({ dir: join(deps.dataDir, "seals", "pub"), logDir });
  let sequencer: Promise<Sequencer> | undefined;
  const listsLock = statusListsLock(db, deps.hooks?.listsLockWait);

  function openLog(signer = keys.logSigner()): Promise<Sequencer> {
    sequencer ??= signer.then((s) => Sequencer.open({ store: new FsLogStore(logDir), origin: logOrigin, signer: s, maxDelayMs: deps.logDelayMs ?? 200, lock: advisoryLogLock(db) }));
    sequencer.catch(() => (sequencer = undefined));
    return sequencer;
  }
  const append: LogAppend = async (entry) => (await openLog()).append(entry);

  async function logEntry(e: LogEntry): Promise<{ index: number; tlogProof: string; entry: string }> {
    const bytes = formatEntry(e);
    const seq = await openLog();
    const a = await seq.append(bytes);
    return { index: a.index, tlogProof: await seq.tlogProof(a.index, a.checkpoint), entry: new TextDecoder().decode(bytes) };
  }

  async function allocateIndex(tx: Db): Promise<number> {
    await tx.insert(sealCounters).values({ name: "status-index", next: 0 }).onConflictDoNothing();
    const [row] = await tx.update(sealCounters).set({ next: sql`${sealCounters.next} + 1` }).where(eq(sealCounters.name, "status-index")).returning();
    return (row?.next ?? 1) - 1; // past list 1's 131,072 entries, list 2 begins (statusSlot)
  }

  /**
   * The shop's unrevoked credentials of one mark, newest first. Normally one; two syncs of the
   * same shop at once (the hook's job and the hourly job, or two workers) can both issue, so
   * syncMark acts on all of them rather than on the newest only.
   */
  const unrevoked = (shopId: string, mark: MarkType): Promise<CredentialRow[]> =>
    db.select().from(sealCredentials).where(and(eq(sealCredentials.shopId, shopId), eq(sealCredentials.mark, mark), ne(sealCredentials.state, "revoked"))).orderBy(desc(sealCredentials.issuedAt), desc(sealCredentials.statusIndex));

  async function issue(actor: Actor, shopId: string, mark: MarkType, origins: string[], validUntil: Date): Promise<CredentialRow> {
    const shop = await deps.registry.getShop(shopId);
    if (!shop) throw new Error(`shop ${shopId} vanished`);
    const now = clock.now();
    const id = `urn:uuid:${randomUUID()}`;
    const statusIndex = await db.transaction((tx) => allocateIndex(tx));
    const { kid, signer } = await keys.signer("issuing");
    const validFrom = iso(now);
    const until = iso(validUntil);
    const payload = buildCredential({
      id, issuer, issuerName: "ECTrust", validFrom, validUntil: until, issuedAt: now, origins,
      legalName: shop.legalNameZh, registrationNumber: shop.ubn, jurisdiction: "TW",
      mark: { type: mark, scheme: mark === "PrivacyMark" ? "ectrust-privacy-v1" : "ectrust-identity-v1" },
      status: (["revocation", "suspension"] as const).map((p) => ({ statusPurpose: p, statusListIndex: statusSlot(statusIndex).position, statusListCredential: listUrl(p, statusSlot(statusIndex).list) })),
    });
    const jwt = await signCredential(payload, issuer, signer);
    const logged = await logEntry(issueEntry({ cred: id, mark, origins, kid, validFrom, validUntil: until, jwtSha256: base64(await sha256(utf8(jwt))) }));
    return db.transaction(async (tx) => {
      const [row] = await tx.insert(sealCredentials).values({
        id, shopId, mark, origins, kid, jwt, entry: logged.entry, tlogProof: logged.tlogProof, logIndex: logged.index, statusIndex,
        state: "active", validFrom: now, validUntil, issuedAt: now, changedAt: now,
      }).returning();
      await appendAudit(tx, clock, actor, { action: "seals.credential.issue", objectType: "seal_credential", objectId: id, orgId: shop.orgId, summary: { shopId, mark, origins, logIndex: logged.index, statusIndex } });
      return row as CredentialRow;
    });
  }

  async function setState(actor: Actor, cred: CredentialRow, to: SealCredentialState, reason: string): Promise<void> {
    const from = cred.state;
    if (from === to || from === "revoked") return;
    const type = to === "revoked" ? "revoke" : to === "suspended" ? "suspend" : "unsuspend";
    const purpose: StatusPurpose = to === "revoked" ? "revocation" : "suspension";
    const now = clock.now();
    const slot = statusSlot(cred.statusIndex);
    await logEntry({ header: DEFAULT_ENTRY_HEADER, type, fields: [["cred", cred.id], ["list", listUrl(purpose, slot.list)], ["index", String(slot.position)], ["reason", reason], ["time", iso(now)]] });
    await db.transaction(async (tx) => {
      await tx.update(sealCredentials).set({ state: to, reason, changedAt: now }).where(eq(sealCredentials.id, cred.id));
      await appendAudit(tx, clock, actor, { action: `seals.credential.${type}`, objectType: "seal_credential", objectId: cred.id, summary: { shopId: cred.shopId, mark: cred.mark, from, to, reason } });
    });
  }

  const sameOrigins = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((o, i) => o === b[i]);

  /** Brings one mark of one shop in line with its source of truth; returns what it did. */
  async function syncMark(actor: Actor, shopId: string, mark: MarkType, want: { state: "active" | "suspended" | "ended"; validUntil: Date; reason: string }, origins: string[]): Promise<string> {
    const [cred, ...extra] = await unrevoked(shopId, mark);
    const now = clock.now();
    const cap = new Date(now.getTime() + CREDENTIAL_MONTHS_MAX * 30 * DAY);
    const validUntil = want.validUntil < cap ? want.validUntil : cap;
    if (want.state === "ended" || (want.state === "active" && (origins.length === 0 || validUntil <= now))) {
      for (const c of cred ? [cred, ...extra] : []) await setState(actor, c, "revoked", want.state === "ended" ? want.reason : "no_confirmed_origin");
      return cred ? "revoked" : "none";
    }
    // a duplicate from a concurrent sync is superseded by the newest one
    for (const c of extra) await setState(actor, c, "revoked", "superseded");
    if (want.state === "suspended") {
      if (cred) await setState(actor, cred, "suspended", want.reason);
      return cred ? "suspended" : "none";
    }
    // Validity: the source's end, capped at 13 months from issuance. The cap moves with the clock, so
    // a credential is kept while it ends no later than the source and has more than RENEW_DAYS left
    // (the hourly job then renews it); a shortened source validity reissues at once.
    const fresh = cred !== undefined && cred.validUntil <= want.validUntil && (cred.validUntil.getTime() - now.getTime() > RENEW_DAYS * DAY || cred.validUntil.getTime() >= validUntil.getTime());
    if (cred && fresh && sameOrigins(cred.origins, origins) && cred.kid === (await keys.signer("issuing")).kid) {
      if (cred.state === "suspended") await setState(actor, cred, "active", "reinstated");
      return cred.state === "suspended" ? "unsuspended" : extra.length > 0 ? "deduplicated" : "unchanged";
    }
    await issue(actor, shopId, mark, origins, validUntil);
    if (cred) await setState(actor, cred, "revoked", "superseded");
    return cred ? "reissued" : "issued";
  }

  /** resignStatusLists, under its lock. */
  async function resignLocked(actor: Actor): Promise<void> {
    const rows = await db.select({ statusIndex: sealCredentials.statusIndex, state: sealCredentials.state }).from(sealCredentials).where(inArray(sealCredentials.state, ["suspended", "revoked"]));
    const [top] = await db.select({ max: sql<number | string | null>`max(${sealCredentials.statusIndex})` }).from(sealCredentials);
    const lists = statusSlot(Number(top?.max ?? 0)).list;
    const { signer } = await keys.signer("status");
    const now = clock.now();
    for (let list = 1; list <= lists; list++) {
      for (const purpose of ["revocation", "suspension"] as const) {
        const bits = new Uint8Array(LIST_BITS / 8);
        let set = 0;
        for (const r of rows) {
          const slot = statusSlot(r.statusIndex);
          if (slot.list === list && (purpose === "revocation" ? r.state === "revoked" : r.state === "suspended")) {
            setBit(bits, slot.position, true);
            set++;
          }
        }
        const url = listUrl(purpose, list);
        const validFrom = nextListValidFrom(now, await service.statusList(purpose, list));
        const validUntil = new Date(validFrom.getTime() + DAY);
        const jwt = await signStatusList({ id: url, issuer, purpose, bits, validFrom: isoMs(validFrom), validUntil: isoMs(validUntil), ttlMs: 300_000 }, signer);
        const digest = base64(await sha256(utf8(jwt)));
        await logEntry({ header: DEFAULT_ENTRY_HEADER, type: "status-list", fields: [["list", url], ["list-sha256", digest], ["valid", `${isoMs(validFrom)} ${isoMs(validUntil)}`]] });
        await db.transaction(async (tx) => {
          const [last] = await tx.select({ version: sealStatusLists.version }).from(sealStatusLists).where(and(eq(sealStatusLists.purpose, purpose), eq(sealStatusLists.list, list))).orderBy(desc(sealStatusLists.version)).limit(1);
          const version = (last?.version ?? 0) + 1;
          await tx.insert(sealStatusLists).values({ purpose, list, version, jwt, sha256: digest, validUntil, createdAt: now });
          await appendAudit(tx, clock, actor, { action: "seals.status_list.sign", objectType: "seal_status_list", objectId: `${purpose}/${String(list)}/${String(version)}`, summary: { url, sha256: digest, set } });
        });
        await publisher.write(`trust/${listPath(purpose, list)}`, jwt);
      }
    }
    await publisher.markLog(); // what service.publishLog does
  }

  const service = {
    keys,
    issuer,
    logOrigin,
    publisher,
    listUrl,
    appendLog: append,

    /** Creates keys, the first anchor, the status lists and the publication (idempotent). */
    async init(actor: Actor = systemActor("seals")): Promise<void> {
      const created = await keys.init(actor, (s) => openLog(Promise.resolve(s)).then(() => append));
      if (!created && (await db.select().from(sealStatusLists).limit(1)).length > 0) return; // cheap on every job
      await service.resignStatusLists(actor);
      await service.publishAll();
    },

    /** The registry hook's job: issue, reissue, suspend or withdraw the shop's credentials. */
    async syncShop(shopId: string, actor: Actor = systemActor("seals")): Promise<Record<MarkType, string>> {
      const shop = await deps.registry.getShop(shopId);
      const origins = [...(await deps.registry.listConfirmedOrigins(shopId))].sort();
      const status = shop?.identityStatus ?? "withdrawn";
      const identity = status === "confirmed" ? "active" : status === "lapsed" || status === "pending" ? "suspended" : "ended";
      const result: Record<MarkType, string> = {
        IdentityConfirmed: await syncMark(actor, shopId, "IdentityConfirmed", { state: identity, validUntil: shop?.expiresAt ?? clock.now(), reason: `identity_${status}` }, origins),
        PrivacyMark: "not_wired",
      };
      if (deps.marks) {
        const m = await deps.marks.currentMark(shopId);
        // A privacy mark is only shown for a shop whose identity is confirmed.
        const state = !m || identity === "ended" ? "ended" : identity === "suspended" ? "suspended" : m.state;
        result.PrivacyMark = await syncMark(actor, shopId, "PrivacyMark", { state, validUntil: m?.validUntil ?? clock.now(), reason: m ? `mark_${m.state}` : "mark_absent" }, origins);
      }
      const changed = Object.values(result).some((r) => r !== "unchanged" && r !== "none" && r !== "not_wired");
      if (changed) {
        if (Object.values(result).some((r) => r !== "issued" && r !== "unchanged" && r !== "none" && r !== "not_wired")) await service.resignStatusLists(actor);
        await service.publishShop(shopId);
        await service.publishLog();
      }
      return result;
    },

    /**
     * The hourly job: re-sign the anchor if it ends within 30 days, re-sign every status list
     * (24 h validity), re-sync every shop that has credentials (origin changes and expiry fire no
     * hook), and re-write the publication folder (a fresh host or a lost folder is whole again).
     */
    async hourly(actor: Actor = systemActor("seals")): Promise<{ anchor: number | undefined; shops: number }> {
      await service.init(actor);
      const anchor = await keys.refreshAnchor(actor, append);
      await service.resignStatusLists(actor);
      const shops = await service.shopsWithCredentials();
      for (const shopId of shops) await service.syncShop(shopId, actor);
      await service.publishAll();
      return { anchor, shops: shops.length };
    },

    /**
     * Re-signs every list in use (both purposes; list n from status index (n − 1) · 131,072 once
     * one exists) from the credential states, on change and hourly; logs each version. One at a
     * time, across processes too (seals.locks.ts): read, sign, log, store and publish as one step,
     * so the version stored and published last was read last, and reflects the newest states.
     */
    resignStatusLists(actor: Actor = systemActor("seals")): Promise<void> {
      return listsLock(() => resignLocked(actor));
    },

    /** The newest signed version of every list, by URL. */
    async statusLists(): Promise<Map<string, string>> {
      const rows = await db.selectDistinctOn([sealStatusLists.purpose, sealStatusLists.list], { purpose: sealStatusLists.purpose, list: sealStatusLists.list, jwt: sealStatusLists.jwt }).from(sealStatusLists).orderBy(sealStatusLists.purpose, sealStatusLists.list, desc(sealStatusLists.version));
      return new Map(rows.map((r) => [listUrl(r.purpose as StatusPurpose, r.list), r.jwt]));
    },

    async statusList(purpose: StatusPurpose, list = 1): Promise<string | undefined> {
      const [row] = await db.select().from(sealStatusLists).where(and(eq(sealStatusLists.purpose, purpose), eq(sealStatusLists.list, list))).orderBy(desc(sealStatusLists.version)).limit(1);
      return row?.jwt;
    },

    /** Current (not revoked) credentials of a shop, oldest mark first. */
    async credentials(shopId: string): Promise<CredentialRow[]> {
      return db.select().from(sealCredentials).where(and(eq(sealCredentials.shopId, shopId), ne(sealCredentials.state, "revoked"))).orderBy(asc(sealCredentials.mark));
    },
    async credentialHistory(shopId: string): Promise<CredentialRow[]> {
      return db.select().from(sealCredentials).where(eq(sealCredentials.shopId, shopId)).orderBy(asc(sealCredentials.issuedAt));
    },

    async publishShop(shopId: string): Promise<void> {
      const creds = await service.credentialHistory(shopId);
      for (const c of creds) {
        const uuid = c.id.slice("urn:uuid:".length);
        await publisher.write(`trust/c/${shopId}/${uuid}.jwt`, c.jwt, true);
        await publisher.write(`trust/c/${shopId}/${uuid}.tlog-proof`, c.tlogProof, true);
      }
      // the same bundles as the seal page: the newest of each mark unless superseded (a withdrawn shop's revoked credential stays, so verifiers see "revoked", not nothing)
      await publisher.write(`trust/c/${shopId}/index.json`, JSON.stringify({ marks: (await service.sealView(shopId))?.bundles ?? [] }));
    },

    /** Anchor, its history, JWKS, keys, issuer metadata. */
    async publishTrust(): Promise<void> {
      const anchor = await keys.currentAnchor();
      if (!anchor) return;
      await publisher.write("trust/.well-known/ectrust/trust-anchor.json", anchor.document);
      for (let v = 1; v <= anchor.version; v++) {
        const doc = await keys.anchorVersion(v);
        if (doc) await publisher.write(`trust/.well-known/ectrust/trust-anchor/${v}.json`, doc, true);
      }
      const rows = (await keys.list()).filter((k) => (k.role === "issuing" || k.role === "status") && k.state !== "revoked");
      const jwks = rows.map((k) => ({ kty: "OKP", crv: "Ed25519", x: k.publicKey, kid: k.kid, use: "sig", alg: "EdDSA" }));
      await publisher.write("trust/.well-known/jwks.json", JSON.stringify({ keys: jwks }));
      await publisher.write("trust/.well-known/jwt-vc-issuer", JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }));
      for (const j of jwks) await publisher.write(`trust/keys/urn:ietf:params:oauth:jwk-thumbprint:sha-256:${j.kid}`, JSON.stringify(j), true);
    },

    async publishLog(): Promise<void> {
      await publisher.markLog();
    },

    /**
     * Re-writes the publication folder (init, the hourly job). The status lists are read and written
     * under their lock: a re-sign landing between the read and the write would otherwise have its
     * newer list overwritten by the older one until the next hourly run. Never call it from inside
     * the lock (a re-sign writes its own lists).
     */
    async publishAll(): Promise<void> {
      await service.publishTrust();
      const shops = await db.selectDistinct({ shopId: sealCredentials.shopId }).from(sealCredentials);
      for (const s of shops) await service.publishShop(s.shopId);
      await listsLock(async () => {
        const lists = await service.statusLists();
        await deps.hooks?.beforeListsWrite?.();
        for (const [url, jwt] of lists) await publisher.write(`trust/${url.slice(issuer.length + 1)}`, jwt);
      });
    },

    /** Server-side verification of a shop's live credentials (the /verify page and API). */
    async verifyShop(shopId: string, embeddingOrigin?: string): Promise<{ credentialId: string; mark: string; verdict: Verdict }[]> {
      const anchor = await keys.currentAnchor();
      if (!anchor) return [];
      const roots = await keys.roots();
      const lists = await service.statusLists();
      const out = [];
      for (const c of await service.credentialHistory(shopId)) {
        if (c.state === "revoked" && c.reason === "superseded") continue;
        const bundle: SealBundle = { jwt: c.jwt, tlogProof: c.tlogProof, entry: c.entry };
        const verdict = await verifySealFromRoots({
          bundle, anchor: anchor.document, pinned: { roots, threshold: 1, minVersion: 1 }, logOrigin,
          embedding: embeddingOrigin ? { origin: embeddingOrigin, source: "referrer" } : undefined,
          now: clock.now(), ed25519: nodeEd25519Verify, gunzip: nodeGunzip(MAX_LIST_BYTES),
          fetchStatusList: (url) => { const l = lists.get(url); return l ? Promise.resolve(l) : Promise.reject(new Error("unknown list")); },
        });
        out.push({ credentialId: c.id, mark: c.mark, verdict });
      }
      return out;
    },

    /**
     * What the seal page shows: the newest credential of each mark, unless it was superseded.
     * A revoked (not superseded) credential is still shown, so the shop's own page shows red
     * rather than an empty frame (docs/seals.md, departures).
     */
    async sealView(shopId: string): Promise<{ bundles: SealBundle[]; origins: string[]; credentials: CredentialRow[] } | undefined> {
      const latest = new Map<string, CredentialRow>();
      for (const c of await service.credentialHistory(shopId)) latest.set(c.mark, c);
      const shown = [...latest.values()].filter((c) => c.reason !== "superseded");
      if (shown.length === 0) return undefined;
      return { bundles: shown.map((c) => ({ jwt: c.jwt, tlogProof: c.tlogProof, entry: c.entry })), origins: [...new Set(shown.flatMap((c) => c.origins))], credentials: shown };
    },

    /** The verification report (undefined: no such shop and no credentials). */
    async verification(shopId: string): Promise<VerificationReport | undefined> {
      const shop = await deps.registry.getShop(shopId);
      const creds = (await service.sealView(shopId))?.credentials ?? [];
      if (!shop && creds.length === 0) return undefined;
      const verdicts = new Map((await service.verifyShop(shopId)).map((v) => [v.credentialId, v.verdict]));
      const mark = shop ? await deps.marks?.currentMark(shopId) : undefined;
      return {
        shopId,
        legalNameZh: shop?.legalNameZh ?? "",
        legalNameEn: shop?.legalNameEn ?? "",
        registrationNumber: shop?.ubn ?? "",
        identity: shop ? { status: shop.identityStatus, confirmedAt: shop.confirmedAt ?? null, expiresAt: shop.expiresAt } : null,
        privacyMark: mark ? { number: mark.number, state: mark.state, validFrom: mark.validFrom ?? null, validUntil: mark.validUntil } : null,
        scanGrade: (await deps.scanGrade?.(shopId)) ?? null,
        checkedAt: clock.now(),
        marks: creds.flatMap((c) => {
          const verdict = verdicts.get(c.id);
          const uuid = c.id.slice("urn:uuid:".length);
          return verdict ? [{ credentialId: c.id, mark: c.mark, verdict, origins: c.origins, validFrom: c.validFrom, validUntil: c.validUntil, issuedAt: c.issuedAt, logIndex: c.logIndex, jwtPath: `/trust/c/${shopId}/${uuid}.jwt`, proofPath: `/trust/c/${shopId}/${uuid}.tlog-proof` }] : [];
        }),
      };
    },

    /** The shops whose current or past credentials name this origin (for `ectrust verify <origin>`). */
    async shopsByOrigin(origin: string): Promise<string[]> {
      const rows = await db.selectDistinct({ shopId: sealCredentials.shopId }).from(sealCredentials).where(sql`${sealCredentials.origins} @> ${JSON.stringify([origin])}::jsonb`);
      return rows.map((r) => r.shopId);
    },

    async shopsWithCredentials(): Promise<string[]> {
      return (await db.selectDistinct({ shopId: sealCredentials.shopId }).from(sealCredentials)).map((r) => r.shopId);
    },

    async shop(shopId: string) {
      return deps.registry.getShop(shopId);
    },

    /** Subscribes to origin removals in the registry (seals.jobs.ts queues a sync of the shop from it). */
    onOriginRemoved(listener: (change: { shopId: string; tx: Db }) => Promise<void>): void {
      deps.registry.onOriginRemoved?.(listener);
    },

    /**
     * Logs a widget build the first time this deployment serves it (`widget` entry: its path
     * and SHA-256), so monitors see every widget the seals ran. Idempotent across processes
     * (a race logs the same build twice, which is harmless).
     */
    async recordWidgetRelease(path: string, sha256Base64: string, actor: Actor = systemActor("seals")): Promise<number> {
      const [known] = await db.select().from(sealWidgetReleases).where(eq(sealWidgetReleases.sha256, sha256Base64));
      if (known) return known.logIndex;
      const logged = await logEntry({ header: DEFAULT_ENTRY_HEADER, type: "widget", fields: [["path", path], ["sha256", sha256Base64]] });
      await db.transaction(async (tx) => {
        const [row] = await tx.insert(sealWidgetReleases).values({ sha256: sha256Base64, path, logIndex: logged.index, createdAt: clock.now() }).onConflictDoNothing().returning();
        if (row) await appendAudit(tx, clock, actor, { action: "seals.widget.release", objectType: "seal_widget", objectId: sha256Base64, summary: { path, logIndex: logged.index } });
      });
      await service.publishLog();
      return logged.index;
    },

    /** What the widget build pins (roots, threshold, minimum anchor version, log origin). */
    async pinned(): Promise<{ roots: string[]; threshold: number; minVersion: number; logOrigin: string }> {
      return { roots: await keys.roots(), threshold: 1, minVersion: 1, logOrigin };
    },

    async close(): Promise<void> {
      const s = sequencer;
      sequencer = undefined;
      if (s) await (await s.catch(() => undefined))?.close();
    },
  };
  return service;
}

export type SealsService = ReturnType<typeof createSealsService>;
