// Registry HTTP routes: thin — declare access, validate, call the service, present.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { toCsv, toXlsx } from "./export.ts";
import type { RegistryService } from "./registry.service.ts";
import * as s from "./registry.schema.ts";

export interface RegistryRoutesOptions {
  registry: RegistryService;
}

const tags = ["registry"];
const publicTags = ["registry (public)"];

export async function registryRoutes(app: FastifyInstance, opts: RegistryRoutesOptions): Promise<void> {
  const { registry } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/registry";

  // ------------------------------------------------------------------ shop profile
  r.get(`${base}/my-shop`, { config: { access: "registry.read" }, schema: { tags, summary: "Your organisation's shop profile (null before it is created)", response: { 200: s.myShopResponse } } }, async (req) => ({
    shop: await registry.myShop(req.actor),
  }));
  r.post(`${base}/shops`, { config: { access: "registry.manage" }, schema: { tags, summary: "Create your shop profile", body: s.profileBody, response: { 201: s.shop } } }, async (req, reply) =>
    reply.code(201).send(await registry.createShop(req.actor, req.body)),
  );
  r.get(`${base}/shops/:shopId`, { config: { access: "registry.read" }, schema: { tags, summary: "One shop profile (for the authority, with the other shops stating its business number)", params: s.shopParams, response: { 200: s.shopDetail } } }, async (req) =>
    registry.getShopFor(req.actor, req.params.shopId),
  );
  r.patch(
    `${base}/shops/:shopId`,
    { config: { access: "registry.manage" }, schema: { tags, summary: "Update the profile (legal fields go to review once submitted)", params: s.shopParams, body: s.profileBody, response: { 200: s.updateProfileResponse } } },
    async (req) => registry.updateProfile(req.actor, req.params.shopId, req.body),
  );
  r.get(`${base}/shops/:shopId/changes`, { config: { access: "registry.read" }, schema: { tags, summary: "History of legal-field changes", params: s.shopParams, response: { 200: z.object({ items: z.array(s.change) }) } } }, async (req) => ({
    items: await registry.listChanges(req.actor, req.params.shopId),
  }));
  r.post(
    `${base}/changes/:changeId/decision`,
    { config: { access: "registry.review" }, schema: { tags, summary: "Approve or reject a change of legal details", params: s.changeParams, body: s.decisionBody, response: { 200: s.shop } } },
    async (req) => registry.decideChange(req.actor, req.params.changeId, req.body.decision, req.body.reason),
  );

  // ------------------------------------------------------------------ origins
  r.get(`${base}/shops/:shopId/origins`, { config: { access: "registry.read" }, schema: { tags, summary: "Origins with proof state, instructions and certificate", params: s.shopParams, response: { 200: z.object({ items: z.array(s.origin) }) } } }, async (req) => ({
    items: await registry.listOrigins(req.actor, req.params.shopId),
  }));
  r.post(
    `${base}/shops/:shopId/origins`,
    { config: { access: "registry.manage" }, schema: { tags, summary: "Register an origin (https only)", params: s.shopParams, body: s.addOriginBody, response: { 201: s.origin } } },
    async (req, reply) => reply.code(201).send(await registry.addOrigin(req.actor, req.params.shopId, req.body.origin)),
  );
  r.delete(`${base}/shops/:shopId/origins/:originId`, { config: { access: "registry.manage" }, schema: { tags, summary: "Remove an origin", params: s.originParams } }, async (req, reply) => {
    await registry.removeOrigin(req.actor, req.params.shopId, req.params.originId);
    return reply.code(204).send();
  });
  r.post(
    `${base}/shops/:shopId/origins/:originId/verify`,
    {
      config: { access: "registry.manage", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: { tags, summary: "Check an origin's proof now (HTTP token or DNS TXT)", params: s.originParams, body: s.verifyBody, response: { 200: s.verifyResponse } },
    },
    async (req) => registry.verifyOrigin(req.actor, req.params.shopId, req.params.originId, req.body.method),
  );

  // ------------------------------------------------------------------ identity review
  r.get(`${base}/shops/:shopId/documents`, { config: { access: "registry.read" }, schema: { tags, summary: "Identity documents", params: s.shopParams, response: { 200: z.object({ items: z.array(s.document) }) } } }, async (req) => ({
    items: await registry.listDocuments(req.actor, req.params.shopId),
  }));
  r.post(
    `${base}/shops/:shopId/documents`,
    { config: { access: "registry.manage" }, schema: { tags, summary: "Attach an uploaded evidence file as an identity document", params: s.shopParams, body: s.documentBody, response: { 201: s.document } } },
    async (req, reply) => reply.code(201).send(await registry.attachDocument(req.actor, req.params.shopId, req.body)),
  );
  r.post(
    `${base}/shops/:shopId/identity`,
    { config: { access: "registry.manage" }, schema: { tags, summary: "Identity workflow step: submit, respond, withdraw (shop); request_more, approve, reject, renew, withdraw, reopen (authority)", params: s.shopParams, body: s.identityActionBody, response: { 200: s.shop } } },
    async (req) => registry.act(req.actor, req.params.shopId, req.body.action, req.body.reason),
  );
  r.get(`${base}/shops/:shopId/history`, { config: { access: "registry.read" }, schema: { tags, summary: "Identity status history", params: s.shopParams, response: { 200: z.object({ items: z.array(s.event) }) } } }, async (req) => ({
    items: await registry.history(req.actor, req.params.shopId),
  }));
  r.get(`${base}/review-queue`, { config: { access: "registry.review" }, schema: { tags, summary: "Shops waiting for the authority, oldest first", querystring: s.pageQuery, response: { 200: s.reviewQueueResponse } } }, async (req) =>
    registry.reviewQueue(req.actor, req.query),
  );
  r.get(`${base}/register-check`, { config: { access: "registry.read" }, schema: { tags, summary: "Look a business number up in the imported business register", querystring: s.registerCheckQuery, response: { 200: s.registerCheckResponse } } }, async (req) =>
    registry.registerCheck(req.query.ubn),
  );
  r.get(`${base}/export`, { config: { access: "registry.review" }, schema: { tags, summary: "Every shop as CSV or XLSX", querystring: s.exportQuery } }, async (req, reply) => {
    const rows = await registry.exportRows(req.actor);
    const stamp = new Date().toISOString().slice(0, 10);
    if (req.query.format === "xlsx") {
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", `attachment; filename="ectrust-shops-${stamp}.xlsx"`)
        .send(await toXlsx(rows));
    }
    return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="ectrust-shops-${stamp}.csv"`).send(toCsv(rows));
  });

  // ------------------------------------------------------------------ public registry
  r.get(
    `${base}/public/shops`,
    { config: { access: "public", rateLimit: { max: 120, timeWindow: "1 minute" } }, schema: { tags: publicTags, summary: "Search confirmed shops by name (zh/en, partial), business number, domain or pasted web address (searched by its host)", querystring: s.searchQuery, response: { 200: s.searchResponse } } },
    async (req) => registry.search(req.query),
  );
  r.get(
    `${base}/public/shops/:shopId`,
    { config: { access: "public", rateLimit: { max: 120, timeWindow: "1 minute" } }, schema: { tags: publicTags, summary: "A shop's public page: identity, confirmed origins, status with dates", params: s.shopParams, response: { 200: s.publicShopResponse } } },
    async (req) => registry.getPublicShop(req.params.shopId),
  );
}
