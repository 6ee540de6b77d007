import { lazy, Suspense } from 'react';
import { Alert, Layout, Menu, Dropdown, Space, Segmented, Spin, Tag, Typography } from 'antd';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import {
  DatabaseOutlined,
  ApartmentOutlined,
  BookOutlined,
  ControlOutlined,
  OrderedListOutlined,
  ProjectOutlined,
  FileDoneOutlined,
  FolderOpenOutlined,
  AuditOutlined,
  CalendarOutlined,
  HomeOutlined,
  KeyOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
  ShareAltOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { useI18n } from '../i18n.tsx';
import type { Key } from '../messages.ts';
import { useSession } from '../session.tsx';
import { sees, type Page } from '../abilities.ts';

// the bell loads after log-in, in its own chunk (the log-in page does not carry its list and popover)
const NotificationBell = lazy(() => import('./NotificationBell.tsx').then((m) => ({ default: m.NotificationBell })));

const NAV: { page: Page; path: string; icon: React.ReactNode }[] = [
  { page: 'home', path: '/', icon: <HomeOutlined /> },
  { page: 'catalog', path: '/catalog', icon: <BookOutlined /> },
  { page: 'mycatalog', path: '/mycatalog', icon: <FolderOpenOutlined /> },
  { page: 'review', path: '/review', icon: <FileDoneOutlined /> },
  { page: 'lists', path: '/lists', icon: <OrderedListOutlined /> },
  { page: 'plans', path: '/plans', icon: <ProjectOutlined /> },
  { page: 'ingest', path: '/ingest', icon: <DatabaseOutlined /> },
  { page: 'sharing', path: '/sharing', icon: <ShareAltOutlined /> },
  { page: 'quality', path: '/quality', icon: <SafetyCertificateOutlined /> },
  { page: 'catalogSettings', path: '/catalog-settings', icon: <ControlOutlined /> },
  { page: 'orgs', path: '/orgs', icon: <ApartmentOutlined /> },
  { page: 'users', path: '/users', icon: <TeamOutlined /> },
  { page: 'credentials', path: '/credentials', icon: <KeyOutlined /> },
  { page: 'audit', path: '/audit', icon: <AuditOutlined /> },
  { page: 'calendar', path: '/calendar', icon: <CalendarOutlined /> },
  { page: 'policy', path: '/policy', icon: <SettingOutlined /> },
  { page: 'jobs', path: '/jobs', icon: <ScheduleOutlined /> },
];

export function AppLayout() {
  const { t, lang, setLang } = useI18n();
  const { me, logout } = useSession();
  const nav = useNavigate();
  const loc = useLocation();
  if (!me) return null;
  const items = NAV.filter((n) => sees(me, n.page)).map((n) => ({
    key: n.path,
    icon: n.icon,
    label: t(`nav.${n.page}` as Key),
  }));
  // the page you are on: its own menu entry, or for an object page opened from a list (`?from=ingest`) that list's
  const from = NAV.find((n) => n.page === new URLSearchParams(loc.search).get('from'));
  const own =
    loc.pathname === '/'
      ? NAV[0]
      : NAV.find((n) => n.path !== '/' && (loc.pathname === n.path || loc.pathname.startsWith(n.path + '/')));
  const current = from ?? own;
  // an address no page answers marks no menu entry
  const selected = current ? [current.path] : [];
  // every page has a heading: its menu entry's name (the account page, or the not-found page, otherwise)
  const heading = current
    ? t(`nav.${current.page}` as Key)
    : loc.pathname === '/account'
      ? t('nav.account')
      : t('state.noPage');
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {/* English labels are longer: the menu widens so none is cut off */}
      <Layout.Sider width={lang === 'en' ? 300 : 220} breakpoint="lg" collapsedWidth={0} theme="dark">
        <div style={{ color: '#fff', padding: '18px 20px', fontSize: 18, fontWeight: 600 }}>
          公数 <span style={{ fontSize: 12, opacity: 0.7 }}>Gongshu</span>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected}
          items={items}
          onClick={(e) => nav(e.key)}
          data-testid="main-nav"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            padding: '0 24px',
          }}
        >
          <Typography.Text strong>{t('app.title')}</Typography.Text>
          <Space size="large">
            <Suspense fallback={null}>
              <NotificationBell />
            </Suspense>
            <Segmented
              size="small"
              value={lang}
              onChange={(v) => setLang(v as 'zh' | 'en')}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'EN', value: 'en' },
              ]}
              data-testid="lang-switch"
            />
            <Dropdown
              menu={{
                items: [
                  { key: 'account', label: t('nav.account'), onClick: () => nav('/account') },
                  { key: 'logout', label: t('auth.logout'), onClick: () => void logout().then(() => nav('/')) },
                ],
              }}
            >
              <Space style={{ cursor: 'pointer' }} data-testid="user-menu">
                <UserOutlined />
                <span>{me.user.displayName}</span>
                <Tag>{me.org.name}</Tag>
                {me.user.isDemo && <Tag color="orange">{t('common.demo')}</Tag>}
              </Space>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }} data-testid="page-content">
          <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="page-heading">
            {heading}
          </Typography.Title>
          {me.user.isDemo && (
            <Alert
              type="warning"
              showIcon
              banner
              message={t('demo.banner')}
              style={{ marginBottom: 16 }}
              data-testid="demo-banner"
            />
          )}
          {/* a page that fails to load or crashes shows why, and the navigation stays usable */}
          <ErrorBoundary key={loc.pathname}>
            <Suspense fallback={<Spin style={{ display: 'block', margin: '120px auto' }} data-testid="page-loading" />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
