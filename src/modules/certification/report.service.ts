// The audit report of an application: requirements × self-assessment and audit results, findings
// and their corrective actions, the audit team and plan, and the decision — as a printable HTML
// page (no script; its stylesheet is a file, so the server's strict CSP holds) and an XLSX
// workbook. Readers: the certification body's administrator, the auditors on the team, and the
// applicant's organisation.
import ExcelJS from "exceljs";
import { and, asc, count, eq, inArray } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { forbidden } from "../../platform/errors.ts";
import { escapeHtml as h } from "../../platform/mail/templates.ts";
import type { SchemesService } from "../schemes/schemes.service.ts";
import type { CertificationService } from "./certification.service.ts";
import { certAuditors, certCorrectiveActions, certEvents, certResults, certSelfAssessments, certTeam } from "./certification.tables.ts";
import { holderShop } from "./certificates.service.ts";
import { assessmentCycle } from "./evidence-items.service.ts";
import type { Directory } from "./records.ts";
import { certEvidenceLinks } from "./records.tables.ts";

export interface ReportDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "load" | "partiesOf">;
  schemes: Pick<SchemesService, "getVersion">;
  directory: Directory;
}

const resultLabel: Record<string, string> = {
  conforming: "符合 Conforming",
  minor_nc: "輕微不符合 Minor NC",
  major_nc: "主要不符合 Major NC",
  observation: "觀察 Observation",
  not_applicable: "不適用 N/A",
};
const selfLabel: Record<string, string> = { implemented: "已實施 Implemented", partial: "部分 Partial", not_implemented: "未實施 Not implemented", not_applicable: "不適用 N/A" };
const decisionEvents = new Set(["grant", "refuse", "activate"]);
const d = (x: Date | null | undefined): string => (x ? x.toISOString().slice(0, 10) : "—");

export function createReportService(deps: ReportDeps) {
  const { db, clock, certification, schemes, directory } = deps;

  async function data(actor: Actor, id: string) {
    const app = await certification.load(db, actor, id);
    const parties = await certification.partiesOf(db, actor, app);
    const isApplicant = (actor.kind === "user" || actor.kind === "token") && actor.orgId === app.merchantOrgId;
    if (!isApplicant && !parties.includes("cb_admin") && !parties.includes("team_auditor")) throw forbidden("The audit report is for the body, the audit team and the applicant.");
    const v = await schemes.getVersion(app.scheme, app.schemeVersion);
    const [results, self, cas, team, events, links] = await Promise.all([
      db.select().from(certResults).where(eq(certResults.applicationId, id)),
      db.select().from(certSelfAssessments).where(eq(certSelfAssessments.applicationId, id)),
      db.select().from(certCorrectiveActions).where(eq(certCorrectiveActions.applicationId, id)).orderBy(asc(certCorrectiveActions.requirementId)),
      db.select({ name: certAuditors.name, grade: certAuditors.grade, lead: certTeam.lead, assignedAt: certTeam.assignedAt }).from(certTeam).innerJoin(certAuditors, eq(certAuditors.id, certTeam.auditorId)).where(eq(certTeam.applicationId, id)),
      db.select().from(certEvents).where(eq(certEvents.applicationId, id)).orderBy(asc(certEvents.at)),
      db.select({ requirementId: certEvidenceLinks.requirementId, n: count() }).from(certEvidenceLinks).where(and(eq(certEvidenceLinks.applicationId, id), inArray(certEvidenceLinks.cycle, [assessmentCycle(app)]))).groupBy(certEvidenceLinks.requirementId),
    ]);
    const holder = (await holderShop(directory, app)) ?? (await directory.organisation(app.merchantOrgId));
    const body = await directory.organisation(app.cbOrgId);
    const rows = v.catalogue.requirements.map((r) => ({
      id: r.id,
      domain: r.domain,
      title: r.title,
      self: self.find((x) => x.requirementId === r.id)?.status ?? null,
      result: results.find((x) => x.requirementId === r.id) ?? null,
      evidence: links.find((x) => x.requirementId === r.id)?.n ?? 0,
    }));
    const tally = Object.fromEntries(Object.keys(resultLabel).map((k) => [k, results.filter((x) => x.result === k).length]));
    return {
      app,
      title: v.title,
      holder: holder ? `${holder.nameZh} ${holder.nameEn ?? ""}`.trim() : app.merchantOrgId,
      body: body ? `${body.nameZh} ${body.nameEn}`.trim() : app.cbOrgId,
      rows,
      tally,
      cas,
      team,
      decisions: events.filter((e) => decisionEvents.has(e.event)),
      generatedAt: clock.now(),
    };
  }
  type ReportData = Awaited<ReturnType<typeof data>>;

  function html(r: ReportData): string {
    const a = r.app;
    const plan = a.auditPlan as { mode?: string; documentReviewOn?: string; onsiteOn?: string; notes?: string } | null;
    const reqRows = r.rows
      .map((x) => `<tr><td>${h(x.id)}</td><td>${h(x.title["zh-TW"])}<br><span class="en">${h(x.title.en)}</span></td><td>${h(x.self ? (selfLabel[x.self] ?? x.self) : "—")}</td><td class="r-${h(x.result?.result ?? "none")}">${h(x.result ? (resultLabel[x.result.result] ?? x.result.result) : "未評 Not assessed")}</td><td>${h(x.result?.note ?? "")}</td><td class="num">${x.evidence}</td></tr>`)
      .join("");
    const caRows = r.cas.length
      ? r.cas.map((c) => `<tr><td>${h(c.requirementId)}</td><td>${h(c.grade)}</td><td>${h(c.finding)}</td><td>${h(c.owner)}</td><td>${d(c.dueAt)}</td><td>${h(c.status)}</td><td>${h(c.response)}</td><td>${h(c.verification)}</td></tr>`).join("")
      : `<tr><td colspan="8">無缺失 No findings</td></tr>`;
    const teamRows = r.team.map((m) => `<li>${h(m.name)} — ${m.lead ? "主導稽核員 Lead auditor" : h(m.grade)}</li>`).join("") || "<li>—</li>";
    const decisions = r.decisions.map((e) => `<li>${d(e.at)} ${h(e.event)}: ${h(e.reason)}</li>`).join("") || "<li>尚未決定 No decision yet</li>";
    const tally = Object.entries(r.tally).map(([k, n]) => `<li>${h(resultLabel[k] ?? k)}: ${n}</li>`).join("");
    return `<!doctype html>
<html lang="zh-TW"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>稽核報告 Audit report — ${h(r.holder)}</title><link rel="stylesheet" href="/api/v1/certification/report.css"></head>
<body><main>
<h1>稽核報告 <span class="en">Audit report</span></h1>
<table class="meta"><tbody>
<tr><th>受驗證者 Applicant</th><td>${h(r.holder)}</td></tr>
<tr><th>驗證機構 Certification body</th><td>${h(r.body)}</td></tr>
<tr><th>驗證標準 Scheme</th><td>${h(r.title["zh-TW"])} / ${h(r.title.en)} (${h(a.scheme)} ${h(a.schemeVersion)})</td></tr>
<tr><th>範圍 Scope</th><td>${h(a.scope)}</td></tr>
<tr><th>狀態 Status</th><td>${h(a.status)}${a.markNumber ? ` — ${h(a.markNumber)}` : ""}</td></tr>
<tr><th>稽核計畫 Audit plan</th><td>${plan ? `${h(plan.mode ?? "")}; 文件審查 document review ${h(plan.documentReviewOn ?? "—")}; 實地 on-site ${h(plan.onsiteOn ?? "—")}. ${h(plan.notes ?? "")}` : "—"}</td></tr>
<tr><th>產生時間 Generated</th><td>${h(r.generatedAt.toISOString())}</td></tr>
</tbody></table>
<h2>結果摘要 <span class="en">Summary of results</span></h2><ul>${tally}</ul>
<h2>稽核小組 <span class="en">Audit team</span></h2><ul>${teamRows}</ul>
<h2>逐項結果 <span class="en">Results per requirement</span></h2>
<table><thead><tr><th>條文 Req.</th><th>要求 Requirement</th><th>自評 Self-assessment</th><th>結果 Result</th><th>說明 Note</th><th>證據 Evidence</th></tr></thead><tbody>${reqRows}</tbody></table>
<h2>缺失與矯正措施 <span class="en">Findings and corrective actions</span></h2>
<table><thead><tr><th>條文 Req.</th><th>等級 Grade</th><th>缺失 Finding</th><th>負責人 Owner</th><th>期限 Due</th><th>狀態 Status</th><th>回覆 Response</th><th>查證 Verification</th></tr></thead><tbody>${caRows}</tbody></table>
<h2>決定 <span class="en">Decision</span></h2><ul>${decisions}</ul>
</main></body></html>`;
  }

  async function xlsx(r: ReportData): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    wb.creator = "ectrust";
    const a = r.app;
    const summary = wb.addWorksheet("摘要 summary");
    summary.columns = [{ header: "項目 item", key: "k", width: 32 }, { header: "內容 value", key: "v", width: 80 }];
    for (const [k, v] of [["受驗證者 applicant", r.holder], ["驗證機構 body", r.body], ["驗證標準 scheme", `${a.scheme} ${a.schemeVersion}`], ["範圍 scope", a.scope], ["狀態 status", a.status], ["標章號碼 mark", a.markNumber ?? ""], ["產生時間 generated", r.generatedAt.toISOString()], ...Object.entries(r.tally).map(([k2, n]) => [resultLabel[k2] ?? k2, String(n)])]) {
      summary.addRow({ k, v: safe(v ?? "") });
    }
    const reqs = wb.addWorksheet("逐項結果 requirements");
    reqs.columns = ["id", "domain", "title_zh", "title_en", "self_assessment", "result", "note", "evidence_links"].map((k) => ({ header: k, key: k, width: k.startsWith("title") || k === "note" ? 40 : 16 }));
    for (const x of r.rows) reqs.addRow({ id: x.id, domain: x.domain, title_zh: safe(x.title["zh-TW"]), title_en: safe(x.title.en), self_assessment: x.self ?? "", result: x.result?.result ?? "", note: safe(x.result?.note ?? ""), evidence_links: x.evidence });
    const cas = wb.addWorksheet("矯正措施 corrective actions");
    cas.columns = ["requirement", "grade", "finding", "owner", "due", "status", "response", "verification"].map((k) => ({ header: k, key: k, width: 24 }));
    for (const c of r.cas) cas.addRow({ requirement: c.requirementId, grade: c.grade, finding: safe(c.finding), owner: safe(c.owner), due: d(c.dueAt), status: c.status, response: safe(c.response), verification: safe(c.verification) });
    const team = wb.addWorksheet("稽核小組 team");
    team.columns = ["name", "grade", "lead", "assigned"].map((k) => ({ header: k, key: k, width: 24 }));
    for (const m of r.team) team.addRow({ name: safe(m.name), grade: m.grade, lead: m.lead ? "yes" : "", assigned: d(m.assignedAt) });
    const dec = wb.addWorksheet("決定 decision");
    dec.columns = ["date", "event", "reason"].map((k) => ({ header: k, key: k, width: k === "reason" ? 80 : 16 }));
    for (const e of r.decisions) dec.addRow({ date: d(e.at), event: e.event, reason: safe(e.reason) });
    for (const ws of wb.worksheets) ws.getRow(1).font = { bold: true };
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  return {
    async html(actor: Actor, id: string): Promise<string> {
      return html(await data(actor, id));
    },
    async xlsx(actor: Actor, id: string): Promise<{ body: Buffer; filename: string }> {
      const r = await data(actor, id);
      return { body: await xlsx(r), filename: `audit-report-${r.app.scheme}-${r.app.id.slice(0, 8)}.xlsx` };
    },
  };
}

/** Neutralises spreadsheet formulas in text typed by users. */
const safe = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** The report page's stylesheet, served as a file (style-src 'self'). */
export const REPORT_CSS = `body{font-family:"Noto Sans TC","PingFang TC","Microsoft JhengHei",system-ui,sans-serif;color:#111;margin:0;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px}h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6em;border-bottom:1px solid #999}
.en{color:#444;font-weight:normal}table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}.meta th{width:28%}.num{text-align:right}.r-minor_nc,.r-major_nc{font-weight:bold}.r-major_nc{color:#8b0000}
@media print{main{padding:0}a{color:inherit}h2{break-after:avoid}tr{break-inside:avoid}}`;

export type ReportService = ReturnType<typeof createReportService>;
