// The whole server for browser and end-to-end tests: a fresh database, the demo data, a real
// local SMTP server capturing mail, listening on 127.0.0.1 at a free port.
import { createServer } from "node:net";
import { generateSync } from "otplib";
import { pino } from "pino";
import { seedDemo } from "../../demo.ts";
import { buildServer, type BuildOptions, type Server } from "../../server.ts";
import { loadConfig } from "../config.ts";
import { startTestSmtpServer } from "../mail/smtp.testing.ts";
import { testDatabase } from "./db.ts";

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestServer {
  url: string;
  server: Server;
  mail: {
    messages(): CapturedMail[];
    /** resolves with the first message (arrived or arriving) that matches */
    waitFor(pred: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  };
  /** the current TOTP code for a base32 secret */
  totp(secretBase32: string): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

export async function startTestServer(
  options: {
    env?: Record<string, string>;
    /** scanner (issue 6): fetchers that may reach the test's loopback sites (registry proofs, scans) */
    build?: Pick<BuildOptions, "registryFetcher" | "scannerFetcher">;
  } = {},
): Promise<TestServer> {
  const smtp = await startTestSmtpServer();
  const database = await testDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PUBLIC_URL: url,
    PORT: String(port),
    LOG_LEVEL: "silent",
    DATA_DIR: `/tmp/ectrust-test-${port}-${process.pid}`,
    SMTP_URL: smtp.url.reveal(),
    ...options.env,
  });
  let server: Server | undefined;
  try {
    server = await buildServer({ config, database, fastHashing: true, work: true, logger: pino({ level: "silent" }), ...options.build });
    await seedDemo(server);
    const app = await server.http();
    await app.listen({ host: "127.0.0.1", port });
  } catch (e) {
    await server?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    await smtp.close().catch(() => undefined);
    throw e;
  }
  const running = server;

  const toCaptured = (): CapturedMail[] =>
    smtp.received.map((r) => ({
      to: r.envelope.to.join(", "),
      subject: r.parsed.subject ?? "",
      text: r.parsed.text ?? "",
      html: typeof r.parsed.html === "string" ? r.parsed.html : "",
    }));

  return {
    url,
    server: running,
    mail: {
      messages: toCaptured,
      async waitFor(pred, timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const hit = toCaptured().find(pred);
          if (hit) return hit;
          if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms (got ${toCaptured().length})`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    },
    totp: (secret) => generateSync({ secret }),
    async close() {
      await running.close();
      await database.close();
      await smtp.close();
    },
  };
}
