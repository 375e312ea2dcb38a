// Sign-in: e-mail and password; then the MFA step or MFA enrolment, by the stage the API returns.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { LIMITS } from "../../modules/accounts/accounts.limits.ts";
import { api } from "../api/client.ts";
import { afterStage, safeNext, stagePath, useSession } from "../api/session.ts";
import type { StageResponse } from "../api/types.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { Page } from "../components/Page.tsx";
import { fieldError, ProblemAlert } from "../components/Problem.tsx";
import { Loading } from "../components/States.tsx";

export function SignInPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const next = safeNext(params.get("next"));
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
          login.mutate({ email: v.email ?? "", password: v.password ?? "" });
        }}
      >
        <ProblemAlert error={login.error} />
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
