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
  const reservation = await reservePort();
  await reservation.release();
  return reservation.port;
}

export interface PortReservation {
  port: number;
  /** stops holding the port; call it immediately before the real server listens on it */
  release(): Promise<void>;
}

/**
 * A free port on 127.0.0.1, held by a listener until `release()`. Between a port found free and
 * a server listening on it seconds later (config, build, demo data), another process's outgoing
 * connection can take it as its local port: listen then fails with EADDRINUSE. While a listener
 * holds the port the kernel gives it to no connection, so the window shrinks to one tick.
 */
export async function reservePort(): Promise<PortReservation> {
  const s = createServer().unref(); // a reservation never keeps a failed test's process alive
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      resolve();
    });
  });
  const address = s.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let released: Promise<void> | undefined;
  return {
    port,
    release: () =>
      (released ??= new Promise<void>((resolve) => {
        s.close(() => {
          resolve();
        });
      })),
  };
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
  const reservation = await reservePort();
  const port = reservation.port;
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
    await reservation.release();
    await app.listen({ host: "127.0.0.1", port });
  } catch (e) {
    await reservation.release();
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
