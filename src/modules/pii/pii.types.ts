// Shared types of the pii module: entity types, findings, scan notes.

export const ENTITY_TYPES = [
  "TW_NATIONAL_ID",
  "TW_RESIDENT_CERT",
  "TW_BUSINESS_NUMBER",
  "TW_PASSPORT",
  "TW_NHI_CARD",
  "TW_MOBILE",
  "TW_LANDLINE",
  "CREDIT_CARD",
  "TW_BANK_ACCOUNT",
  "EMAIL",
  "IP_ADDRESS",
  "DATE_OF_BIRTH",
  "TW_ADDRESS",
  "PERSON_NAME_ZH",
  "TW_EINVOICE_CARRIER",
  "TW_LICENSE_PLATE",
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

export function isEntityType(s: string): s is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(s);
}

/** Why a detection was accepted: the pattern, a validator, a cue nearby, or a column header. */
export type Reason = "pattern" | "checksum" | "context" | "header" | "gazetteer" | "negative-context";

/** A detection in one string: UTF-16 offsets into that string. */
export interface Detection {
  type: EntityType;
  start: number;
  end: number;
  score: number;
  reasons: Reason[];
  /** Sub-kind, e.g. "arc_new", "visa", "mobile", "2023-rule". */
  detail?: string | undefined;
  /**
   * The column (CSV header, JSON key path, table.column) the detection lies in, set by the structured
   * readers; null in free text. Every detection is created with all fields so that they share one shape.
   */
  column?: string | null;
}

/** A finding in a file or table: a detection placed in its source. */
export interface Finding {
  file: string;
  type: EntityType;
  /** UTF-16 offsets in the decoded text of the file (or of the cell for live tables). */
  start: number;
  end: number;
  /** Byte offsets in the (decompressed) file in its original encoding. */
  byteStart: number;
  byteEnd: number;
  /** 1-based line number. */
  line: number;
  /** The CSV header, JSON key path or table column, when structured; otherwise null. */
  column: string | null;
  score: number;
  masked: string;
  value?: string;
  detail?: string;
}

/** A part of the input that was not (fully) scanned, and why. */
export interface SkipNote {
  file: string;
  reason:
    | "binary"
    | "invalid-utf8"
    | "truncated-gzip"
    | "unbalanced-quote"
    | "long-line"
    | "deep-json"
    | "json-syntax"
    | "unreadable"
    | "too-large-field"
    | "not-a-file"
    /** mask / protect / unprotect: the output would overwrite an input or another file's output */
    | "output-conflict";
  detail: string;
  byteOffset?: number;
}

export interface ScanSummary {
  files: number;
  bytes: number;
  findings: number;
  byType: Partial<Record<EntityType, number>>;
  skipped: SkipNote[];
  seconds: number;
}
