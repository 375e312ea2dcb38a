// The merchant's seal: the one-line embed snippet (with the loader's SRI hash) and a copy
// button, the iframe alternative, a live preview drawn by the widget's own renderer from the
// server's verification of the shop's credentials (the console's CSP allows no frames, and the
// seal page only allows the shop's own origins to frame it), and the credentials with their state.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import { DataTable } from "../../components/DataTable.tsx";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { render, type View } from "../../../widget/render.ts";
import { fill, useSealText } from "./text.ts";

interface Embed {
  script: string;
  iframe: string;
  sealUrl: string;
  verifyUrl: string;
}

type State = View["state"];

interface Verification {
  shopId: string;
  legalName: string;
  checkedAt: string;
  marks: { credentialId: string; mark: string; state: State; code: string | null; origins: string[]; validUntil: string; logIndex: number }[];
}

/** The same order as the widget's: the worst verdict is what the seal shows. */
const RANK: Record<State, number> = { valid: 0, unavailable: 1, suspended: 2, revoked: 3, invalid: 4, wrong_origin: 5 };

export function SealEmbedPage() {
  const { s } = useSealText();
  const mine = useQuery({ queryKey: ["registry-my-shop"], queryFn: () => api<{ shop: { id: string } | null }>("GET", "/registry/my-shop") });
  const shopId = mine.data?.shop?.id;
  return (
    <Page title={s.page.title} intro={s.page.intro}>
      {mine.isPending ? <Loading /> : null}
      {mine.isError ? <LoadError error={mine.error} onRetry={() => void mine.refetch()} /> : null}
      {mine.data && !shopId ? (
        <Empty>
          {s.page.noShop} <Link to="/registry/my-shop">{s.page.toMyShop}</Link>
        </Empty>
      ) : null}
      {shopId ? <ShopSeal shopId={shopId} /> : null}
    </Page>
  );
}

function ShopSeal({ shopId }: { shopId: string }) {
  const { s } = useSealText();
  const embed = useQuery({ queryKey: ["seal-embed", shopId], queryFn: () => api<Embed>("GET", `/seals/shops/${shopId}/embed`) });
  const verification = useQuery({
    queryKey: ["seal-verification", shopId],
    queryFn: () => api<Verification>("GET", `/seals/shops/${shopId}/verification`),
    refetchInterval: 60_000,
  });
  return (
    <>
      <Section title={s.snippet.title} id="seal-snippet">
        {embed.isPending ? <Loading /> : null}
        {embed.isError ? <LoadError error={embed.error} onRetry={() => void embed.refetch()} /> : null}
        {embed.data ? (
          <>
            <p>{s.snippet.intro}</p>
            <CopyField id="seal-snippet-code" label={s.snippet.label} value={embed.data.script} />
            <h3>{s.snippet.iframeTitle}</h3>
            <p>{s.snippet.iframeIntro}</p>
            <CopyField id="seal-iframe-code" label={s.snippet.iframeLabel} value={embed.data.iframe} />
          </>
        ) : null}
      </Section>
      <Section title={s.preview.title} id="seal-preview">
        {verification.isPending ? <Loading /> : null}
        {verification.isError ? <LoadError error={verification.error} onRetry={() => void verification.refetch()} /> : null}
        {verification.data ? <Preview v={verification.data} verifyUrl={embed.data?.verifyUrl ?? ""} onRecheck={() => void verification.refetch()} /> : null}
      </Section>
      {verification.data && verification.data.marks.length > 0 ? <Marks v={verification.data} verifyUrl={embed.data?.verifyUrl} /> : null}
    </>
  );
}

function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const { s } = useSealText();
  const [message, setMessage] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setMessage(s.snippet.copied);
    } catch {
      ref.current?.select();
      setMessage(s.snippet.copyFailed);
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} ref={ref} readOnly rows={3} value={value} spellCheck={false} style={{ fontFamily: "ui-monospace, monospace", width: "100%" }} onFocus={(e) => {
        e.currentTarget.select();
      }} />
      <div className="row-actions">
        <button type="button" className="button small" onClick={() => void copy()} aria-describedby={`${id}-status`}>
          {s.snippet.copy}
        </button>
        <span id={`${id}-status`} role="status" aria-live="polite">
          {message}
        </span>
      </div>
    </div>
  );
}

function Preview({ v, verifyUrl, onRecheck }: { v: Verification; verifyUrl: string; onRecheck: () => void }) {
  const { s, locale } = useSealText();
  const box = useRef<HTMLDivElement>(null);
  const shown = v.marks.reduce<Verification["marks"][number] | undefined>((worst, m) => (!worst || RANK[m.state] > RANK[worst.state] ? m : worst), undefined);
  const origin = shown?.origins[0];
  useEffect(() => {
    if (!box.current || !shown) return;
    const view: View = {
      state: shown.state,
      domain: origin ? new URL(origin).host : "",
      legalName: v.legalName,
      marks: v.marks.filter((m) => m.state === "valid").map((m) => m.mark),
      verifyUrl,
      checked: new Date(v.checkedAt),
    };
    if (shown.code) view.code = shown.code;
    render(box.current, view);
  }, [shown, origin, v, verifyUrl]);
  if (!shown) return <Empty>{s.preview.empty}</Empty>;
  return (
    <>
      <p>{fill(s.preview.intro, { origin: origin ?? s.preview.noOrigin })}</p>
      <div ref={box} data-testid="seal-preview" style={{ maxWidth: "16rem" }} />
      <p className="muted">
        {fill(s.preview.checkedAt, { time: formatDateTime(v.checkedAt, locale) })}{" "}
        <button type="button" className="button small" onClick={onRecheck}>
          {s.preview.recheck}
        </button>
      </p>
    </>
  );
}

function Marks({ v, verifyUrl }: { v: Verification; verifyUrl: string | undefined }) {
  const { s, locale } = useSealText();
  return (
    <Section title={s.marks.title} id="seal-marks">
      <DataTable
        dense
        label={s.marks.title}
        rows={v.marks}
        rowKey={(m) => m.credentialId}
        columns={[
          { header: s.marks.mark, cell: (m) => s.marks.names[m.mark] ?? m.mark },
          { header: s.marks.state, cell: (m) => `${s.state[m.state]}${m.code ? ` (${m.code})` : ""}` },
          { header: s.marks.validUntil, cell: (m) => formatDate(m.validUntil, locale) },
          { header: s.marks.origins, cell: (m) => m.origins.join(", ") },
          { header: s.marks.log, cell: (m) => `#${String(m.logIndex)}` },
        ]}
      />
      {verifyUrl ? (
        <p>
          <a href={verifyUrl}>{s.marks.verify}</a>
        </p>
      ) : null}
    </Section>
  );
}
