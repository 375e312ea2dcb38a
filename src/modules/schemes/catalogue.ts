// Scheme catalogues as data: the YAML format (catalogues/*.yaml), its validation and the
// difference between two versions. Pure: no database, no I/O beyond parsing the text given.
//
// A catalogue is refused, with every problem listed, when it has unknown fields, a duplicate
// requirement or domain id, a requirement in an undeclared domain, a title missing its zh-TW or
// English text, or scheme parameters that contradict each other (for example a renewal window
// that closes before it opens).
import { isScalar, parseDocument, visit, YAMLParseError } from "yaml";
import { z } from "zod";
import { AppError, type FieldProblem } from "../../platform/errors.ts";

/** Largest catalogue text accepted (a 2,000-requirement catalogue is about 1 MB). */
export const MAX_CATALOGUE_BYTES = 4 * 1024 * 1024;

const text = z.string().trim().min(1, "must not be empty").max(4000);
/** Both languages required: zh-TW is the programme's first language, English is complete too. */
const bilingual = z.strictObject({ "zh-TW": text, en: text });
/** Longer prose (what the auditor checks): both languages, like the titles. */
const prose = bilingual;

const SCHEME_ID = /^[a-z][a-z0-9-]{1,39}$/;
const REQ_ID = /^[A-Z][A-Z0-9-]*\.[A-Z]{2,5}-\d{2,4}$/;
/**
 * MAJOR.MINOR.PATCH without leading zeros (SemVer 2.0.0 §2), each at most six digits: "0.01.0" or
 * "99999999999999999999.0.0" would compare equal to another version (compareVersions is numeric),
 * leaving which version is current to row order.
 */
const VERSION = /^(?:0|[1-9]\d{0,5})\.(?:0|[1-9]\d{0,5})\.(?:0|[1-9]\d{0,5})$/;

const months = z.number().int().min(1).max(120);

export const sanctionKinds = ["caution", "recommendation", "suspension", "revocation"] as const;
export type SanctionKind = (typeof sanctionKinds)[number];

export const parametersSchema = z
  .strictObject({
    /** pmark: full renewal, no surveillance; iso: yearly surveillance */
    style: z.enum(["pmark", "iso"]),
    validityMonths: months,
    renewalWindow: z.strictObject({ opensMonthsBefore: months, closesMonthsBefore: z.number().int().min(0).max(120) }),
    renewalRemindersMonthsBefore: z.array(z.number().int().min(1).max(120)).max(6),
    surveillance: z.strictObject({ cadenceMonths: months.nullable(), firstWithinMonths: months.nullable() }),
    correctiveAction: z.strictObject({
      initialDays: z.number().int().min(1).max(365),
      refindingDays: z.number().int().min(1).max(365),
      /** what a missed corrective-action deadline does: end the application, or repeat the on-site audit */
      onTimeout: z.enum(["withdraw", "repeat_onsite"]),
    }),
    activationTimeoutDays: z.number().int().min(1).max(365),
    reapplicationBarMonths: z.number().int().min(0).max(120),
    suspension: z.strictObject({ minMonths: months, maxMonths: months, onTimeout: z.enum(["revoke"]) }),
    incidentReportHours: z.number().int().min(1).max(720),
    sanctionLadder: z
      .array(
        z.strictObject({
          level: z.number().int().min(1).max(20),
          kind: z.enum(sanctionKinds),
          minMonths: months.optional(),
          maxMonths: months.optional(),
        }),
      )
      .min(1)
      .max(20),
  })
  .superRefine((p, ctx) => {
    if (p.renewalWindow.closesMonthsBefore >= p.renewalWindow.opensMonthsBefore) {
      ctx.addIssue({ code: "custom", path: ["renewalWindow", "closesMonthsBefore"], message: "the renewal window must close after it opens (fewer months before expiry)" });
    }
    if (p.renewalWindow.opensMonthsBefore >= p.validityMonths) {
      ctx.addIssue({ code: "custom", path: ["renewalWindow", "opensMonthsBefore"], message: "the renewal window must open after the mark starts" });
    }
    if (p.suspension.minMonths > p.suspension.maxMonths) {
      ctx.addIssue({ code: "custom", path: ["suspension", "minMonths"], message: "must not exceed maxMonths" });
    }
    if ((p.style === "iso") !== (p.surveillance.cadenceMonths !== null)) {
      ctx.addIssue({ code: "custom", path: ["surveillance", "cadenceMonths"], message: "ISO-style schemes need a surveillance cadence; P-Mark-style schemes have none" });
    }
    const levels = new Set<number>();
    p.sanctionLadder.forEach((s, i) => {
      if (levels.has(s.level)) ctx.addIssue({ code: "custom", path: ["sanctionLadder", i, "level"], message: `level ${s.level} appears twice` });
      levels.add(s.level);
      if (s.kind === "suspension" && (s.minMonths === undefined || s.maxMonths === undefined)) {
        ctx.addIssue({ code: "custom", path: ["sanctionLadder", i], message: "a suspension level needs minMonths and maxMonths" });
      }
    });
  });

export type SchemeParameters = z.infer<typeof parametersSchema>;

export const requirementSchema = z.strictObject({
  id: z.string().regex(REQ_ID, "must look like TW-PIMS.GOV-01"),
  domain: z.string().regex(/^[A-Z]{2,5}$/),
  title: bilingual,
  basis: text,
  auditorChecks: prose,
  evidenceExamples: z.array(text).max(20).default([]),
});
export type Requirement = z.infer<typeof requirementSchema>;

export const catalogueSchema = z
  .strictObject({
    scheme: z.string().regex(SCHEME_ID, "lower-case letters, digits and dashes"),
    version: z.string().regex(VERSION, "must be MAJOR.MINOR.PATCH (numbers without leading zeros)"),
    title: bilingual,
    markPrefix: z.string().regex(/^[A-Z]{2,8}$/),
    status: z.enum(["draft", "published"]).default("draft"),
    source: text.optional(),
    parameters: parametersSchema,
    domains: z.array(z.strictObject({ id: z.string().regex(/^[A-Z]{2,5}$/), title: bilingual })).min(1).max(100),
    requirements: z.array(requirementSchema).min(1).max(10_000),
  })
  .superRefine((c, ctx) => {
    const domains = new Set<string>();
    c.domains.forEach((d, i) => {
      if (domains.has(d.id)) ctx.addIssue({ code: "custom", path: ["domains", i, "id"], message: `duplicate domain id ${d.id}` });
      domains.add(d.id);
    });
    const ids = new Set<string>();
    c.requirements.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: "custom", path: ["requirements", i, "id"], message: `duplicate requirement id ${r.id}` });
      ids.add(r.id);
      if (!domains.has(r.domain)) ctx.addIssue({ code: "custom", path: ["requirements", i, "domain"], message: `domain ${r.domain} is not declared` });
    });
  });

export type Catalogue = z.infer<typeof catalogueSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

/** Reads a catalogue from YAML text; throws AppError("validation") listing every problem. */
export function parseCatalogue(source: string, name = "catalogue"): Catalogue {
  if (Buffer.byteLength(source) > MAX_CATALOGUE_BYTES) throw new AppError("payload_too_large", `${name} is larger than ${MAX_CATALOGUE_BYTES} bytes`);
  const data = readYaml(source, name);
  const result = catalogueSchema.safeParse(data);
  if (!result.success) {
    const fields: FieldProblem[] = result.error.issues.map((i) => {
      const base = pathOf(i.path);
      if (i.code === "unrecognized_keys") return { field: [base, ...i.keys].filter(Boolean).join("."), message: `unknown field "${i.keys.join('", "')}"` };
      const where = requirementIdAt(data, i.path);
      return { field: base || "(root)", message: where ? `${where}: ${i.message}` : i.message };
    });
    throw new AppError("validation", `${name} is not a valid catalogue: ${fields.slice(0, 5).map((f) => `${f.field}: ${f.message}`).join("; ")}${fields.length > 5 ? ` (+${fields.length - 5} more)` : ""}`, { fields });
  }
  return result.data;
}

/**
 * YAML text → plain data. Anchors and aliases are refused: a catalogue is flat data, aliases
 * are the vector of "billion laughs" expansion, and the yaml package resolves each alias by
 * walking the document (quadratic: a generated 2,000-requirement catalogue with shared objects
 * took seconds). Duplicate keys are refused too, checked here with a set per mapping: the yaml
 * package's own check (uniqueKeys) compares every key with every earlier one, and a 400 KB mapping
 * of 40,000 keys held the event loop for half a minute.
 */
function readYaml(source: string, name: string): unknown {
  const fail = (detail: string, cause?: unknown): AppError => new AppError("validation", `${name}: ${detail}`, { fields: [{ field: "yaml", message: detail }], cause });
  try {
    const doc = parseDocument(source, { uniqueKeys: false, prettyErrors: false });
    const [err] = doc.errors;
    if (err) throw err;
    const seen: { alias: boolean; complexKey: boolean; duplicate: string | undefined } = { alias: false, complexKey: false, duplicate: undefined };
    visit(doc, {
      Alias: () => {
        seen.alias = true;
        return visit.BREAK;
      },
      Map: (_key, map) => {
        const keys = new Set<string>();
        for (const pair of map.items) {
          if (!isScalar(pair.key)) {
            seen.complexKey = true;
            return visit.BREAK;
          }
          const key = String(pair.key.value);
          if (keys.has(key)) {
            seen.duplicate = key;
            return visit.BREAK;
          }
          keys.add(key);
        }
        return undefined;
      },
    });
    if (seen.alias) throw fail("YAML anchors and aliases (&name, *name) are not allowed in a catalogue; write each value out");
    if (seen.complexKey) throw fail("mapping keys must be plain names");
    if (seen.duplicate !== undefined) throw fail(`Map keys must be unique ("${seen.duplicate.slice(0, 100)}" appears twice)`);
    return doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw fail(e instanceof YAMLParseError ? (e.message.split("\n")[0] ?? "YAML error") : "not YAML", e);
  }
}

/** "TW-PIMS.GOV-01" for a problem inside requirements[n], so authors find the row. */
function requirementIdAt(data: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== "requirements" || typeof path[1] !== "number") return undefined;
  const list = (data as { requirements?: unknown } | null)?.requirements;
  const row: unknown = Array.isArray(list) ? list[path[1]] : undefined;
  const id = (row as { id?: unknown } | undefined)?.id;
  return typeof id === "string" ? id : undefined;
}

export interface CatalogueDiff {
  from: string;
  to: string;
  added: string[];
  removed: string[];
  changed: { id: string; fields: string[] }[];
  /** dotted parameter paths whose value differs */
  parameters: { path: string; from: unknown; to: unknown }[];
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

/** What changed from `a` to `b`: requirements added, removed, changed (by field), parameters. */
export function diffCatalogues(a: Catalogue, b: Catalogue): CatalogueDiff {
  const before = new Map(a.requirements.map((r) => [r.id, r]));
  const after = new Map(b.requirements.map((r) => [r.id, r]));
  const added = [...after.keys()].filter((id) => !before.has(id));
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const changed: CatalogueDiff["changed"] = [];
  for (const [id, r] of after) {
    const old = before.get(id);
    if (!old) continue;
    const x = new Map<string, unknown>();
    const y = new Map<string, unknown>();
    flatten(old, "", x);
    flatten(r, "", y);
    const fields = [...new Set([...x.keys(), ...y.keys()])].filter((k) => JSON.stringify(x.get(k)) !== JSON.stringify(y.get(k))).sort();
    if (fields.length) changed.push({ id, fields });
  }
  const p = new Map<string, unknown>();
  const q = new Map<string, unknown>();
  flatten(a.parameters, "", p);
  flatten(b.parameters, "", q);
  const parameters = [...new Set([...p.keys(), ...q.keys()])]
    .filter((k) => JSON.stringify(p.get(k)) !== JSON.stringify(q.get(k)))
    .sort()
    .map((path) => ({ path, from: p.get(path) ?? null, to: q.get(path) ?? null }));
  return { from: a.version, to: b.version, added, removed, changed, parameters };
}

/** Compares MAJOR.MINOR.PATCH versions numerically. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
