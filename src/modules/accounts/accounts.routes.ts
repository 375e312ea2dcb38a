// Accounts HTTP routes: thin — declare access and rate limit, validate, call the service, present.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../../platform/config.ts";
import { AppError } from "../../platform/errors.ts";
import { sessionCookieName, type SessionContext } from "../../platform/http/app.ts";
import type { AccountsService } from "./accounts.service.ts";
import * as s from "./accounts.schema.ts";

export interface AccountsRoutesOptions {
  accounts: AccountsService;
  config: Config;
  /** sign-in attempts per minute per client address */
  loginRateLimit?: number;
}

const tags = ["accounts"];

function requireSession(request: FastifyRequest): SessionContext {
  if (!request.session) throw new AppError("unauthenticated", "This needs a signed-in browser session.");
  return request.session;
}

export async function accountsRoutes(app: FastifyInstance, opts: AccountsRoutesOptions): Promise<void> {
  const { accounts, config } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const cookieName = sessionCookieName(config);
  const secureCookie = cookieName.startsWith("__Host-");
  const strict = { max: opts.loginRateLimit ?? 10, timeWindow: "1 minute" };
  const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers["user-agent"] });

  function setSessionCookie(reply: FastifyReply, token: string): void {
    void reply.setCookie(cookieName, token, {
      path: "/",
      httpOnly: true,
      secure: secureCookie,
      sameSite: "lax",
      maxAge: config.sessionAbsoluteHours * 3600,
    });
  }
  const clearSessionCookie = (reply: FastifyReply) => void reply.clearCookie(cookieName, { path: "/", secure: secureCookie, httpOnly: true, sameSite: "lax" });

  // ------------------------------------------------------------------ auth
  // Asking whether anyone is signed in is no error: every signed-out page asks, so nobody signed in
  // (no cookie, or one that ran out) answers 204, not 401. A bad API token is still refused (401).
  r.get(
    "/api/v1/auth/session",
    { config: { access: "public" }, schema: { tags, summary: "The current session (204: nobody is signed in)", response: { 200: s.sessionResponse, 204: z.null() } } },
    async (req, reply) => (req.session ? accounts.getSession(req.session.idHash) : reply.code(204).send(null)),
  );

  r.post(
    "/api/v1/auth/login",
    { config: { access: "public", rateLimit: strict }, schema: { tags, summary: "Sign in with e-mail and password", body: s.loginBody, response: { 200: s.stageResponse } } },
    async (req, reply) => {
      const result = await accounts.login(req.body, meta(req));
      setSessionCookie(reply, result.token);
      return { stage: result.stage, csrfToken: result.csrfToken };
    },
  );

  r.post(
    "/api/v1/auth/mfa",
    { config: { access: "partial", rateLimit: strict }, schema: { tags, summary: "Second sign-in step: TOTP code or recovery code", body: s.mfaBody, response: { 200: s.stageResponse } } },
    async (req, reply) => {
      const { token, ...result } = await accounts.verifyMfa(requireSession(req), req.body);
      setSessionCookie(reply, token); // a new session token once the second factor passes
      return result;
    },
  );

  r.post(
    "/api/v1/auth/mfa/enrol/start",
    { config: { access: "partial", rateLimit: strict }, schema: { tags, summary: "Begin setting up two-step verification", body: z.strictObject({}).optional(), response: { 200: s.enrolStartResponse } } },
    async (req) => accounts.startMfaEnrolment(requireSession(req)),
  );

  r.post(
    "/api/v1/auth/mfa/enrol/confirm",
    { config: { access: "partial", rateLimit: strict }, schema: { tags, summary: "Finish setting up two-step verification", body: s.enrolConfirmBody, response: { 200: s.enrolConfirmResponse } } },
    async (req, reply) => {
      const { token, ...result } = await accounts.confirmMfaEnrolment(requireSession(req), req.body.code);
      setSessionCookie(reply, token);
      return result;
    },
  );

  r.post("/api/v1/auth/logout", { config: { access: "partial" }, schema: { tags, summary: "Sign out of this browser" } }, async (req, reply) => {
    await accounts.logout(requireSession(req));
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  r.post("/api/v1/auth/logout-everywhere", { config: { access: "signed-in" }, schema: { tags, summary: "Sign out of every browser" } }, async (req, reply) => {
    await accounts.logoutEverywhere(requireSession(req));
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  r.post(
    "/api/v1/auth/switch-organisation",
    { config: { access: "signed-in" }, schema: { tags, summary: "Act for another organisation you belong to", body: s.switchOrgBody, response: { 200: s.stageResponse } } },
    async (req, reply) => {
      const result = await accounts.switchOrganisation(requireSession(req), req.body.orgId, meta(req));
      setSessionCookie(reply, result.token);
      return { stage: result.stage, csrfToken: result.csrfToken };
    },
  );

  r.post("/api/v1/auth/password", { config: { access: "signed-in", rateLimit: strict }, schema: { tags, summary: "Change your password", body: s.changePasswordBody } }, async (req, reply) => {
    await accounts.changePassword(requireSession(req), req.body.currentPassword, req.body.newPassword);
    return reply.code(204).send();
  });

  r.post("/api/v1/auth/locale", { config: { access: "signed-in" }, schema: { tags, summary: "Your language", body: s.localeBody } }, async (req, reply) => {
    await accounts.setLocale(req.actor, req.body.locale);
    return reply.code(204).send();
  });

  r.post(
    "/api/v1/auth/password-reset/request",
    { config: { access: "public", rateLimit: { max: 5, timeWindow: "1 minute" } }, schema: { tags, summary: "Mail a password-reset link", body: s.resetRequestBody } },
    async (req, reply) => {
      await accounts.requestPasswordReset(req.body.email);
      return reply.code(202).send();
    },
  );

  r.post(
    "/api/v1/auth/email-verification/request",
    { config: { access: "public", rateLimit: { max: 5, timeWindow: "1 minute" } }, schema: { tags, summary: "Mail a new address-confirmation link (the same answer for any address)", body: s.verificationRequestBody } },
    async (req, reply) => {
      await accounts.requestEmailVerification(req.body.email);
      return reply.code(202).send();
    },
  );

  r.post(
    "/api/v1/auth/email-verification/complete",
    { config: { access: "public", rateLimit: strict }, schema: { tags, summary: "Confirm a registered address with its mailed link and the account's password", body: s.verificationCompleteBody } },
    async (req, reply) => {
      await accounts.completeEmailVerification(req.body.token, req.body.password);
      return reply.code(204).send();
    },
  );

  r.post(
    "/api/v1/auth/password-reset/complete",
    { config: { access: "public", rateLimit: strict }, schema: { tags, summary: "Set a new password with a reset link", body: s.resetCompleteBody } },
    async (req, reply) => {
      await accounts.completePasswordReset(req.body.token, req.body.password);
      return reply.code(204).send();
    },
  );

  // ------------------------------------------------------------------ registration and invitations
  r.post(
    "/api/v1/registrations",
    {
      config: { access: "public", rateLimit: { max: 5, timeWindow: "1 minute" } },
      schema: { tags, summary: "Register a merchant organisation (pending until the authority confirms it; its administrator confirms the address by mail)", body: s.registrationBody, response: { 202: s.registrationResponse } },
    },
    async (req, reply) => reply.code(202).send(await accounts.registerMerchant(req.body)),
  );

  r.post(
    "/api/v1/invitations/lookup",
    { config: { access: "public", rateLimit: strict }, schema: { tags, summary: "What an invitation is for", body: s.invitationTokenBody, response: { 200: s.invitationLookupResponse } } },
    async (req) => accounts.lookupInvitation(req.body.token),
  );

  r.post(
    "/api/v1/invitations/accept",
    { config: { access: "public", rateLimit: strict }, schema: { tags, summary: "Accept an invitation", body: s.invitationAcceptBody } },
    async (req, reply) => {
      await accounts.acceptInvitation(req.body);
      return reply.code(204).send();
    },
  );

  // ------------------------------------------------------------------ organisations
  r.get("/api/v1/organisations", { config: { access: "orgs.admin" }, schema: { tags, summary: "All organisations (authority)", querystring: s.organisationsQuery, response: { 200: s.organisationsPage } } }, async (req) =>
    accounts.listOrganisations(req.actor, req.query),
  );

  r.post(
    "/api/v1/organisations",
    { config: { access: "orgs.admin" }, schema: { tags, summary: "Create an organisation and invite its first administrator", body: s.createOrganisationBody, response: { 201: s.organisation } } },
    async (req, reply) => reply.code(201).send(await accounts.createOrganisation(req.actor, req.body)),
  );

  r.get("/api/v1/organisations/:orgId", { config: { access: "org.read" }, schema: { tags, summary: "One organisation", params: s.orgParams, response: { 200: s.organisation } } }, async (req) =>
    accounts.getOrganisation(req.actor, req.params.orgId),
  );

  r.post(
    "/api/v1/organisations/:orgId/decision",
    { config: { access: "orgs.admin" }, schema: { tags, summary: "Approve or reject a merchant registration", params: s.orgParams, body: s.decisionBody, response: { 200: s.organisation } } },
    async (req) => accounts.decideRegistration(req.actor, req.params.orgId, req.body.decision, req.body.reason),
  );

  r.get("/api/v1/organisations/:orgId/members", { config: { access: "org.read" }, schema: { tags, summary: "Members", params: s.orgParams, response: { 200: z.object({ items: z.array(s.member) }) } } }, async (req) => ({
    items: await accounts.listMembers(req.actor, req.params.orgId),
  }));

  r.patch("/api/v1/organisations/:orgId/members/:userId", { config: { access: "org.manage" }, schema: { tags, summary: "Change a member's role", params: s.memberParams, body: s.changeRoleBody } }, async (req, reply) => {
    await accounts.changeRole(req.actor, req.params.orgId, req.params.userId, req.body.role);
    return reply.code(204).send();
  });

  r.delete("/api/v1/organisations/:orgId/members/:userId", { config: { access: "org.manage" }, schema: { tags, summary: "Remove a member", params: s.memberParams } }, async (req, reply) => {
    await accounts.removeMember(req.actor, req.params.orgId, req.params.userId);
    return reply.code(204).send();
  });

  r.get("/api/v1/organisations/:orgId/invitations", { config: { access: "org.manage" }, schema: { tags, summary: "Invitations", params: s.orgParams, response: { 200: z.object({ items: z.array(s.invitation) }) } } }, async (req) => ({
    items: await accounts.listInvitations(req.actor, req.params.orgId),
  }));

  r.post(
    "/api/v1/organisations/:orgId/invitations",
    { config: { access: "org.manage", rateLimit: { max: 30, timeWindow: "1 minute" } }, schema: { tags, summary: "Invite someone by e-mail", params: s.orgParams, body: s.inviteBody, response: { 201: s.invitation } } },
    async (req, reply) => reply.code(201).send(await accounts.invite(req.actor, req.params.orgId, req.body)),
  );

  r.delete("/api/v1/organisations/:orgId/invitations/:invitationId", { config: { access: "org.manage" }, schema: { tags, summary: "Revoke an invitation", params: s.invitationParams } }, async (req, reply) => {
    await accounts.revokeInvitation(req.actor, req.params.orgId, req.params.invitationId);
    return reply.code(204).send();
  });

  r.get("/api/v1/organisations/:orgId/api-tokens", { config: { access: "org.manage" }, schema: { tags, summary: "API tokens", params: s.orgParams, response: { 200: z.object({ items: z.array(s.apiToken) }) } } }, async (req) => ({
    items: await accounts.listApiTokens(req.actor, req.params.orgId),
  }));

  r.post(
    "/api/v1/organisations/:orgId/api-tokens",
    { config: { access: "org.manage" }, schema: { tags, summary: "Create an API token (shown once)", params: s.orgParams, body: s.createTokenBody, response: { 201: s.apiToken.extend({ token: z.string() }) } } },
    async (req, reply) => reply.code(201).send(await accounts.createApiToken(req.actor, req.params.orgId, req.body)),
  );

  r.delete("/api/v1/organisations/:orgId/api-tokens/:tokenId", { config: { access: "org.manage" }, schema: { tags, summary: "Revoke an API token", params: s.tokenParams } }, async (req, reply) => {
    await accounts.revokeApiToken(req.actor, req.params.orgId, req.params.tokenId);
    return reply.code(204).send();
  });
}
