// The demo certification data seeds through the real server's services, once: an active TWPIMS
// mark with its inventory and public certificate, and an application in its on-site audit.
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
  assert.deepEqual([cert.status, cert.holder.nameZh], ["active", "台北3C購物（示範）"]);
  const { rows } = await database.query<{ status: string; n: number }>("select status, count(*)::int as n from cert_applications group by status order by status");
  assert.deepEqual(rows, [{ status: "active", n: 1 }, { status: "onsite_audit", n: 1 }]);
  const { rows: inv } = await database.query<{ n: number }>("select count(*)::int as n from cert_inventory_items");
  assert.equal(inv[0]?.n, 3);
  const again = await seedDemo(server, { certification: true });
  assert.deepEqual(again.created, []);
});
