// End to end over real HTTP: the whole server (demo data, job queue, SMTP delivery to a real
// local SMTP server), driven with fetch like a browser or API client would.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DEMO_PASSWORD, demoAccounts } from "./demo.ts";
import { startTestServer, type TestServer } from "./platform/testing/server.ts";

let ts: TestServer;

class Browser {
  cookie = "";
  csrf = "";
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("cookie", this.cookie);
    if (this.csrf && init.method && init.method !== "GET") headers.set("x-csrf-token", this.csrf);
    if (typeof init.body === "string") headers.set("content-type", "application/json");
    const res = await fetch(this.base + path, { ...init, headers });
    const set = res.headers.getSetCookie().find((c) => c.includes("ectrust_session="));
    if (set) this.cookie = set.split(";")[0] ?? "";
    return res;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the JSON shape it expects
  async json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const res = await this.fetch(path, init);
    const text = await res.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    if (body && typeof body === "object" && "csrfToken" in body && typeof body.csrfToken === "string") this.csrf = body.csrfToken;
    return { status: res.status, body };
  }
  async signIn(email: string): Promise<void> {
    const r = await this.json<{ stage: string }>("/api/v1/auth/login", { method: "POST", body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (r.body.stage === "mfa") {
      const secret = demoAccounts.find((a) => a.email === email)?.totpSecret ?? "";
      const m = await this.json("/api/v1/auth/mfa", { method: "POST", body: JSON.stringify({ code: ts.totp(secret) }) });
      assert.equal(m.status, 200, JSON.stringify(m.body));
    }
  }
}

// TOTP codes are single-use, so the authority signs in once for the whole file.
let authority: Browser;
before(async () => {
  ts = await startTestServer();
  authority = new Browser(ts.url);
  await authority.signIn("admin@authority.example");
});
after(async () => {
  await (ts as TestServer | undefined)?.close();
});

test("health names the engine; every response carries the security headers", async () => {
  const res = await fetch(`${ts.url}/api/health`);
  const body = (await res.json()) as { status: string; database: string; version: string };
  assert.equal(body.status, "ok");
  assert.equal(body.database, ts.server.database.engine);
  assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.equal(res.headers.get("x-frame-options"), "DENY");
  const docs = await fetch(`${ts.url}/api/docs/`);
  assert.equal(docs.status, 200);
  assert.match(await docs.text(), /swagger/i);
});

test("an invitation is delivered over SMTP in the invitee's language, and the link lets them join", async () => {
  const owner = new Browser(ts.url);
  await owner.signIn("owner@shop2.example");
  const session = await owner.json<{ organisation: { id: string } }>("/api/v1/auth/session");
  const orgId = session.body.organisation.id;
  const inv = await owner.json(`/api/v1/organisations/${orgId}/invitations`, { method: "POST", body: JSON.stringify({ email: "packer@shop2.example", role: "merchant_staff" }) });
  assert.equal(inv.status, 201);
  const mail = await ts.mail.waitFor((m) => m.to === "packer@shop2.example");
  assert.match(mail.text, /accept-invite#token=/);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? "";
  const anon = new Browser(ts.url);
  const acc = await anon.json("/api/v1/invitations/accept", { method: "POST", body: JSON.stringify({ token, displayName: "Packer", password: "boxes-and-tape-2026" }) });
  assert.equal(acc.status, 204);
  const members = await owner.json<{ items: { email: string }[] }>(`/api/v1/organisations/${orgId}/members`);
  assert.ok(members.body.items.some((m) => m.email === "packer@shop2.example"));

  // the authority reads the outbox; a merchant may not
  const outbox = await authority.json<{ items: { to: string; status: string }[] }>("/api/v1/outbox?limit=50");
  assert.equal(outbox.status, 200);
  const sent = outbox.body.items.find((m) => m.to === "packer@shop2.example");
  assert.equal(sent?.status, "sent");
  assert.equal((await owner.json("/api/v1/outbox")).status, 403);
});

test("evidence: uploaded with its hash, downloadable by its owner and the authority, invisible to others", async () => {
  const owner = new Browser(ts.url);
  await owner.signIn("owner@shop3.example");
  const orgId = (await owner.json<{ organisation: { id: string } }>("/api/v1/auth/session")).body.organisation.id;
  const pdf = Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
  const form = new FormData();
  form.append("file", new Blob([pdf], { type: "application/pdf" }), "privacy-policy.pdf");
  const up = await owner.json<{ id: string; sha256: string; mediaType: string }>(`/api/v1/organisations/${orgId}/evidence`, { method: "POST", body: form });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.mediaType, "application/pdf");
  assert.match(up.body.sha256, /^[0-9a-f]{64}$/);

  const dl = await owner.fetch(`/api/v1/evidence/${up.body.id}/download`);
  assert.equal(dl.status, 200);
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), pdf);
  assert.match(dl.headers.get("content-disposition") ?? "", /attachment/);
  assert.equal(dl.headers.get("x-content-type-options"), "nosniff");

  const other = new Browser(ts.url);
  await other.signIn("owner@shop4.example");
  assert.equal((await other.fetch(`/api/v1/evidence/${up.body.id}/download`)).status, 404);
  assert.equal((await other.json(`/api/v1/evidence/${up.body.id}`)).status, 404);
  assert.equal((await other.json(`/api/v1/organisations/${orgId}/evidence`)).status, 403);
  const otherForm = new FormData();
  otherForm.append("file", new Blob([pdf], { type: "application/pdf" }), "x.pdf");
  assert.equal((await other.json(`/api/v1/organisations/${orgId}/evidence`, { method: "POST", body: otherForm })).status, 403);

  const html = new FormData();
  html.append("file", new Blob(["<html><script>alert(1)</script></html>"], { type: "application/pdf" }), "evil.pdf");
  const refused = await owner.json<{ code: string }>(`/api/v1/organisations/${orgId}/evidence`, { method: "POST", body: html });
  assert.equal(refused.status, 415);

  assert.equal((await authority.fetch(`/api/v1/evidence/${up.body.id}/download`)).status, 200);

  // the audit trail records the upload; the merchant sees only its own organisation's rows
  const trail = await owner.json<{ items: { action: string; orgId: string | null }[] }>("/api/v1/audit?limit=100");
  assert.equal(trail.status, 200);
  assert.ok(trail.body.items.some((r) => r.action.startsWith("evidence.")));
  assert.ok(trail.body.items.every((r) => r.orgId === orgId));
  const foreign = await other.json(`/api/v1/audit?orgId=${orgId}`);
  assert.equal(foreign.status, 403);
  const verify = await authority.json<{ ok: boolean; rows: number; legacyRows: number; checkpoint: { seq: number } | null }>("/api/v1/audit/verify", { method: "POST", body: "{}" });
  assert.equal(verify.body.ok, true);
  assert.ok(verify.body.rows > 10);
  assert.equal(verify.body.legacyRows, 0, "every row is keyed");
  assert.ok(verify.body.checkpoint, "checked against the checkpoint the server wrote to DATA_DIR/audit at start");
});

test("the web app is served with an SPA fallback, API paths are not", async () => {
  const api = await fetch(`${ts.url}/api/v1/does-not-exist`);
  assert.equal(api.status, 404);
  assert.match(api.headers.get("content-type") ?? "", /problem\+json/);
  const page = await fetch(`${ts.url}/some/client/route`);
  // dist/web exists once `npm run build` ran (the test command builds it first)
  if (page.status === 200) assert.match(await page.text(), /<div id="root">|<html/);
  else assert.equal(page.status, 404);
});
