// Seals HTTP: the publication (/trust/…, /log/…), the seal iframe (/seal/s/<shopId>) with its
// per-shop frame-ancestors, the widget files and loader (/seal/v1/…, /seal/loader.js), the
// verification page (/verify/<shopId>) and the JSON API (verification, embed snippet).
// /trust, /log, /seal and /verify declare no config.access: the platform then resolves no
// session for them, so these responses never carry or clear cookies.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, notFound } from "../../platform/errors.ts";
import { embedSnippets, loaderScript, sealHeaders, sealPage, verifyPage } from "./seals.page.ts";
import type { SealsService } from "./seals.service.ts";
import { loadWidget, type ServedWidget } from "./seals.widget.ts";

export interface SealsRoutesOptions {
  seals: SealsService;
  publicUrl: string;
  /** the built widget (dist/widget: manifest.json + hashed files); a template is pinned to this deployment's roots */
  widgetDir: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const shopParams = z.object({ shopId: z.string().regex(UUID) });
const verdictState = z.enum(["valid", "suspended", "revoked", "wrong_origin", "unavailable", "invalid"]);
const verification = z.object({
  shopId: z.string(),
  /** the zh-TW legal name (kept for existing clients; legalNameZh is the same) */
  legalName: z.string(),
  legalNameZh: z.string(),
  legalNameEn: z.string(),
  registrationNumber: z.string(),
  identity: z.object({ status: z.string(), confirmedAt: z.string().nullable(), expiresAt: z.string().nullable() }).nullable(),
  privacyMark: z.object({ number: z.string(), state: z.string(), validFrom: z.string().nullable(), validUntil: z.string() }).nullable(),
  scanGrade: z.object({ grade: z.string(), score: z.number(), scannedAt: z.string(), origin: z.string() }).nullable(),
  checkedAt: z.string(),
  marks: z.array(z.object({
    credentialId: z.string(), mark: z.string(), state: verdictState, code: z.string().nullable(), origins: z.array(z.string()),
    validFrom: z.string(), validUntil: z.string(), issuedAt: z.string(), logIndex: z.number(), credentialUrl: z.string(), tlogProofUrl: z.string(),
  })),
});
const tags = ["seals"];
const noLimit = { rateLimit: false } as const;
/** Pages and files, not API operations: kept out of the OpenAPI document. */
const hidden = { hide: true } as const;

export async function sealsRoutes(app: FastifyInstance, opts: SealsRoutesOptions): Promise<void> {
  const { seals } = opts;
  const origin = new URL(opts.publicUrl).origin;
  const loader = loaderScript(origin);
  // The widget as served: pinned to the key store's roots, built (and logged) once per root set.
  let served: { key: string; widget: Promise<ServedWidget> } | undefined;
  const widget = async (): Promise<ServedWidget> => {
    const pinned = await seals.pinned();
    if (pinned.roots.length === 0) throw notFound("The widget"); // no keys yet: nothing to pin, nothing to verify
    const key = JSON.stringify(pinned);
    if (served?.key !== key) {
      const w = loadWidget(opts.widgetDir, pinned).then(async (x) => {
        await seals.recordWidgetRelease(`/seal/v1/${x.entry}`, x.sha256);
        return x;
      });
      served = { key, widget: w };
      w.catch(() => {
        if (served?.widget === w) served = undefined; // retried on the next request
      });
    }
    return served.widget;
  };
  const pages = new Map<string, { at: number; origins: string[]; html: string }>();
  const PAGE_TTL_MS = 5_000;

  const file = (area: "trust" | "log") => async (req: { params: unknown }, reply: FastifyReply) => {
    const rel = (req.params as { "*": string })["*"];
    const f = await seals.publisher.read(area, rel);
    if (!f) throw new AppError("not_found", `No such file: /${area}/${rel}`);
    return reply
      .headers({ "content-type": f.contentType, "cache-control": f.cacheControl, "access-control-allow-origin": "*", "cross-origin-resource-policy": "cross-origin" })
      .send(f.body);
  };
  app.get("/trust/*", { config: noLimit, schema: hidden }, file("trust"));
  app.get("/log/*", { config: noLimit, schema: hidden }, file("log"));

  app.get("/seal/v1/:file", { config: noLimit, schema: hidden }, async (req, reply) => {
    const name = (req.params as { file: string }).file;
    if (!/^(?:widget|chunk)\.[A-Z0-9]{8}\.js$/.test(name)) throw notFound("The widget file");
    const body = (await widget()).files.get(name);
    if (!body) throw notFound("The widget file");
    return reply.headers({ "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=31536000, immutable", "access-control-allow-origin": "*", "cross-origin-resource-policy": "cross-origin" }).send(body);
  });
  app.get("/seal/loader.js", { config: noLimit, schema: hidden }, async (_req, reply) =>
    reply.headers({ "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600", "access-control-allow-origin": "*", "cross-origin-resource-policy": "cross-origin" }).send(loader),
  );

  app.get("/seal/s/:shopId", { config: noLimit, schema: hidden }, async (req, reply) => {
    const { shopId } = req.params as { shopId: string };
    void reply.removeHeader("x-frame-options");
    if (!UUID.test(shopId)) return reply.code(404).headers(sealHeaders([])).send("<!doctype html><p>No seal.</p>");
    const now = Date.now();
    let page = pages.get(shopId);
    if (!page || now - page.at > PAGE_TTL_MS) {
      const view = await seals.sealView(shopId);
      const anchor = await seals.keys.currentAnchor();
      if (!view || !anchor) return reply.code(404).headers(sealHeaders([])).send("<!doctype html><p>No seal.</p>");
      page = { at: now, origins: view.origins, html: sealPage({ verifyUrl: `${origin}/verify/${shopId}`, anchor: anchor.document, bundles: view.bundles, origins: view.origins, widget: await widget() }) };
      pages.set(shopId, page);
      if (pages.size > 10_000) pages.delete(pages.keys().next().value as string);
    }
    return reply.headers(sealHeaders(page.origins)).send(page.html);
  });

  async function verificationOf(shopId: string) {
    const v = await seals.verification(shopId);
    if (!v) throw notFound("The shop");
    return v;
  }

  app.get("/verify/:shopId", { schema: hidden }, async (req, reply) => {
    const { shopId } = req.params as { shopId: string };
    if (!UUID.test(shopId)) throw notFound("The shop");
    const v = await verificationOf(shopId);
    return reply.headers({ "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" }).send(verifyPage(v, { origin, roots: (await seals.pinned()).roots }));
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/seals/shops/:shopId/verification",
    { config: { access: "public" }, schema: { tags, summary: "Verify a shop's seal credentials on the server (signature, log inclusion, status)", params: shopParams, response: { 200: verification } } },
    async (req) => {
      const v = await verificationOf(req.params.shopId);
      const d = (x: Date | null): string | null => x?.toISOString() ?? null;
      return {
        shopId: v.shopId,
        legalName: v.legalNameZh,
        legalNameZh: v.legalNameZh,
        legalNameEn: v.legalNameEn,
        registrationNumber: v.registrationNumber,
        identity: v.identity && { status: v.identity.status, confirmedAt: d(v.identity.confirmedAt), expiresAt: d(v.identity.expiresAt) },
        privacyMark: v.privacyMark && { number: v.privacyMark.number, state: v.privacyMark.state, validFrom: d(v.privacyMark.validFrom), validUntil: v.privacyMark.validUntil.toISOString() },
        scanGrade: v.scanGrade && { ...v.scanGrade, scannedAt: v.scanGrade.scannedAt.toISOString() },
        checkedAt: v.checkedAt.toISOString(),
        marks: v.marks.map((m) => ({
          credentialId: m.credentialId, mark: m.mark, state: m.verdict.state, code: "code" in m.verdict ? m.verdict.code : null, origins: m.origins,
          validFrom: m.validFrom.toISOString(), validUntil: m.validUntil.toISOString(), issuedAt: m.issuedAt.toISOString(), logIndex: m.logIndex,
          credentialUrl: `${origin}${m.jwtPath}`, tlogProofUrl: `${origin}${m.proofPath}`,
        })),
      };
    },
  );
  r.get(
    "/api/v1/seals/lookup",
    { config: { access: "public" }, schema: { tags, summary: "Shops whose seal credentials name a web origin", querystring: z.object({ origin: z.url().max(300) }), response: { 200: z.object({ shopIds: z.array(z.string()) }) } } },
    async (req) => ({ shopIds: await seals.shopsByOrigin(new URL(req.query.origin).origin) }),
  );
  r.get(
    "/api/v1/seals/shops/:shopId/embed",
    { config: { access: "registry.read" }, schema: { tags, summary: "The one-line embed snippets for the shop's seal (own shop, or the authority)", params: shopParams, response: { 200: z.object({ script: z.string(), iframe: z.string(), sealUrl: z.string(), verifyUrl: z.string() }) } } },
    async (req) => {
      const shop = await seals.shop(req.params.shopId);
      const a = req.actor;
      const allowed = shop && (a.kind === "user" || a.kind === "token") && (a.orgKind === "authority" || a.orgId === shop.orgId);
      if (!allowed) throw notFound("The shop");
      return { ...embedSnippets(origin, req.params.shopId, loader), sealUrl: `${origin}/seal/s/${req.params.shopId}`, verifyUrl: `${origin}/verify/${req.params.shopId}` };
    },
  );
}
