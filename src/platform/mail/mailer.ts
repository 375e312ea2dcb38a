// The Mailer port: hands one finished message to a mail server. SMTP (nodemailer) in
// production and integration tests; an in-memory double for unit tests.
import nodemailer from "nodemailer";
import type { Secret } from "../config.ts";

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

/** SMTP from a URL: smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps:// (TLS from the start). */
export function createSmtpMailer(url: Secret, options: SmtpOptions = {}): Mailer {
  const timeout = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    url: url.reveal(),
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
        const code = (error as { responseCode?: unknown }).responseCode;
        const responseCode = typeof code === "number" ? code : undefined;
        // Only the server's words, never the URL (it may carry a password).
        const message = error instanceof Error ? error.message.replace(/smtps?:\/\/\S+/gi, "[smtp url]") : "SMTP delivery failed";
        throw new MailDeliveryError(message, { permanent: responseCode !== undefined && responseCode >= 500 && responseCode < 600, responseCode, cause: error });
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
