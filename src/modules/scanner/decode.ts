// Bytes → text for analysis: charset from Content-Type, else a <meta charset> in the first
// 1024 bytes, else UTF-8. Invalid sequences become U+FFFD and are reported, never thrown.
import { mediaType } from "./headers.ts";
import type { HeaderList } from "../../platform/net/fetcher.ts";
import { combined } from "./headers.ts";

const TEXTUAL = /^(text\/|application\/(xhtml\+xml|xml|json|javascript|ecmascript|x-javascript|ld\+json)|image\/svg\+xml)/;

function labelFrom(headers: HeaderList, head: string): string {
  const ct = combined(headers, "content-type") ?? "";
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(ct)?.[1];
  if (fromHeader) return fromHeader.toLowerCase();
  const fromMeta = /<meta[^>]{0,200}charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  return fromMeta ? fromMeta.toLowerCase() : "utf-8";
}

export function decodeBody(body: Buffer, headers: HeaderList, maxChars = 2 * 1024 * 1024): { text: string; charset: string; errors: boolean } {
  const type = mediaType(headers);
  if (type !== "" && !TEXTUAL.test(type)) return { text: "", charset: "binary", errors: false };
  const label = labelFrom(headers, body.subarray(0, 1024).toString("latin1"));
  let decoder: TextDecoder;
  let charset = label;
  try {
    decoder = new TextDecoder(label, { fatal: false });
  } catch {
    decoder = new TextDecoder("utf-8", { fatal: false });
    charset = "utf-8";
  }
  const text = decoder.decode(body).slice(0, maxChars);
  let errors = false;
  try {
    new TextDecoder(decoder.encoding, { fatal: true }).decode(body);
  } catch {
    errors = true;
  }
  return { text, charset: decoder.encoding, errors: errors || charset !== decoder.encoding };
}
