// The SMTP mailer against real SMTP servers (smtp-server on 127.0.0.1): what it insists on before a
// password or a message leaves, and which refusals it calls permanent. No database.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { Secret } from "../config.ts";
import { createSmtpMailer, MailDeliveryError, smtpRequiresTls, type OutgoingMail } from "./mailer.ts";

const servers: SMTPServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => { r(); }); })));
});

interface Seen {
  port: number;
  delivered: number;
}

async function server(options: SMTPServerOptions): Promise<Seen> {
  const seen: Seen = { port: 0, delivered: 0 };
  const s = new SMTPServer({
    logger: false,
    authOptional: true,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on("end", () => {
        seen.delivered++;
        callback();
      });
    },
    ...options,
  });
  servers.push(s);
  await new Promise<void>((r) => { s.listen(0, "127.0.0.1", r); });
  seen.port = (s.server.address() as AddressInfo).port;
  return seen;
}

const mail = (to = "owner@shop.example"): OutgoingMail => ({ from: "ectrust <no-reply@ectrust.example>", to, subject: "s", text: "t", messageId: "<m@ectrust.example>" });

async function refusal(p: Promise<unknown>): Promise<MailDeliveryError> {
  let caught: unknown;
  await p.catch((e: unknown) => { caught = e; });
  assert.ok(caught instanceof MailDeliveryError, `expected a MailDeliveryError, got ${String(caught)}`);
  return caught;
}

test("smtp:// insists on STARTTLS before a password or a message to another host leaves; a local relay without a password may go without", () => {
  const needs = (u: string): boolean => smtpRequiresTls(new URL(u));
  assert.equal(needs("smtp://mail.example.tw:587"), true, "a remote relay, even without a password");
  assert.equal(needs("smtp://ectrust:pw@mail.example.tw:587"), true);
  assert.equal(needs("smtp://ectrust:pw@127.0.0.1:25"), true, "a password never goes in clear, even to loopback");
  assert.equal(needs("smtp://127.0.0.1:25"), false);
  assert.equal(needs("smtp://[::1]:25"), false);
  assert.equal(needs("smtp://localhost:25"), false);
  assert.equal(needs("smtps://ectrust:pw@mail.example.tw"), false, "smtps is TLS from the first byte");
});

test("a server that does not offer STARTTLS never sees the password; ?requireTLS=false opts out explicitly", async () => {
  const seenAuth: string[] = [];
  const plain = await server({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      seenAuth.push(`${auth.username}:${auth.password ?? ""}`);
      callback(null, { user: auth.username });
    },
  });
  const mailer = createSmtpMailer(new Secret(`smtp://ectrust:s3cret-pw@127.0.0.1:${plain.port}`), { timeoutMs: 5000 });
  try {
    const e = await refusal(mailer.send(mail()));
    assert.equal(e.permanent, false, "a server without TLS is a configuration problem: retried, not the message's fault");
    assert.match(e.message, /STARTTLS/);
    assert.ok(!e.message.includes("s3cret-pw"));
  } finally {
    mailer.close();
  }
  assert.deepEqual(seenAuth, [], "the password was sent in clear");
  assert.equal(plain.delivered, 0);

  const optedOut = createSmtpMailer(new Secret(`smtp://ectrust:s3cret-pw@127.0.0.1:${plain.port}?requireTLS=false`), { timeoutMs: 5000 });
  try {
    await optedOut.send(mail());
  } finally {
    optedOut.close();
  }
  assert.deepEqual(seenAuth, ["ectrust:s3cret-pw"]);
  assert.equal(plain.delivered, 1);
});

test("a refusal of the session (AUTH, MAIL FROM) is retried; a refusal of the recipient or the message is permanent", async () => {
  const coded = (message: string, responseCode: number): Error => Object.assign(new Error(message), { responseCode });
  const s = await server({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(_auth, _session, callback) {
      callback(coded("authentication unavailable", 535));
    },
    onMailFrom(address, _session, callback) {
      callback(address.address.startsWith("blocked") ? coded("sender not allowed", 553) : undefined);
    },
    onRcptTo(address, _session, callback) {
      callback(address.address.startsWith("nobody") ? coded("no such mailbox", 550) : undefined);
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on("end", () => { callback(coded("message refused as spam", 554)); });
    },
  });
  const url = (auth: string): Secret => new Secret(`smtp://${auth}127.0.0.1:${s.port}?requireTLS=false`);
  const cases: [string, Secret, OutgoingMail, boolean][] = [
    ["AUTH 535", url("ectrust:rotated-pw@"), mail(), false],
    ["MAIL FROM 553", url(""), { ...mail(), from: "blocked@ectrust.example" }, false],
    ["RCPT TO 550", url(""), mail("nobody@shop.example"), true],
    ["DATA 554", url(""), mail(), true],
  ];
  for (const [what, u, m, permanent] of cases) {
    const mailer = createSmtpMailer(u, { timeoutMs: 5000 });
    try {
      const e = await refusal(mailer.send(m));
      assert.equal(e.permanent, permanent, what);
      assert.ok(e.responseCode !== undefined && e.responseCode >= 500, what);
      assert.ok(!e.message.includes("rotated-pw"), what);
    } finally {
      mailer.close();
    }
  }
});
