// The merchant's scanned websites: each confirmed origin with its latest grade, score and next
// scheduled scan, linking to the origin's page (findings, history, scripts, scan now).
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import { formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { GradeBadge } from "./Grade.tsx";
import { useScannerText } from "./text.ts";
import type { WatchedOrigin } from "./types.ts";

export function ScannerShopPage() {
  const { s } = useScannerText();
  const mine = useQuery({ queryKey: ["registry-my-shop"], queryFn: () => api<{ shop: { id: string } | null }>("GET", "/registry/my-shop") });
  const shopId = mine.data?.shop?.id;
  return (
    <Page title={s.shop.title} intro={s.shop.intro}>
      {mine.isPending ? <Loading /> : null}
      {mine.isError ? <LoadError error={mine.error} onRetry={() => void mine.refetch()} /> : null}
      {mine.data && !shopId ? <Empty>{s.shop.noShop}</Empty> : null}
      {shopId ? <OriginList shopId={shopId} /> : null}
    </Page>
  );
}

function OriginList({ shopId }: { shopId: string }) {
  const { s, locale } = useScannerText();
  const origins = useQuery({ queryKey: ["scanner-origins", shopId], queryFn: () => api<{ items: WatchedOrigin[] }>("GET", `/scanner/shops/${shopId}/origins`) });
  return (
    <Section title={s.shop.origins} id="scanner-origins">
      {origins.isPending ? <Loading /> : null}
      {origins.isError ? <LoadError error={origins.error} onRetry={() => void origins.refetch()} /> : null}
      {origins.data?.items.length === 0 ? <Empty>{s.shop.noOrigins}</Empty> : null}
      {origins.data && origins.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="dense" aria-labelledby="scanner-origins-title">
            <thead>
              <tr>
                <th scope="col">{s.dist.origins}</th>
                <th scope="col">{s.origin.grade}</th>
                <th scope="col">{s.origin.score}</th>
                <th scope="col">{s.origin.scannedAt}</th>
                <th scope="col">{s.origin.nextScan}</th>
              </tr>
            </thead>
            <tbody>
              {origins.data.items.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/scanner/origins/${o.id}`}>{o.origin}</Link>
                  </td>
                  <td>
                    <GradeBadge grade={o.lastGrade} />
                  </td>
                  <td>{o.lastScore ?? "—"}</td>
                  <td>{formatDateTime(o.lastScannedAt, locale)}</td>
                  <td>{formatDateTime(o.nextScanAt, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Section>
  );
}
