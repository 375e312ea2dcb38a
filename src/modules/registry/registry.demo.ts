// Demo registry data for `npm start` / `ectrust demo`: "Taipei 3C Shopping", the demo's mark holder,
// gets a confirmed identity, so that the public registry, its certificate and its seal (/verify) show
// a real shop on a first run. Through the registry's own service (profile, document, submit, the
// authority's approval, each audited), except one step: the demo's domains are fictional
// (.example) and cannot answer an HTTP or DNS proof, so the origin is marked proven directly, as
// the browser tests do, for as long as the confirmation lasts (a demo left running a year then
// re-checks it, fails and lapses it). Idempotent: skipped when the shop already has a profile.
// Never for production.
import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import type { Server } from "../../server.ts";
import { registryOrigins } from "./registry.tables.ts";
import type { ProfileInput } from "./registry.service.ts";

type UserActor = Extract<Actor, { kind: "user" }>;

/** A minimal PDF: what the registration document upload accepts. */
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

/**
 * Registers `profile` for the shop's organisation, proves `origin` without a proof (demo and tests
 * only), attaches a registration document, submits, and has the authority approve. Returns the shop id.
 */
export async function confirmDemoShop(server: Server, shop: UserActor, authority: UserActor, profile: ProfileInput, origin: string, reason: string): Promise<string> {
  const { registry, evidence } = server.services;
  const created = await registry.createShop(shop, profile);
  const o = await registry.addOrigin(shop, created.id, origin);
  const now = new Date();
  await server.database.db.update(registryOrigins)
    .set({ status: "proven", method: "dns", provenAt: now, proofExpiresAt: new Date(now.getTime() + 365 * 86_400_000) })
    .where(and(eq(registryOrigins.id, o.id), eq(registryOrigins.shopId, created.id)));
  const file = await evidence.upload(shop, shop.orgId, { filename: "registration.pdf", stream: Readable.from([PDF]), declaredType: "application/pdf" });
  await registry.attachDocument(shop, created.id, { evidenceId: file.id, kind: "business_registration", note: "" });
  await registry.act(shop, created.id, "submit", "");
  await registry.act(authority, created.id, "approve", reason);
  return created.id;
}

/** Confirms the demo mark holder's identity (see the top of this file); returns what it did. */
export async function seedRegistryDemo(server: Server): Promise<string[]> {
  const { accounts, registry } = server.services;
  const [org, owner, authorityOrg, admin] = await Promise.all([
    accounts.findOrganisationByName("Taipei 3C Shopping (demo)"), accounts.findUserByEmail("owner@shop3.example"),
    accounts.findOrganisationByName("E-commerce Privacy Mark Authority (demo)"), accounts.findUserByEmail("admin@authority.example"),
  ]);
  if (!org || !owner || !authorityOrg || !admin) return [];
  if (await registry.getShopByOrg(org.id)) return [];
  const shop: UserActor = { kind: "user", userId: owner.id, orgId: org.id, orgKind: "merchant", role: "merchant_admin" };
  const authority: UserActor = { kind: "user", userId: admin.id, orgId: authorityOrg.id, orgKind: "authority", role: "authority_admin" };
  await confirmDemoShop(server, shop, authority, {
    legalNameZh: "台北3C購物股份有限公司（示範）", legalNameEn: "Taipei 3C Shopping Co., Ltd. (demo)", ubn: "22099131",
    representative: "陳大文", address: "臺北市信義區信義路五段7號", contactEmail: "owner@shop3.example", contactPhone: "02 2720 1234",
    serviceChannel: "LINE @taipei3c", salesModel: "own_site", sector: "online_shop",
  }, "https://www.taipei3c.example", "登記資料相符（示範） Registration matches (demo)");
  return ["registry: Taipei 3C Shopping (demo) is confirmed for https://www.taipei3c.example"];
}
