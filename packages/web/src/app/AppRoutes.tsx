import { Route, Routes } from 'react-router-dom';
import { Spin } from 'antd';
import { useSession } from '../session.tsx';
import { sees, type Page } from '../abilities.ts';
import { AppLayout } from './AppLayout.tsx';
import { LoginPage } from '../domains/auth/LoginPage.tsx';
import { CodesProvider } from '../domains/catalog/codes.tsx';
import { lazy, Suspense, type ReactElement } from 'react';
import { ForbiddenPage, NotFoundPage } from '../states.tsx';

// Each page is its own chunk, loaded when first opened: the log-in page does not carry the whole console.
const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));
const AccountPage = page(() => import('../domains/auth/AccountPage.tsx'), 'AccountPage');
const ForcedPasswordChange = page(() => import('../domains/auth/AccountPage.tsx'), 'ForcedPasswordChange');
const OrgsPage = page(() => import('../domains/auth/OrgsPage.tsx'), 'OrgsPage');
const UsersPage = page(() => import('../domains/auth/UsersPage.tsx'), 'UsersPage');
const CredentialsPage = page(() => import('../domains/auth/CredentialsPage.tsx'), 'CredentialsPage');
const AuditPage = page(() => import('../domains/audit/AuditPage.tsx'), 'AuditPage');
const CalendarPage = page(() => import('../domains/calendar/CalendarPage.tsx'), 'CalendarPage');
const PolicyPage = page(() => import('../domains/calendar/PolicyPage.tsx'), 'PolicyPage');
const HomePage = page(() => import('../domains/home/HomePage.tsx'), 'HomePage');
const CatalogPage = page(() => import('../domains/catalog/CatalogPage.tsx'), 'CatalogPage');
const MyCatalogPage = page(() => import('../domains/catalog/MyCatalogPage.tsx'), 'MyCatalogPage');
const ResourceEditor = page(() => import('../domains/catalog/ResourceEditor.tsx'), 'ResourceEditor');
const ResourcePage = page(() => import('../domains/catalog/ResourcePage.tsx'), 'ResourcePage');
const ReviewPage = page(() => import('../domains/catalog/ReviewPage.tsx'), 'ReviewPage');
const ListsPage = page(() => import('../domains/catalog/ListsPage.tsx'), 'ListsPage');
const PlansPage = page(() => import('../domains/catalog/PlansPage.tsx'), 'PlansPage');
const CatalogSettingsPage = page(() => import('../domains/catalog/SettingsPage.tsx'), 'CatalogSettingsPage');
const IngestPage = page(() => import('../domains/ingest/IngestPage.tsx'), 'IngestPage');
const SharingPage = page(() => import('../domains/sharing/SharingPage.tsx'), 'SharingPage');
const ApplyPage = page(() => import('../domains/sharing/ApplyPage.tsx'), 'ApplyPage');
const CasePage = page(() => import('../domains/sharing/CasePage.tsx'), 'CasePage');
const GrantPage = page(() => import('../domains/sharing/GrantPage.tsx'), 'GrantPage');
const QualityPage = page(() => import('../domains/quality/QualityPage.tsx'), 'QualityPage');
const TicketPage = page(() => import('../domains/quality/TicketPage.tsx'), 'TicketPage');
const RulePage = page(() => import('../domains/quality/RulePage.tsx'), 'RulePage');
const ResourceQualityPage = page(() => import('../domains/quality/ResourceQualityPage.tsx'), 'ResourceQualityPage');
const JobsPage = page(() => import('../domains/platform/JobsPage.tsx'), 'JobsPage');

export function AppRoutes() {
  const { me, loading } = useSession();
  if (loading) return <Spin fullscreen />;
  if (!me || me.mfaState !== 'complete') return <LoginPage />;
  if (me.user.mustChangePassword)
    return (
      <Suspense fallback={<Spin fullscreen />}>
        <ForcedPasswordChange />
      </Suspense>
    );
  // a page the user's roles do not open says so (the server refuses its data too); it never lands silently elsewhere
  const guard = (page: Page, el: ReactElement) => (sees(me, page) ? el : <ForbiddenPage />);
  return (
    <CodesProvider>
      <Routes>
        <Route element={<AppLayout />}>
          <Route index element={<HomePage />} />
          <Route path="catalog" element={<CatalogPage />} />
          <Route path="catalog/new" element={<ResourceEditor />} />
          <Route path="catalog/:id" element={<ResourcePage />} />
          <Route path="catalog/:id/edit" element={<ResourceEditor />} />
          <Route path="mycatalog" element={<MyCatalogPage />} />
          <Route path="review" element={guard('review', <ReviewPage />)} />
          <Route path="lists" element={<ListsPage />} />
          <Route path="plans" element={<PlansPage />} />
          <Route path="ingest" element={guard('ingest', <IngestPage />)} />
          <Route path="sharing" element={guard('sharing', <SharingPage />)} />
          <Route path="sharing/apply" element={guard('sharing', <ApplyPage />)} />
          <Route path="sharing/applications/:id" element={guard('sharing', <CasePage />)} />
          <Route path="sharing/grants/:id" element={guard('sharing', <GrantPage />)} />
          <Route path="quality" element={guard('quality', <QualityPage />)} />
          <Route path="quality/tickets/:id" element={guard('quality', <TicketPage />)} />
          <Route path="quality/rules/:id" element={guard('quality', <RulePage />)} />
          <Route path="quality/resources/:id" element={guard('quality', <ResourceQualityPage />)} />
          <Route path="catalog-settings" element={guard('catalogSettings', <CatalogSettingsPage />)} />
          <Route path="orgs" element={guard('orgs', <OrgsPage />)} />
          <Route path="users" element={guard('users', <UsersPage />)} />
          <Route path="credentials" element={guard('credentials', <CredentialsPage />)} />
          <Route path="audit" element={guard('audit', <AuditPage />)} />
          <Route path="calendar" element={guard('calendar', <CalendarPage />)} />
          <Route path="policy" element={guard('policy', <PolicyPage />)} />
          <Route path="jobs" element={guard('jobs', <JobsPage />)} />
          <Route path="account" element={<AccountPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </CodesProvider>
  );
}
