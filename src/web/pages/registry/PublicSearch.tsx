// Public registry search: anyone can look a shop up by name (zh/en, partial), business number
// or domain. The query lives in the URL so results can be linked and the back button works.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { REGISTRY_LIMITS } from "../../../modules/registry/registry.limits.ts";
import { api, query } from "../../api/client.ts";
import { Field, formValues, SubmitButton } from "../../components/Field.tsx";
import { formatDate } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { fill, useRegistryText } from "./text.ts";
import type { PublicShop } from "./types.ts";

interface SearchPage {
  items: (PublicShop & { origins: string[] })[];
  nextOffset: number | null;
  /** how the query was read: a pasted address is searched by its host */
  searched: { by: "name" | "ubn" | "host"; value: string; unicodeHost: string | null } | null;
}

export function RegistrySearchPage() {
  const { r, locale } = useRegistryText();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const results = useInfiniteQuery({
    queryKey: ["registry-search", q],
    queryFn: ({ pageParam }) => api<SearchPage>("GET", `/registry/public/shops${query({ q, offset: pageParam, limit: 20 })}`),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
    enabled: q !== "",
  });
  const items = results.data?.pages.flatMap((p) => p.items) ?? [];
  const searched = results.data?.pages[0]?.searched;
  const host = searched?.by === "host" ? (searched.unicodeHost ? `${searched.unicodeHost} (${searched.value})` : searched.value) : null;
  return (
    <Page title={r.search.title} intro={r.search.intro}>
      <form
        className="form form-inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ q: (formValues(e.currentTarget).q ?? "").trim() });
        }}
      >
        <Field name="q" type="search" label={r.search.label} defaultValue={q} maxLength={REGISTRY_LIMITS.queryUrl} key={q} />
        <SubmitButton pending={results.isFetching}>{r.search.submit}</SubmitButton>
      </form>
      {q !== "" ? (
        <Section title={r.search.results} id="registry-results">
          {results.isPending ? <Loading /> : null}
          {results.isError ? <LoadError error={results.error} onRetry={() => void results.refetch()} /> : null}
          {host !== null && host !== q ? <p className="muted">{fill(r.search.searchedHost, { host })}</p> : null}
          {results.data && items.length === 0 ? <Empty>{r.search.none}</Empty> : null}
          {items.length > 0 ? (
            <ul className="result-list">
              {items.map((s) => (
                <li key={s.id}>
                  <Link to={`/registry/shops/${s.id}`}>{locale === "en" ? s.legalNameEn : s.legalNameZh}</Link>{" "}
                  <span className="muted">
                    {locale === "en" ? s.legalNameZh : s.legalNameEn} · {r.shop.ubn} {s.ubn} · {r.status[s.identityStatus]} · {r.shop.expiresAt} {formatDate(s.expiresAt, locale)}
                  </span>
                  <br />
                  <span>{s.origins.join(" · ")}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {results.hasNextPage ? (
            <button type="button" className="button" disabled={results.isFetchingNextPage} onClick={() => void results.fetchNextPage()}>
              {r.search.more}
            </button>
          ) : null}
        </Section>
      ) : null}
    </Page>
  );
}
