// Self-registration of a merchant organisation and its first administrator. The administrator
// confirms the address from the mailed link; the organisation stays pending until the authority
// confirms it. The answer is "check your mailbox" whether or not the address already had an
// account (the mail tells its owner), so the page cannot tell anyone which addresses do.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { LIMITS, VERIFICATION_HOURS } from "../../modules/accounts/accounts.limits.ts";
import { api } from "../api/client.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { Page } from "../components/Page.tsx";
import { NewPasswordField, passwordProblem } from "../components/PasswordField.tsx";
import { fieldError, Notice, ProblemAlert } from "../components/Problem.tsx";
import { currentLocale } from "../i18n/i18n.ts";

interface RegistrationBody {
  organisation: { nameZh: string; nameEn: string };
  admin: { email: string; displayName: string; password: string };
  /** the language of the mail that answers */
  locale: "zh-TW" | "en";
}

export function RegisterPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [localError, setLocalError] = useState<string | undefined>(undefined);
  const register = useMutation({
    mutationFn: (body: RegistrationBody) => api<{ status: "check_mail" }>("POST", "/registrations", body),
  });

  if (register.isSuccess) {
    return (
      <Page title={t("register.doneTitle")} narrow>
        <Notice tone="success">
          <p>{t("register.doneBody", { email: register.variables.admin.email, hours: VERIFICATION_HOURS })}</p>
        </Notice>
        <p>{t("register.doneNext")}</p>
        <p>
          <Link to="/sign-in" className="button primary">
            {t("register.toSignIn")}
          </Link>
        </p>
      </Page>
    );
  }

  const err = register.error;
  return (
    <Page title={t("register.title")} intro={t("register.intro")} narrow>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          const problem = passwordProblem(v.password ?? "", v.email);
          setLocalError(problem);
          if (problem) return;
          register.mutate({
            organisation: { nameZh: v.nameZh ?? "", nameEn: v.nameEn ?? "" },
            admin: { email: v.email ?? "", displayName: v.displayName ?? "", password: v.password ?? "" },
            locale: currentLocale(),
          });
        }}
      >
        <ProblemAlert error={err} />
        <fieldset>
          <legend>{t("register.orgSection")}</legend>
          <Field name="nameZh" label={t("org.nameZh")} required maxLength={LIMITS.name} autoComplete="organization" error={fieldError(err, "organisation.nameZh")} />
          <Field name="nameEn" label={t("org.nameEn")} required maxLength={LIMITS.name} lang="en" error={fieldError(err, "organisation.nameEn")} />
        </fieldset>
        <fieldset>
          <legend>{t("register.adminSection")}</legend>
          <Field name="displayName" label={t("common.displayName")} required maxLength={LIMITS.name} autoComplete="name" error={fieldError(err, "admin.displayName")} />
          <Field
            name="email"
            type="email"
            label={t("common.email")}
            required
            maxLength={LIMITS.email}
            autoComplete="email"
            error={fieldError(err, "admin.email")}
            onChange={(e) => {
              setEmail(e.currentTarget.value);
            }}
          />
          <NewPasswordField name="password" label={t("common.password")} email={email} apiError={localError ?? fieldError(err, "admin.password")} />
        </fieldset>
        <SubmitButton pending={register.isPending}>{t("register.submit")}</SubmitButton>
      </form>
      <p className="aside">
        {t("register.haveAccount")} <Link to="/sign-in">{t("signIn.submit")}</Link>
      </p>
    </Page>
  );
}
