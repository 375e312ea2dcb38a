// Your account: who you are, the interface language, your password, two-step verification,
// and signing out of every device.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api } from "../api/client.ts";
import { sessionKey, useFullSession, useSignOut } from "../api/session.ts";
import type { Locale } from "../api/types.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { orgName } from "../components/format.ts";
import { Page, Section } from "../components/Page.tsx";
import { NewPasswordField, passwordProblem } from "../components/PasswordField.tsx";
import { fieldError, Notice, ProblemAlert } from "../components/Problem.tsx";
import { changeLocale, currentLocale, locales } from "../i18n/i18n.ts";

export function AccountPage() {
  const { t } = useTranslation();
  const session = useFullSession();
  const locale = currentLocale();
  return (
    <Page title={t("account.title")}>
      <div className="grid-2">
        <Section title={t("account.profile")} id="profile">
          <dl className="facts">
            <dt>{t("common.displayName")}</dt>
            <dd>{session.user.displayName}</dd>
            <dt>{t("common.email")}</dt>
            <dd>{session.user.email}</dd>
            <dt>{t("common.organisation")}</dt>
            <dd>{orgName(session.organisation, locale)}</dd>
            <dt>{t("common.role")}</dt>
            <dd>{t(`roles.${session.role}`)}</dd>
            <dt>{t("account.mfa")}</dt>
            <dd>{session.user.mfaEnabled ? t("account.mfaOn") : t("account.mfaOff")}</dd>
          </dl>
          {!session.user.mfaEnabled ? (
            <p>
              <Link to="/account/mfa" className="button">
                {t("account.mfaSetUp")}
              </Link>
            </p>
          ) : null}
        </Section>
        <LanguageSection />
      </div>
      <div className="grid-2">
        <ChangePassword email={session.user.email} />
        <SignOutEverywhere />
      </div>
    </Page>
  );
}

function LanguageSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (locale: Locale) => api<undefined>("POST", "/auth/locale", { locale }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
  const current = currentLocale();
  return (
    <Section title={t("account.language")} id="language">
      <fieldset className="radio-group">
        <legend>{t("account.languageIntro")}</legend>
        {locales.map((l) => (
          <div className="radio" key={l}>
            <input
              type="radio"
              id={`locale-${l}`}
              name="locale"
              value={l}
              checked={current === l}
              onChange={() => {
                void changeLocale(l);
                save.mutate(l);
              }}
            />
            <label htmlFor={`locale-${l}`} lang={l}>
              {t("lang.name", { lng: l })}
            </label>
          </div>
        ))}
      </fieldset>
      <ProblemAlert error={save.error} />
    </Section>
  );
}

function ChangePassword({ email }: { email: string }) {
  const { t } = useTranslation();
  const [local, setLocal] = useState<{ newPassword?: string | undefined; confirm?: string | undefined }>({});
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => api<undefined>("POST", "/auth/password", body),
  });
  return (
    <Section title={t("account.changePassword")} id="password">
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const v = formValues(form);
          const newPassword = v.newPassword ?? "";
          const problem = passwordProblem(newPassword, email);
          const confirm = newPassword !== v.confirm ? t("password.mismatch") : undefined;
          setLocal({ newPassword: problem, confirm });
          if (problem || confirm) return;
          change.mutate({ currentPassword: v.currentPassword ?? "", newPassword }, { onSuccess: () => { form.reset(); } });
        }}
      >
        {change.isSuccess ? <Notice tone="success">{t("account.passwordChanged")}</Notice> : null}
        <ProblemAlert error={change.error} />
        <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
        <Field name="currentPassword" type="password" label={t("password.current")} autoComplete="current-password" required error={fieldError(change.error, "currentPassword")} />
        <NewPasswordField name="newPassword" label={t("password.new")} email={email} apiError={local.newPassword ?? fieldError(change.error, "newPassword")} />
        <Field name="confirm" type="password" label={t("password.confirm")} autoComplete="new-password" required error={local.confirm} />
        <SubmitButton pending={change.isPending}>{t("account.changePasswordSubmit")}</SubmitButton>
      </form>
    </Section>
  );
}

function SignOutEverywhere() {
  const { t } = useTranslation();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  return (
    <Section title={t("account.security")} id="security">
      <p>{t("account.logoutEverywhereIntro")}</p>
      <ProblemAlert error={error} />
      <button
        type="button"
        className="button danger"
        onClick={() => {
          if (!window.confirm(t("account.logoutEverywhereConfirm"))) return;
          signOut(true)
            .then(() => navigate("/sign-in"))
            .catch(setError);
        }}
      >
        {t("account.logoutEverywhere")}
      </button>
    </Section>
  );
}
