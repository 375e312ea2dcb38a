import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { systemActor } from "../actor.ts";
import { FixedClock } from "../clock.ts";
import { testDatabase, type TestDatabase } from "../testing/db.ts";
import { appendAudit, canonicalJson, listAudit, verifyAuditChain } from "./audit.ts";

// This process never loads a master key, so its rows are unkeyed ("legacy"); the keyed chain and
// its checkpoints are tested in audit.anchor.test.ts.
let database: TestDatabase;
const clock = new FixedClock("2026-01-01T00:00:00Z");
before(async () => {
  database = await testDatabase();
});
after(async () => {
  await database.close();
});

async function seed(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await database.db.transaction(async (tx) => {
      await appendAudit(tx, clock, systemActor("test"), { action: "thing.changed", objectType: "thing", objectId: String(i), summary: { i, nested: { b: 1, a: [1, "x"] } } });
    });
    clock.advance(1000);
  }
}

test("canonical JSON sorts keys at every depth and drops undefined", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
});

test("a clean chain verifies; editing, deleting or relinking a row is detected", async () => {
  await seed(5);
  assert.deepEqual(await verifyAuditChain(database.db), { ok: true, rows: 5, legacyRows: 5, checkpoint: null });

  await database.query(`update audit_log set summary = '{"i": 99}' where seq = 3`);
  const edited = await verifyAuditChain(database.db);
  assert.equal(edited.ok, false);
  assert.deepEqual(edited.problem?.kind, "hash_mismatch");
  assert.equal(edited.problem.seq, 3);
});

test("deleting a row is detected as a gap; deleting the tail-end link as a broken link", async () => {
  const db2 = await testDatabase();
  try {
    const c = new FixedClock("2026-01-01T00:00:00Z");
    for (let i = 0; i < 4; i++) {
      await db2.db.transaction((tx) => appendAudit(tx, c, systemActor("t"), { action: "a", objectType: "o", objectId: String(i) }));
    }
    await db2.query("delete from audit_log where seq = 2");
    const r = await verifyAuditChain(db2.db);
    assert.equal(r.problem?.kind, "gap");
    assert.equal(r.problem.seq, 2);
    // renumber to hide the gap: the link to the previous hash breaks instead
    await db2.query("update audit_log set seq = seq - 1 where seq > 2");
    const r2 = await verifyAuditChain(db2.db);
    assert.equal(r2.problem?.kind, "broken_link");
  } finally {
    await db2.close();
  }
});

test("a rolled-back transaction leaves no audit row", async () => {
  const beforeCount = (await database.query<{ n: number }>("select count(*)::int as n from audit_log")).rows[0]?.n;
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await appendAudit(tx, clock, systemActor("t"), { action: "x", objectType: "o", objectId: "1" });
      throw new Error("boom");
    }),
  );
  const afterCount = (await database.query<{ n: number }>("select count(*)::int as n from audit_log")).rows[0]?.n;
  assert.equal(afterCount, beforeCount);
});

test("listing pages newest first with a keyset cursor and filters", async () => {
  const page1 = await listAudit(database.db, { objectType: "thing", limit: 2 });
  assert.equal(page1.items.length, 2);
  assert.ok(page1.nextBefore !== null);
  const page2 = await listAudit(database.db, { objectType: "thing", limit: 10, before: page1.nextBefore });
  assert.ok(page2.items.every((r) => r.seq < (page1.nextBefore ?? 0)));
  assert.equal(page2.nextBefore, null);
  const none = await listAudit(database.db, { action: "no.such", limit: 10 });
  assert.deepEqual(none.items, []);
});

test("strings PostgreSQL cannot hold (lone surrogates, NUL) are written as U+FFFD, and the chain still verifies", async () => {
  const db2 = await testDatabase();
  try {
    const c = new FixedClock("2026-01-01T00:00:00Z");
    // JSON bodies can carry "\ud800" and "\u0000"; a reason or a name flows into the summary as is
    await db2.db.transaction((tx) => appendAudit(tx, c, systemActor("t"), { action: "a", objectType: "o", objectId: "x\ud800y", summary: { reason: "lone \udc00 and nul \u0000", ["k\ud800"]: ["\u0000"] } }));
    await db2.db.transaction((tx) => appendAudit(tx, c, systemActor("t"), { action: "a", objectType: "o", objectId: "2" }));
    assert.deepEqual(await verifyAuditChain(db2.db), { ok: true, rows: 2, legacyRows: 2, checkpoint: null });
    const row = (await listAudit(db2.db, { objectType: "o", limit: 10 })).items.at(-1);
    assert.ok(row);
    assert.equal(row.objectId, "x\ufffdy");
    assert.deepEqual(row.summary, { reason: "lone \ufffd and nul \ufffd", "k\ufffd": ["\ufffd"] });
  } finally {
    await db2.close();
  }
});
