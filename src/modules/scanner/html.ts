// A tolerant, bounded HTML reading: the elements the checks need, nothing executed or fetched.
// htmlparser2's Tokenizer never throws on malformed markup. No tree is built: htmlparser2's
// Parser keeps its open-element stack with Array.unshift, so 2 MB of unclosed <div>s cost it
// minutes of CPU (quadratic); here the only state is a three-slot stack of the elements whose
// text we keep (<script> and <title> are raw text and cannot nest; a new <a> ends an open one,
// as in browsers). The element count is capped so a hostile page cannot make analysis unbounded.
import { Tokenizer } from "htmlparser2";

export interface HtmlElement {
  tag: string;
  attrs: Record<string, string>;
  /** Text content for <script>, <style>, <a> and <title> (bounded). */
  text: string;
  /**
   * Whether the element is in the document's head as a browser builds it: before <body>, any
   * element that belongs in the body, or visible text, and not inside <noscript> or <template>.
   * A <meta http-equiv> CSP counts only there.
   */
  inHead: boolean;
}

export interface HtmlDoc {
  elements: HtmlElement[];
  truncated: boolean;
  /** Visible text of the page, bounded (for the privacy-notice check). */
  text: string;
}

const KEEP = new Set(["script", "meta", "a", "link", "img", "iframe", "form", "audio", "video", "source", "embed", "object", "base", "title", "input", "track", "frame"]);
const TEXT_OF = new Set(["script", "a", "title"]);
const SKIP_TEXT = new Set(["style", "script", "noscript"]);
const VOID = new Set(["area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input", "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr"]);
/** Start tags that leave the parser in the head (HTML "in head" insertion mode); any other starts the body. */
const HEAD_OK = new Set(["html", "head", "base", "basefont", "bgsound", "link", "meta", "noframes", "noscript", "script", "style", "template", "title"]);
const MAX_ELEMENTS = 20_000;
const MAX_TEXT = 512 * 1024;
const MAX_ELEMENT_TEXT = 256 * 1024;

export function parseHtml(html: string): HtmlDoc {
  const elements: HtmlElement[] = [];
  let truncated = false;
  let text = "";
  const open: HtmlElement[] = [];
  let skipText = 0; // inside <script>/<style>/<noscript>
  let tag = "";
  let attrs: Record<string, string> = {};
  let attrName = "";
  let attrValue = "";
  let inHead = true;
  // inside <noscript> (raw text when scripting is on) or <template> (inert): not the document's elements
  let inert = 0;

  const addText = (data: string): void => {
    const top = open[open.length - 1];
    // visible text starts the body (text inside <title>, <script>, <style> or <noscript> does not)
    // (HTML's whitespace is tab, LF, FF, CR and space only: a no-break space is text and starts the body)
    if (inHead && skipText === 0 && top?.tag !== "title" && /[^\t\n\f\r ]/.test(data)) inHead = false;
    if (top && top.text.length < MAX_ELEMENT_TEXT) top.text += data;
    if (skipText === 0 && text.length < MAX_TEXT) text += data;
  };
  const close = (name: string): void => {
    if (SKIP_TEXT.has(name)) skipText = Math.max(0, skipText - 1);
    if (name === "noscript" || name === "template") inert = Math.max(0, inert - 1);
    if (TEXT_OF.has(name)) {
      const i = open.map((e) => e.tag).lastIndexOf(name);
      if (i >= 0) open.splice(i);
    }
    if (text.length < MAX_TEXT && (name === "p" || name === "li" || name === "div" || name === "br" || name.startsWith("h"))) text += "\n";
  };
  const endOpenTag = (): void => {
    const name = tag;
    tag = "";
    if (name === "") return;
    if (name === "a" && open.some((e) => e.tag === "a")) close("a");
    if (SKIP_TEXT.has(name)) skipText++;
    if (!HEAD_OK.has(name)) inHead = false;
    const inertHere = inert > 0;
    if (name === "noscript" || name === "template") inert++;
    if (KEEP.has(name)) {
      if (elements.length >= MAX_ELEMENTS) truncated = true;
      else {
        const el: HtmlElement = { tag: name, attrs, text: "", inHead: inHead && !inertHere };
        elements.push(el);
        if (TEXT_OF.has(name)) open.push(el);
      }
    }
    if (VOID.has(name)) close(name);
  };
  const slice = (start: number, end: number): string => html.slice(start, end);
  const tokenizer = new Tokenizer(
    { decodeEntities: true, recognizeSelfClosing: false, xmlMode: false },
    {
      ontext: (start, end) => { addText(slice(start, end)); },
      ontextentity: (cp) => { addText(String.fromCodePoint(cp)); },
      onopentagname: (start, end) => {
        tag = slice(start, end).toLowerCase();
        attrs = {};
      },
      onattribname: (start, end) => {
        attrName = slice(start, end).toLowerCase();
      },
      onattribdata: (start, end) => { attrValue += slice(start, end); },
      onattribentity: (cp) => { attrValue += String.fromCodePoint(cp); },
      onattribend: () => {
        if (!Object.hasOwn(attrs, attrName)) attrs[attrName] = attrValue; // the first of a repeated attribute wins, as in browsers
        attrValue = "";
      },
      onopentagend: () => { endOpenTag(); },
      onselfclosingtag: () => { endOpenTag(); }, // HTML ignores the slash
      onclosetag: (start, end) => {
        const name = slice(start, end).toLowerCase();
        if (name === "br") {
          close("br");
          return;
        }
        if (!VOID.has(name)) close(name);
      },
      oncdata: () => undefined,
      oncomment: () => undefined,
      ondeclaration: () => undefined,
      onprocessinginstruction: () => undefined,
      onend: () => undefined,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return { elements, truncated, text: text.replace(/[ \t\r\f]+/g, " ") };
}

export function byTag(doc: HtmlDoc, tag: string): HtmlElement[] {
  return doc.elements.filter((e) => e.tag === tag);
}

/**
 * `<meta http-equiv=Content-Security-Policy>` (only in the head: browsers ignore it elsewhere, HTML
 * §4.2.5.3) and `<meta name=referrer>` (honoured anywhere), as the peer reads them.
 */
export function httpEquiv(doc: HtmlDoc): { csp: string[]; referrer: string[] } {
  const csp: string[] = [];
  let referrer: string[] = [];
  for (const m of byTag(doc, "meta")) {
    const equiv = m.attrs["http-equiv"];
    const content = m.attrs.content;
    if (equiv !== undefined && content !== undefined) {
      if (content !== "" && m.inHead && equiv.toLowerCase().trim() === "content-security-policy") csp.push(content);
    } else if (m.attrs.name?.toLowerCase().trim() === "referrer") {
      if (content) referrer = [content];
    }
  }
  return { csp, referrer };
}
