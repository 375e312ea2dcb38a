// Forgotten password: ask for a mailed one-time link, then set a new password from that link.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { LIMITS } from "../../modules/accounts/accounts.limits.ts";
import { api } from "../api/client.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { useFragmentToken } from "../components/fragment.ts";
import { LinkDonePage, MissingLinkPage } from "../components/LinkPages.tsx";
import { Page } from "../components/Page.tsx";
import { NewPasswordField, passwordProblem } from "../components/PasswordField.tsx";
import { fieldError, Notice, ProblemAlert } from "../components/Problem.tsx";

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const request = useMutation({ mutationFn: (email: string) => api<undefined>("POST", "/auth/password-reset/request", { email }) });
  return (
    <Page title={t("forgot.title")} intro={t("forgot.intro")} narrow>
      {request.isSuccess ? (
        <Notice tone="success">
          <p>{t("forgot.sent")}</p>
        </Notice>
      ) : (
        <form
          className="card form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate(formValues(e.currentTarget).email ?? "");
          }}
        >
          <ProblemAlert error={request.error} />
          <Field name="email" type="email" label={t("common.email")} autoComplete="email" required maxLength={LIMITS.email} error={fieldError(request.error, "email")} />
          <SubmitButton pending={request.isPending}>{t("forgot.submit")}</SubmitButton>
        </form>
      )}
      <p className="aside">
        <Link to="/sign-in">{t("common.backToSignIn")}</Link>
      </p>
    </Page>
  );
}

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const token = useFragmentToken();
  const [mismatch, setMismatch] = useState<string | undefined>(undefined);
  const [weak, setWeak] = useState<string | undefined>(undefined);
  const complete = useMutation({ mutationFn: (password: string) => api<undefined>("POST", "/auth/password-reset/complete", { token, password }) });

  if (!token) return <MissingLinkPage title={t("reset.title")} message={t("reset.missingToken")} next={{ to: "/forgot-password", text: t("reset.requestNew") }} />;
  if (complete.isSuccess) return <LinkDonePage title={t("reset.title")}>{t("reset.done")}</LinkDonePage>;
  return (
    <Page title={t("reset.title")} intro={t("reset.intro")} narrow>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          const password = v.password ?? "";
          const problem = passwordProblem(password);
          setWeak(problem);
          setMismatch(password !== v.confirm ? t("password.mismatch") : undefined);
          if (problem || password !== v.confirm) return;
          complete.mutate(password);
        }}
      >
        <ProblemAlert error={complete.error} />
        <NewPasswordField name="password" label={t("password.new")} apiError={weak ?? fieldError(complete.error, "password")} />
        <Field name="confirm" type="password" label={t("password.confirm")} autoComplete="new-password" required error={mismatch} />
        <SubmitButton pending={complete.isPending}>{t("reset.submit")}</SubmitButton>
        {complete.error ? (
          <p>
            <Link to="/forgot-password">{t("reset.requestNew")}</Link>
          </p>
        ) : null}
      </form>
    </Page>
  );
}
