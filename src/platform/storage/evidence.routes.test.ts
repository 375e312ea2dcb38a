// Evidence and audit routes over HTTP: malformed input is a clear 4xx, never a 500, and a
// broken upload leaves nothing behind.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { eq } from "drizzle-orm";
import { platformRoutes } from "../platform.routes.ts";
import { buildTestApp, seedOrg, signedInClient, type Client, type SeededOrg, type TestApp } from "../testing/http.ts";
import { createEvidenceService } from "./evidence.service.ts";
import { createLocalStorage } from "./storage.ts";
import { evidenceFiles } from "./storage.tables.ts";

let t: TestApp;
let shop: SeededOrg;
let owner: Client;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "ectrust-evidence-routes-"));
  t = await buildTestApp({
    register: async (app, p) => {
      const evidence = createEvidenceService({ db: p.database.db, clock: p.clock, storage: createLocalStorage(root), maxBytes: 1024 });
      await app.register(platformRoutes, { database: p.database, mail: {} as never, evidence, jobs: {} as never, evidenceMaxBytes: 1024 });
    },
  });
  shop = await seedOrg(t.accounts, "merchant", "Shop", [{ key: "owner", role: "merchant_admin" }]);
  owner = await signedInClient(t, shop.users.owner?.email ?? "");
});
after(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

const upload = (body: string, contentType = "multipart/form-data; boundary=XyZ") => owner.request("POST", `/api/v1/organisations/${shop.orgId}/evidence`, body, { "content-type": contentType });
const part = (name: string, filename: string, content: string): string => `--XyZ\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n${content}`;
/** Stored files, temporary files included. */
const filesOnDisk = (): string[] => readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);

test("a broken multipart body is a 400, and a body cut short keeps no file and no row", async () => {
  const rowsBefore = (await t.database.db.select().from(evidenceFiles).where(eq(evidenceFiles.orgId, shop.orgId))).length;
  const cases: [string, string, string?][] = [
    ["cut short before the closing boundary", part("file", "notes.txt", "hello, this upload stops here")],
    ["not multipart at all", "garbage"],
    ["no boundary parameter", part("file", "notes.txt", "x"), "multipart/form-data"],
    ["a part without headers", "--XyZ\r\n\r\n\r\n--XyZ--\r\n"],
  ];
  for (const [name, body, type] of cases) {
    const res = await upload(body, type);
    assert.equal(res.statusCode, 400, `${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    assert.ok(["malformed_request", "validation"].includes(res.json<{ code: string }>().code), name);
  }
  assert.equal((await t.database.db.select().from(evidenceFiles).where(eq(evidenceFiles.orgId, shop.orgId))).length, rowsBefore);
  assert.deepEqual(filesOnDisk(), []);
  // a whole body still works
  const ok = await upload(`${part("file", "notes.txt", "hello")}\r\n--XyZ--\r\n`);
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(filesOnDisk().length, 1);
});

test("a forged list cursor with a date PostgreSQL cannot hold is a 400", async () => {
  const cursor = (at: string): string => Buffer.from(JSON.stringify([at, "00000000-0000-4000-8000-000000000000"])).toString("base64url");
  for (const at of ["-271821-04-20T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "+275760-09-13T00:00:00.000Z"]) {
    const res = await owner.get(`/api/v1/organisations/${shop.orgId}/evidence?before=${cursor(at)}`);
    assert.equal(res.statusCode, 400, `${at}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  const fine = await owner.get(`/api/v1/organisations/${shop.orgId}/evidence?before=${cursor("2030-01-01T00:00:00.000Z")}`);
  assert.equal(fine.statusCode, 200, fine.body);
});

test("an audit filter with a NUL character is a 400, not a database error", async () => {
  for (const q of ["action=%00", "objectType=a%00", "objectId=x%00y"]) {
    const res = await owner.get(`/api/v1/audit?${q}`);
    assert.equal(res.statusCode, 400, `${q}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  assert.equal((await owner.get("/api/v1/audit?action=evidence.uploaded")).statusCode, 200);
});
