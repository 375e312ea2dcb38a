// A real SMTP server for tests (the `smtp-server` package) on 127.0.0.1 and a random port. It
// keeps every message it accepts, parsed (mailparser), and can answer chosen recipients with a
// temporary (4xx) or permanent (5xx) refusal, or leave them without an answer.
import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { Secret } from "../config.ts";

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port> */
  url: Secret;
  received: ReceivedMail[];
  /** answer RCPT TO for this address with this SMTP code (e.g. 451 or 550) */
  refuse(address: string, code: number): void;
  /** take this address again (the outage is over) */
  accept(address: string): void;
  /** leave RCPT TO for this address unanswered (a server that hangs) until `release()` answers 451 */
  stall(address: string): { release(): void };
  /** resolves when `n` messages have arrived */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refusals = new Map<string, number>();
  const stalls = new Map<string, ((error: Error) => void)[]>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const stalled = stalls.get(address.address.toLowerCase());
      if (stalled) {
        stalled.push(callback);
        return;
      }
      const code = refusals.get(address.address.toLowerCase());
      if (code === undefined) {
        callback();
        return;
      }
      const error = Object.assign(new Error(code >= 500 ? "no such mailbox here" : "mailbox busy, try later"), { responseCode: code });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom;
            received.push({
              envelope: { from: from ? from.address : "", to: session.envelope.rcptTo.map((r) => r.address) },
              raw: raw.toString("utf8"),
              parsed,
            });
            callback();
          })
          .catch((e: unknown) => {
            callback(e instanceof Error ? e : new Error(String(e)));
          });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: new Secret(`smtp://127.0.0.1:${port}`),
    received,
    refuse(address, code) {
      refusals.set(address.toLowerCase(), code);
    },
    accept(address) {
      refusals.delete(address.toLowerCase());
    },
    stall(address) {
      const key = address.toLowerCase();
      const waiting: ((error: Error) => void)[] = [];
      stalls.set(key, waiting);
      return {
        release() {
          stalls.delete(key);
          for (const callback of waiting.splice(0)) callback(Object.assign(new Error("mailbox busy, try later"), { responseCode: 451 }));
        },
      };
    },
    async waitFor(n, timeoutMs = 8000) {
      const end = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`the test SMTP server received ${received.length} of ${n} messages`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
