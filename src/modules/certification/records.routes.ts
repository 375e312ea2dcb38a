// Certification records HTTP routes (thin: declare access, validate, call the service, present):
// personal-data inventory, evidence items, audit report, certificates, change reports, complaints.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { legalBases } from "./inventory.io.ts";
import type { InventoryService } from "./inventory.service.ts";
import * as s from "./records.schema.ts";

export interface CertificationRecordsRoutesOptions {
  inventory: InventoryService;
}

const tags = ["certification"];
const base = "/api/v1/certification";

export async function certificationRecordsRoutes(app: FastifyInstance, opts: CertificationRecordsRoutesOptions): Promise<void> {
  const { inventory } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ------------------------------------------------------------------ personal-data inventory (個資清冊)
  r.get(`${base}/inventory/legal-bases`, { config: { access: "public" }, schema: { tags, summary: "The legal bases an inventory row may name (PDPA Art. 19), zh-TW and English", response: { 200: s.legalBasesResponse } } }, async () => ({
    items: Object.entries(legalBases).map(([key, v]) => ({ key, ...v })),
  }));
  r.get(`${base}/applications/:id/inventory`, { config: { access: "cert.read" }, schema: { tags, summary: "The application's personal-data inventory (個資清冊), a page of rows", params: s.appParams, querystring: s.pageQuery, response: { 200: s.inventoryList } } }, async (req) =>
    inventory.list(req.actor, req.params.id, req.query),
  );
  r.post(`${base}/applications/:id/inventory`, { config: { access: "cert.apply" }, schema: { tags, summary: "Add an inventory row", params: s.appParams, body: s.inventoryBody, response: { 201: s.inventoryItem } } }, async (req, reply) =>
    reply.code(201).send(await inventory.create(req.actor, req.params.id, req.body)),
  );
  r.put(`${base}/applications/:id/inventory/:itemId`, { config: { access: "cert.apply" }, schema: { tags, summary: "Replace an inventory row", params: s.itemParams, body: s.inventoryBody, response: { 200: s.inventoryItem } } }, async (req) =>
    inventory.update(req.actor, req.params.id, req.params.itemId, req.body),
  );
  r.delete(`${base}/applications/:id/inventory/:itemId`, { config: { access: "cert.apply" }, schema: { tags, summary: "Delete an inventory row", params: s.itemParams, response: { 204: z.null() } } }, async (req, reply) => {
    await inventory.remove(req.actor, req.params.id, req.params.itemId);
    return reply.code(204).send(null);
  });
  r.post(
    `${base}/applications/:id/inventory/import`,
    {
      config: { access: "cert.apply", rateLimit: { max: 20, timeWindow: "1 minute" } },
      bodyLimit: 4 * 1024 * 1024,
      schema: { tags, summary: "Import rows from an uploaded CSV/XLSX (our register or `ectrust pii inventory` output) or the pii JSON; any bad row imports nothing", params: s.appParams, body: s.inventoryImportBody, response: { 200: s.inventoryImportResult } },
    },
    async (req) => inventory.importFile(req.actor, req.params.id, req.body),
  );
  r.get(`${base}/applications/:id/inventory/export`, { config: { access: "cert.read" }, schema: { tags, summary: "The inventory as CSV or XLSX", params: s.appParams, querystring: s.exportQuery } }, async (req, reply) => {
    const f = await inventory.exportFile(req.actor, req.params.id, req.query.format);
    return reply.type(f.contentType).header("content-disposition", `attachment; filename="${f.filename}"`).header("cache-control", "private, no-store").send(f.body);
  });
}
