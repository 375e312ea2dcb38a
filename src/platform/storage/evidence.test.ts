// Evidence upload and download against a real database and a real folder, on both engines.
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { crc32, deflateRawSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import type { Actor } from "../actor.ts";
import { auditLog } from "../audit/audit.tables.ts";
import { FixedClock } from "../clock.ts";
import { AppError, type ErrorCode } from "../errors.ts";
import { testDatabase, type TestDatabase } from "../testing/db.ts";
import { createEvidenceService, type EvidenceService } from "./evidence.service.ts";
import { createLocalStorage } from "./storage.ts";
import { evidenceFiles } from "./storage.tables.ts";

const orgA = randomUUID();
const orgB = randomUUID();
const authorityOrg = randomUUID();
const alice: Actor = { kind: "user", userId: randomUUID(), orgId: orgA, orgKind: "merchant", role: "merchant_admin" };
const bob: Actor = { kind: "user", userId: randomUUID(), orgId: orgB, orgKind: "merchant", role: "merchant_staff" };
const authority: Actor = { kind: "user", userId: randomUUID(), orgId: authorityOrg, orgKind: "authority", role: "authority_admin" };
const regulatorOrg = randomUUID();
const regulator: Actor = { kind: "user", userId: randomUUID(), orgId: regulatorOrg, orgKind: "regulator", role: "regulator" };

const clock = new FixedClock("2026-04-01T00:00:00Z");
const MAX = 64 * 1024;
let database: TestDatabase;
let root: string;
let evidence: EvidenceService;

before(async () => {
  database = await testDatabase();
  root = mkdtempSync(join(tmpdir(), "ectrust-evidence-"));
  evidence = createEvidenceService({ db: database.db, clock, storage: createLocalStorage(root), maxBytes: MAX });
});

after(async () => {
  await database.close();
  rmSync(root, { recursive: true, force: true });
});

// ---- fixtures, made here so each says exactly what it is ----
const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "latin1"), Buffer.from([0xff, 0xd9])]);
const webpBody = Buffer.concat([Buffer.from("WEBPVP8 ", "latin1"), Buffer.from([4, 0, 0, 0, 1, 2, 3, 4])]);
const webp = Buffer.concat([Buffer.from("RIFF", "latin1"), Buffer.from(Uint32Array.of(webpBody.length).buffer), webpBody]);
const csv = Buffer.from("\uFEFF名稱,數量\n蘋果,3\n");

/** A minimal zip (APPNOTE 4.3): deflated entries, central directory, end record. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const raw = Buffer.from(content);
    const data = deflateRawSync(raw);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(raw), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const contentTypes = (main: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/x" ContentType="${main}"/></Types>`;
const docx = zip({ "[Content_Types].xml": contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"), "word/document.xml": "<w:document/>" });
const docm = zip({
  "[Content_Types].xml": contentTypes("application/vnd.ms-word.document.macroEnabled.main+xml"),
  "word/document.xml": "<w:document/>",
  "word/vbaProject.bin": "macro",
});
const plainZip = zip({ "readme.txt": "hello" });

async function xlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("清單").addRow(["名稱", "數量"]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The bytes as a stream of small chunks, counting how many were pulled. */
function chunks(body: Buffer, size = 1024): { stream: AsyncIterable<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  return {
    stream: (async function* () {
      for (let i = 0; i < body.length; i += size) {
        pulled++;
        await Promise.resolve();
        yield body.subarray(i, i + size);
      }
    })(),
    pulled: () => pulled,
  };
}

function filesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

async function refused(code: ErrorCode, p: Promise<unknown>, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

const upload = (actor: Actor, body: Buffer, filename: string, declaredType?: string, org = actor.orgId ?? orgA) =>
  evidence.upload(actor, org, { filename, stream: chunks(body).stream, declaredType });

test("accepted types are stored with their detected type, size and SHA-256, and an audit entry", async () => {
  const cases: [Buffer, string, string | undefined, string][] = [
    [pdf, "policy.pdf", "application/pdf", "application/pdf"],
    [png, "screenshot.png", "image/png", "image/png"],
    [jpeg, "photo.JPG", "application/octet-stream", "image/jpeg"],
    [webp, "photo.webp", undefined, "image/webp"],
    [csv, "清單.csv", "text/csv", "text/csv"],
    [Buffer.from("plain notes\n"), "notes.txt", "text/plain", "text/plain"],
    [await xlsx(), "inventory.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    [docx, "policy.docx", undefined, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  ];
  for (const [body, name, declared, type] of cases) {
    const file = await upload(alice, body, name, declared);
    assert.equal(file.mediaType, type, name);
    assert.equal(file.sizeBytes, body.length);
    assert.equal(file.sha256, createHash("sha256").update(body).digest("hex"));
    assert.equal(file.orgId, orgA);
    assert.equal(file.uploadedBy, alice.userId);
    const [entry] = await database.db.select().from(auditLog).where(and(eq(auditLog.objectId, file.id), eq(auditLog.action, "evidence.uploaded")));
    assert.equal(entry?.orgId, orgA);
    assert.equal((entry.summary as { sha256?: string }).sha256, file.sha256);

    const got = await evidence.download(alice, file.id);
    const bytes: Buffer[] = [];
    for await (const c of got.stream) bytes.push(c as Buffer);
    assert.ok(Buffer.concat(bytes).equals(body), `${name} comes back byte for byte`);
  }
});

test("a file over the limit is refused while streaming, and nothing is kept", async () => {
  const before = filesOnDisk().length;
  const rows = (await database.db.select().from(evidenceFiles)).length;
  const big = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(MAX * 4, 0x20), Buffer.from("\n%%EOF\n")]);
  const src = chunks(big, 4096);
  await refused("payload_too_large", evidence.upload(alice, orgA, { filename: "big.pdf", stream: src.stream, declaredType: "application/pdf" }));
  assert.ok(src.pulled() <= MAX / 4096 + 1, `stopped reading at the limit (pulled ${src.pulled()} chunks)`);
  assert.equal(filesOnDisk().length, before, "no file, no temporary file");
  assert.equal((await database.db.select().from(evidenceFiles)).length, rows);
});

test("HTML, SVG, XML, scripts, executables, other binaries, bad text and macro documents are refused", async () => {
  const before = filesOnDisk().length;
  const bad: [string, Buffer][] = [
    ["page.txt", Buffer.from("<!DOCTYPE html><html><script>alert(1)</script></html>")],
    ["page.html", Buffer.from("  <html><body onload=alert(1)>")],
    ["image.svg", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ["data.txt", Buffer.from('<?xml version="1.0"?><x/>')],
    ["notes.txt", Buffer.from("hello\n<script>alert(1)</script>\n")],
    ["run.txt", Buffer.from("#!/bin/sh\nrm -rf /\n")],
    ["setup.pdf", Buffer.concat([Buffer.from("MZ\x90\0\x03\0\0\0", "latin1"), Buffer.alloc(64)])],
    ["tool.txt", Buffer.concat([Buffer.from("\x7fELF\x02\x01\x01", "latin1"), Buffer.alloc(32)])],
    ["anim.gif", Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.from([1, 0, 1, 0, 0, 0, 0])])],
    ["latin1.txt", Buffer.from("caf\xe9\n", "latin1")],
    ["nul.csv", Buffer.from("a,b\n1,\0\n")],
    ["macro.docx", docm],
    ["archive.docx", plainZip],
    ["empty.txt", Buffer.alloc(0)],
  ];
  for (const [name, body] of bad) {
    await refused("unsupported_media_type", upload(alice, body, name), undefined);
  }
  assert.equal(filesOnDisk().length, before);
});

test("polyglots: an image or PDF with something after its end, or markup in its first bytes, is refused", async () => {
  const html = Buffer.from("<html><script>alert(document.cookie)</script></html>");
  // (padding keeps the markup out of the first kilobyte, which is refused on sight anyway)
  const pad = Buffer.alloc(2048);
  await refused("unsupported_media_type", upload(alice, Buffer.concat([png, html]), "x.png"), /markup/);
  await refused("unsupported_media_type", upload(alice, Buffer.concat([png, pad, html]), "x.png"), /after its end/);
  await refused("unsupported_media_type", upload(alice, Buffer.concat([jpeg, pad, html]), "x.jpg"), /after its end/);
  await refused("unsupported_media_type", upload(alice, Buffer.concat([webp, pad, html]), "x.webp"), /size/);
  await refused("unsupported_media_type", upload(alice, Buffer.concat([pdf, Buffer.alloc(2048, 0x20), html]), "x.pdf"), /PDF/);
  await refused("unsupported_media_type", upload(alice, Buffer.from("%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF\n"), "x.pdf"), /markup/);
  await refused("unsupported_media_type", upload(alice, Buffer.concat([html, pdf]), "x.pdf"));
});

test("the declared type and the name's extension must match the content", async () => {
  await refused("unsupported_media_type", upload(alice, png, "report.pdf"), /does not fit its content/);
  await refused("unsupported_media_type", upload(alice, png, "screenshot.png", "application/pdf"), /declared as application\/pdf/);
  await refused("unsupported_media_type", upload(alice, pdf, "policy.pdf", "image/png"), /declared as image\/png/);
  await refused("unsupported_media_type", upload(alice, csv, "data.exe"));
  await refused("unsupported_media_type", upload(alice, csv, "noextension"));
  await refused("unsupported_media_type", upload(alice, await xlsx(), "sheet.docx"));
});

test("hostile file names are reduced to a safe display name and never reach the file system", async () => {
  const names: [string, string][] = [
    ["../../../../etc/passwd.txt", "passwd.txt"],
    ["..\\..\\windows\\system32\\evil.txt", "evil.txt"],
    ["C:\\Users\\x\\Desktop\\報告.txt", "報告.txt"],
    ["a\u0000b\r\nContent-Disposition: inline.txt", "abContent-Disposition_ inline.txt"],
    ["x\r\n/../../html.txt", "html.txt"],
    ["cod\u202Etxt.exe.txt", "codtxt.exe.txt"],
    ['quote"semi;colon<>.txt', "quote_semi_colon__.txt"],
    ["....txt", "txt"],
  ];
  for (const [input, expected] of names) {
    if (expected === "txt") {
      await refused("unsupported_media_type", upload(alice, Buffer.from("x\n"), input));
      continue;
    }
    const file = await upload(alice, Buffer.from("x\n"), input);
    assert.equal(file.filename, expected, input);
    const { contentDisposition } = await evidence.download(alice, file.id);
    assert.ok(!/[\r\n]/.test(contentDisposition));
    assert.match(contentDisposition, /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!._~-]+$/);
  }
  const cd = (await evidence.download(alice, (await upload(alice, Buffer.from("x\n"), "報告 final.txt")).id)).contentDisposition;
  assert.equal(cd, `attachment; filename="__ final.txt"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20final.txt`);
  for (const f of filesOnDisk()) assert.match(f, /^[0-9a-f]{2}\/[0-9a-f]{32}$/, "only random keys on disk");
});

test("another organisation's file does not exist for you; the authority can read it; listing is per organisation", async () => {
  const file = await upload(alice, pdf, "secret.pdf");
  for (const outsider of [bob, regulator]) {
    await refused("not_found", evidence.download(outsider, file.id));
    await refused("not_found", evidence.get(outsider, file.id));
  }
  await refused("not_found", evidence.download(alice, randomUUID()), /not found/);
  await refused("not_found", evidence.download(alice, "../../etc/passwd"));
  assert.equal((await evidence.download(authority, file.id)).file.id, file.id);
  assert.equal((await evidence.get(alice, file.id)).sha256, file.sha256);

  await refused("forbidden", evidence.list(bob, orgA, { limit: 10 }));
  await refused("forbidden", evidence.upload(bob, orgA, { filename: "x.txt", stream: chunks(Buffer.from("x\n")).stream }));
  await refused("forbidden", evidence.upload(regulator, regulatorOrg, { filename: "x.txt", stream: chunks(Buffer.from("x\n")).stream }));
  await refused("unauthenticated", evidence.download({ kind: "anonymous" }, file.id));
  assert.equal((await evidence.list(bob, orgB, { limit: 10 })).items.length, 0);

  // authority uploads on behalf of an organisation
  const filed = await upload(authority, png, "inspection.png", "image/png", orgB);
  assert.equal(filed.orgId, orgB);
  assert.equal((await evidence.download(bob, filed.id)).file.id, filed.id);
});

test("lists page newest first without repeats", async () => {
  const org = randomUUID();
  const carol: Actor = { kind: "user", userId: randomUUID(), orgId: org, orgKind: "merchant", role: "merchant_staff" };
  for (let i = 0; i < 5; i++) {
    if (i !== 3) clock.advance(1000);
    await upload(carol, Buffer.from(`row ${i}\n`), `f${i}.txt`);
  }
  const seen: string[] = [];
  let before: string | undefined;
  do {
    const page = await evidence.list(carol, org, { limit: 2, before });
    seen.push(...page.items.map((i) => i.filename));
    before = page.nextBefore ?? undefined;
  } while (before);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  assert.equal(seen[0], "f4.txt");
  await refused("validation", evidence.list(carol, org, { limit: 2, before: "garbage" }));
  await refused("validation", evidence.list(carol, org, { limit: 0 }));
});

test("when the database write fails, the stored file is removed", async () => {
  const before = filesOnDisk().length;
  const broken = createEvidenceService({ db: database.db, clock: new FixedClock("not a date"), storage: createLocalStorage(root), maxBytes: MAX });
  await assert.rejects(broken.upload(alice, orgA, { filename: "x.pdf", stream: chunks(pdf).stream }));
  assert.equal(filesOnDisk().length, before);
});
