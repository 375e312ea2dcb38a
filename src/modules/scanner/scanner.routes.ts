// Scanner HTTP routes: thin — declare access, validate, call the platform service, present.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ScannerPlatform } from "./scanner.platform.ts";
import * as s from "./scanner.schema.ts";

export interface ScannerRoutesOptions {
  scanner: ScannerPlatform;
}

const tags = ["scanner"];

export async function scannerRoutes(app: FastifyInstance, opts: ScannerRoutesOptions): Promise<void> {
  const { scanner } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = "/api/v1/scanner";

  r.get(`${base}/shops/:shopId/origins`, { config: { access: "scanner.read" }, schema: { tags, summary: "The shop's watched origins (its confirmed origins) with their latest grade", params: s.shopParams, response: { 200: z.object({ items: z.array(s.origin) }) } } }, async (req) => ({
    items: await scanner.listOrigins(req.actor, req.params.shopId),
  }));
  r.post(
    `${base}/origins/:originId/scans`,
    { config: { access: "scanner.scan", rateLimit: { max: 10, timeWindow: "1 minute" } }, schema: { tags, summary: "Start a scan now (one at a time per origin; 202 with the queued or running scan)", params: s.originParams, response: { 202: s.requestScanResponse } } },
    async (req, reply) => reply.code(202).send(await scanner.requestScan(req.actor, req.params.originId)),
  );
  r.get(`${base}/origins/:originId/scans`, { config: { access: "scanner.read" }, schema: { tags, summary: "Scan history of an origin, newest first", params: s.originParams, querystring: s.listQuery, response: { 200: s.scanList } } }, async (req) =>
    scanner.listScans(req.actor, req.params.originId, { limit: req.query.limit, before: req.query.before ? new Date(req.query.before) : undefined }),
  );
  r.get(`${base}/origins/:originId/latest`, { config: { access: "scanner.read" }, schema: { tags, summary: "Latest result with findings (zh-TW and English risk, fix and snippets)", params: s.originParams, response: { 200: s.latestResponse } } }, async (req) =>
    scanner.latest(req.actor, req.params.originId),
  );
  r.get(`${base}/origins/:originId/scripts`, { config: { access: "scanner.read" }, schema: { tags, summary: "Payment-page script inventory (PCI DSS 6.4.3) with first and last seen", params: s.originParams, response: { 200: s.scriptList } } }, async (req) => ({
    items: await scanner.scripts(req.actor, req.params.originId),
  }));
  r.put(`${base}/origins/:originId/payment-pages`, { config: { access: "scanner.scan" }, schema: { tags, summary: "Declare the checkout / payment pages of an origin (scanned weekly at least)", params: s.originParams, body: s.paymentPagesBody, response: { 200: s.origin } } }, async (req) =>
    scanner.setPaymentPages(req.actor, req.params.originId, req.body.pages),
  );
  r.put(`${base}/origins/:originId/cadence`, { config: { access: "scanner.scan" }, schema: { tags, summary: "Days between scheduled scans (null = platform default); the shop may only shorten it", params: s.originParams, body: s.cadenceBody, response: { 200: s.origin } } }, async (req) =>
    scanner.setCadence(req.actor, req.params.originId, req.body.cadenceDays),
  );
  r.get(`${base}/scans/:scanId`, { config: { access: "scanner.read" }, schema: { tags, summary: "One scan with its result", params: s.scanParams, response: { 200: s.scanWithResult } } }, async (req) =>
    scanner.getScan(req.actor, req.params.scanId),
  );
  r.get(`${base}/origins`, { config: { access: "scanner.admin" }, schema: { tags, summary: "Authority: every watched origin with its latest grade, optionally of one grade", querystring: s.allOriginsQuery, response: { 200: s.originPage } } }, async (req) =>
    scanner.listAllOrigins(req.actor, req.query),
  );
  r.get(`${base}/grades`, { config: { access: "scanner.admin" }, schema: { tags, summary: "Authority: grade distribution over every watched origin and shop (worst origin)", response: { 200: s.distribution } } }, async (req) =>
    scanner.gradeDistribution(req.actor),
  );
}
