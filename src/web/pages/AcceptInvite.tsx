// Accepting an invitation from the mailed link: who invited you to what, then a name and a
// password (new users) or your existing password (people who already have an account).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { LIMITS } from "../../modules/accounts/accounts.limits.ts";
import { api } from "../api/client.ts";
import type { InvitationLookup } from "../api/types.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { orgName } from "../components/format.ts";
import { useFragmentToken } from "../components/fragment.ts";
import { LinkDonePage, MissingLinkPage } from "../components/LinkPages.tsx";
import { Page } from "../components/Page.tsx";
import { NewPasswordField, passwordProblem } from "../components/PasswordField.tsx";
import { fieldError, ProblemAlert } from "../components/Problem.tsx";
import { Loading } from "../components/States.tsx";
import { currentLocale } from "../i18n/i18n.ts";

export function AcceptInvitePage() {
  const { t } = useTranslation();
  const token = useFragmentToken();
  const lookup = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => api<InvitationLookup>("POST", "/invitations/lookup", { token }),
    enabled: !!token,
    retry: false,
    staleTime: Infinity,
  });
  const [local, setLocal] = useState<{ password?: string | undefined; confirm?: string | undefined }>({});
  const accept = useMutation({
    mutationFn: (body: { token: string; displayName?: string; password: string }) => api<undefined>("POST", "/invitations/accept", body),
  });

  if (!token) return <MissingLinkPage title={t("invite.title")} message={t("invite.missingToken")} />;
  if (lookup.isPending) {
    return (
      <Page title={t("invite.title")} narrow>
        <Loading />
      </Page>
    );
  }
  if (lookup.isError) {
    return (
      <Page title={t("invite.title")} narrow>
        <ProblemAlert error={lookup.error} />
        <p>{t("invite.askAgain")}</p>
      </Page>
    );
  }
  const inv = lookup.data;
  const org = orgName(inv.organisation, currentLocale());
  if (accept.isSuccess) return <LinkDonePage title={t("invite.doneTitle")}>{t("invite.done", { org })}</LinkDonePage>;
  const err = accept.error;
  return (
    <Page title={t("invite.title")} intro={t("invite.intro", { org, role: t(`roles.${inv.role}`) })} narrow>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          const password = v.password ?? "";
          if (inv.existingUser) {
            accept.mutate({ token, password });
            return;
          }
          const problem = passwordProblem(password, inv.email);
          const confirm = password !== v.confirm ? t("password.mismatch") : undefined;
          setLocal({ password: problem, confirm });
          if (problem || confirm) return;
          accept.mutate({ token, displayName: v.displayName ?? "", password });
        }}
      >
        <ProblemAlert error={err} />
        <dl className="facts">
          <dt>{t("common.email")}</dt>
          <dd>{inv.email}</dd>
          <dt>{t("common.organisation")}</dt>
          <dd>{org}</dd>
          <dt>{t("common.role")}</dt>
          <dd>{t(`roles.${inv.role}`)}</dd>
        </dl>
        {inv.existingUser ? (
          <>
            <p>{t("invite.existingUser")}</p>
            <Field name="password" type="password" label={t("common.password")} autoComplete="current-password" required error={fieldError(err, "password")} />
          </>
        ) : (
          <>
            <Field name="displayName" label={t("common.displayName")} autoComplete="name" required maxLength={LIMITS.name} error={fieldError(err, "displayName")} />
            <NewPasswordField name="password" label={t("password.choose")} email={inv.email} apiError={local.password ?? fieldError(err, "password")} />
            <Field name="confirm" type="password" label={t("password.confirm")} autoComplete="new-password" required error={local.confirm} />
          </>
        )}
        <SubmitButton pending={accept.isPending}>{t("invite.submit")}</SubmitButton>
      </form>
    </Page>
  );
}
