// Registry benchmarks (issue 3, "Measure"):
//   1. public search latency at 20,000 generated shops, on PGlite and on PostgreSQL
//      (partial zh name, partial en name, business number, domain, browse, miss);
//   2. business-register importer throughput (MB/s) and peak memory on a generated 200 MB CSV
//      (bench/out/register-200mb.csv, made once), parser alone and into the database.
//
//   node bench/registry.ts [--shops 20000] [--mb 200] [--runs 200] [--engines pglite,postgres] [--skip-import] [--skip-search]
// Each result is also written to stderr as soon as it is measured.
// PostgreSQL: TEST_DATABASE_URL (default postgres://root@127.0.0.1:5432/test); a scratch database is created and dropped.
import { createReadStream, existsSync, mkdirSync, statSync, createWriteStream } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { FixedClock } from "../src/platform/clock.ts";
import { createFetcher } from "../src/platform/net/fetcher.ts";
import { staticResolver } from "../src/platform/net/resolver.ts";
import { migrate, openDatabase, type Database } from "../src/platform/db/database.ts";
import { readCsv } from "../src/platform/csv/csv-stream.ts";
import { importBusinessRegister } from "../src/modules/registry/register-import.ts";
import { createRegistryService } from "../src/modules/registry/registry.service.ts";
import { registryOrigins, registryShops } from "../src/modules/registry/registry.tables.ts";
import { checkUbn } from "../src/modules/registry/ubn.ts";
import pg from "pg";

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? d) : d;
};
const SHOPS = Number(arg("shops", "20000"));
const MB = Number(arg("mb", "200"));
const RUNS = Number(arg("runs", "200"));
const ENGINES = arg("engines", "pglite,postgres").split(",");
const SKIP_IMPORT = process.argv.includes("--skip-import");
const SKIP_SEARCH = process.argv.includes("--skip-search");
const OUT = new URL("./out/", import.meta.url).pathname;
const clock = new FixedClock("2026-11-26T00:00:00Z");

const ZH1 = ["好", "山", "海", "書", "花", "茶", "米", "星", "光", "木", "雲", "風", "綠", "金", "福", "喜"];
const ZH2 = ["網路商店", "購物", "生活館", "市集", "宅配", "精品", "書店", "電器", "食品", "服飾"];
const EN1 = ["Good", "Mountain", "Ocean", "Book", "Flower", "Tea", "Rice", "Star", "Light", "Wood", "Cloud", "Wind", "Green", "Gold", "Lucky", "Joy"];
const EN2 = ["Online Shop", "Shopping", "Living", "Market", "Delivery", "Boutique", "Books", "Electric", "Foods", "Apparel"];

/** Valid business numbers, in order, from a start. */
function* ubns(start: number): Generator<string, never> {
  for (let n = start; ; n++) {
    const s = String(n).padStart(8, "0");
    if (checkUbn(s).ok) yield s;
  }
}

async function seedShops(database: Database, n: number): Promise<void> {
  const gen = ubns(10_000_000);
  const now = clock.now();
  const BATCH = 1000;
  for (let i = 0; i < n; i += BATCH) {
    const shops = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const zh = `${ZH1[j % 16] ?? ""}${ZH1[Math.floor(j / 16) % 16] ?? ""}${ZH2[j % 10] ?? ""}${j}號股份有限公司`;
      const en = `${EN1[j % 16] ?? ""} ${EN1[Math.floor(j / 16) % 16] ?? ""} ${EN2[j % 10] ?? ""} ${j} Co., Ltd.`;
      shops.push({
        orgId: crypto.randomUUID(),
        legalNameZh: zh,
        legalNameEn: en,
        ubn: gen.next().value,
        representative: "代表人",
        address: "臺北市",
        contactEmail: `shop${j}@example.com`,
        contactPhone: "02 1234 5678",
        serviceChannel: "mail",
        salesModel: "own_site" as const,
        sector: "online_shop" as const,
        identityStatus: j % 5 === 4 ? ("pending" as const) : ("confirmed" as const),
        statusChangedAt: now,
        confirmedAt: now,
        expiresAt: new Date(now.getTime() + 365 * 86_400_000),
        createdAt: now,
        updatedAt: now,
        searchText: `${zh}\n${en}`.toLowerCase(),
      });
    }
    const rows = await database.db.insert(registryShops).values(shops).returning({ id: registryShops.id });
    await database.db.insert(registryOrigins).values(
      rows.flatMap((r, k) => {
        const j = i + k;
        const mk = (host: string) => ({ shopId: r.id, origin: `https://${host}`, host, status: "proven" as const, token: "t", method: "http" as const, provenAt: now, proofExpiresAt: now, createdAt: now });
        return j % 2 === 0 ? [mk(`shop${j}.example.tw`), mk(`www.shop${j}.example.tw`)] : [mk(`shop${j}.example.tw`)];
      }),
    );
  }
  await database.db.execute(sql`analyze`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function searchBench(engine: string, database: Database) {
  const t0 = performance.now();
  await seedShops(database, SHOPS);
  const seedSeconds = (performance.now() - t0) / 1000;
  const registry = createRegistryService({ db: database.db, clock, fetcher: createFetcher({ resolver: staticResolver({}) }), mail: { enqueue: () => Promise.resolve() }, evidence: { get: () => Promise.reject(new Error("unused")) }, publicUrl: "http://localhost" });
  const [{ ubn } = { ubn: "" }] = await database.db.select({ ubn: registryShops.ubn }).from(registryShops).where(sql`identity_status = 'confirmed'`).limit(1).offset(777);
  const cases: [string, (i: number) => string][] = [
    ["partial zh name (好山)", () => "好山"],
    ["partial zh name, rare (1234號)", (i) => `${1000 + (i % 9000)}號`],
    ["partial en name (mountain)", () => "mountain"],
    ["business number", () => ubn],
    ["domain", (i) => `shop${(i * 37) % SHOPS}.example.tw`],
    ["browse (empty query, first page)", () => ""],
    ["miss (no such name)", () => "沒有這家店"],
  ];
  const out: Record<string, { p50: number; p95: number; max: number; hits: number }> = {};
  for (const [name, q] of cases) {
    for (let i = 0; i < 10; i++) await registry.search({ q: q(i), limit: 20, offset: 0 });
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const r = await registry.search({ q: q(i), limit: 20, offset: 0 });
      times.push(performance.now() - s);
      hits += r.items.length;
    }
    out[name] = { p50: +pct(times, 50).toFixed(2), p95: +pct(times, 95).toFixed(2), max: +Math.max(...times).toFixed(2), hits: Math.round(hits / RUNS) };
  }
  return { engine, shops: SHOPS, seedSeconds: +seedSeconds.toFixed(1), latencyMs: out };
}

async function withPostgres<T>(f: (d: Database) => Promise<T>): Promise<T> {
  const base = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";
  const name = `ectrust_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 4 });
  try {
    await migrate(database);
    return await f(database);
  } finally {
    await database.close();
    const a = new pg.Client({ connectionString: base });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  }
}

async function withPglite<T>(f: (d: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({});
  try {
    await migrate(database);
    return await f(database);
  } finally {
    await database.close();
  }
}

async function makeRegisterFile(mb: number): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `register-${mb}mb.csv`);
  if (existsSync(file) && statSync(file).size >= mb * 1e6) return file;
  const w = createWriteStream(file);
  const write = (s: string) => (w.write(s) ? Promise.resolve() : new Promise<void>((r) => w.once("drain", () => { r(); })));
  await write("\ufeff統一編號,公司名稱,公司狀況,代表人姓名,公司所在地,資本總額(元),核准設立日期\r\n");
  const gen = ubns(1);
  const statuses = ["核准設立", "核准設立", "核准設立", "停業", "解散", "廢止"];
  let bytes = 0;
  for (let i = 0; bytes < mb * 1e6; i++) {
    const line = `${gen.next().value},"${ZH1[i % 16] ?? ""}${ZH2[i % 10] ?? ""}${i}股份有限公司",${statuses[i % 6] ?? ""},代表人${i % 1000},"臺北市中正區重慶南路一段${i % 300}號${i % 7}樓",${(i % 100) * 100000},${1000101 + (i % 300)}\r\n`;
    bytes += Buffer.byteLength(line);
    await write(line);
  }
  await new Promise<void>((r) => w.end(r));
  return file;
}

function memorySampler() {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 50);
  return () => {
    clearInterval(timer);
    return { baseRssMB: +(base.rss / 1e6).toFixed(0), peakRssMB: +(rss / 1e6).toFixed(0), baseHeapMB: +(base.heapUsed / 1e6).toFixed(0), peakHeapMB: +(heap / 1e6).toFixed(0) };
  };
}

async function parseOnly(file: string) {
  const size = statSync(file).size;
  const stop = memorySampler();
  const t0 = performance.now();
  let rows = 0;
  async function* text(): AsyncGenerator<string> {
    const d = new TextDecoder();
    for await (const c of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) yield d.decode(c, { stream: true });
  }
  for await (const rec of readCsv(text())) if (rec.length > 0) rows++;
  const s = (performance.now() - t0) / 1000;
  return { what: "CSV reader alone", rows, seconds: +s.toFixed(1), mbPerSecond: +(size / 1e6 / s).toFixed(1), memory: stop() };
}

async function importInto(engine: string, database: Database, file: string) {
  const size = statSync(file).size;
  const stop = memorySampler();
  const t0 = performance.now();
  const r = await importBusinessRegister({ db: database.db, clock, file, batchSize: 2000 });
  const s = (performance.now() - t0) / 1000;
  return { what: `import into ${engine}`, rows: r.rows, skipped: r.skipped, seconds: +s.toFixed(1), mbPerSecond: +(size / 1e6 / s).toFixed(2), memory: stop() };
}

const results: unknown[] = [];
const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg().map((x) => +x.toFixed(1)) };
const record = (r: unknown): void => {
  results.push(r);
  process.stderr.write(`${JSON.stringify(r)}\n`);
};
for (const engine of SKIP_SEARCH ? [] : ENGINES) {
  const run = engine === "postgres" ? withPostgres : withPglite;
  record(await run((d) => searchBench(engine, d)));
}
if (!SKIP_IMPORT) {
  const file = await makeRegisterFile(MB);
  process.stderr.write(`register file ${file}: ${(statSync(file).size / 1e6).toFixed(0)} MB\n`);
  record(await parseOnly(file));
  for (const engine of ENGINES) {
    const run = engine === "postgres" ? withPostgres : withPglite;
    record(await run((d) => importInto(engine, d, file)));
  }
}
process.stdout.write(`${JSON.stringify({ env, loadavgEnd: loadavg().map((x) => +x.toFixed(1)), results }, null, 2)}\n`);
