// Schemes HTTP routes: published catalogues are public reading (drafts only for the roles that
// manage schemes, decided in the service); the authority imports and publishes.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import * as s from "./schemes.schema.ts";
import type { SchemesService } from "./schemes.service.ts";

export interface SchemesRoutesOptions {
  schemes: SchemesService;
}

const tags = ["schemes"];

export async function schemesRoutes(app: FastifyInstance, opts: SchemesRoutesOptions): Promise<void> {
  const { schemes } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get("/api/v1/schemes", { config: { access: "public" }, schema: { tags, summary: "Schemes and their catalogue versions", response: { 200: z.object({ items: z.array(s.schemeSummary) }) } } }, async (req) => ({
    items: await schemes.list(req.actor),
  }));

  r.get(
    "/api/v1/schemes/:scheme/versions/:version",
    { config: { access: "public" }, schema: { tags, summary: "One catalogue version with its requirements and parameters (a draft: the authority only)", params: s.versionParams, response: { 200: s.schemeVersion } } },
    async (req) => schemes.readVersion(req.actor, req.params.scheme, req.params.version),
  );

  r.get(
    "/api/v1/schemes/:scheme/current",
    { config: { access: "public" }, schema: { tags, summary: "The newest published catalogue version", params: s.schemeParams, response: { 200: s.schemeVersion } } },
    async (req) => schemes.current(req.params.scheme),
  );

  r.get(
    "/api/v1/schemes/:scheme/diff",
    { config: { access: "public" }, schema: { tags, summary: "What changed between two catalogue versions", params: s.schemeParams, querystring: s.diffQuery, response: { 200: s.diffResponse } } },
    async (req) => schemes.diff(req.actor, req.params.scheme, req.query.from, req.query.to),
  );

  r.post(
    "/api/v1/schemes/import",
    { config: { access: "schemes.manage" }, bodyLimit: 4 * 1024 * 1024 + 1024, schema: { tags, summary: "Import a catalogue version (YAML) as a draft", body: s.importBody, response: { 201: s.versionSummary } } },
    async (req, reply) => reply.code(201).send(await schemes.importCatalogue(req.actor, req.body.yaml)),
  );

  r.post(
    "/api/v1/schemes/:scheme/versions/:version/publish",
    { config: { access: "schemes.manage" }, schema: { tags, summary: "Publish a draft version (new applications start on it)", params: s.versionParams, response: { 200: s.versionSummary } } },
    async (req) => schemes.publish(req.actor, req.params.scheme, req.params.version),
  );
}
