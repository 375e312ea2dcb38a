// The mail outbox (authority): every message the platform has queued, its delivery state and
// last error. Without SMTP configured, messages stay here and can be read in full. After an SMTP
// outage, failed mail is queued again from here in bulk.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, query } from "../api/client.ts";
import type { OutboxMessage, Page as ApiPage } from "../api/types.ts";
import { MAIL_RETRY_MAX } from "../../platform/mail/mail.limits.ts";
import { Field, formValues, SelectField, SubmitButton } from "../components/Field.tsx";
import { formatDateTime, taipeiLocalInstant } from "../components/format.ts";
import { Page, Section } from "../components/Page.tsx";
import { Pager, useCursor } from "../components/Pager.tsx";
import { fieldError, ProblemAlert } from "../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../components/States.tsx";
import { currentLocale } from "../i18n/i18n.ts";

/** The mail service's states: queued for delivery, sent, failed for good, held (no SMTP configured). */
const statuses = ["queued", "held", "sent", "failed"] as const;

export function OutboxPage() {
  const { t } = useTranslation();
  const locale = currentLocale();
  const [params, setParams] = useSearchParams();
  const cursor = useCursor();
  const status = params.get("status") ?? "";
  const list = useQuery({
    queryKey: ["outbox", status, cursor.before],
    queryFn: () => api<ApiPage<OutboxMessage>>("GET", `/outbox${query({ status, before: cursor.before, limit: 25 })}`),
    placeholderData: (previous) => previous,
  });

  return (
    <Page title={t("outbox.title")} intro={t("outbox.intro")}>
      <RetryFailed />
      <Section title={t("outbox.messages")} id="outbox-messages">
        <form
          className="form form-inline filters"
          role="search"
          aria-label={t("outbox.filter")}
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            cursor.reset();
            setParams(v.status ? { status: v.status } : {}, { replace: true });
          }}
        >
          <SelectField name="status" label={t("common.status")} defaultValue={status} options={[{ value: "", label: t("common.all") }, ...statuses.map((s) => ({ value: s, label: t(`outbox.status.${s}`) }))]} />
          <button type="submit" className="button">
            {t("common.filter")}
          </button>
        </form>
        {list.isPending ? <Loading /> : null}
        {list.isError ? <LoadError error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.data && list.data.items.length === 0 ? <Empty>{t("outbox.none")}</Empty> : null}
        {list.data && list.data.items.length > 0 ? (
          <ul className="messages">
            {list.data.items.map((m) => (
              <li key={m.id} className="message">
                <div className="message-head">
                  <span className={`status status-${m.status}`}>{t(`outbox.status.${m.status}`, { defaultValue: m.status })}</span>
                  <span className="message-subject">{m.subject}</span>
                </div>
                <dl className="facts inline">
                  <dt>{t("outbox.to")}</dt>
                  <dd>{m.toAddress ?? m.to}</dd>
                  <dt>{t("common.createdAt")}</dt>
                  <dd>{formatDateTime(m.createdAt, locale)}</dd>
                  <dt>{t("outbox.sentAt")}</dt>
                  <dd>{formatDateTime(m.sentAt, locale)}</dd>
                  <dt>{t("outbox.attempts")}</dt>
                  <dd>{m.attempts}</dd>
                  {m.template ? (
                    <>
                      <dt>{t("outbox.template")}</dt>
                      <dd className="template-name" title={m.template}>
                        {/* its name in the interface's language; the code (title) for a template this app does not know */}
                        {t(`outbox.templateNames.${m.template.replace(/\./g, "_")}`, { defaultValue: m.template })}
                      </dd>
                    </>
                  ) : null}
                </dl>
                {m.lastError ? (
                  <p className="field-error">
                    {t("outbox.lastError")}: {m.lastError}
                  </p>
                ) : null}
                <MessageBody id={m.id} />
              </li>
            ))}
          </ul>
        ) : null}
        <Pager cursor={cursor} nextBefore={list.data?.nextBefore} label={t("outbox.pages")} />
      </Section>
    </Page>
  );
}

/** POST /outbox/retry-failed's answer */
interface RetryAnswer {
  retried: number;
  remaining: number;
}

/** Queues failed mail again (oldest first, at most MAIL_RETRY_MAX a press), optionally of a time range. */
function RetryFailed() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  // one failed message is enough to know whether there is anything to retry
  const failed = useQuery({ queryKey: ["outbox", "any-failed"], queryFn: () => api<ApiPage<OutboxMessage>>("GET", `/outbox${query({ status: "failed", limit: 1 })}`) });
  const retry = useMutation({
    mutationFn: (body: { from?: string | undefined; to?: string | undefined }) => api<RetryAnswer>("POST", "/outbox/retry-failed", body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["outbox"] }),
  });
  return (
    <Section title={t("outbox.retry.title")} id="outbox-retry">
      <p className="muted">{t("outbox.retry.intro", { max: MAIL_RETRY_MAX })}</p>
      {failed.isPending ? <Loading /> : null}
      {failed.isError ? <LoadError error={failed.error} onRetry={() => void failed.refetch()} /> : null}
      {failed.data && failed.data.items.length === 0 ? <Empty>{t("outbox.retry.none")}</Empty> : null}
      {failed.data && failed.data.items.length > 0 ? (
        <form
          className="form form-inline"
          noValidate
          aria-label={t("outbox.retry.title")}
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            if (!window.confirm(t("outbox.retry.confirm", { max: MAIL_RETRY_MAX }))) return;
            // the range is Taipei time, as every date on the site reads, whatever zone the browser is in
            retry.mutate({ from: taipeiLocalInstant(v.from), to: taipeiLocalInstant(v.to) });
          }}
        >
          <Field type="datetime-local" name="from" label={t("outbox.retry.from")} error={fieldError(retry.error, "from")} />
          <Field type="datetime-local" name="to" label={t("outbox.retry.to")} error={fieldError(retry.error, "to")} />
          <SubmitButton pending={retry.isPending}>{t("outbox.retry.button")}</SubmitButton>
        </form>
      ) : null}
      <ProblemAlert error={retry.error} />
      {retry.data ? (
        <div className="alert alert-success" role="status">
          <p>{t("outbox.retry.done", { count: retry.data.retried })}</p>
          {retry.data.remaining > 0 ? <p>{t("outbox.retry.remaining", { count: retry.data.remaining })}</p> : null}
        </div>
      ) : null}
    </Section>
  );
}

/** The message text, fetched when the reader opens it (the list carries no bodies). */
function MessageBody({ id }: { id: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const body = useQuery({
    queryKey: ["outbox-message", id],
    queryFn: () => api<OutboxMessage>("GET", `/outbox/${encodeURIComponent(id)}`),
    enabled: open,
    staleTime: Infinity,
  });
  return (
    <details
      onToggle={(e) => {
        setOpen(e.currentTarget.open);
      }}
    >
      <summary>{t("outbox.showBody")}</summary>
      {body.isPending && open ? <Loading /> : null}
      {body.isError ? <LoadError error={body.error} onRetry={() => void body.refetch()} /> : null}
      {body.data ? <pre className="wrap">{body.data.textBody}</pre> : null}
    </details>
  );
}

