// Renders a verdict: green (valid), amber (suspended), red (revoked, wrong site, invalid),
// grey (status unavailable). zh-TW first, then English. Styles are set through the CSSOM,
// which the seal page's CSP (style-src 'self') allows.
import type { Verdict } from "../modules/seals/verify/seal.ts";

export interface View {
  state: Verdict["state"];
  domain: string;
  legalName: string;
  marks: string[];
  verifyUrl: string;
  checked?: Date;
  code?: string;
}

const LOOK: Record<View["state"], [string, string, string]> = {
  valid: ["#0a7d32", "\u2713", "\u5df2\u9a57\u8b49 Verified"],
  suspended: ["#a15c00", "!", "\u66ab\u505c Suspended"],
  revoked: ["#b00020", "\u2715", "\u5df2\u64a4\u92b7 Revoked"],
  wrong_origin: ["#b00020", "\u2715", "\u975e\u6b64\u7db2\u7ad9\u4e4b\u6a19\u7ae0 Not valid on this site"],
  invalid: ["#b00020", "\u2715", "\u7121\u6cd5\u9a57\u8b49 Not verified"],
  unavailable: ["#5f6368", "?", "\u72c0\u614b\u4e0d\u660e Status unavailable"],
};

function el(tag: string, text: string, css: Partial<CSSStyleDeclaration>): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  Object.assign(e.style, css);
  return e;
}

export function render(root: HTMLElement, v: View): void {
  const [color, icon, label] = LOOK[v.state];
  const box = el("button", "", {
    display: "block", width: "100%", textAlign: "left", font: "13px/1.35 system-ui,sans-serif", color: "#202124",
    background: "#fff", border: `2px solid ${color}`, borderRadius: "8px", padding: "6px 8px", cursor: "pointer",
  });
  box.dataset.state = v.state;
  if (v.code) box.dataset.code = v.code;
  box.append(el("div", `${icon} ECTrust \u00b7 ${label}`, { color, fontWeight: "600" }));
  if (v.domain) box.append(el("div", v.domain, { fontSize: "16px", fontWeight: "700" }));
  if (v.legalName) box.append(el("div", v.legalName, {}));
  const foot = [v.marks.join(" \u00b7 "), v.checked ? v.checked.toTimeString().slice(0, 5) : ""].filter(Boolean).join(" \u00b7 ");
  if (foot) box.append(el("div", foot, { color: "#5f6368", fontSize: "11px" }));
  box.title = v.verifyUrl;
  box.addEventListener("click", () => {
    if (v.verifyUrl) window.open(v.verifyUrl, "_blank", "noopener");
  });
  root.replaceChildren(box);
}
