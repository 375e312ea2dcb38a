// The ectrust log entry (design note §5.3): newline-terminated text, a header line then
// `key value` lines in a fixed order per type. No personal data: names and registration
// numbers stay in the (deletable) credential; the entry commits to it by `jwt-sha256`.
import { fromUtf8, utf8, type Bytes } from "./bytes.ts";
import { fail } from "./errors.ts";
import { MAX_ENTRY_SIZE } from "./tiles.ts";

export const DEFAULT_ENTRY_HEADER = "ectrust.example/entry/v1";

export type EntryType =
  | "issue"
  | "suspend"
  | "unsuspend"
  | "revoke"
  | "status-list"
  | "key-add"
  | "key-retire"
  | "key-revoke"
  | "anchor"
  | "widget";

type Arity = "1" | "+" | "?";
const STATUS_FIELDS = [["cred", "1"], ["list", "1"], ["index", "1"], ["reason", "1"], ["time", "1"]] as const;
const KEY_FIELDS = [["kid", "1"], ["role", "1"], ["notBefore", "?"], ["notAfter", "?"], ["revokedAt", "?"]] as const;

/** Which lines each entry type has, in order. */
export const ENTRY_FIELDS: Readonly<Record<EntryType, readonly (readonly [string, Arity])[]>> = {
  issue: [["cred", "1"], ["mark", "1"], ["origin", "+"], ["kid", "1"], ["valid", "1"], ["jwt-sha256", "1"]],
  suspend: STATUS_FIELDS,
  unsuspend: STATUS_FIELDS,
  revoke: STATUS_FIELDS,
  "status-list": [["list", "1"], ["list-sha256", "1"], ["valid", "1"]],
  "key-add": KEY_FIELDS,
  "key-retire": KEY_FIELDS,
  "key-revoke": KEY_FIELDS,
  anchor: [["version", "1"], ["anchor-sha256", "1"]],
  widget: [["path", "1"], ["sha256", "1"]],
};

export interface LogEntry {
  header: string;
  type: EntryType;
  /** The lines after `type`, as [key, value], in entry order. */
  fields: (readonly [string, string])[];
}

const isType = (t: string): t is EntryType => Object.hasOwn(ENTRY_FIELDS, t);
const VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/; // printable ASCII, no edge spaces

function checkShape(type: EntryType, fields: readonly (readonly [string, string])[]): void {
  let i = 0;
  for (const [name, arity] of ENTRY_FIELDS[type]) {
    let n = 0;
    while (fields[i]?.[0] === name) {
      i++;
      n++;
    }
    if ((arity === "1" && n !== 1) || (arity === "+" && n < 1) || (arity === "?" && n > 1)) {
      fail("malformed_entry", `${type} entry: wrong number of ${name} lines`);
    }
  }
  if (i !== fields.length) fail("malformed_entry", `${type} entry: unexpected or misordered line ${fields[i]?.[0] ?? ""}`);
  for (const [k, v] of fields) if (!VALUE.test(v)) fail("malformed_entry", `bad value on ${k} line`);
}

export function formatEntry(e: LogEntry): Bytes {
  checkShape(e.type, e.fields);
  const text = [e.header, `type ${e.type}`, ...e.fields.map(([k, v]) => `${k} ${v}`)].join("\n") + "\n";
  const bytes = utf8(text);
  if (bytes.length > MAX_ENTRY_SIZE) fail("entry_too_large", `entry of ${bytes.length} bytes`);
  return bytes;
}

export function parseEntry(bytes: Uint8Array): LogEntry {
  if (bytes.length > MAX_ENTRY_SIZE) fail("entry_too_large", `entry of ${bytes.length} bytes`);
  const text = fromUtf8(bytes);
  if (text?.endsWith("\n") !== true) return fail("malformed_entry", "entry must be UTF-8 text ending in a newline");
  const [header = "", typeLine = "", ...rest] = text.slice(0, -1).split("\n");
  if (!/^[\x21-\x7e]+\/entry\/v1$/.test(header)) fail("malformed_entry", "bad header line");
  const type = typeLine.startsWith("type ") ? typeLine.slice(5) : "";
  if (!isType(type)) return fail("malformed_entry", "bad type line");
  const fields = rest.map((line): readonly [string, string] => {
    const sp = line.indexOf(" ");
    if (sp <= 0) fail("malformed_entry", "line without key and value");
    return [line.slice(0, sp), line.slice(sp + 1)];
  });
  checkShape(type, fields);
  return { header, type, fields };
}

export function fieldValues(e: LogEntry, key: string): string[] {
  return e.fields.filter(([k]) => k === key).map(([, v]) => v);
}

export interface IssueEntryInput {
  cred: string;
  mark: string;
  origins: readonly string[];
  kid: string;
  validFrom: string;
  validUntil: string;
  /** base64 of SHA-256 over the compact JWS bytes. */
  jwtSha256: string;
}

export function issueEntry(i: IssueEntryInput, header = DEFAULT_ENTRY_HEADER): LogEntry {
  return {
    header,
    type: "issue",
    fields: [
      ["cred", i.cred],
      ["mark", i.mark],
      ...i.origins.map((o) => ["origin", o] as const),
      ["kid", i.kid],
      ["valid", `${i.validFrom} ${i.validUntil}`],
      ["jwt-sha256", i.jwtSha256],
    ],
  };
}
