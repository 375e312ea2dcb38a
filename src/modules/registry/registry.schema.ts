// One zod schema per registry endpoint. Writes are strict objects. Limits shared with the web app
// live in registry.limits.ts (zod-free).
import { z } from "zod";
import { withoutNul } from "../../platform/db/pg-values.ts";
import { identityStatuses } from "./identity-status.ts";
import { REGISTRY_LIMITS } from "./registry.limits.ts";

export { REGISTRY_LIMITS };

/** PostgreSQL text cannot hold NUL: refused here (400) instead of failing in the database (500). */
const str = () => z.string().refine(withoutNul, "Must not contain NUL characters");
const text = (max: number) => str().trim().min(1, "Required").max(max);
export const uuid = z.uuid("Must be a UUID");
export const salesModel = z.enum(["own_site", "marketplace", "both"]);
export const sector = z.enum(["online_shop", "marketplace_operator", "supplier", "logistics", "payment"]);
export const identityStatus = z.enum(identityStatuses);

export const profileBody = z.strictObject({
  legalNameZh: text(REGISTRY_LIMITS.name),
  legalNameEn: text(REGISTRY_LIMITS.name),
  ubn: str().trim().min(1, "Required").max(20),
  representative: text(REGISTRY_LIMITS.name),
  address: text(REGISTRY_LIMITS.address),
  contactEmail: z.email("Enter a valid e-mail address").max(254),
  contactPhone: z.string().trim().regex(/^\+?[0-9 ()#-]{6,40}$/, "Enter a phone number (digits, spaces, + - ( ) #)"),
  serviceChannel: text(REGISTRY_LIMITS.channel),
  salesModel,
  sector,
});

export const shop = z.object({
  id: z.string(),
  orgId: z.string(),
  legalNameZh: z.string(),
  legalNameEn: z.string(),
  ubn: z.string(),
  ubnCurrentRuleOnly: z.boolean(),
  representative: z.string(),
  address: z.string(),
  contactEmail: z.string(),
  contactPhone: z.string(),
  serviceChannel: z.string(),
  salesModel,
  sector,
  identityStatus,
  awaitingShop: z.boolean(),
  statusChangedAt: z.date(),
  confirmedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  createdAt: z.date(),
});
export const myShopResponse = z.object({ shop: shop.nullable() });
/** What the authority also sees on one shop: the other shops stating its business number. */
export const shopDetail = shop.extend({
  sameUbn: z.array(z.object({ id: z.string(), legalNameZh: z.string(), legalNameEn: z.string(), identityStatus, statusChangedAt: z.date() })).optional(),
});
export const updateProfileResponse = z.object({ shop, pendingChange: z.string().nullable() });
export const shopParams = z.strictObject({ shopId: uuid });
export const originParams = z.strictObject({ shopId: uuid, originId: uuid });
export const changeParams = z.strictObject({ changeId: uuid });

const tls = z.object({
  fingerprint256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  subjectAltNames: z.array(z.string()),
  validFrom: z.date(),
  validTo: z.date(),
  keyType: z.string(),
  keyBits: z.number().nullable(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
});
const instructions = z.object({
  http: z.object({ url: z.string(), body: z.string(), en: z.string(), zh: z.string() }),
  dns: z.object({ name: z.string(), value: z.string(), en: z.string(), zh: z.string() }),
});
export const origin = z.object({
  id: z.string(),
  origin: z.string(),
  host: z.string(),
  unicodeHost: z.string().nullable(),
  status: z.enum(["unproven", "proven", "failing", "lapsed"]),
  method: z.enum(["http", "dns"]).nullable(),
  provenAt: z.date().nullable(),
  proofExpiresAt: z.date().nullable(),
  lastCheckedAt: z.date().nullable(),
  lastError: z.string().nullable(),
  failingSince: z.date().nullable(),
  instructions,
  tls: tls.nullable(),
});
export const addOriginBody = z.strictObject({ origin: str().max(REGISTRY_LIMITS.origin) });
export const verifyBody = z.strictObject({ method: z.enum(["http", "dns"]) });
export const verifyResponse = z.object({ ok: z.boolean(), message: z.string(), messageZh: z.string(), origin });

export const change = z.object({
  id: z.string(),
  proposed: z.record(z.string(), z.string()),
  previous: z.record(z.string(), z.string()),
  status: z.enum(["pending", "approved", "rejected"]),
  reason: z.string(),
  createdAt: z.date(),
  decidedAt: z.date().nullable(),
});
export const decisionBody = z.strictObject({ decision: z.enum(["approve", "reject"]), reason: str().trim().max(REGISTRY_LIMITS.reason).default("") });

export const documentBody = z.strictObject({
  evidenceId: uuid,
  kind: z.enum(["business_registration", "representative_id", "authorisation", "other"]),
  note: str().trim().max(REGISTRY_LIMITS.note).default(""),
});
export const document = z.object({ id: z.string(), evidenceId: z.string(), kind: z.string(), note: z.string(), addedAt: z.date() });

export const identityActionBody = z.strictObject({
  action: z.enum(["submit", "request_more", "respond", "approve", "reject", "renew", "withdraw", "reopen"]),
  reason: str().trim().max(REGISTRY_LIMITS.reason).default(""),
});
export const event = z.object({ id: z.string(), action: z.string(), fromStatus: identityStatus, toStatus: identityStatus, reason: z.string(), actorKind: z.string(), at: z.date() });

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(REGISTRY_LIMITS.pageMax).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export const reviewQueueResponse = z.object({
  // sameUbnClaims: other shops pending, confirmed or lapsed with this business number
  items: z.array(shop.extend({ hasPendingChange: z.boolean(), sameUbnClaims: z.number() })),
  nextOffset: z.number().nullable(),
});

/** q: a name (≤ REGISTRY_LIMITS.query), a business number, or a pasted web address (≤ queryUrl); read by search-query.ts */
export const searchQuery = pageQuery.extend({ q: str().trim().max(REGISTRY_LIMITS.queryUrl).optional() });
const publicShopBase = z.object({
  id: z.string(),
  legalNameZh: z.string(),
  legalNameEn: z.string(),
  ubn: z.string(),
  representative: z.string(),
  serviceChannel: z.string(),
  salesModel,
  sector,
  identityStatus,
  confirmedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
});
export const searchResponse = z.object({
  items: z.array(publicShopBase.extend({ origins: z.array(z.string()) })),
  nextOffset: z.number().nullable(),
  /** how the query was read: a pasted address is searched by its host (null: no query, every shop) */
  searched: z.object({ by: z.enum(["name", "ubn", "host"]), value: z.string(), unicodeHost: z.string().nullable() }).nullable(),
});
export const publicShopResponse = publicShopBase.extend({
  origins: z.array(
    z.object({
      origin: z.string(),
      unicodeHost: z.string().nullable(),
      provenAt: z.date().nullable(),
      method: z.enum(["http", "dns"]).nullable(),
      certificate: z.object({ fingerprint256: z.string(), issuer: z.string(), validTo: z.date() }).nullable(),
    }),
  ),
  /** sections added by other modules (marks, scan grade), keyed by module */
  extensions: z.record(z.string(), z.unknown()),
});
export const registerCheckQuery = z.strictObject({ ubn: str().trim().max(20) });
export const registerCheckResponse = z.object({
  ubn: z.string(),
  currentRuleOnly: z.boolean(),
  found: z.boolean(),
  name: z.string().nullable(),
  status: z.enum(["active", "suspended", "dissolved"]).nullable(),
  statusText: z.string().nullable(),
  updatedAt: z.date().nullable(),
});
export const exportQuery = z.strictObject({ format: z.enum(["csv", "xlsx"]).default("csv") });
