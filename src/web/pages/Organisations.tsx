// The authority's view of every organisation: merchant registrations waiting for a decision,
// the full list with filters, and creating a certification body, regulator or other organisation.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { LIMITS, ORG_STATUSES } from "../../modules/accounts/accounts.limits.ts";
import { orgKinds } from "../../platform/auth/roles.ts";
import { api, query } from "../api/client.ts";
import type { OrgKind, Organisation, Page as ApiPage } from "../api/types.ts";
import { DataTable, QueryState } from "../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../components/Field.tsx";
import { formatDateTime, orgName } from "../components/format.ts";
import { Page, Section } from "../components/Page.tsx";
import { Pager, useCursor } from "../components/Pager.tsx";
import { fieldError, Notice, ProblemAlert } from "../components/Problem.tsx";
import { currentLocale } from "../i18n/i18n.ts";
import { PendingRegistrations } from "./org/PendingRegistrations.tsx";

export function OrganisationsPage() {
  const { t } = useTranslation();
  const locale = currentLocale();
  const [params, setParams] = useSearchParams();
  const cursor = useCursor();
  const filters = { kind: params.get("kind") ?? "", status: params.get("status") ?? "", q: params.get("q") ?? "" };
  const list = useQuery({
    queryKey: ["organisations", filters, cursor.before],
    queryFn: () => api<ApiPage<Organisation>>("GET", `/organisations${query({ ...filters, before: cursor.before, limit: 25 })}`),
    placeholderData: (previous) => previous,
  });

  return (
    <Page title={t("orgs.title")} intro={t("orgs.intro")}>
      <PendingRegistrations />
      <Section title={t("orgs.all")} id="all-orgs">
        <form
          className="form form-inline filters"
          role="search"
          aria-label={t("orgs.filters")}
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            cursor.reset();
            setParams(Object.fromEntries(Object.entries(v).filter(([, value]) => value !== "")), { replace: true });
          }}
        >
          <Field name="q" type="search" label={t("orgs.search")} defaultValue={filters.q} maxLength={LIMITS.name} />
          <SelectField name="kind" label={t("orgs.kind")} defaultValue={filters.kind} options={[{ value: "", label: t("common.all") }, ...orgKinds.map((k) => ({ value: k, label: t(`kinds.${k}`) }))]} />
          <SelectField name="status" label={t("common.status")} defaultValue={filters.status} options={[{ value: "", label: t("common.all") }, ...ORG_STATUSES.map((s) => ({ value: s, label: t(`orgStatus.${s}`) }))]} />
          <button type="submit" className="button">
            {t("common.filter")}
          </button>
        </form>
        <QueryState query={list} isEmpty={list.data?.items.length === 0} empty={t("orgs.none")}>
          <DataTable
            label={t("orgs.all")}
            rows={list.data?.items ?? []}
            rowKey={(o) => o.id}
            columns={[
              {
                header: t("common.name"),
                cell: (o) => (
                  <>
                    <Link to={`/organisations/${o.id}`}>{orgName(o, locale)}</Link>
                    <span className="muted small block">{locale === "en" ? o.nameZh : o.nameEn}</span>
                  </>
                ),
              },
              { header: t("orgs.kind"), cell: (o) => t(`kinds.${o.kind}`) },
              { header: t("common.status"), cell: (o) => <span className={`status status-${o.status}`}>{t(`orgStatus.${o.status}`)}</span> },
              { header: t("common.createdAt"), cell: (o) => formatDateTime(o.createdAt, locale) },
            ]}
          />
        </QueryState>
        <Pager cursor={cursor} nextBefore={list.data?.nextBefore} label={t("orgs.pages")} />
      </Section>
      <CreateOrganisation />
    </Page>
  );
}

function CreateOrganisation() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<OrgKind>("certification_body");
  const create = useMutation({
    mutationFn: (body: { kind: OrgKind; nameZh: string; nameEn: string; adminEmail: string }) => api<Organisation>("POST", "/organisations", body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["organisations"] }),
  });
  const err = create.error;
  return (
    <Section title={t("orgs.create")} id="create-org">
      <p className="muted">{t("orgs.createIntro")}</p>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const v = formValues(form);
          create.mutate({ kind, nameZh: v.nameZh ?? "", nameEn: v.nameEn ?? "", adminEmail: v.adminEmail ?? "" }, { onSuccess: () => { form.reset(); } });
        }}
      >
        {create.isSuccess ? <Notice tone="success">{t("orgs.created", { name: orgName(create.data, currentLocale()) })}</Notice> : null}
        <ProblemAlert error={err} />
        <SelectField
          name="kind"
          label={t("orgs.kind")}
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as OrgKind);
          }}
          options={orgKinds.map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
          error={fieldError(err, "kind")}
        />
        <div className="grid-2">
          <Field name="nameZh" label={t("org.nameZh")} required maxLength={LIMITS.name} error={fieldError(err, "nameZh")} />
          <Field name="nameEn" label={t("org.nameEn")} required maxLength={LIMITS.name} lang="en" error={fieldError(err, "nameEn")} />
        </div>
        <Field name="adminEmail" type="email" label={t("orgs.adminEmail")} hint={t("orgs.adminEmailHint")} required maxLength={LIMITS.email} error={fieldError(err, "adminEmail")} />
        <SubmitButton pending={create.isPending}>{t("orgs.createSubmit")}</SubmitButton>
      </form>
    </Section>
  );
}
