// The demo certification data seeds through the real server's services, once: an active TWPIMS
// mark with its inventory and public certificate, held by a shop confirmed in the public registry,
// and an application in its on-site audit.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { seedDemo } from "../../demo.ts";
import { loadConfig } from "../../platform/config.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { buildServer, type Server } from "../../server.ts";

let database: TestDatabase;
let server: Server;

before(async () => {
  database = await testDatabase();
  const config = loadConfig({ PUBLIC_URL: "http://localhost:3000", LOG_LEVEL: "silent", DATA_DIR: `/tmp/ectrust-cert-demo-${process.pid}` });
  server = await buildServer({ config, database, fastHashing: true, work: false, logger: pino({ level: "silent" }) });
});
after(async () => {
  await server.close();
  await database.close();
});

test("demo: one active TWPIMS mark, one application mid-audit; a second run changes nothing", async () => {
  await seedDemo(server);
  const { rows: none } = await database.query<{ n: number }>("select count(*)::int as n from cert_applications");
  assert.equal(none[0]?.n, 0, "without the option, no certification data (test servers start clean)");
  const { created } = await seedDemo(server, { certification: true });
  const markLine = created.find((x) => x.includes("TWPIMS-"));
  const markNumber = /TWPIMS-\d{6}-01/.exec(markLine ?? "")?.[0];
  assert.ok(markNumber, created.join("\n"));
  const cert = await server.services.certificationRecords.certificates.certificate(markNumber);
  assert.deepEqual([cert.status, cert.holder.nameZh], ["active", "台北3C購物股份有限公司（示範）"]); // the registered legal name, from the registry
  const { rows } = await database.query<{ status: string; n: number }>("select status, count(*)::int as n from cert_applications group by status order by status");
  assert.deepEqual(rows, [{ status: "active", n: 1 }, { status: "onsite_audit", n: 1 }]);
  const { rows: inv } = await database.query<{ n: number }>("select count(*)::int as n from cert_inventory_items");
  assert.equal(inv[0]?.n, 3);
  // the mark holder is a confirmed shop in the public registry: by name, by business number and by domain
  for (const q of ["台北3C", "22099131", "www.taipei3c.example"]) {
    const found = await server.services.registry.search({ q, limit: 10, offset: 0 });
    assert.deepEqual(found.items.map((x) => [x.legalNameZh, x.origins]), [["台北3C購物股份有限公司（示範）", ["https://www.taipei3c.example"]]], q);
  }
  assert.ok(created.some((x) => x.startsWith("registry: Taipei 3C Shopping (demo) is confirmed")), created.join("\n"));
  const again = await seedDemo(server, { certification: true });
  assert.deepEqual(again.created, []);
});

test("through the real server (PGlite: one connection): complaint mails and a timer sweep queue mail without waiting on their own transaction", async () => {
  const { certificationRecords: records, certificationTimers: timers } = server.services;
  const { rows: marks } = await database.query<{ mark_number: string; id: string }>("select mark_number, id from cert_applications where status = 'active'");
  const mark = marks[0];
  assert.ok(mark);
  const outbox = async (): Promise<string[]> => (await database.query<{ to_address: string }>("select to_address from mail_outbox order by created_at")).rows.map((r) => r.to_address);
  const before = (await outbox()).length;
  const receipt = await records.complaints.file({ kind: "anonymous" }, { markNumber: mark.mark_number, category: "other", description: "A complaint to check that mail is queued.", name: "Test", email: "complainant@example.com" });
  const sent = (await outbox()).slice(before);
  assert.deepEqual(sent.sort(), ["admin@cb-beta.example", "complainant@example.com", "owner@shop3.example"], receipt.reference);
  // the mark has reached its end: the sweep expires it, raises an alarm and mails both organisations
  await database.query("update cert_applications set valid_to = now() - interval '1 day' where id = $1", [mark.id]);
  const n = (await outbox()).length;
  const result = await timers.sweep();
  assert.deepEqual([result.errors, result.transitions >= 1, result.alarms >= 1], [0, true, true]);
  assert.ok((await outbox()).slice(n).includes("owner@shop3.example"));
});
