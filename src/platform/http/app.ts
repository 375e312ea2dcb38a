// The Fastify application every module's routes are registered on: zod validation and
// serialisation, problem+json errors, strict security headers, rate limits, sessions and API
// tokens resolved to an Actor, one declared access rule per route, CSRF checks, OpenAPI.
import { randomUUID, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Actor } from "../actor.ts";
import type { Permission } from "../auth/roles.ts";
import { roleHas } from "../auth/roles.ts";
import type { Config } from "../config.ts";
import type { Engine } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { sendProblem, toAppError } from "./problem.ts";

/**
 * Who may call a route:
 * - "public": anyone (the actor is still resolved when credentials are sent);
 * - "partial": a session that has passed the password step but not yet MFA (MFA and enrolment endpoints);
 * - "signed-in": any fully signed-in user or API token;
 * - a Permission: a fully signed-in user or token whose role has it.
 */
export type Access = "public" | "partial" | "signed-in" | Permission;

export interface SessionContext {
  actor: Extract<Actor, { kind: "user" }>;
  stage: "mfa" | "enrol" | "full";
  csrfToken: string;
  /** SHA-256 of the session token: identifies the session without revealing it */
  idHash: string;
}

/** Provided by the accounts module: turns credentials into who is calling. */
export interface Authenticator {
  session(token: string, meta: { ip: string; userAgent: string | undefined }): Promise<SessionContext | undefined>;
  apiToken(token: string): Promise<Extract<Actor, { kind: "token" }> | undefined>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor;
    session: SessionContext | undefined;
  }
}

export const SESSION_COOKIE_SECURE = "__Host-ectrust_session";
export const SESSION_COOKIE_PLAIN = "ectrust_session";

export interface HttpAppOptions {
  config: Config;
  logger: FastifyBaseLogger;
  authenticator: Authenticator;
  engine: Engine;
  version: string;
  /** folder with the built web app (index.html + assets); served with an SPA fallback */
  webRoot?: string | undefined;
  /** requests per minute per client address on all routes (public endpoints set their own) */
  globalRateLimit?: number;
}

/** Session cookie name: `__Host-` whenever the browser will accept a Secure cookie. */
export function sessionCookieName(config: Config): string {
  const u = new URL(config.publicUrl);
  const secureContext = u.protocol === "https:" || u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]";
  return secureContext ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
}

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF, second layer (the first is the session's X-CSRF-Token): a browser names the page that
 * sent a write in `Origin` (Fetch standard, "origin header"), and only our own pages may change
 * anything, whatever credentials the request carries. `Origin: null` is an opaque origin: a
 * sandboxed frame, a `data:` or `file:` page, or a write that a cross-site redirect brought here;
 * none of them is a page of ours, so it is refused too. A request without the header does not
 * come from a browser's form or fetch (browsers send it on every POST, PUT, PATCH and DELETE):
 * that is an API client (a bearer token) or a script, and goes on to the other checks.
 */
function checkOrigin(origin: string | undefined, publicOrigin: string): void {
  if (origin === undefined || origin === publicOrigin) return;
  if (origin === "null") {
    throw new AppError("csrf", `Changes are accepted only from pages of ${publicOrigin}; this request came from an opaque origin (Origin: null: a sandboxed frame, a local file or a cross-site redirect).`);
  }
  // echo the header only when it is a well-formed origin, bounded in length
  const named = origin.length <= 200 && URL.canParse(origin) && new URL(origin).origin === origin ? origin : "a malformed Origin header";
  throw new AppError("csrf", `Changes are accepted only from pages of ${publicOrigin}; this request came from ${named}.`);
}

export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { config, authenticator } = options;
  const publicOrigin = new URL(config.publicUrl).origin;
  const https = publicOrigin.startsWith("https:");
  const cookieName = sessionCookieName(config);

  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // a hop count trusts that many proxies in front of us, whoever they are (proxy-addr's "number")
    trustProxy: typeof config.trustProxy === "number" ? ((hops: number) => (_address: string, hop: number) => hop < hops)(config.trustProxy) : config.trustProxy,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("actor", undefined as never);
  app.decorateRequest("session", undefined as never);

  // Every API route must say who may call it; a route that forgets does not start.
  // (Static files of the web app are public by nature and registered by @fastify/static.)
  app.addHook("onRoute", (route) => {
    const url = route.url;
    const exempt = !url.startsWith("/api/") || url.startsWith("/api/docs") || url === "/api/openapi.json" || route.method === "HEAD";
    if (!exempt && route.config?.access === undefined) {
      throw new Error(`Route ${String(route.method)} ${url} does not declare config.access`);
    }
  });

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
      },
    },
    strictTransportSecurity: https ? { maxAge: 63072000, includeSubDomains: true, preload: true } : false,
    crossOriginResourcePolicy: { policy: "same-origin" },
    crossOriginOpenerPolicy: { policy: "same-origin" },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    xFrameOptions: { action: "deny" },
  });
  await app.register(fastifyRateLimit, {
    global: true,
    max: options.globalRateLimit ?? 600,
    timeWindow: "1 minute",
    errorResponseBuilder: (_request, context) =>
      new AppError("rate_limited", `Too many requests; try again in ${context.after}.`, {
        extra: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      }),
  });

  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
    request.actor = { kind: "anonymous", requestId: request.id };
    const access = request.routeOptions.config.access;
    if (access === undefined) return; // static files, docs
    // Checked before any credential is looked at, so a refused request never touches a session.
    if (UNSAFE.has(request.method)) checkOrigin(request.headers.origin, publicOrigin);

    const auth = request.headers.authorization;
    const cookie = request.cookies[cookieName];
    const meta = { ip: request.ip, userAgent: request.headers["user-agent"] };
    if (auth !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_.-]{10,200})$/.exec(auth);
      const token = m?.[1] ? await authenticator.apiToken(m[1]) : undefined;
      if (!token) throw new AppError("unauthenticated", "The API token is missing, malformed, expired or revoked.");
      request.actor = { ...token, requestId: request.id };
    } else if (cookie !== undefined) {
      const session = await authenticator.session(cookie, meta);
      if (session) {
        request.session = session;
        request.actor = { ...session.actor, requestId: request.id };
        // CSRF: cookie-authenticated writes carry the session's token in a header.
        if (UNSAFE.has(request.method)) {
          const sent = request.headers["x-csrf-token"];
          if (typeof sent !== "string" || !sameBytes(sent, session.csrfToken)) {
            throw new AppError("csrf", "This change needs the X-CSRF-Token header from GET /api/v1/auth/session.");
          }
        }
      } else {
        // a __Host- cookie is only replaced by one that is Secure too (RFC 6265bis §4.1.3.2)
        void reply.clearCookie(cookieName, { path: "/", secure: cookieName.startsWith("__Host-"), httpOnly: true, sameSite: "lax" });
      }
    }
    if (access === "public") return;
    const session = request.session;
    if (access === "partial") {
      if (!session) throw new AppError("unauthenticated");
      return;
    }
    if (request.actor.kind === "anonymous") throw new AppError("unauthenticated");
    if (session && session.stage !== "full") {
      throw new AppError(session.stage === "enrol" ? "mfa_enrolment_required" : "mfa_required");
    }
    if (access === "signed-in") return;
    const actor = request.actor;
    if (!roleHas(actor.role, access)) throw new AppError("forbidden", `Your role (${actor.role}) may not do this.`);
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.code === "internal") {
      request.log.error({ err: error }, "unhandled error");
    } else if (appError.code !== "rate_limited") {
      request.log.info({ code: appError.code, detail: appError.message }, "request refused");
    }
    return sendProblem(reply, request, appError);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "ectrust API",
        version: options.version,
        description: "The API of the ectrust e-commerce trust programme. Errors are RFC 9457 problem details (application/problem+json).",
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: cookieName },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: "/api/docs",
    staticCSP: true,
    transformStaticCSP: (header) => header.replace("frame-ancestors 'none'", "frame-ancestors 'none'"),
    uiConfig: { deepLinking: true },
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    "/api/openapi.json",
    { config: { access: "public" }, schema: { hide: true } },
    async () => app.swagger(),
  );
  typed.get(
    "/api/health",
    {
      config: { access: "public" },
      schema: {
        tags: ["platform"],
        summary: "Liveness and database check",
        response: {
          200: z.object({ status: z.literal("ok"), database: z.enum(["pglite", "postgresql"]), version: z.string() }),
        },
      },
    },
    async () => ({ status: "ok" as const, database: options.engine, version: options.version }),
  );

  const webRoot = options.webRoot;
  const indexFile = webRoot ? join(webRoot, "index.html") : undefined;
  const indexHtml = indexFile && existsSync(indexFile) ? readFileSync(indexFile) : undefined;
  if (webRoot && indexHtml) {
    // Source maps stay out of production: they publish the unminified source (the scanner's
    // `exposure-source-map` finding; src/modules/scanner/self-scan.test.ts).
    await app.register(fastifyStatic, { root: webRoot, prefix: "/", wildcard: false, index: false, maxAge: "1h", immutable: false, allowedPath: (path) => !path.endsWith(".map") });
  }
  app.setNotFoundHandler((request: FastifyRequest, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const isApi = path.startsWith("/api/") || path.startsWith("/trust/") || path.startsWith("/log/") || path.startsWith("/seal/");
    if (!isApi && indexHtml && request.method === "GET") {
      return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(indexHtml);
    }
    return sendProblem(reply, request, new AppError("not_found", `No such endpoint: ${request.method} ${path}`));
  });

  return app;
}
