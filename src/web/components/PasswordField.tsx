// A new-password field that checks the same rules as the server (one shared policy) as you
// leave it, and shows the server's message when the API refuses it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { checkPassword, PASSWORD_MAX, PASSWORD_MIN, passwordMessages } from "../../modules/accounts/password-policy.ts";
import { currentLocale } from "../i18n/i18n.ts";
import { Field } from "./Field.tsx";

export function NewPasswordField({ name, label, email, apiError }: { name: string; label: string; email?: string | undefined; apiError?: string | undefined }) {
  const { t } = useTranslation();
  const [local, setLocal] = useState<string | undefined>(undefined);
  return (
    <Field
      name={name}
      type="password"
      label={label}
      autoComplete="new-password"
      required
      minLength={PASSWORD_MIN}
      maxLength={PASSWORD_MAX}
      hint={t("password.rules", { min: PASSWORD_MIN })}
      error={local ?? apiError}
      onBlur={(e) => {
        const value = e.currentTarget.value;
        const problem = value ? checkPassword(value, email) : undefined;
        setLocal(problem ? passwordMessages[problem][currentLocale()] : undefined);
      }}
    />
  );
}

/** Client-side check before sending: the message to show, or undefined. */
export function passwordProblem(password: string, email?: string): string | undefined {
  const problem = checkPassword(password, email);
  return problem ? passwordMessages[problem][currentLocale()] : undefined;
}
