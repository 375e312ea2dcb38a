// File names from uploads: shown back to people and put in Content-Disposition, never used as
// paths. A name is reduced to its last path segment, stripped of control and reserved
// characters, and bounded in length, keeping its extension.

const MAX_NAME = 180;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const RESERVED = /[<>:"/\\|?*;]/g;

/** A safe display name for an uploaded file; "file" if nothing usable is left. */
export function sanitizeFilename(input: string): string {
  const last = input.normalize("NFC").split(/[/\\]/).pop() ?? "";
  let name = last.replace(CONTROL, "").replace(RESERVED, "_").replace(/\s+/g, " ").trim();
  name = name.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : "";
    name = Array.from(name.slice(0, name.length - ext.length)).slice(0, MAX_NAME - ext.length).join("") + ext;
  }
  return name === "" ? "file" : name;
}

/** The lower-case extension of a (sanitised) name, or "" when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/** RFC 6266 `attachment` with an ASCII fallback and the UTF-8 name (RFC 8187). */
export function contentDisposition(name: string): string {
  const safe = sanitizeFilename(name);
  const ascii = safe.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
