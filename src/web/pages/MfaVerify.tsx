// The second sign-in step: a 6-digit code from the authenticator app, or a recovery code. The page
// asked for before signing in comes along as ?next= and is where a right code leads.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { api } from "../api/client.ts";
import { afterStage, safeNext, stageTarget, useSession, useSignOut, withNext } from "../api/session.ts";
import type { StageResponse } from "../api/types.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { Page } from "../components/Page.tsx";
import { fieldError, ProblemAlert } from "../components/Problem.tsx";
import { Loading } from "../components/States.tsx";

export function MfaVerifyPage() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [useRecovery, setUseRecovery] = useState(false);
  const verify = useMutation({
    mutationFn: (body: { code: string } | { recoveryCode: string }) => api<StageResponse>("POST", "/auth/mfa", body),
    onSuccess: async (r) => {
      await afterStage(queryClient, r);
      await navigate(next, { replace: true });
    },
  });

  if (session.isPending) return <Loading />;
  if (!session.data) return <Navigate to={withNext("/sign-in", next)} replace />;
  if (session.data.stage !== "mfa" && !verify.isPending && !verify.isSuccess) return <Navigate to={stageTarget(session.data.stage, next)} replace />;

  return (
    <Page title={t("mfa.title")} intro={useRecovery ? t("mfa.introRecovery") : t("mfa.intro")} narrow>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          if (useRecovery) verify.mutate({ recoveryCode: (v.recoveryCode ?? "").trim() });
          else verify.mutate({ code: (v.code ?? "").replace(/\s/g, "") });
        }}
      >
        <ProblemAlert error={verify.error} />
        {useRecovery ? (
          <Field key="recovery" name="recoveryCode" label={t("mfa.recoveryCode")} autoComplete="off" spellCheck={false} required autoFocus error={fieldError(verify.error, "recoveryCode")} />
        ) : (
          <Field key="code" name="code" className="field-short" label={t("mfa.code")} hint={t("mfa.codeHint")} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus error={fieldError(verify.error, "code")} />
        )}
        <SubmitButton pending={verify.isPending}>{t("mfa.submit")}</SubmitButton>
        <div className="form-links">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              verify.reset();
              setUseRecovery(!useRecovery);
            }}
          >
            {useRecovery ? t("mfa.useCode") : t("mfa.useRecovery")}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              void signOut().finally(() => void navigate(withNext("/sign-in", next)));
            }}
          >
            {t("mfa.cancel")}
          </button>
        </div>
      </form>
    </Page>
  );
}
