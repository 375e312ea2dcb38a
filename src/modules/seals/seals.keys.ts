// The key store (design note §4): Ed25519 root, issuing, status and log keys. Private seeds are
// sealed under the platform master key (AES-256-GCM, bound to the kid) in seals_keys; the root
// signs each trust-anchor version; every key event and anchor version is logged and audited.
import { and, asc, desc, eq } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import { openSecret, sealSecret } from "../../platform/crypto.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError } from "../../platform/errors.ts";
import { base64, base64url, fromBase64url, sha256, utf8 } from "./tlog/bytes.ts";
import { generateSigner, signerFromSeed, type Signer } from "./tlog/ed25519.ts";
import { DEFAULT_ENTRY_HEADER, formatEntry, type LogEntry } from "./tlog/entry.ts";
import { formatVkey } from "./tlog/note.ts";
import { anchorKey, signAnchor, type AnchorKey, type TrustAnchor } from "./verify/anchor.ts";
import { thumbprint } from "./verify/jws.ts";
import { keysLock } from "./seals.locks.ts";
import { sealAnchors, sealKeys, type SealKeyRole, type SealKeyState } from "./seals.tables.ts";
import { lockForTransaction } from "../../platform/db/locks.ts";

export type KeyRow = typeof sealKeys.$inferSelect;

/** Appends one entry to the transparency log; resolves once a checkpoint covers it. */
export type LogAppend = (entry: Uint8Array) => Promise<{ index: number; checkpoint: string }>;

export interface KeyStoreDeps {
  db: Db;
  clock: Clock;
  masterKey: Buffer;
  issuer: string;
  logOrigin: string;
  /** anchor lifetime; re-signed by `refreshAnchor` well before it ends */
  anchorDays?: number;
}

const DAY = 86_400_000;
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const context = (kid: string): string => `seals.key:${kid}`;

/** The refusal to retire or revoke the only usable key of a role: what stops, and what to run instead. */
function lastUsableKey(k: KeyRow, state: Exclude<SealKeyState, "active">, nextUsable: Date | undefined): AppError {
  const stops = k.role === "issuing" ? "no credential could be issued or reissued" : "the status lists could not be re-signed and would expire within 24 hours, every seal showing \"status unavailable\"";
  const pending = nextUsable ? ` (the ${k.role} key added last is usable from ${nextUsable.toISOString()})` : "";
  if (state === "verify-only") {
    return new AppError("invalid_transition", `This is the only usable ${k.role} key${pending}: retiring it now means ${stops}. Run "ectrust keys rotate ${k.role}" and retire it once the new key is usable.`);
  }
  return new AppError(
    "invalid_transition",
    `This is the only usable ${k.role} key${pending}: revoking it now means ${stops} until another key is usable. ` +
      `Run "ectrust keys rotate ${k.role} --publish-days 0" first (the new key signs at once), then "ectrust keys revoke ${k.kid}"; ` +
      `if it is compromised and must stop verifying now, "ectrust keys revoke ${k.kid} --force".`,
  );
}

export function createKeyStore(deps: KeyStoreDeps) {
  const { db, clock, masterKey } = deps;
  const anchorDays = deps.anchorDays ?? 180;
  const signers = new Map<string, Signer>();
  // Key events one at a time, across processes too (seals.locks.ts): a state change's check that
  // its role keeps a usable key, and each anchor's "current version + 1", hold only while no other
  // key event runs between their read and their write.
  const locked = keysLock(db);

  async function signerOf(row: KeyRow): Promise<Signer> {
    const cached = signers.get(row.kid);
    if (cached) return cached;
    const seed = fromBase64url(openSecret(masterKey, row.sealedSeed, context(row.kid)));
    if (seed?.length !== 32) throw new Error(`seal key ${row.kid}: bad sealed seed`);
    const s = await signerFromSeed(seed);
    if (base64url(s.publicKey) !== row.publicKey) throw new Error(`seal key ${row.kid}: seed does not match the public key`);
    signers.set(row.kid, s);
    return s;
  }

  async function insertKey(tx: Db, role: SealKeyRole, notBefore: Date): Promise<KeyRow> {
    const { seed, signer } = await generateSigner();
    const kid = await thumbprint(signer.publicKey);
    const [row] = await tx
      .insert(sealKeys)
      .values({ kid, role, publicKey: base64url(signer.publicKey), sealedSeed: sealSecret(masterKey, base64url(seed), context(kid)), state: "active", notBefore, createdAt: clock.now() })
      .returning();
    seed.fill(0);
    signers.set(kid, signer);
    return row as KeyRow;
  }

  const all = (tx: Db = db) => tx.select().from(sealKeys).orderBy(asc(sealKeys.createdAt));

  async function one(role: SealKeyRole, tx: Db = db): Promise<KeyRow | undefined> {
    const [row] = await tx.select().from(sealKeys).where(and(eq(sealKeys.role, role), eq(sealKeys.state, "active"))).orderBy(desc(sealKeys.notBefore)).limit(1);
    return row;
  }

  function toAnchorKey(k: KeyRow): Promise<AnchorKey> {
    const x = fromBase64url(k.publicKey) as Uint8Array;
    return anchorKey(x, k.role as "issuing" | "status", iso(k.notBefore), k.state).then((a) => ({
      ...a,
      ...(k.notAfter ? { notAfter: iso(k.notAfter) } : {}),
      ...(k.revokedAt ? { revokedAt: iso(k.revokedAt) } : {}),
    }));
  }

  function keyEntry(type: "key-add" | "key-retire" | "key-revoke", k: KeyRow): LogEntry {
    const fields: [string, string][] = [["kid", k.kid], ["role", k.role], ["notBefore", iso(k.notBefore)]];
    if (k.notAfter) fields.push(["notAfter", iso(k.notAfter)]);
    if (k.revokedAt) fields.push(["revokedAt", iso(k.revokedAt)]);
    return { header: DEFAULT_ENTRY_HEADER, type, fields };
  }

  const store = {
    /** The root public keys (base64url): what the widget and the CLI pin. */
    async roots(): Promise<string[]> {
      return (await all()).filter((k) => k.role === "root" && k.state === "active").map((k) => k.publicKey);
    },
    list: () => all(),
    /** The signer of the newest active key of a role already usable (notBefore ≤ now). */
    async signer(role: SealKeyRole): Promise<{ kid: string; signer: Signer }> {
      const now = clock.now();
      const rows = (await all()).filter((k) => k.role === role && k.state === "active" && k.notBefore <= now);
      const row = rows.at(-1);
      if (!row) throw new AppError("conflict", `No usable ${role} key; run "ectrust keys init".`);
      return { kid: row.kid, signer: await signerOf(row) };
    },
    /** The current anchor document (JWS JSON) and its parsed payload, if any. */
    async currentAnchor(): Promise<{ version: number; document: string } | undefined> {
      const [row] = await db.select().from(sealAnchors).orderBy(desc(sealAnchors.version)).limit(1);
      return row ? { version: row.version, document: row.document } : undefined;
    },
    async anchorVersion(version: number): Promise<string | undefined> {
      const [row] = await db.select().from(sealAnchors).where(eq(sealAnchors.version, version));
      return row?.document;
    },

    /**
     * Creates the root, log, issuing and status keys if there are none (idempotent), and the first
     * anchor. Key events go to the log after the log key exists: the log must exist to log them.
     */
    async init(actor: Actor, append: (logSigner: Signer) => Promise<LogAppend>): Promise<boolean> {
      if ((await all()).length > 0) return false;
      const now = clock.now();
      const created = await db.transaction(async (tx) => {
        // Two processes at their very first start both find no keys: the lock lets one create
        // them, and the other, finding them on its second look, creates none.
        await lockForTransaction(tx, "seals.keys.init");
        if ((await all(tx)).length > 0) return null;
        const rows = [await insertKey(tx, "root", now), await insertKey(tx, "log", now), await insertKey(tx, "issuing", now), await insertKey(tx, "status", now)];
        for (const k of rows) await appendAudit(tx, clock, actor, { action: "seals.key.add", objectType: "seal_key", objectId: k.kid, summary: { role: k.role, notBefore: k.notBefore.toISOString() } });
        return rows;
      });
      if (!created) return false;
      const log = await append(await signerOf(created[1] as KeyRow));
      for (const k of created) if (k.role === "issuing" || k.role === "status") await log(formatEntry(keyEntry("key-add", k)));
      await store.publishAnchor(actor, log);
      return true;
    },

    /** The log signer (sequencer only). */
    async logSigner(): Promise<Signer> {
      const row = await one("log");
      if (!row) throw new AppError("conflict", 'No log key; run "ectrust keys init".');
      return signerOf(row);
    },

    /**
     * Re-signs the anchor (same keys, next version, a fresh `expires`) when the current one ends
     * within `withinDays`; the hourly job calls this. Returns the new version, or undefined.
     */
    refreshAnchor(actor: Actor, log: LogAppend, withinDays = 30): Promise<number | undefined> {
      return locked(() => refreshAnchorLocked(actor, log, withinDays));
    },

    /** Signs and stores the next anchor version from the keys table, and logs it. */
    publishAnchor(actor: Actor, log: LogAppend): Promise<{ version: number; document: string }> {
      return locked(() => publishAnchorLocked(actor, log));
    },

    /**
     * Adds a new issuing or status key, published now and usable after `publishDays`
     * (publish-before-use, design note §4.1); the previous key stays usable until then.
     */
    rotate(actor: Actor, role: "issuing" | "status", publishDays: number, log: LogAppend): Promise<KeyRow> {
      return locked(async () => {
        const notBefore = new Date(clock.now().getTime() + publishDays * DAY);
        const row = await db.transaction(async (tx) => {
          const k = await insertKey(tx, role, notBefore);
          await appendAudit(tx, clock, actor, { action: "seals.key.add", objectType: "seal_key", objectId: k.kid, summary: { role, notBefore: notBefore.toISOString() } });
          return k;
        });
        await log(formatEntry(keyEntry("key-add", row)));
        await publishAnchorLocked(actor, log);
        return row;
      });
    },

    /**
     * Retires (verify-only, notAfter = now) or revokes (revokedAt = now) a key, then re-signs the
     * anchor. Neither may leave a role without a usable key (issuance stops; status lists can no
     * longer be re-signed and expire within 24 h, every seal turning grey): both are refused for the
     * only usable key of its role, naming the rotate command. A revocation goes ahead anyway with
     * `force` (a compromised key must stop verifying now, whatever stops with it). Under the keys
     * lock: two changes at once (the two usable keys of a role) run one after the other, and the
     * second sees the first's result.
     */
    changeState(actor: Actor, kid: string, state: Exclude<SealKeyState, "active">, log: LogAppend, o: { force?: boolean } = {}): Promise<KeyRow> {
      return locked(() => changeStateLocked(actor, kid, state, log, o));
    },

    /** The root seeds for offline storage (base64url), with their public keys. Audited. */
    async exportRoot(actor: Actor): Promise<{ kid: string; publicKey: string; seed: string }[]> {
      const rows = (await all()).filter((k) => k.role === "root");
      await db.transaction(async (tx) => {
        for (const k of rows) await appendAudit(tx, clock, actor, { action: "seals.key.export_root", objectType: "seal_key", objectId: k.kid });
      });
      return rows.map((k) => ({ kid: k.kid, publicKey: k.publicKey, seed: openSecret(masterKey, k.sealedSeed, context(k.kid)) }));
    },
  };

  /** refreshAnchor, under the keys lock: a second refresh (server and worker) finds the fresh anchor and signs none. */
  async function refreshAnchorLocked(actor: Actor, log: LogAppend, withinDays: number): Promise<number | undefined> {
    const [row] = await db.select({ createdAt: sealAnchors.createdAt }).from(sealAnchors).orderBy(desc(sealAnchors.version)).limit(1);
    if (!row) {
      // Keys without any anchor: init committed the keys and then failed (log unwritable, a
      // crash) before signing anchor 1, and init never retries once keys exist. Repair it here,
      // but only for keys old enough that no init can still be on its way to the anchor.
      const rootKey = (await all()).find((k) => k.role === "root");
      if (!rootKey || clock.now().getTime() - rootKey.createdAt.getTime() < 10 * 60_000) return undefined;
      return (await publishAnchorLocked(actor, log)).version;
    }
    const ends = row.createdAt.getTime() + anchorDays * DAY;
    if (ends - clock.now().getTime() > withinDays * DAY) return undefined;
    return (await publishAnchorLocked(actor, log)).version;
  }

  /** publishAnchor, under the keys lock: the version read here is still the newest when it is inserted. */
  async function publishAnchorLocked(actor: Actor, log: LogAppend): Promise<{ version: number; document: string }> {
    const rows = await all();
    const root = rows.filter((k) => k.role === "root" && k.state === "active");
    const logKey = rows.find((k) => k.role === "log" && k.state === "active");
    if (root.length === 0 || !logKey) throw new AppError("conflict", "No root or log key.");
    const current = await store.currentAnchor();
    const version = (current?.version ?? 0) + 1;
    const anchor: TrustAnchor = {
      version,
      issuer: deps.issuer,
      expires: iso(new Date(clock.now().getTime() + anchorDays * DAY)),
      keys: await Promise.all(rows.filter((k) => k.role === "issuing" || k.role === "status").map(toAnchorKey)),
      log: { origin: deps.logOrigin, vkey: await formatVkey(deps.logOrigin, fromBase64url(logKey.publicKey) as Uint8Array), witnessThreshold: 0 },
    };
    const document = await signAnchor(anchor, await Promise.all(root.map(signerOf)));
    const digest = base64(await sha256(utf8(document)));
    await log(formatEntry({ header: DEFAULT_ENTRY_HEADER, type: "anchor", fields: [["version", String(version)], ["anchor-sha256", digest]] }));
    await db.transaction(async (tx) => {
      await tx.insert(sealAnchors).values({ version, document, sha256: digest, createdAt: clock.now() });
      await appendAudit(tx, clock, actor, { action: "seals.anchor.publish", objectType: "seal_anchor", objectId: String(version), summary: { version, sha256: digest, expires: anchor.expires } });
    });
    return { version, document };
  }

  /** changeState, under the keys lock: no other key event can pass the same check meanwhile. */
  async function changeStateLocked(actor: Actor, kid: string, state: Exclude<SealKeyState, "active">, log: LogAppend, o: { force?: boolean }): Promise<KeyRow> {
    const now = clock.now();
    const row = await db.transaction(async (tx) => {
      const [k] = await tx.select().from(sealKeys).where(eq(sealKeys.kid, kid)).for("update");
      if (!k || (k.role !== "issuing" && k.role !== "status")) throw new AppError("not_found", "No issuing or status key with this kid.");
      if (k.state === "revoked" || k.state === state) throw new AppError("invalid_transition", `The key is already ${k.state}.`);
      if (k.state === "active" && !(state === "revoked" && o.force === true)) {
        const others = await tx.select().from(sealKeys).where(and(eq(sealKeys.role, k.role), eq(sealKeys.state, "active")));
        if (!others.some((x) => x.kid !== kid && x.notBefore <= now)) throw lastUsableKey(k, state, others.filter((x) => x.kid !== kid).map((x) => x.notBefore).sort((a, b) => a.getTime() - b.getTime())[0]);
      }
      const [u] = await tx
        .update(sealKeys)
        .set(state === "revoked" ? { state, revokedAt: now } : { state, notAfter: now })
        .where(eq(sealKeys.kid, kid))
        .returning();
      await appendAudit(tx, clock, actor, { action: state === "revoked" ? "seals.key.revoke" : "seals.key.retire", objectType: "seal_key", objectId: kid, summary: { role: k.role, from: k.state, to: state } });
      return u as KeyRow;
    });
    signers.delete(kid);
    await log(formatEntry(keyEntry(state === "revoked" ? "key-revoke" : "key-retire", row)));
    await publishAnchorLocked(actor, log);
    return row;
  }
  return store;
}

export type KeyStore = ReturnType<typeof createKeyStore>;
