// HTTP throughput and tail latency: ectrust's GET /api/health and an authenticated read
// (GET /api/v1/auth/session: session cookie → database lookup) against a bare node:http server
// answering the same health JSON. Each server runs in its own process; autocannon drives both
// from this process, one after the other, with the same settings. Reported as ratios.
//
//   node bench/http.ts [--seconds 10] [--connections 50] [--database postgres://...]
//
// Without --database ectrust runs on PGlite in a temporary folder (the embedded default).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const seconds = Number(opt("seconds", "10"));
const connections = Number(opt("connections", "50"));
const databaseUrl = opt("database", "");
const root = join(import.meta.dirname, "..");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitFor(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up`);
}

function start(cmd: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, cmd, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return child;
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, url: string, headers: Record<string, string> = {}): Promise<Result> {
  // warm-up
  await autocannon({ url, connections, duration: 2, headers });
  const r = await autocannon({ url, connections, duration: seconds, headers });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const bareSource = `
import { createServer } from "node:http";
const body = JSON.stringify({ status: "ok", database: "pglite", version: "0.1.0" });
createServer((req, res) => {
  if (req.url === "/api/health") { res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) }); res.end(body); }
  else { res.writeHead(404); res.end(); }
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

const dataDir = mkdtempSync(join(tmpdir(), "ectrust-bench-http-"));
const barePort = await freePort();
const ectrustPort = await freePort();
const bare = start(["--input-type=module", "-e", bareSource], { PORT: String(barePort) });
// The per-address rate limit is lifted for the run: one client address makes every request here.
const ectrustEnv: Record<string, string> = { PORT: String(ectrustPort), DATA_DIR: dataDir, LOG_LEVEL: "warn", PUBLIC_URL: `http://127.0.0.1:${ectrustPort}`, RATE_LIMIT_PER_MINUTE: "100000000" };
if (databaseUrl) ectrustEnv.DATABASE_URL = databaseUrl;
const ectrust = start(["src/cli.ts", "start"], ectrustEnv);
try {
  await waitFor(`http://127.0.0.1:${barePort}/api/health`);
  await waitFor(`http://127.0.0.1:${ectrustPort}/api/health`);
  // sign in a demo merchant (no MFA) for the authenticated read
  const login = await fetch(`http://127.0.0.1:${ectrustPort}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@shop1.example", password: "ectrust-demo-2026" }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  if (!cookie) throw new Error(`sign-in failed: ${login.status}`);

  const results = [
    await load("bare node:http  GET /api/health", `http://127.0.0.1:${barePort}/api/health`),
    await load("ectrust         GET /api/health", `http://127.0.0.1:${ectrustPort}/api/health`),
    await load("ectrust         GET /api/v1/auth/session (signed in)", `http://127.0.0.1:${ectrustPort}/api/v1/auth/session`, { cookie }),
  ];
  const base = results[0];
  console.log(`\nHTTP bench: ${seconds} s per run, ${connections} connections, database ${databaseUrl ? "postgresql" : "pglite"}, load average before ${loadavg()[0]?.toFixed(1)}\n`);
  console.log("| endpoint | req/s | p50 ms | p99 ms | errors | req/s vs bare | p99 vs bare |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(`| ${r.name.replace(/\s+/g, " ")} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${base ? (r.rps / base.rps).toFixed(2) : "-"} | ${base ? (r.p99 / Math.max(base.p99, 1)).toFixed(1) : "-"} |`);
  }
} finally {
  bare.kill();
  ectrust.kill();
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}
