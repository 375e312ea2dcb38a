// The database door on its own: a PostgreSQL pool survives the server ending its idle
// connections (a restart, an administrator's pg_terminate_backend) instead of taking the
// process down, and the next query simply opens a new connection.
import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { openDatabase } from "./database.ts";
import { testDatabase, testEngine } from "../testing/db.ts";

test("an idle PostgreSQL connection ended by the server is reported, and the next query reconnects", { skip: testEngine() !== "postgres" && "PostgreSQL only" }, async () => {
  const scratch = await testDatabase();
  const url = scratch.url;
  assert.ok(url);
  const errors: Error[] = [];
  const database = await openDatabase({ url, poolSize: 2, onIdleError: (e) => errors.push(e) });
  try {
    const [{ pid } = { pid: 0 }] = (await database.query<{ pid: number }>("select pg_backend_pid() as pid")).rows;
    assert.ok(pid > 0);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const ended = await admin.query<{ ok: boolean }>("select pg_terminate_backend($1) as ok", [pid]);
      assert.equal(ended.rows[0]?.ok, true);
    } finally {
      await admin.end();
    }
    // The pooled connection learns of its end asynchronously.
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors.length, 1, "the idle error reached the listener, not an uncaught 'error' event");
    const again = await database.query<{ one: number }>("select 1 as one");
    assert.equal(again.rows[0]?.one, 1);
  } finally {
    await database.close();
    await scratch.close();
  }
});
