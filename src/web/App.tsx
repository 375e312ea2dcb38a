// Routes and their guards. Pages behind RequireSession need a fully signed-in session; a
// session still at the MFA or enrolment step is sent to that step.
import { Navigate, Outlet, Route, Routes, useLocation } from "react-router";
import { can, stageTarget, useSession, withNext } from "./api/session.ts";
import type { Permission } from "../platform/auth/roles.ts";
import { Layout } from "./components/Layout.tsx";
import { LoadError, Loading } from "./components/States.tsx";
import { AccountPage } from "./pages/Account.tsx";
import { AcceptInvitePage } from "./pages/AcceptInvite.tsx";
import { AuditPage } from "./pages/Audit.tsx";
import { ForbiddenPage, NotFoundPage } from "./pages/NotFound.tsx";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/PasswordReset.tsx";
import { HomePage } from "./pages/Home.tsx";
import { MfaEnrolPage } from "./pages/MfaEnrol.tsx";
import { MfaVerifyPage } from "./pages/MfaVerify.tsx";
import { OrganisationPage, OwnOrganisationRedirect } from "./pages/Organisation.tsx";
import { OrganisationsPage } from "./pages/Organisations.tsx";
import { OutboxPage } from "./pages/Outbox.tsx";
import { RegisterPage } from "./pages/Register.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { VerifyEmailPage } from "./pages/VerifyEmail.tsx";
// registry (issue 3)
import { MyShopPage } from "./pages/registry/MyShop.tsx";
import { RegistrySearchPage } from "./pages/registry/PublicSearch.tsx";
import { RegistryShopPage } from "./pages/registry/PublicShop.tsx";
import { ReviewQueuePage, ReviewShopPage } from "./pages/registry/Review.tsx";
// certification (issue 4)
import { AccreditationsPage } from "./pages/certification/Accreditations.tsx";
import { ApplicationPage } from "./pages/certification/Application.tsx";
import { ApplyPage } from "./pages/certification/Apply.tsx";
import { AuditorRecordPage, AuditorsPage } from "./pages/certification/Auditors.tsx";
import { AlarmsPage, MarkPage, MarksPage } from "./pages/certification/Marks.tsx";
import { PipelinePage } from "./pages/certification/Pipeline.tsx";
import { InventoryPage } from "./pages/certification/Inventory.tsx";
import { EvidenceLibraryPage } from "./pages/certification/EvidenceItems.tsx";
import { ChangeReportsPage } from "./pages/certification/ChangeReports.tsx";
import { ComplaintPage, ComplaintsPage } from "./pages/certification/Complaints.tsx";
import { CertificatePage, ComplaintFormPage, ComplaintStatusPage } from "./pages/certification/Public.tsx";
import { SchemePage, SchemesPage } from "./pages/schemes/Schemes.tsx";
// scanner (issue 6)
import { PrivacyPage } from "./pages/privacy/PrivacyPage.tsx";
import { ScannerDistributionPage } from "./pages/scanner/ScannerDistribution.tsx";
import { ScannerOriginPage } from "./pages/scanner/ScannerOrigin.tsx";
import { ScannerShopPage } from "./pages/scanner/ScannerShop.tsx";
import { SealEmbedPage } from "./pages/seals/SealEmbed.tsx"; // seals (issue 5)

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Loading />;
  if (session.isError) return <LoadError error={session.error} onRetry={() => void session.refetch()} />;
  const s = session.data;
  // The page asked for, kept through sign-in and its MFA or enrolment step.
  const here = location.pathname + location.search;
  if (!s) return <Navigate to={withNext("/sign-in", here)} replace />;
  if (s.stage !== "full") return <Navigate to={stageTarget(s.stage, here)} replace />;
  return <Outlet />;
}

function RequirePermission({ permission }: { permission: Permission }) {
  const session = useSession();
  return can(session.data, permission) ? <Outlet /> : <ForbiddenPage />;
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/login" element={<Navigate to="/sign-in" replace />} />
        <Route path="/sign-in/verify" element={<MfaVerifyPage />} />
        <Route path="/sign-in/enrol" element={<MfaEnrolPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route path="/accept-invite" element={<AcceptInvitePage />} />
        <Route path="/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="/verify-email" element={<VerifyEmailPage />} />
        {/* registry (issue 3): public pages */}
        <Route path="/registry" element={<RegistrySearchPage />} />
        <Route path="/registry/shops/:shopId" element={<RegistryShopPage />} />
        {/* certification (issue 4): public pages */}
        <Route path="/marks/:markNumber" element={<MarkPage />} />
        <Route path="/certificates/:markNumber" element={<CertificatePage />} />
        <Route path="/complaints/new" element={<ComplaintFormPage />} />
        <Route path="/complaints/status" element={<ComplaintStatusPage />} />
        <Route path="/schemes" element={<SchemesPage />} />
        <Route path="/schemes/:scheme" element={<SchemePage />} />
        <Route path="/privacy" element={<PrivacyPage />} />{/* scanner (issue 6): our privacy notice */}
        <Route element={<RequireSession />}>
          <Route index element={<HomePage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="/account/mfa" element={<MfaEnrolPage />} />
          <Route element={<RequirePermission permission="org.read" />}>
            <Route path="/organisation" element={<OwnOrganisationRedirect />} />
            <Route path="/organisations/:orgId" element={<OrganisationPage />} />
          </Route>
          <Route element={<RequirePermission permission="orgs.admin" />}>
            <Route path="/organisations" element={<OrganisationsPage />} />
          </Route>
          <Route element={<RequirePermission permission="audit.read" />}>
            <Route path="/audit" element={<AuditPage />} />
          </Route>
          {/* registry (issue 3) */}
          <Route element={<RequirePermission permission="registry.read" />}>
            <Route path="/registry/my-shop" element={<MyShopPage />} />
            <Route path="/seals" element={<SealEmbedPage />} />{/* seals (issue 5) */}
          </Route>
          <Route element={<RequirePermission permission="registry.review" />}>
            <Route path="/registry/review" element={<ReviewQueuePage />} />
            <Route path="/registry/review/:shopId" element={<ReviewShopPage />} />
          </Route>
          {/* scanner (issue 6) */}
          <Route element={<RequirePermission permission="scanner.read" />}>
            <Route path="/scanner" element={<ScannerShopPage />} />
            <Route path="/scanner/origins/:originId" element={<ScannerOriginPage />} />
          </Route>
          <Route element={<RequirePermission permission="scanner.admin" />}>
            <Route path="/scanner/grades" element={<ScannerDistributionPage />} />
          </Route>
          {/* certification (issue 4) */}
          <Route element={<RequirePermission permission="cert.read" />}>
            <Route path="/certification" element={<PipelinePage />} />
            <Route path="/certification/applications/:id" element={<ApplicationPage />} />
            <Route path="/certification/applications/:id/inventory" element={<InventoryPage />} />
            <Route path="/certification/complaints" element={<ComplaintsPage />} />
            <Route path="/certification/complaints/:id" element={<ComplaintPage />} />
            <Route path="/certification/change-reports" element={<ChangeReportsPage />} />
            <Route path="/certification/alarms" element={<AlarmsPage />} />
            <Route path="/certification/marks" element={<MarksPage />} />
            <Route path="/certification/auditors" element={<AuditorsPage />} />
            <Route path="/certification/auditors/:id" element={<AuditorRecordPage />} />
            <Route path="/certification/accreditations" element={<AccreditationsPage />} />
          </Route>
          <Route element={<RequirePermission permission="cert.apply" />}>
            <Route path="/certification/apply" element={<ApplyPage />} />
            <Route path="/certification/evidence" element={<EvidenceLibraryPage />} />
          </Route>
          <Route element={<RequirePermission permission="outbox.read" />}>
            <Route path="/outbox" element={<OutboxPage />} />
          </Route>
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
