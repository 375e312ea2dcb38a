// Sign-in: e-mail and password; then the MFA step or MFA enrolment, by the stage the API returns.
// A locked account, and one whose address is not confirmed yet, get the wrong-password answer (the
// API does not say who exists, nor whether a password someone registered with is right), so that
// answer explains the pause and offers to send the confirmation link again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { LIMITS, VERIFICATION_HOURS } from "../../modules/accounts/accounts.limits.ts";
import { api, ApiError } from "../api/client.ts";
import { afterStage, safeNext, stagePath, useSession } from "../api/session.ts";
import type { StageResponse } from "../api/types.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { Page } from "../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../components/Problem.tsx";
import { Loading } from "../components/States.tsx";

export function SignInPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const resend = useMutation({ mutationFn: (address: string) => api<undefined>("POST", "/auth/email-verification/request", { email: address }) });
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => api<StageResponse>("POST", "/auth/login", body),
    onSuccess: async (r) => {
      const stage = await afterStage(queryClient, r);
      const q = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;
      await navigate(stage === "full" ? next : `${stagePath(stage)}${q}`, { replace: true });
    },
  });

  if (session.isPending) return <Loading />;
  if (session.data && !login.isPending && !login.isSuccess) {
    const q = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;
    return <Navigate to={session.data.stage === "full" ? next : `${stagePath(session.data.stage)}${q}`} replace />;
  }

  return (
    <Page title={t("signIn.title")} intro={t("signIn.intro")} narrow>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          setEmail(v.email ?? "");
          resend.reset();
          login.mutate({ email: v.email ?? "", password: v.password ?? "" });
        }}
      >
        <ProblemAlert error={login.error} />
        {login.error instanceof ApiError && login.error.code === "invalid_credentials" ? (
          <Notice>
            <p>{t("signIn.wrongHint")}</p>
            <p>{t("signIn.unverified", { hours: VERIFICATION_HOURS })}</p>
            {resend.isSuccess ? (
              <p>{t("signIn.resent")}</p>
            ) : (
              <p>
                <button
                  type="button"
                  className="button"
                  disabled={resend.isPending || email.trim() === ""}
                  onClick={() => {
                    resend.mutate(email);
                  }}
                >
                  {t("signIn.resend")}
                </button>
              </p>
            )}
            <ProblemAlert error={resend.error} />
          </Notice>
        ) : null}
        <Field name="email" type="email" label={t("common.email")} autoComplete="username" required maxLength={LIMITS.email} error={fieldError(login.error, "email")} />
        <Field name="password" type="password" label={t("common.password")} autoComplete="current-password" required error={fieldError(login.error, "password")} />
        <SubmitButton pending={login.isPending}>{login.isPending ? t("signIn.submitting") : t("signIn.submit")}</SubmitButton>
        <p className="form-links">
          <Link to="/forgot-password">{t("signIn.forgot")}</Link>
        </p>
      </form>
      <p className="aside">
        {t("signIn.noAccount")} <Link to="/register">{t("signIn.register")}</Link>
      </p>
    </Page>
  );
}

