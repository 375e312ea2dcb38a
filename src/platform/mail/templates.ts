// Mail templates: every message ectrust sends, in zh-TW and English, as plain text and HTML.
// A template names the variables it needs; `{{name}}` in a template is replaced by the value,
// HTML-escaped in the HTML body, and never interpreted. Variables listed in `urls` must be
// http(s) URLs (they end up in href attributes). Modules add their own templates to the
// registry at start: `mailTemplates.add({ name: "certification.decision", … })`.

export type Locale = "zh-TW" | "en";
export const locales: readonly Locale[] = ["zh-TW", "en"];

export interface LocalisedTemplate {
  subject: string;
  /** plain-text body; paragraphs separated by blank lines */
  text: string;
  /** HTML fragment for the body (inside the layout); omitted → built from `text` */
  html?: string;
}

export interface MailTemplate {
  name: string;
  /** every variable the template uses; all are required */
  vars: readonly string[];
  /** variables that are links: must be http(s) URLs */
  urls?: readonly string[];
  /**
   * variables whose value is a code from a closed list, shown as its label in the message's
   * language (e.g. a role or a decision); any other value is refused
   */
  labels?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<Locale, string>>>>>>;
  "zh-TW": LocalisedTemplate;
  en: LocalisedTemplate;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const PLACEHOLDER = /\{\{([a-zA-Z][a-zA-Z0-9_]*)\}\}/g;
const TEMPLATE_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
/** A variable's value is bounded: nobody needs a 4 kB organisation name in a mail. */
export const MAX_VAR_LENGTH = 2000;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** Control characters other than tab and newline, removed from every value. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

export class TemplateRegistry {
  readonly #templates = new Map<string, MailTemplate>();

  add(template: MailTemplate): void {
    if (!TEMPLATE_NAME.test(template.name)) throw new Error(`mail template name "${template.name}" must be lower-case words joined by . or _`);
    if (this.#templates.has(template.name)) throw new Error(`mail template "${template.name}" is defined twice`);
    for (const locale of locales) {
      const t = template[locale];
      for (const part of [t.subject, t.text, t.html ?? ""]) {
        for (const m of part.matchAll(PLACEHOLDER)) {
          const v = m[1] ?? "";
          if (!template.vars.includes(v)) throw new Error(`mail template "${template.name}" (${locale}) uses {{${v}}} which is not in its vars`);
        }
      }
    }
    for (const u of [...(template.urls ?? []), ...Object.keys(template.labels ?? {})]) {
      if (!template.vars.includes(u)) throw new Error(`mail template "${template.name}": variable "${u}" is not in its vars`);
    }
    this.#templates.set(template.name, template);
  }

  has(name: string): boolean {
    return this.#templates.has(name);
  }

  names(): string[] {
    return [...this.#templates.keys()].sort();
  }

  /** Renders a template; throws on an unknown template, a missing or extra variable, or a bad URL. */
  render(name: string, locale: Locale, vars: Readonly<Record<string, string>>): RenderedMail {
    const template = this.#templates.get(name);
    if (!template) throw new Error(`unknown mail template "${name}"`);
    const t = template[locale];
    const clean: Record<string, string> = {};
    for (const v of template.vars) {
      const value = vars[v];
      if (typeof value !== "string") throw new Error(`mail template "${name}" needs the variable "${v}"`);
      if (value.length > MAX_VAR_LENGTH) throw new Error(`mail template "${name}": variable "${v}" is longer than ${MAX_VAR_LENGTH}`);
      clean[v] = value.replace(CONTROL, "");
    }
    for (const k of Object.keys(vars)) {
      if (!template.vars.includes(k)) throw new Error(`mail template "${name}" has no variable "${k}"`);
    }
    for (const u of template.urls ?? []) {
      if (!isHttpUrl(clean[u] ?? "")) throw new Error(`mail template "${name}": "${u}" must be an http(s) URL`);
    }
    for (const [v, choices] of Object.entries(template.labels ?? {})) {
      const label = Object.hasOwn(choices, clean[v] ?? "") ? choices[clean[v] ?? ""]?.[locale] : undefined;
      if (label === undefined) throw new Error(`mail template "${name}": "${v}" must be one of ${Object.keys(choices).join(", ")}`);
      clean[v] = label;
    }
    const fill = (s: string, escape: (v: string) => string): string => s.replace(PLACEHOLDER, (_m, v: string) => escape(clean[v] ?? ""));
    // A subject is one header line: no line breaks, whatever a value holds.
    const subject = fill(t.subject, (v) => v.replace(/[\r\n\t]+/g, " ")).trim();
    const text = fill(t.text, (v) => v);
    const body = t.html !== undefined ? fill(t.html, escapeHtml) : textToHtml(t.text, clean, template.urls ?? []);
    return { subject, text, html: layout(locale, escapeHtml(subject), body) };
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** Paragraphs from plain text; a line that is exactly a URL variable becomes a link. */
function textToHtml(text: string, vars: Record<string, string>, urls: readonly string[]): string {
  return text
    .split(/\n{2,}/)
    .map((para) => {
      const only = /^\{\{([a-zA-Z][a-zA-Z0-9_]*)\}\}$/.exec(para.trim());
      if (only?.[1] && urls.includes(only[1])) {
        const href = escapeHtml(vars[only[1]] ?? "");
        return `<p><a href="${href}">${href}</a></p>`;
      }
      // literal text and values are escaped separately, so nothing is escaped twice or missed
      let html = "";
      let last = 0;
      for (const m of para.matchAll(PLACEHOLDER)) {
        html += escapeHtml(para.slice(last, m.index)) + escapeHtml(vars[m[1] ?? ""] ?? "");
        last = m.index + m[0].length;
      }
      html = (html + escapeHtml(para.slice(last))).replace(/\n/g, "<br>\n");
      return `<p>${html}</p>`;
    })
    .join("\n");
}

function layout(locale: Locale, title: string, body: string): string {
  const footer =
    locale === "en"
      ? "This message was sent by the ectrust e-commerce trust programme. Please do not reply to it."
      : "本郵件由電子商務信任計畫 ectrust 系統自動發送，請勿直接回覆。";
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="font-family: system-ui, 'Noto Sans TC', sans-serif; line-height: 1.6; color: #1a1a1a; max-width: 40em; margin: 0 auto; padding: 1em;">
${body}
<hr style="border: 0; border-top: 1px solid #ddd; margin-top: 2em;">
<p style="font-size: 0.85em; color: #555;">${escapeHtml(footer)}</p>
</body>
</html>
`;
}
