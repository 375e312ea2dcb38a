// The keyed chain and its checkpoints against an attacker who can write to the database but holds
// no key material: re-chaining an edited row, deleting the newest rows, downgrading keyed rows.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { systemActor } from "../actor.ts";
import { FixedClock } from "../clock.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { testDatabase, type TestDatabase } from "../testing/db.ts";
import { createAuditAnchor, formatCheckpoint, fsCheckpointStore, parseCheckpoint } from "./audit.anchor.ts";
import { appendAudit, GENESIS_HASH, rowHash, verifyAuditChain, type AuditRow } from "./audit.ts";
import { AuditError } from "./audit.errors.ts";
import { armAuditKeys, deriveAuditKeys, KEYED_PREFIX } from "./audit.key.ts";

const keys = deriveAuditKeys(randomBytes(32));
const clock = new FixedClock("2026-05-01T00:00:00Z");
let dirs: string[] = [];
const newDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "ectrust-audit-"));
  dirs.push(d);
  return d;
};
let database: TestDatabase;
/** One database for the file (a fresh one takes a second); each test starts from an empty trail. */
async function fresh(): Promise<TestDatabase> {
  await database.query("delete from audit_log");
  return database;
}

before(async () => {
  database = await testDatabase();
});
after(async () => {
  armAuditKeys(undefined);
  await database.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

async function append(db: Database, n: number, tag = "x"): Promise<void> {
  for (let i = 0; i < n; i++) {
    await db.db.transaction((tx) => appendAudit(tx, clock, systemActor("test"), { action: "thing.changed", objectType: "thing", objectId: `${tag}${i}`, summary: { i } }));
    clock.advance(1000);
  }
}

async function allRows(db: Database): Promise<AuditRow[]> {
  const r = await db.query<{ seq: string; at: Date; actor_user_id: string | null; actor_org_id: string | null; actor_kind: string; action: string; object_type: string; object_id: string; org_id: string | null; summary: Record<string, unknown>; request_id: string | null; prev_hash: string; hash: string }>("select * from audit_log order by seq");
  return r.rows.map((x) => ({ seq: Number(x.seq), at: new Date(x.at), actorUserId: x.actor_user_id, actorOrgId: x.actor_org_id, actorKind: x.actor_kind, action: x.action, objectType: x.object_type, objectId: x.object_id, orgId: x.org_id, summary: x.summary, requestId: x.request_id, prevHash: x.prev_hash, hash: x.hash }));
}

/** What a database-only attacker can do: recompute every hash of rows `from`…`to`, with `hash` of their choosing. */
async function rechain(db: Database, from: number, hash: (row: Omit<AuditRow, "hash">) => string, to = Infinity): Promise<void> {
  const rows = await allRows(db);
  let prev = rows.find((r) => r.seq === from - 1)?.hash ?? GENESIS_HASH;
  for (const row of rows.filter((r) => r.seq >= from && r.seq <= to)) {
    const h = hash({ ...row, prevHash: prev });
    await db.query("update audit_log set prev_hash = $1, hash = $2 where seq = $3", [prev, h, row.seq]);
    prev = h;
  }
}

test("an edited row re-chained without the key is detected: plain SHA-256, or an HMAC under a guessed key", async () => {
  armAuditKeys(keys);
  const database = await fresh();
  await append(database, 5, "edit");
  const clean = await verifyAuditChain(database.db, { chainKey: keys.chain });
  assert.deepEqual(clean, { ok: true, rows: 5, legacyRows: 0, checkpoint: null });

  await database.query(`update audit_log set summary = '{"i": 99}' where seq = 3`);
  await rechain(database, 3, (row) => rowHash(row));
  const unkeyed = await verifyAuditChain(database.db, { chainKey: keys.chain });
  assert.equal(unkeyed.ok, false);
  assert.deepEqual([unkeyed.problem?.kind, unkeyed.problem?.seq], ["unkeyed_row", 3]);

  const guessed = deriveAuditKeys(randomBytes(32)).chain;
  await rechain(database, 3, (row) => rowHash(row, guessed));
  const wrongKey = await verifyAuditChain(database.db, { chainKey: keys.chain });
  assert.deepEqual([wrongKey.problem?.kind, wrongKey.problem?.seq], ["hash_mismatch", 3]);

  // with the real key (which only the server holds) the same edit would verify: the key is what protects it
  await rechain(database, 3, (row) => rowHash(row, keys.chain));
  assert.equal((await verifyAuditChain(database.db, { chainKey: keys.chain })).ok, true);
});

test("deleting the newest rows, or all of them, is detected against the newest checkpoint, and the checkpoint never moves back", async () => {
  armAuditKeys(keys);
  const db = await fresh();
  {
    const anchor = createAuditAnchor({ db: db.db, keys, store: fsCheckpointStore(newDir()), clock });
    await append(db, 4, "a");
    const first = await anchor.checkpoint();
    assert.deepEqual(first, { status: "written", checkpoint: { seq: 4, hash: (await allRows(db)).at(-1)?.hash, at: clock.now() } });
    assert.deepEqual(await anchor.checkpoint(), { status: "current" });
    const ok = await anchor.verify();
    assert.equal(ok.ok, true);
    assert.equal(ok.checkpoint?.seq, 4);

    await db.query("delete from audit_log where seq > 2");
    const cut = await anchor.verify();
    assert.equal(cut.ok, false);
    assert.deepEqual([cut.problem?.kind, cut.problem?.seq], ["truncated", 3]);

    // new rows take the removed numbers: the chain is valid again, but not the one the checkpoint recorded
    await append(db, 3, "b");
    const refilled = await anchor.verify();
    assert.deepEqual([refilled.problem?.kind, refilled.problem?.seq], ["checkpoint_mismatch", 4]);
    const refused = await anchor.checkpoint();
    assert.equal(refused.status, "refused");
    assert.equal((await anchor.verify()).problem?.kind, "checkpoint_mismatch", "the evidence is kept");

    await db.query("delete from audit_log");
    assert.deepEqual([(await anchor.verify()).problem?.kind, (await anchor.verify()).problem?.seq], ["truncated", 1]);
  }
});

test("an upgraded trail: legacy rows verify up to the first checkpoint; keyed rows cannot be downgraded; a keyless process cannot append", async () => {
  const db = await fresh();
  try {
    armAuditKeys(undefined); // the old version: no key
    await append(db, 3, "old");
    armAuditKeys(keys); // the new version starts
    const anchor = createAuditAnchor({ db: db.db, keys, store: fsCheckpointStore(newDir()), clock });
    await anchor.start(60_000);
    await append(db, 3, "new");
    await anchor.close();
    const ok = await anchor.verify();
    assert.deepEqual(ok, { ok: true, rows: 6, legacyRows: 3, checkpoint: { seq: 6, at: clock.now().toISOString() } });
    assert.ok((await allRows(db)).slice(3).every((r) => r.hash.startsWith(KEYED_PREFIX)));

    await append(db, 2, "after"); // rows 7 and 8, after the newest checkpoint

    armAuditKeys(undefined);
    await assert.rejects(append(db, 1, "keyless"), (e: unknown) => e instanceof AuditError && e.code === "key_missing");

    // keyed rows rewritten as legacy ones: after the checkpoint they must be keyed …
    await rechain(db, 7, (row) => rowHash(row));
    const down = await anchor.verify();
    assert.deepEqual([down.problem?.kind, down.problem?.seq], ["unkeyed_row", 7]);
    // … and before it, the row the checkpoint recorded changes
    await rechain(db, 4, (row) => rowHash(row));
    const downAll = await anchor.verify();
    assert.deepEqual([downAll.problem?.kind, downAll.problem?.seq], ["checkpoint_mismatch", 6]);
    // a legacy row edited and its legacy successors re-chained: the first keyed row still points to the old hash
    await rechain(db, 4, (row) => rowHash(row, keys.chain)); // (the server's key: only to restore the rows)
    await db.query(`update audit_log set object_id = 'changed' where seq = 2`);
    await rechain(db, 2, (row) => rowHash(row), 3);
    const legacyEdit = await anchor.verify();
    assert.deepEqual([legacyEdit.problem?.kind, legacyEdit.problem?.seq], ["broken_link", 4]);
  } finally {
    armAuditKeys(keys);
  }
});

test("a checkpoint file that was altered, or written under another key, is refused", () => {
  const cp = { seq: 7, hash: KEYED_PREFIX + "a".repeat(64), at: new Date("2026-05-01T00:00:00Z") };
  const text = formatCheckpoint(keys.checkpoint, cp);
  assert.deepEqual(parseCheckpoint(keys.checkpoint, text), cp);
  const code = (t: string, k = keys.checkpoint): string | undefined => {
    try {
      parseCheckpoint(k, t);
      return undefined;
    } catch (e) {
      return e instanceof AuditError ? e.code : "other";
    }
  };
  assert.equal(code(text.replace('"seq":7', '"seq":9')), "checkpoint_mac");
  assert.equal(code(text, deriveAuditKeys(randomBytes(32)).checkpoint), "checkpoint_mac");
  assert.equal(code(text.trimEnd()), "checkpoint_malformed");
  assert.equal(code("x".repeat(5000)), "checkpoint_malformed");
  assert.equal(code(formatCheckpoint(keys.checkpoint, { ...cp, seq: -1 })), "checkpoint_malformed");
  assert.equal(code(formatCheckpoint(keys.checkpoint, { ...cp, hash: "not a hash" })), "checkpoint_malformed");
});

test("an unreadable checkpoint file fails verification", async () => {
  const dir = newDir();
  writeFileSync(join(dir, "checkpoint"), formatCheckpoint(deriveAuditKeys(randomBytes(32)).checkpoint, { seq: 0, hash: GENESIS_HASH, at: clock.now() }));
  const anchor = createAuditAnchor({ db: (await fresh()).db, keys, store: fsCheckpointStore(dir), clock });
  const r = await anchor.verify();
  assert.deepEqual([r.ok, r.problem?.kind], [false, "checkpoint_invalid"]);
  assert.equal((await anchor.checkpoint()).status, "refused");
});

test("concurrent writers on two connections pools and two checkpoint writers on one folder: the chain verifies and the checkpoint only moves forward", async () => {
  armAuditKeys(keys);
  const db = await fresh();
  // PostgreSQL: a second pool, as a second server process has; PGlite is one process, one connection
  const other: Database = db.url ? await openDatabase({ url: db.url, poolSize: 4 }) : db;
  try {
    const dir = newDir();
    const anchors = [db, other].map((d) => createAuditAnchor({ db: d.db, keys, store: fsCheckpointStore(dir), clock }));
    const seen: number[] = [];
    const store = fsCheckpointStore(dir);
    const writer = async (d: Database, w: number): Promise<void> => {
      for (let i = 0; i < 10; i++) await d.db.transaction((tx) => appendAudit(tx, clock, systemActor(`w${w}`), { action: "race", objectType: "thing", objectId: `${w}-${i}` }));
    };
    let done = false;
    const checkpointer = async (i: number): Promise<void> => {
      while (!done) {
        const outcome = await anchors[i % 2]?.checkpoint();
        assert.notEqual(outcome?.status, "refused", JSON.stringify(outcome));
        const text = await store.read();
        if (text) seen.push(parseCheckpoint(keys.checkpoint, text).seq);
      }
    };
    const checkers = [checkpointer(0), checkpointer(1)];
    try {
      await Promise.all([0, 1, 2, 3, 4, 5].map((w) => writer(w % 2 ? other : db, w)));
    } finally {
      done = true;
      await Promise.allSettled(checkers);
    }
    await Promise.all(checkers);
    assert.notEqual((await anchors[0]?.checkpoint())?.status, "refused");
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i] ?? 0) >= (seen[i - 1] ?? 0), `checkpoint moved back: ${seen.join(",")}`);
    const r = await anchors[1]?.verify();
    assert.deepEqual(r, { ok: true, rows: 60, legacyRows: 0, checkpoint: { seq: 60, at: clock.now().toISOString() } });
  } finally {
    if (other !== db) await other.close();
  }
});

test("a row inserted below the chain's first number (seq 0 or negative) is reported: the walk began at 1 and never saw it", async () => {
  armAuditKeys(keys);
  const db = await fresh();
  const anchor = createAuditAnchor({ db: db.db, keys, store: fsCheckpointStore(newDir()), clock });
  await append(db, 3, "real");
  assert.equal((await anchor.checkpoint()).status, "written");
  // a forged entry, listed by the audit view like any other row
  await db.query(
    `insert into audit_log (seq, at, actor_kind, action, object_type, object_id, summary, prev_hash, hash) values (0, $1, 'system:seed', 'organisation.approved', 'organisation', 'forged', '{}', $2, $3)`,
    [new Date("2026-04-01T00:00:00Z"), GENESIS_HASH, KEYED_PREFIX + "0".repeat(64)],
  );
  const r = await anchor.verify();
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.deepEqual([r.problem?.kind, r.problem?.seq], ["outside_chain", 0]);
});
