// Environment → typed config, validated once at start. A bad value stops the process with a
// readable list of every problem. Secret values are wrapped so they never reach a log line.
import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseMailbox } from "./mail/address.ts";

/** A secret value: prints as [redacted] in logs, JSON and util.inspect. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[redacted]";
  }
}

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => p + "//").join(" or ")}`);

/**
 * A whole number from the environment: digits only. z.coerce.number() would read " " as 0 (PORT: a
 * random port), "0x50" as 80 and "1e3" as 1000.
 */
const whole = (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z.string().regex(/^\s*\d{1,15}\s*$/, "must be a whole number").transform(Number).pipe(z.number().int().min(min).max(max));

/** PUBLIC_URL is the base of every link we mail and of the CSRF origin check: a bare base, nothing after it. */
function isBaseUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && u.password === "" && u.search === "" && u.hash === "" && !/[?#]/.test(v);
  } catch {
    return false;
  }
}

/** One TRUST_PROXY entry: an address, a CIDR range, or one of proxy-addr's names for a range. */
function proxyEntry(e: string): boolean {
  if (e === "loopback" || e === "linklocal" || e === "uniquelocal") return true;
  const [ip = "", bits, ...rest] = e.split("/");
  const v = isIP(ip);
  if (v === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128));
}

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: whole(0, 65535).default(3000),
  PUBLIC_URL: z.string().refine(isBaseUrl, "must be an http:// or https:// address without a user name, password, query or fragment").optional(),
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  SMTP_URL: url(["smtp:", "smtps:"]).refine((v) => !URL.canParse(v) || new URL(v).hostname !== "", "must name the mail server").optional(),
  MAIL_FROM: z
    .string()
    .refine((v) => parseMailbox(v) !== undefined, "must be an e-mail address, or a name and an address: ectrust <no-reply@example.tw> (no quotes, commas or brackets in the name)")
    .default("ectrust <no-reply@ectrust.localhost>"),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, "must be 64 hexadecimal characters (32 random bytes)")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SESSION_IDLE_MINUTES: whole(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: whole(1, 24 * 30).default(12),
  EVIDENCE_MAX_BYTES: whole(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  WORKER: z.enum(["inline", "off"]).default("inline"),
  RATE_LIMIT_PER_MINUTE: whole(1).default(600),
  // Behind a reverse proxy or load balancer: whose X-Forwarded-For to believe (the client address
  // then comes from it, for rate limits, sessions and the audit trail). Addresses or CIDR ranges of
  // the proxies, comma-separated, or a hop count; never "everyone" (any client could then pick its address).
  TRUST_PROXY: z
    .string()
    .refine((v) => /^(?:[1-9]|10)$/.test(v.trim()) || v.split(",").every((e) => proxyEntry(e.trim())), "must be the proxies' addresses or CIDR ranges (comma-separated; loopback, linklocal and uniquelocal name those ranges), or a hop count from 1 to 10")
    .optional(),
  // scanner (issue 6): default days between scans of a confirmed origin, and the ceiling for
  // origins with declared payment pages (PCI DSS v4.0 11.6.1: at least weekly)
  SCANNER_CADENCE_DAYS: whole(1, 90).default(7),
  SCANNER_PAYMENT_CADENCE_DAYS: whole(1, 7).default(7),
  // scanner (issue 6): our own /.well-known/security.txt (RFC 9116); comma-separated Contact URIs
  SECURITY_CONTACT: z
    .string()
    .refine((v) => v.split(",").every((c) => /^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+|tel:\+?[0-9 -]+)$/.test(c.trim())), "must be mailto:, https: or tel: URIs separated by commas")
    .optional(),
});

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: Secret | undefined;
  dataDir: string;
  smtpUrl: Secret | undefined;
  mailFrom: string;
  /** 32-byte master key; generated into DATA_DIR for the embedded default when not given. */
  secretKey: Secret | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  evidenceMaxBytes: number;
  inlineWorker: boolean;
  /** requests per minute per client address across the API (public endpoints set stricter ones) */
  rateLimitPerMinute: number;
  /** whose X-Forwarded-For gives the client address: false (nobody: the socket's peer), proxies' addresses/ranges, or a hop count */
  trustProxy: false | string[] | number;
  /** scanner (issue 6): days between scheduled scans, and the ceiling with payment pages declared */
  scanner: { cadenceDays: number; paymentCadenceDays: number };
  /** scanner (issue 6): Contact lines of our security.txt (default mailto:security@<PUBLIC_URL host>) */
  securityContacts: string[];
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(schema.shape);
  const input = Object.fromEntries(known.flatMap((k) => (env[k] === undefined || env[k] === "" ? [] : [[k, env[k]]])));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const c = parsed.data;
  const dataDir = isAbsolute(c.DATA_DIR) ? c.DATA_DIR : resolve(c.DATA_DIR);
  return {
    env: c.NODE_ENV,
    host: c.HOST,
    port: c.PORT,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ""),
    databaseUrl: c.DATABASE_URL ? new Secret(c.DATABASE_URL) : undefined,
    dataDir,
    smtpUrl: c.SMTP_URL ? new Secret(c.SMTP_URL) : undefined,
    mailFrom: c.MAIL_FROM.trim(),
    secretKey: c.SECRET_KEY ? new Secret(c.SECRET_KEY.toLowerCase()) : undefined,
    logLevel: c.LOG_LEVEL,
    sessionIdleMinutes: c.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: c.SESSION_ABSOLUTE_HOURS,
    evidenceMaxBytes: c.EVIDENCE_MAX_BYTES,
    inlineWorker: c.WORKER === "inline",
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    trustProxy: c.TRUST_PROXY === undefined ? false : /^\d+$/.test(c.TRUST_PROXY.trim()) ? Number(c.TRUST_PROXY.trim()) : c.TRUST_PROXY.split(",").map((e) => e.trim()),
    scanner: { cadenceDays: c.SCANNER_CADENCE_DAYS, paymentCadenceDays: c.SCANNER_PAYMENT_CADENCE_DAYS }, // scanner (issue 6)
    securityContacts: c.SECURITY_CONTACT?.split(",").map((x) => x.trim()) ?? [`mailto:security@${new URL(c.PUBLIC_URL ?? "http://localhost").hostname}`], // scanner (issue 6)
  };
}
