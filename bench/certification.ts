// Certification benchmarks (issue 4, "Measure"):
//   1. load (parse + validate + store) a generated 2,000-requirement catalogue;
//   2. the body's pipeline board query (page of 50 + counts per status) over 10,000 applications;
//   3. full lifecycles (draft → active, 52-requirement self-assessment and results) through the service.
//
//   node bench/certification.ts [--requirements 2000] [--applications 10000] [--lifecycles 1000] [--runs 50] [--engines pglite,postgres]
// PostgreSQL: TEST_DATABASE_URL (default postgres://root@127.0.0.1:5432/test); a scratch database is created and dropped.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import YAML from "yaml";
import { FixedClock } from "../src/platform/clock.ts";
import { migrate, openDatabase, type Database } from "../src/platform/db/database.ts";
import { parseCatalogue } from "../src/modules/schemes/catalogue.ts";
import { accreditedBody, buildActor, buildCertWorld, cataloguesDir, driveToActive } from "../src/modules/certification/testing.ts";
import { systemActor } from "../src/platform/actor.ts";

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? d) : d;
};
const REQS = Number(arg("requirements", "2000"));
const APPS = Number(arg("applications", "10000"));
const LIFECYCLES = Number(arg("lifecycles", "1000"));
const RUNS = Number(arg("runs", "50"));
const ENGINES = arg("engines", "pglite,postgres").split(",");
const baseUrl = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

function bigCatalogue(n: number): string {
  const doc = YAML.parse(readFileSync(`${cataloguesDir}tw-pims.yaml`, "utf8")) as { scheme: string; requirements: Record<string, unknown>[]; domains: { id: string }[] };
  const template = doc.requirements;
  doc.scheme = "bench-big";
  doc.requirements = Array.from({ length: n }, (_, i) => {
    const t = template[i % template.length] ?? {};
    const domain = doc.domains[i % doc.domains.length]?.id ?? "GOV";
    return { ...t, id: `TW-PIMS.${domain}-${String(Math.floor(i / doc.domains.length) + 1).padStart(4, "0")}`, domain };
  });
  // each value written out: catalogues refuse YAML aliases (and resolving them is quadratic)
  return YAML.stringify(doc, { aliasDuplicateObjects: false });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

async function open(engine: string): Promise<{ database: Database & { url: undefined }; drop: () => Promise<void> }> {
  if (engine === "pglite") {
    const database = await openDatabase({});
    await migrate(database);
    return { database: Object.assign(database, { url: undefined }), drop: () => database.close() };
  }
  const name = `ectrust_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 5 });
  await migrate(database);
  return {
    database: Object.assign(database, { url: undefined }),
    drop: async () => {
      await database.close();
      const a = new pg.Client({ connectionString: baseUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

const lines: string[] = [];
const out = (s: string): void => {
  lines.push(s);
  process.stderr.write(`${s}\n`);
};

for (const engine of ENGINES) {
  const { database, drop } = await open(engine);
  try {
    const w = await buildCertWorld(database, new FixedClock("2027-01-04T09:00:00Z"));
    // 1. catalogue
    const yaml = bigCatalogue(REQS);
    let t0 = performance.now();
    parseCatalogue(yaml);
    const parseMs = performance.now() - t0;
    t0 = performance.now();
    await w.schemes.importCatalogue(systemActor("bench"), yaml, { publish: true });
    const loadMs = performance.now() - t0;
    out(`| ${engine} | catalogue of ${REQS} requirements (${(yaml.length / 1e6).toFixed(2)} MB YAML) | parse+validate ${parseMs.toFixed(0)} ms; parse+validate+store ${loadMs.toFixed(0)} ms |`);

    // 2. pipeline board over APPS applications spread over 20 bodies and all statuses
    const body = await accreditedBody(w);
    const statuses = ["draft", "submitted", "intake_review", "document_review", "onsite_audit", "corrective_action", "decision_pending", "approved_pending_activation", "active", "suspended", "expired", "withdrawn"];
    const cbs = [body.admin.orgId, ...Array.from({ length: 19 }, () => randomUUID())];
    await database.query(
      `insert into cert_applications (merchant_org_id, cb_org_id, scheme, scheme_version, scope, status, cycle, flags, created_at, updated_at)
       select gen_random_uuid(), ($1::uuid[])[1 + (g % 20)], 'tw-pims', '0.1.0', 'bench', ($2::text[])[1 + (g % ${statuses.length})], 'initial', '[]'::jsonb,
              now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
       from generate_series(1, ${APPS}) g`,
      [cbs, statuses],
    );
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      await w.certification.list(body.admin, { limit: 50, offset: 0, ...(i % 2 ? { status: "onsite_audit" as const } : {}) });
      times.push(performance.now() - s);
    }
    out(`| ${engine} | pipeline board (page of 50 + counts by status) over ${APPS} applications, ${RUNS} runs | median ${median(times).toFixed(1)} ms, p95 ${p95(times).toFixed(1)} ms |`);

    // 3. full lifecycles through the service
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    for (let i = 0; i < LIFECYCLES; i++) await driveToActive(w, body, buildActor("merchant", "merchant_admin"));
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const transitions = LIFECYCLES * 7;
    out(`| ${engine} | ${LIFECYCLES} lifecycles draft→active (7 transitions + 52-row self-assessment, team, 52 results, agreement each) | ${(LIFECYCLES / secs).toFixed(1)} lifecycles/s, ${(transitions / secs).toFixed(0)} transitions/s, ${((cpu.user + cpu.system) / 1e3 / LIFECYCLES).toFixed(0)} ms CPU per lifecycle |`);
  } finally {
    await drop();
  }
}
process.stdout.write(`${lines.join("\n")}\n(load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, ${cpus().length} CPUs)\n`);
