// Request and response schemas of the schemes API.
import { z } from "zod";
import { catalogueSchema, MAX_CATALOGUE_BYTES } from "./catalogue.ts";

const bilingual = z.object({ "zh-TW": z.string(), en: z.string() });
export const schemeParams = z.strictObject({ scheme: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/) });
export const versionParams = schemeParams.extend({ version: z.string().regex(/^\d+\.\d+\.\d+$/) });
export const diffQuery = z.strictObject({ from: z.string().regex(/^\d+\.\d+\.\d+$/), to: z.string().regex(/^\d+\.\d+\.\d+$/) });
export const importBody = z.strictObject({ yaml: z.string().min(1).max(MAX_CATALOGUE_BYTES) });

export const versionSummary = z.object({
  scheme: z.string(),
  version: z.string(),
  status: z.enum(["draft", "published", "retired"]),
  markPrefix: z.string(),
  title: bilingual,
  requirementCount: z.number(),
  sha256: z.string(),
  createdAt: z.date(),
  publishedAt: z.date().nullable(),
});
export const schemeVersion = versionSummary.extend({ catalogue: catalogueSchema });
export const schemeSummary = z.object({ scheme: z.string(), title: bilingual, markPrefix: z.string(), current: z.string().nullable(), versions: z.array(versionSummary) });
export const diffResponse = z.object({
  from: z.string(),
  to: z.string(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
  parameters: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() })),
});
