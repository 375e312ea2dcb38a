// The merchant's scanned websites: each confirmed origin with its latest grade, score and next
// scheduled scan, linking to the origin's page (findings, history, scripts, scan now).
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { OriginsTable } from "./OriginsTable.tsx";
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
      {mine.data && !shopId ? (
        <Empty>
          {s.shop.noShop} <Link to="/registry/my-shop">{s.shop.toMyShop}</Link>
        </Empty>
      ) : null}
      {shopId ? <OriginList shopId={shopId} /> : null}
    </Page>
  );
}

function OriginList({ shopId }: { shopId: string }) {
  const { s } = useScannerText();
  const origins = useQuery({ queryKey: ["scanner-origins", shopId], queryFn: () => api<{ items: WatchedOrigin[] }>("GET", `/scanner/shops/${shopId}/origins`) });
  return (
    <Section title={s.shop.origins} id="scanner-origins">
      <OriginsTable query={origins} rows={origins.data?.items} label={s.shop.origins} empty={s.shop.noOrigins} withNextScan />
    </Section>
  );
}
