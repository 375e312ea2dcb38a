// The authority's view: how the latest grades are spread over every confirmed shop (its worst
// website) and every website, and the websites themselves, one grade at a time, a page at a
// time, each linking to its page (findings, history, scan now).
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { SelectField } from "../../components/Field.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { Pager, useCursor } from "../../components/Pager.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { GradeBadge } from "./Grade.tsx";
import { OriginsTable } from "./OriginsTable.tsx";
import { useScannerText, type ScannerText } from "./text.ts";
import { GRADE_ORDER, type Distribution, type WatchedOrigin } from "./types.ts";

const ORDER: readonly string[] = [...GRADE_ORDER, "unscanned"];

export function ScannerDistributionPage() {
  const { s } = useScannerText();
  const dist = useQuery({ queryKey: ["scanner-grades"], queryFn: () => api<Distribution>("GET", "/scanner/grades") });
  return (
    <Page title={s.dist.title} intro={s.dist.intro}>
      {dist.isPending ? <Loading /> : null}
      {dist.isError ? <LoadError error={dist.error} onRetry={() => void dist.refetch()} /> : null}
      {dist.data?.totalOrigins === 0 ? <Empty>{s.dist.empty}</Empty> : null}
      {dist.data && dist.data.totalOrigins > 0 ? (
        <Section title={s.dist.title} id="scanner-distribution">
          <div className="table-wrap">
            <table className="dense" aria-labelledby="scanner-distribution-title">
              <thead>
                <tr>
                  <th scope="col">{s.dist.grade}</th>
                  <th scope="col">{s.dist.byShop}</th>
                  <th scope="col">{s.dist.byOrigin}</th>
                </tr>
              </thead>
              <tbody>
                {ORDER.filter((g) => (dist.data.shops[g] ?? 0) + (dist.data.origins[g] ?? 0) > 0).map((g) => (
                  <tr key={g}>
                    <th scope="row">{g === "unscanned" ? s.dist.unscanned : <GradeBadge grade={g} />}</th>
                    <td>{dist.data.shops[g] ?? 0}</td>
                    <td>{dist.data.origins[g] ?? 0}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{s.dist.total}</th>
                  <td>{dist.data.totalShops}</td>
                  <td>{dist.data.totalOrigins}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </Section>
      ) : null}
      <OriginsByGrade s={s} />
    </Page>
  );
}

function OriginsByGrade({ s }: { s: ScannerText }) {
  const [grade, setGrade] = useState("");
  const cursor = useCursor();
  const list = useQuery({
    queryKey: ["scanner-all-origins", grade, cursor.before],
    queryFn: () => api<{ items: WatchedOrigin[]; nextAfter: string | null }>("GET", `/scanner/origins?limit=20${grade ? `&grade=${encodeURIComponent(grade)}` : ""}${cursor.before ? `&after=${cursor.before}` : ""}`),
  });
  const options = [{ value: "", label: s.dist.all }, ...ORDER.map((g) => ({ value: g, label: g === "unscanned" ? s.dist.unscanned : g }))];
  return (
    <Section title={s.dist.origins} id="scanner-all-origins">
      <SelectField name="grade" label={s.dist.filter} options={options} value={grade} onChange={(e) => { setGrade(e.target.value); cursor.reset(); }} />
      <OriginsTable query={list} rows={list.data?.items} label={s.dist.origins} empty={s.dist.noMatch} />
      <Pager cursor={cursor} nextBefore={list.data?.nextAfter} label={s.dist.origins} />
    </Section>
  );
}
