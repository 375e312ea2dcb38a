// What an uploaded file really is, decided from its bytes while it streams past; never from its
// name or the type the client declared. An allow-list: PDF, PNG, JPEG, WebP, plain text and CSV
// (valid UTF-8, no NUL), XLSX and DOCX (OOXML zips without macros). Everything else, including
// HTML, SVG, XML, scripts and executables, is refused, and so are files whose ending does not
// match their beginning (an image or PDF with something appended: the usual polyglot trick).
import { inflateRawSync } from "node:zlib";
import { AppError } from "../errors.ts";
import { centralDirectory, ZipRefused, type ZipEntry } from "../zip-guard.ts";

export type EvidenceType =
  | "application/pdf"
  | "image/png"
  | "image/jpeg"
  | "image/webp"
  | "text/plain"
  | "text/csv"
  | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
  | "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const XLSX: EvidenceType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: EvidenceType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/** File-name extensions each type may carry. */
export const extensionsByType: Readonly<Record<EvidenceType, readonly string[]>> = {
  "application/pdf": ["pdf"],
  "image/png": ["png"],
  "image/jpeg": ["jpg", "jpeg"],
  "image/webp": ["webp"],
  "text/plain": ["txt", "text", "log", "md"],
  "text/csv": ["csv"],
  [XLSX]: ["xlsx"],
  [DOCX]: ["docx"],
};

const HEAD_BYTES = 1024 * 1024;
const TAIL_BYTES = 256 * 1024;
/** Most entries an OOXML zip may list. */
const MAX_ZIP_ENTRIES = 10_000;
/** Markup that makes a browser or viewer treat bytes as a document: refused near the start of any file. */
const MARKUP = /<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|\?xml)\b/i;

const unsupported = (detail: string): AppError => new AppError("unsupported_media_type", detail);

/** Feed every chunk to push(), then call finish(): it returns the detected type or throws unsupported_media_type. */
export class ContentInspector {
  #size = 0;
  #head = Buffer.alloc(0);
  #tail = Buffer.alloc(0);
  #sawNul = false;
  #utf8: TextDecoder | undefined = new TextDecoder("utf-8", { fatal: true });
  #validUtf8 = true;

  push(chunk: Uint8Array): void {
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#size += b.length;
    if (this.#head.length < HEAD_BYTES) this.#head = Buffer.concat([this.#head, b.subarray(0, HEAD_BYTES - this.#head.length)]);
    this.#tail = b.length >= TAIL_BYTES ? Buffer.from(b.subarray(b.length - TAIL_BYTES)) : Buffer.concat([this.#tail, b]).subarray(-TAIL_BYTES);
    // Text checks run only while the file can still be text.
    if (this.#utf8 && !this.#sawNul) {
      if (b.includes(0)) {
        this.#sawNul = true;
        this.#utf8 = undefined;
        return;
      }
      try {
        this.#utf8.decode(b, { stream: true });
      } catch {
        this.#validUtf8 = false;
        this.#utf8 = undefined;
      }
    }
  }

  get size(): number {
    return this.#size;
  }

  finish(): EvidenceType {
    const head = this.#head;
    if (this.#size === 0) throw unsupported("The file is empty.");
    // OOXML is XML inside a zip; its members may be stored uncompressed, so markup is expected there.
    if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return this.#ooxml();
    const start = head.subarray(0, 1024).toString("latin1");
    if (MARKUP.test(start)) throw unsupported("The file contains HTML, SVG or XML markup, which is not accepted.");
    if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return this.#pdf();
    if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return this.#png();
    if (startsWith(head, [0xff, 0xd8, 0xff])) return this.#jpeg();
    if (head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP") return this.#webp();
    return this.#text();
  }

  #pdf(): EvidenceType {
    // A PDF ends with %%EOF (a few bytes of line ending may follow).
    if (!this.#tail.subarray(-1024).toString("latin1").includes("%%EOF")) throw unsupported("The PDF does not end where a PDF ends; it may carry something else.");
    return "application/pdf";
  }

  #png(): EvidenceType {
    const iend = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
    if (!this.#tail.subarray(-12).equals(iend)) throw unsupported("The PNG image has data after its end.");
    return "image/png";
  }

  #jpeg(): EvidenceType {
    let end = this.#tail.length;
    while (end > 0 && this.#tail[end - 1] === 0x00 && this.#tail.length - end < 512) end--;
    if (!(this.#tail[end - 2] === 0xff && this.#tail[end - 1] === 0xd9)) throw unsupported("The JPEG image has data after its end.");
    return "image/jpeg";
  }

  #webp(): EvidenceType {
    const riffSize = this.#head.readUInt32LE(4);
    if (riffSize + 8 !== this.#size && riffSize + 9 !== this.#size) throw unsupported("The WebP image's size does not match its header.");
    return "image/webp";
  }

  #text(): EvidenceType {
    if (this.#sawNul) throw unsupported("The file is not one of the accepted types (PDF, PNG, JPEG, WebP, text, CSV, XLSX, DOCX).");
    if (!this.#validUtf8) throw unsupported("Text files must be UTF-8.");
    try {
      this.#utf8?.decode(); // an incomplete character at the very end
    } catch {
      throw unsupported("Text files must be UTF-8.");
    }
    const text = this.#head.subarray(0, 1024).toString("utf8").replace(/^\uFEFF/, "").trimStart();
    if (text.startsWith("<")) throw unsupported("Markup (HTML, SVG, XML) is not accepted.");
    if (text.startsWith("#!")) throw unsupported("Scripts are not accepted.");
    return "text/plain";
  }

  #ooxml(): EvidenceType {
    const entries = zipEntries(this.#tail, this.#size);
    const names = new Set(entries.map((e) => e.name));
    if (!names.has("[Content_Types].xml")) throw unsupported("Only XLSX and DOCX zip files are accepted.");
    if ([...names].some((n) => /vbaProject\.bin$/i.test(n))) throw unsupported("Office files with macros are not accepted.");
    const ct = entries.find((e) => e.name === "[Content_Types].xml");
    if (!ct) throw unsupported("Only XLSX and DOCX zip files are accepted.");
    const types = readEntry(this.#head, ct);
    if (/macroEnabled/i.test(types)) throw unsupported("Office files with macros are not accepted.");
    if (types.includes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml") && names.has("xl/workbook.xml")) return XLSX;
    if (types.includes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml") && names.has("word/document.xml")) return DOCX;
    throw unsupported("Only XLSX and DOCX zip files are accepted.");
  }
}

function startsWith(b: Buffer, bytes: number[]): boolean {
  return b.length >= bytes.length && bytes.every((x, i) => b[i] === x);
}

/**
 * The zip's central directory, read from the file's last bytes by the ZIP check's parser
 * (zip-guard.ts: end record, ZIP64 locator and record, ZIP64 extra fields). The end record must end
 * the file (or its comment must), so bytes appended after the zip are refused; so is a directory
 * that starts before the last TAIL_BYTES, which the sniffer does not keep.
 */
function zipEntries(tail: Buffer, size: number): ZipEntry[] {
  try {
    return centralDirectory(tail, size, MAX_ZIP_ENTRIES).entries;
  } catch (error) {
    if (!(error instanceof ZipRefused)) throw new AppError("unsupported_media_type", "The zip file is damaged or too unusual to check.", { cause: error });
    const detail =
      error.kind === "unsupported" ? `The zip file uses a ZIP feature that is not accepted: ${error.message}. Save it again from the program that made it.`
      : error.kind === "too_large" ? `The zip file is too large to check: ${error.message}.`
      : `The zip file is damaged or too unusual to check: ${error.message}.`;
    throw new AppError("unsupported_media_type", detail, { cause: error });
  }
}

/** One small entry's text, from the file's first bytes (stored or deflated; at most 1 MB inflated). */
function readEntry(head: Buffer, e: ZipEntry): string {
  const bad = (): AppError => unsupported("The zip file is damaged or too unusual to check.");
  const p = e.offset;
  if (p + 30 > head.length || head.readUInt32LE(p) !== 0x04034b50) throw bad();
  const start = p + 30 + head.readUInt16LE(p + 26) + head.readUInt16LE(p + 28);
  const data = head.subarray(start, start + e.csize);
  if (data.length !== e.csize) throw bad();
  try {
    if (e.method === 0) return data.toString("utf8");
    if (e.method === 8) return inflateRawSync(data, { maxOutputLength: 1024 * 1024 }).toString("utf8");
  } catch (error) {
    throw new AppError("unsupported_media_type", "The zip file is damaged or too unusual to check.", { cause: error });
  }
  throw bad();
}
