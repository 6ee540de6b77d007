import { Navigate, Route, Routes } from 'react-router-dom';
import { Spin } from 'antd';
import { useSession } from '../session.tsx';
import { canSee, type Page } from '../permissions.ts';
import { AppLayout } from './AppLayout.tsx';
import { LoginPage } from '../domains/auth/LoginPage.tsx';
import { AccountPage, ForcedPasswordChange } from '../domains/auth/AccountPage.tsx';
import { OrgsPage } from '../domains/auth/OrgsPage.tsx';
import { UsersPage } from '../domains/auth/UsersPage.tsx';
import { CredentialsPage } from '../domains/auth/CredentialsPage.tsx';
import { AuditPage } from '../domains/audit/AuditPage.tsx';
import { CalendarPage } from '../domains/calendar/CalendarPage.tsx';
import { PolicyPage } from '../domains/calendar/PolicyPage.tsx';
import { HomePage } from '../domains/home/HomePage.tsx';
import { CatalogPage } from '../domains/catalog/CatalogPage.tsx';
import { MyCatalogPage } from '../domains/catalog/MyCatalogPage.tsx';
import { ResourceEditor } from '../domains/catalog/ResourceEditor.tsx';
import { ResourcePage } from '../domains/catalog/ResourcePage.tsx';
import { ReviewPage } from '../domains/catalog/ReviewPage.tsx';
import { CodesProvider } from '../domains/catalog/codes.tsx';
import { ListsPage } from '../domains/catalog/ListsPage.tsx';
import { PlansPage } from '../domains/catalog/PlansPage.tsx';
import { CatalogSettingsPage } from '../domains/catalog/SettingsPage.tsx';
import { IngestPage } from '../domains/ingest/IngestPage.tsx';
import type { ReactElement } from 'react';

export function AppRoutes() {
  const { me, loading } = useSession();
  if (loading) return <Spin fullscreen />;
  if (!me || me.mfaState !== 'complete') return <LoginPage />;
  if (me.user.mustChangePassword) return <ForcedPasswordChange />;
  const guard = (page: Page, el: ReactElement) => (canSee(me.user.roles, page) ? el : <Navigate to="/" replace />);
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
        <Route path="catalog-settings" element={guard('catalogSettings', <CatalogSettingsPage />)} />
        <Route path="orgs" element={guard('orgs', <OrgsPage />)} />
        <Route path="users" element={guard('users', <UsersPage />)} />
        <Route path="credentials" element={guard('credentials', <CredentialsPage />)} />
        <Route path="audit" element={guard('audit', <AuditPage />)} />
        <Route path="calendar" element={guard('calendar', <CalendarPage />)} />
        <Route path="policy" element={guard('policy', <PolicyPage />)} />
        <Route path="account" element={<AccountPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
    </CodesProvider>
  );
}
