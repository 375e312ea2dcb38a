// A tolerant, bounded HTML reading: the elements the checks need, nothing executed or fetched.
// htmlparser2 never throws on malformed markup; the element count is capped so a hostile page
// cannot make analysis unbounded.
import { Parser } from "htmlparser2";

export interface HtmlElement {
  tag: string;
  attrs: Record<string, string>;
  /** Text content for <script>, <style>, <a> and <title> (bounded). */
  text: string;
}

export interface HtmlDoc {
  elements: HtmlElement[];
  truncated: boolean;
  /** Visible text of the page, bounded (for the privacy-notice check). */
  text: string;
}

const KEEP = new Set(["script", "meta", "a", "link", "img", "iframe", "form", "audio", "video", "source", "embed", "object", "base", "title", "input", "track", "frame"]);
const TEXT_OF = new Set(["script", "a", "title"]);
const MAX_ELEMENTS = 20_000;
const MAX_TEXT = 512 * 1024;
const MAX_ELEMENT_TEXT = 256 * 1024;

export function parseHtml(html: string): HtmlDoc {
  const elements: HtmlElement[] = [];
  let truncated = false;
  let text = "";
  const open: HtmlElement[] = [];
  let skipText = 0; // inside <script>/<style>
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === "style" || name === "script" || name === "noscript") skipText++;
        if (!KEEP.has(name)) return;
        if (elements.length >= MAX_ELEMENTS) {
          truncated = true;
          return;
        }
        const el: HtmlElement = { tag: name, attrs: attribs, text: "" };
        elements.push(el);
        if (TEXT_OF.has(name)) open.push(el);
      },
      ontext(data) {
        const top = open[open.length - 1];
        if (top && top.text.length < MAX_ELEMENT_TEXT) top.text += data;
        if (skipText === 0 && text.length < MAX_TEXT) text += data;
      },
      onclosetag(name) {
        if (name === "style" || name === "script" || name === "noscript") skipText = Math.max(0, skipText - 1);
        if (TEXT_OF.has(name)) {
          const i = open.map((e) => e.tag).lastIndexOf(name);
          if (i >= 0) open.splice(i);
        }
        if (text.length < MAX_TEXT && (name === "p" || name === "li" || name === "div" || name === "br" || name.startsWith("h"))) text += "\n";
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  );
  parser.write(html);
  parser.end();
  return { elements, truncated, text: text.replace(/[ \t\r\f]+/g, " ") };
}

export function byTag(doc: HtmlDoc, tag: string): HtmlElement[] {
  return doc.elements.filter((e) => e.tag === tag);
}

/** `<meta http-equiv=Content-Security-Policy>` and `<meta name=referrer>`, as the peer reads them. */
export function httpEquiv(doc: HtmlDoc): { csp: string[]; referrer: string[] } {
  const csp: string[] = [];
  let referrer: string[] = [];
  for (const m of byTag(doc, "meta")) {
    const equiv = m.attrs["http-equiv"];
    const content = m.attrs.content;
    if (equiv !== undefined && content !== undefined) {
      if (content !== "" && equiv.toLowerCase().trim() === "content-security-policy") csp.push(content);
    } else if (m.attrs.name?.toLowerCase().trim() === "referrer") {
      if (content) referrer = [content];
    }
  }
  return { csp, referrer };
}
