// A shop's public page: legal identity, confirmed websites with their certificates, identity
// status with dates. Sections other modules add (marks, scan grade) arrive in `extensions`
// and get their own rendering when those modules ship their pages.
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api } from "../../api/client.ts";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { useRegistryText } from "./text.ts";
import { PublicScanGrade } from "../scanner/Grade.tsx"; // scanner (issue 6)
import { ShopMarksSection } from "../certification/Public.tsx"; // certification (issue 4)
import type { PublicShopPage } from "./types.ts";

export function RegistryShopPage() {
  const { r, locale } = useRegistryText();
  const { shopId = "" } = useParams();
  const shop = useQuery({ queryKey: ["registry-public-shop", shopId], queryFn: () => api<PublicShopPage>("GET", `/registry/public/shops/${encodeURIComponent(shopId)}`), retry: false });
  if (shop.isPending) return <Loading />;
  if (shop.isError) {
    return (
      <Page title={r.search.title}>
        <Empty>{r.shop.notFound}</Empty>
        <LoadError error={shop.error} onRetry={() => void shop.refetch()} />
      </Page>
    );
  }
  const s = shop.data;
  return (
    <Page title={locale === "en" ? s.legalNameEn : s.legalNameZh} intro={locale === "en" ? s.legalNameZh : s.legalNameEn}>
      <Section title={r.shop.status} id="registry-status">
        <dl className="facts">
          <dt>{r.shop.status}</dt>
          <dd>
            <span className={`badge status-${s.identityStatus}`}>{r.status[s.identityStatus]}</span>
          </dd>
          <dt>{r.shop.confirmedAt}</dt>
          <dd>{formatDateTime(s.confirmedAt, locale)}</dd>
          <dt>{r.shop.expiresAt}</dt>
          <dd>{formatDate(s.expiresAt, locale)}</dd>
          <dt>{r.shop.ubn}</dt>
          <dd>{s.ubn}</dd>
          <dt>{r.shop.representative}</dt>
          <dd>{s.representative}</dd>
          <dt>{r.shop.serviceChannel}</dt>
          <dd>{s.serviceChannel}</dd>
          <dt>{r.shop.salesModel}</dt>
          <dd>{r.salesModel[s.salesModel]}</dd>
          <dt>{r.shop.sector}</dt>
          <dd>{r.sector[s.sector]}</dd>
        </dl>
      </Section>
      <Section title={r.shop.origins} id="registry-origins">
        {s.origins.length === 0 ? <Empty>—</Empty> : null}
        <ul className="result-list">
          {s.origins.map((o) => (
            <li key={o.origin}>
              <strong>{o.origin}</strong>
              {o.unicodeHost ? <span className="muted"> ({o.unicodeHost})</span> : null}
              {o.certificate ? (
                <>
                  <br />
                  <span className="muted">
                    {r.shop.certificate}: <code>{o.certificate.fingerprint256}</code> · {o.certificate.issuer} · {formatDateTime(o.certificate.validTo, locale)}
                  </span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      </Section>
      <ShopMarksSection shopId={shopId} />{/* certification (issue 4) */}
      <PublicScanGrade value={s.extensions.scanGrade} />{/* scanner (issue 6) */}
    </Page>
  );
}
