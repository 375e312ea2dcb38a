// The web app's API client and session helpers under plain Node, with fetch replaced by a small
// fake of the server's CSRF rule (a browser holding a session cookie must send the session's
// X-CSRF-Token on every write, public routes included).
import assert from "node:assert/strict";
import { test } from "node:test";
import { QueryClient } from "@tanstack/react-query";
import { api, setCsrfToken, upload } from "../web/api/client.ts";
import { afterStage, safeNext, sessionKey } from "../web/api/session.ts";

interface Seen {
  method: string;
  path: string;
  csrf: string | undefined;
}

/** A server that knows this browser's session cookie: its token is `token`. */
function fakeServer(token: string, seen: Seen[]): typeof fetch {
  return (async (input: string | URL, init?: RequestInit) => {
    const path = String(input);
    const method = init?.method ?? "GET";
    const csrf = (init?.headers as Record<string, string> | undefined)?.["x-csrf-token"];
    seen.push({ method, path, csrf });
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (method !== "GET" && csrf !== token) return json(403, { type: "urn:ectrust:problem:csrf", title: "請求驗證失敗", status: 403, code: "csrf" });
    if (path === "/api/v1/auth/session") {
      await new Promise((r) => setTimeout(r, 20)); // the session answers after the page's first write went out
      return json(200, { stage: "full", csrfToken: token });
    }
    return json(200, { id: "f1", ok: true });
  }) as typeof fetch;
}

test("a write sent before the session has loaded still carries the session's CSRF token (invitation lookup while signed in)", async (t) => {
  const seen: Seen[] = [];
  t.mock.method(globalThis, "fetch", fakeServer("tok-1", seen));
  // What /accept-invite does on opening: the layout's GET /auth/session and the page's POST
  // /invitations/lookup start together, before any token is known.
  const [, lookup] = await Promise.all([api("GET", "/auth/session"), api<{ ok: boolean }>("POST", "/invitations/lookup", { token: "x".repeat(20) })]);
  assert.deepEqual(lookup, { id: "f1", ok: true });
  assert.equal(seen.find((s) => s.path === "/api/v1/invitations/lookup")?.csrf, "tok-1");
});

test("uploads send the client's current CSRF token (the one the last sign-in step returned)", async (t) => {
  const seen: Seen[] = [];
  t.mock.method(globalThis, "fetch", fakeServer("rotated", seen));
  setCsrfToken("rotated"); // e.g. the second factor was just set up: the server rotated the session
  const data = new FormData();
  data.set("file", new Blob(["%PDF-1.4"], { type: "application/pdf" }), "a.pdf");
  const file = await upload<{ id: string }>("/organisations/o1/evidence", data);
  assert.equal(file.id, "f1");
  assert.deepEqual(seen, [{ method: "POST", path: "/api/v1/organisations/o1/evidence", csrf: "rotated" }]);
});

test("signing in forgets what the tab cached for the person before (a session that ran out was never signed out)", async () => {
  const client = new QueryClient();
  client.setQueryData(sessionKey, null);
  client.setQueryData(["registry-my-shop"], { shop: { id: "shop-of-the-previous-user" } });
  client.setQueryData(["members", "org-a"], { items: [{ email: "someone@a.example" }] });
  await afterStage(client, { stage: "mfa", csrfToken: "t2" });
  assert.equal(client.getQueryData(["registry-my-shop"]), undefined);
  assert.equal(client.getQueryData(["members", "org-a"]), undefined);
  assert.notEqual(client.getQueryCache().find({ queryKey: sessionKey }), undefined, "the session query stays");
});

test("?next= with a tab or line break after the first slash does not become //other-host", () => {
  for (const bad of ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\t\\evil.example"]) {
    // what the browser would make of it: another origin
    assert.equal(new URL(bad, "https://ectrust.example").host, "evil.example", JSON.stringify(bad));
    assert.equal(safeNext(bad), "/", JSON.stringify(bad));
  }
  assert.equal(safeNext("/certification?x=1"), "/certification?x=1");
});
