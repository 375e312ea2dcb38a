// The Mailer port: hands one finished message to a mail server. SMTP (nodemailer) in
// production and integration tests; an in-memory double for unit tests.
import nodemailer from "nodemailer";
import type { Secret } from "../config.ts";
import { classifyAddress } from "../net/address.ts";

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /** RFC 5322 Message-ID, e.g. `<outbox-id@host>`: the same on every retry, so receivers can drop duplicates */
  messageId: string;
  /** language of the content (Content-Language) */
  language?: string | undefined;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** A delivery failure; `permanent` when the server refused for good (SMTP 5xx), so retrying is pointless. */
export class MailDeliveryError extends Error {
  readonly permanent: boolean;
  readonly responseCode: number | undefined;
  constructor(message: string, options: { permanent: boolean; responseCode?: number | undefined; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "MailDeliveryError";
    this.permanent = options.permanent;
    this.responseCode = options.responseCode;
  }
}

export interface SmtpOptions {
  /** connection, greeting and socket timeouts (default 30 s) */
  timeoutMs?: number;
}

/**
 * Whether an smtp:// connection must upgrade with STARTTLS (RFC 3207) before it sends anything else.
 * "STARTTLS when offered" lets anyone on the path strip the offer from the server's EHLO answer and
 * read the password and every message (reset and invitation links) in clear, so the upgrade is
 * required, except towards a relay on this machine to which no password is sent. smtps:// is TLS
 * from the first byte (RFC 8314). `?requireTLS=false` in SMTP_URL turns the requirement off.
 */
export function smtpRequiresTls(url: URL): boolean {
  if (url.protocol !== "smtp:") return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const loopback = host.toLowerCase() === "localhost" || classifyAddress(host) === "loopback";
  return !loopback || url.username !== "" || url.password !== "";
}

/**
 * A refusal that retrying the same message cannot mend: a 5xx answer to its recipient (RCPT TO) or
 * to its content (DATA). A 5xx to the session (AUTH, STARTTLS, MAIL FROM, the greeting) is about the
 * server or our configuration and fails every message alike until an operator mends it, so it is
 * retried like an outage instead of failing each message for good at once.
 */
function isPermanentRefusal(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { responseCode, command } = error as { responseCode?: unknown; command?: unknown };
  return typeof responseCode === "number" && responseCode >= 500 && responseCode < 600 && (command === "RCPT TO" || command === "DATA");
}

/** SMTP from a URL: smtp://[user:pass@]host[:port] (STARTTLS required, see smtpRequiresTls) or smtps:// (TLS from the start). */
export function createSmtpMailer(url: Secret, options: SmtpOptions = {}): Mailer {
  const timeout = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    url: url.reveal(),
    // the URL's own `?requireTLS=false` overrides this (nodemailer lets URL options win)
    // (canParse first: a URL error carries its input, the password with it, into whatever logs it)
    ...(!URL.canParse(url.reveal()) || smtpRequiresTls(new URL(url.reveal())) ? { requireTLS: true } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(mail) {
      try {
        const info = (await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html === undefined ? {} : { html: mail.html }),
          messageId: mail.messageId,
          ...(mail.language ? { headers: { "Content-Language": mail.language } } : {}),
        })) as { messageId?: string; rejected?: unknown[] };
        if (Array.isArray(info.rejected) && info.rejected.length > 0) {
          throw new MailDeliveryError("the server refused the recipient", { permanent: true });
        }
        return { messageId: info.messageId ?? mail.messageId };
      } catch (error) {
        if (error instanceof MailDeliveryError) throw error;
        const code = (error as { responseCode?: unknown } | null | undefined)?.responseCode;
        const responseCode = typeof code === "number" ? code : undefined;
        // Only the server's words, never the URL (it may carry a password).
        const message = error instanceof Error ? error.message.replace(/smtps?:\/\/\S+/gi, "[smtp url]") : "SMTP delivery failed";
        throw new MailDeliveryError(message, { permanent: isPermanentRefusal(error), responseCode, cause: error });
      }
    },
    close() {
      transport.close();
    },
  };
}

export interface MemoryMailer extends Mailer {
  readonly sent: OutgoingMail[];
  /** the next `n` sends throw this error */
  failNext(error: Error, n?: number): void;
}

export function createMemoryMailer(): MemoryMailer {
  const sent: OutgoingMail[] = [];
  let failure: { error: Error; left: number } | undefined;
  return {
    sent,
    failNext(error, n = 1) {
      failure = { error, left: n };
    },
    send(mail) {
      if (failure && failure.left > 0) {
        failure.left--;
        return Promise.reject(failure.error);
      }
      sent.push(mail);
      return Promise.resolve({ messageId: mail.messageId });
    },
    close() {
      // nothing to close
    },
  };
}
