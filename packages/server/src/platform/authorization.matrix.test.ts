// Roles × routes: who may call each route, and no unit-scoped actor reaches another unit's objects.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachDb, type Client, type TestEnv } from '../testing/test-env.ts';
import { ROLES, type Role } from './context.ts';
import { resourceBody } from '../testing/catalog-fixtures.ts';

type Actor = Role | 'system' | 'anonymous';
const ACTORS: Actor[] = [...ROLES, 'system', 'anonymous'];
const ALL_USERS: Actor[] = [...ROLES];
const AUTHENTICATED: Actor[] = [...ROLES, 'system'];

interface Target {
  orgA: string;
  userA: string;
  credA: string;
  resA: string; // a draft of unit A
  resApproved: string; // an approved resource of unit A
  sysA: string;
  demandA: string;
  planA: string;
  batchA: string;
  pullA: string;
  appB: string; // unit B's application for A's resource, waiting for the Center's review
  attachmentB: string;
  grantB: string; // a grant to unit B of A's resource, B's system bound
  credB: string;
  ruleA: string; // a rule of unit A on its published resource
  ticketB: string; // unit B's report on A's resource, waiting for the Center's triage
}
interface Case {
  method: string;
  route: string;
  url: (t: Target) => string;
  body?: (t: Target) => unknown;
  headers?: Record<string, string>;
  allow: Actor[];
  /** for list routes a unit-scoped actor may call: the reply must not contain the other unit's objects */
  scopedList?: (json: unknown, t: Target) => boolean;
}

const uniq = () => randomBytes(3).toString('hex');
const CENTER: Actor[] = ['center_admin', 'center_reviewer', 'supervisor'];
const noOrgA = (json: unknown, t: Target) => !JSON.stringify(json).includes(t.orgA);
const SHARE_READERS: Actor[] = [
  'center_admin',
  'center_reviewer',
  'supervisor',
  'unit_admin',
  'unit_security_officer',
  'unit_user',
];
/** unit B's cases and grants: the Center and unit B's users that read sharing */
const SHARE_PARTY_B: Actor[] = SHARE_READERS;
const inMonths = (m: number) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() + m);
  return d.toISOString().slice(0, 10);
};
const shareApplication = (resource: string) => ({
  resource,
  purpose: '房屋安全巡查',
  businessProcess: '网格员按名单巡查',
  scenario: '老旧房屋安全管理',
  legalBasis: '《城市危险房屋管理规定》第六条',
  methods: ['api'],
  validUntil: inMonths(6),
  commitmentVersion: 1,
});

const CASES: Case[] = [
  { method: 'GET', route: '/api/orgs', url: () => '/api/orgs', allow: ALL_USERS },
  { method: 'GET', route: '/api/orgs/:id', url: (t) => `/api/orgs/${t.orgA}`, allow: ALL_USERS },
  {
    method: 'POST',
    route: '/api/orgs',
    url: () => '/api/orgs',
    body: () => ({ code: `m${uniq()}`, name: `矩阵单位${uniq()}`, kind: 'bureau' }),
    allow: ['center_admin'],
  },
  {
    method: 'PATCH',
    route: '/api/orgs/:id',
    url: (t) => `/api/orgs/${t.orgA}`,
    body: () => ({ contactName: '联系人' }),
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/users',
    url: () => '/api/users',
    allow: ['center_admin', 'supervisor', 'unit_admin'],
    scopedList: noOrgA,
  },
  {
    method: 'GET',
    route: '/api/users/:id',
    url: (t) => `/api/users/${t.userA}`,
    allow: ['center_admin', 'supervisor'],
  },
  {
    method: 'POST',
    route: '/api/users',
    url: () => '/api/users',
    body: (t) => ({
      orgId: t.orgA,
      username: `mx${uniq()}`,
      displayName: '矩阵',
      password: 'Matrix#2026x',
      roles: ['unit_user'],
    }),
    allow: ['center_admin'],
  },
  {
    method: 'PATCH',
    route: '/api/users/:id',
    url: (t) => `/api/users/${t.userA}`,
    body: () => ({ displayName: `改名${uniq()}` }),
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/users/:id/password',
    url: (t) => `/api/users/${t.userA}/password`,
    body: () => ({ password: 'Matrix#2026y' }),
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/users/:id/totp-reset',
    url: (t) => `/api/users/${t.userA}/totp-reset`,
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/credentials',
    url: () => '/api/credentials',
    allow: ['center_admin', 'supervisor', 'unit_admin'],
    scopedList: noOrgA,
  },
  {
    method: 'POST',
    route: '/api/credentials',
    url: () => '/api/credentials',
    body: (t) => ({ orgId: t.orgA, systemName: '矩阵系统' }),
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/credentials/:id/revoke',
    url: (t) => `/api/credentials/${t.credA}/revoke`,
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/audit',
    url: (t) => `/api/audit?orgId=${t.orgA}`,
    allow: ['center_admin', 'supervisor'],
  },
  {
    method: 'GET',
    route: '/api/audit/export.csv',
    url: (t) => `/api/audit/export.csv?orgId=${t.orgA}`,
    allow: ['center_admin', 'supervisor'],
  },
  {
    method: 'GET',
    route: '/api/audit/vocabulary',
    url: () => '/api/audit/vocabulary',
    allow: ['center_admin', 'supervisor', 'unit_admin', 'unit_security_officer', 'cac_officer'],
  },
  { method: 'POST', route: '/api/audit/verify', url: () => '/api/audit/verify', allow: ['center_admin', 'supervisor'] },
  { method: 'GET', route: '/api/jobs', url: () => '/api/jobs', allow: ['center_admin'] },
  {
    method: 'GET',
    route: '/api/calendar/working-days',
    url: () => '/api/calendar/working-days?from=2026-09-28&add=10',
    allow: AUTHENTICATED,
  },
  {
    method: 'GET',
    route: '/api/calendar/between',
    url: () => '/api/calendar/between?from=2026-09-28&to=2026-10-16',
    allow: AUTHENTICATED,
  },
  { method: 'GET', route: '/api/calendar/due', url: () => '/api/calendar/due?due=2026-10-16', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/calendar/years/:year', url: () => '/api/calendar/years/2026', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/calendar/overrides', url: () => '/api/calendar/overrides', allow: AUTHENTICATED },
  {
    method: 'PUT',
    route: '/api/calendar/overrides/:date',
    url: () => '/api/calendar/overrides/2030-01-02',
    body: () => ({ kind: 'restday', note: '矩阵' }),
    allow: ['center_admin'],
  },
  {
    method: 'DELETE',
    route: '/api/calendar/overrides/:date',
    url: () => '/api/calendar/overrides/2030-01-02',
    allow: ['center_admin'],
  },
  { method: 'GET', route: '/api/policy', url: () => '/api/policy', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/policy/versions', url: () => '/api/policy/versions', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/policy/versions/:version', url: () => '/api/policy/versions/1', allow: AUTHENTICATED },
  {
    method: 'POST',
    route: '/api/policy',
    url: () => '/api/policy',
    body: () => ({ params: { ticket_fix_days: 5 + Math.floor(Math.random() * 50) + 1 }, note: '矩阵测试' }),
    allow: ['center_admin'],
  },
  { method: 'GET', route: '/api/whoami', url: () => '/api/whoami', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/catalog/resources', url: () => '/api/catalog/resources?q=维修', allow: AUTHENTICATED },
  {
    method: 'GET',
    route: '/api/catalog/mine',
    url: () => '/api/catalog/mine',
    allow: ALL_USERS,
    scopedList: (j, t) => !JSON.stringify(j).includes(t.resA),
  },
  {
    method: 'POST',
    route: '/api/catalog/resources',
    url: () => '/api/catalog/resources',
    body: () => resourceBody({ name: `矩阵资源${uniq()}` }),
    allow: ['unit_admin', 'center_admin'],
  },
  { method: 'GET', route: '/api/catalog/resources/:id', url: (t) => `/api/catalog/resources/${t.resA}`, allow: CENTER },
  {
    method: 'GET',
    route: '/api/catalog/resources/:id',
    url: (t) => `/api/catalog/resources/${t.resApproved}`,
    allow: AUTHENTICATED,
  },
  {
    method: 'PUT',
    route: '/api/catalog/resources/:id/draft',
    url: (t) => `/api/catalog/resources/${t.resA}/draft`,
    body: () => resourceBody(),
    allow: [],
  },
  {
    method: 'POST',
    route: '/api/catalog/resources/:id/submit',
    url: (t) => `/api/catalog/resources/${t.resA}/submit`,
    allow: [],
  },
  {
    method: 'POST',
    route: '/api/catalog/resources/:id/review',
    url: (t) => `/api/catalog/resources/${t.resA}/review`,
    body: () => ({ decision: 'approve' }),
    allow: ['center_reviewer', 'center_admin'],
  },
  {
    method: 'POST',
    route: '/api/catalog/resources/:id/change',
    url: (t) => `/api/catalog/resources/${t.resApproved}/change`,
    body: () => ({ changeDate: '2026-10-09', reason: '职能调整' }),
    allow: [],
  },
  {
    method: 'POST',
    route: '/api/catalog/resources/:id/withdraw',
    url: (t) => `/api/catalog/resources/${t.resA}/withdraw`,
    allow: [],
  },
  {
    method: 'GET',
    route: '/api/catalog/resources/:id/versions',
    url: (t) => `/api/catalog/resources/${t.resApproved}/versions`,
    allow: AUTHENTICATED,
  },
  {
    method: 'GET',
    route: '/api/catalog/resources/:id/versions/:version',
    url: (t) => `/api/catalog/resources/${t.resApproved}/versions/1`,
    allow: AUTHENTICATED,
  },
  {
    method: 'GET',
    route: '/api/catalog/resources/:id/versions/:version',
    url: (t) => `/api/catalog/resources/${t.resA}/versions/1`,
    allow: CENTER,
  },
  {
    method: 'GET',
    route: '/api/catalog/resources/:id/diff',
    url: (t) => `/api/catalog/resources/${t.resApproved}/diff?from=1&to=1`,
    allow: AUTHENTICATED,
  },
  {
    method: 'GET',
    route: '/api/catalog/resources/:id/timeline',
    url: (t) => `/api/catalog/resources/${t.resA}/timeline`,
    allow: CENTER,
  },
  {
    method: 'GET',
    route: '/api/catalog/review-queue',
    url: () => '/api/catalog/review-queue',
    allow: ['center_reviewer', 'center_admin'],
  },
  { method: 'GET', route: '/api/catalog/overdue', url: () => '/api/catalog/overdue', allow: CENTER },
  { method: 'GET', route: '/api/catalog/export.xlsx', url: () => '/api/catalog/export.xlsx', allow: AUTHENTICATED },
  {
    method: 'GET',
    route: '/api/catalog/export.xlsx',
    url: (t) => `/api/catalog/export.xlsx?scope=unit&orgId=${t.orgA}`,
    allow: CENTER,
  },
  {
    method: 'GET',
    route: '/api/catalog/export.json',
    url: () => '/api/catalog/export.json?scope=district',
    allow: AUTHENTICATED,
  },
  {
    method: 'GET',
    route: '/api/catalog/export.json',
    url: (t) => `/api/catalog/export.json?scope=unit&orgId=${t.orgA}`,
    allow: CENTER,
  },
  {
    method: 'POST',
    route: '/api/catalog/import',
    url: () => '/api/catalog/import',
    body: () => ({}),
    allow: ['unit_admin', 'center_admin'],
  },
  {
    method: 'GET',
    route: '/api/catalog/lists/responsibility',
    url: () => '/api/catalog/lists/responsibility',
    allow: ALL_USERS,
  },
  {
    method: 'GET',
    route: '/api/catalog/lists/responsibility.xlsx',
    url: () => '/api/catalog/lists/responsibility.xlsx',
    allow: ALL_USERS,
  },
  { method: 'GET', route: '/api/catalog/lists/non-share', url: () => '/api/catalog/lists/non-share', allow: ALL_USERS },
  {
    method: 'GET',
    route: '/api/catalog/lists/non-share.xlsx',
    url: () => '/api/catalog/lists/non-share.xlsx',
    allow: ALL_USERS,
  },
  { method: 'GET', route: '/api/demands', url: () => '/api/demands', allow: ALL_USERS, scopedList: noOrgA },
  { method: 'GET', route: '/api/demands.xlsx', url: () => '/api/demands.xlsx', allow: ALL_USERS },
  {
    method: 'POST',
    route: '/api/demands',
    url: () => '/api/demands',
    body: () => ({
      title: '需要户籍数据',
      dataNeeded: '姓名、身份证号',
      purpose: '低保审核',
      legalBasis: '《社会救助暂行办法》',
    }),
    allow: ['unit_admin', 'center_admin'],
  },
  {
    method: 'POST',
    route: '/api/demands/:id/review',
    url: (t) => `/api/demands/${t.demandA}/review`,
    body: () => ({ outcome: 'rejected', comment: '已有共享接口' }),
    allow: ['center_reviewer', 'center_admin'],
  },
  { method: 'GET', route: '/api/topic-projects', url: () => '/api/topic-projects', allow: ALL_USERS },
  { method: 'GET', route: '/api/system-plans', url: () => '/api/system-plans', allow: ALL_USERS, scopedList: noOrgA },
  {
    method: 'POST',
    route: '/api/system-plans',
    url: () => '/api/system-plans',
    body: () => ({ name: `新系统${uniq()}`, purpose: '业务办理', collects: ['姓名'] }),
    allow: ['unit_admin', 'center_admin'],
  },
  {
    method: 'PUT',
    route: '/api/system-plans/:id',
    url: (t) => `/api/system-plans/${t.planA}`,
    body: () => ({ name: '改', purpose: '改', collects: [] }),
    allow: [],
  },
  {
    method: 'POST',
    route: '/api/system-plans/:id/review',
    url: (t) => `/api/system-plans/${t.planA}/review`,
    body: () => ({ decision: 'approve' }),
    allow: ['center_reviewer', 'center_admin'],
  },
  {
    method: 'GET',
    route: '/api/system-plans/:id/similar',
    url: (t) => `/api/system-plans/${t.planA}/similar`,
    allow: CENTER,
  },
  {
    method: 'GET',
    route: '/api/masking/resources/:id/profiles',
    url: (t) => `/api/masking/resources/${t.resApproved}/profiles`,
    allow: CENTER,
  },
  {
    method: 'POST',
    route: '/api/masking/resources/:id/profiles',
    url: (t) => `/api/masking/resources/${t.resApproved}/profiles`,
    body: () => ({ name: `方案${uniq()}`, purpose: 'grant', rules: { owner_id_no: { rule: 'suppress' } } }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/masking/profiles/:id/approve',
    url: () => '/api/masking/profiles/00000000-0000-4000-8000-000000000000/approve',
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/masking/preview',
    url: () => '/api/masking/preview',
    body: (t) => ({ resourceId: t.resApproved, rows: [{ owner_name: '王伟' }] }),
    allow: CENTER,
  },
  {
    method: 'POST',
    route: '/api/masking/scan',
    url: () => '/api/masking/scan',
    body: () => ({ columns: [{ name: '姓名', values: ['王伟'] }] }),
    allow: ALL_USERS,
  },
  {
    method: 'POST',
    route: '/api/masking/suggest',
    url: () => '/api/masking/suggest',
    body: () => ({ names: ['姓名'] }),
    allow: ALL_USERS,
  },
  {
    method: 'POST',
    route: '/api/masking/detokenize',
    url: () => '/api/masking/detokenize',
    body: () => ({ scope: 's', token: 'tk1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
    allow: ['center_admin'],
  },
  { method: 'GET', route: '/api/catalog/code-tables', url: () => '/api/catalog/code-tables', allow: AUTHENTICATED },
  {
    method: 'PUT',
    route: '/api/catalog/code-tables/:table/:code',
    url: () => '/api/catalog/code-tables/pii_kind/social_card',
    body: () => ({ zh: '社保卡号', en: 'Social security card' }),
    allow: ['center_admin'],
  },
  { method: 'GET', route: '/api/catalog/settings', url: () => '/api/catalog/settings', allow: AUTHENTICATED },
  {
    method: 'PUT',
    route: '/api/catalog/settings',
    url: () => '/api/catalog/settings',
    body: () => ({ itemLength: 2, subItemLength: 3, sequenceLength: 6 }),
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/catalog/systems',
    url: () => '/api/catalog/systems',
    allow: ALL_USERS,
    scopedList: noOrgA,
  },
  {
    method: 'POST',
    route: '/api/catalog/systems',
    url: () => '/api/catalog/systems',
    body: (t) => ({ orgId: t.orgA, name: `系统${uniq()}` }),
    allow: ['center_admin'],
  },
  {
    method: 'PATCH',
    route: '/api/catalog/systems/:id',
    url: (t) => `/api/catalog/systems/${t.sysA}`,
    body: () => ({ description: `说明${uniq()}` }),
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/ingest/resources',
    url: () => '/api/ingest/resources',
    allow: ALL_USERS,
    scopedList: noOrgA,
  },
  { method: 'GET', route: '/api/ingest/overdue-by-unit', url: () => '/api/ingest/overdue-by-unit', allow: CENTER },
  {
    method: 'GET',
    route: '/api/ingest/resources/:ref',
    url: (t) => `/api/ingest/resources/${t.resApproved}`,
    allow: CENTER,
  },
  {
    method: 'POST',
    route: '/api/ingest/resources/:ref/rows',
    url: (t) => `/api/ingest/resources/${t.resApproved}/rows`,
    body: () => [{ repair_no: `M${uniq()}`, owner_name: '王伟' }],
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/ingest/resources/:ref/upload',
    url: (t) => `/api/ingest/resources/${t.resApproved}/upload`,
    body: () => `repair_no,owner_name\nU${uniq()},李娜\n`,
    headers: { 'content-type': 'text/csv' },
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/ingest/resources/:ref/batches',
    url: (t) => `/api/ingest/resources/${t.resApproved}/batches`,
    allow: CENTER,
  },
  { method: 'GET', route: '/api/ingest/batches/:id', url: (t) => `/api/ingest/batches/${t.batchA}`, allow: CENTER },
  {
    method: 'GET',
    route: '/api/ingest/batches/:id/rejected.csv',
    url: (t) => `/api/ingest/batches/${t.batchA}/rejected.csv`,
    allow: [],
  }, // the owner unit's alone (unmasked values)
  {
    method: 'GET',
    route: '/api/ingest/resources/:ref/rows',
    url: (t) => `/api/ingest/resources/${t.resApproved}/rows`,
    allow: CENTER,
  },
  {
    method: 'GET',
    route: '/api/ingest/resources/:ref/pull-sources',
    url: (t) => `/api/ingest/resources/${t.resApproved}/pull-sources`,
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/ingest/resources/:ref/pull-sources',
    url: (t) => `/api/ingest/resources/${t.resApproved}/pull-sources`,
    body: () => ({ name: `源${uniq()}`, kind: 'http', settings: { url: 'http://127.0.0.1:9/x' } }),
    allow: ['center_admin'],
  },
  {
    method: 'PATCH',
    route: '/api/ingest/pull-sources/:id',
    url: (t) => `/api/ingest/pull-sources/${t.pullA}`,
    body: () => ({ intervalMinutes: 120 }),
    allow: ['center_admin'],
  },
  {
    method: 'POST',
    route: '/api/ingest/pull-sources/:id/run',
    url: (t) => `/api/ingest/pull-sources/${t.pullA}/run`,
    allow: ['center_admin'],
  },
  {
    method: 'GET',
    route: '/api/ingest/resources/:ref/masking-preview',
    url: (t) => `/api/ingest/resources/${t.resApproved}/masking-preview`,
    allow: CENTER,
  },
  {
    method: 'POST',
    route: '/api/ingest/conflicts/check',
    url: () => '/api/ingest/conflicts/check',
    allow: ['center_admin', 'center_reviewer'],
  },
  { method: 'GET', route: '/api/ingest/conflicts', url: () => '/api/ingest/conflicts', allow: ALL_USERS },
  // sharing: unit B (the matrix's unit roles) applies for unit A's resource; the Center and B are its parties
  {
    method: 'GET',
    route: '/api/sharing/draft',
    url: (t) => `/api/sharing/draft?resource=${t.resApproved}`,
    allow: ['unit_admin', 'unit_user'],
  },
  {
    method: 'POST',
    route: '/api/sharing/applications',
    url: () => '/api/sharing/applications',
    body: (t) => shareApplication(t.resApproved),
    allow: ['unit_admin', 'unit_user'],
  },
  { method: 'GET', route: '/api/sharing/applications', url: () => '/api/sharing/applications', allow: SHARE_READERS },
  { method: 'GET', route: '/api/sharing/inbox', url: () => '/api/sharing/inbox', allow: SHARE_READERS },
  {
    method: 'GET',
    route: '/api/sharing/applications/:id',
    url: (t) => `/api/sharing/applications/${t.appB}`,
    allow: SHARE_PARTY_B,
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/confirm',
    url: (t) => `/api/sharing/applications/${t.appB}/confirm`,
    body: () => ({}),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/review',
    url: (t) => `/api/sharing/applications/${t.appB}/review`,
    body: () => ({ decision: 'deny' }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/resubmit',
    url: (t) => `/api/sharing/applications/${t.appB}/resubmit`,
    body: (t) => {
      const { resource: _r, ...rest } = shareApplication(t.resApproved);
      return rest;
    },
    allow: ['unit_admin', 'unit_user'],
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/answer',
    url: (t) => `/api/sharing/applications/${t.appB}/answer`,
    body: () => ({ decision: 'consent' }),
    allow: [], // only the owner unit (A) answers
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/profile',
    url: (t) => `/api/sharing/applications/${t.appB}/profile`,
    body: () => ({ decision: 'return' }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/refusal',
    url: (t) => `/api/sharing/applications/${t.appB}/refusal`,
    body: () => ({ decision: 'uphold' }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/attachments',
    url: (t) => `/api/sharing/applications/${t.appB}/attachments?fileName=letter.pdf`,
    body: () => Buffer.from('%PDF-1.4\n%%EOF\n'),
    headers: { 'content-type': 'application/pdf' },
    allow: ['unit_admin', 'unit_user'],
  },
  {
    method: 'GET',
    route: '/api/sharing/applications/:id/attachments/:attachmentId',
    url: (t) => `/api/sharing/applications/${t.appB}/attachments/${t.attachmentB}`,
    allow: SHARE_PARTY_B,
  },
  {
    method: 'POST',
    route: '/api/sharing/applications/:id/withdraw',
    url: (t) => `/api/sharing/applications/${t.appB}/withdraw`,
    body: () => ({}),
    allow: ['unit_admin', 'unit_user'],
  },
  { method: 'GET', route: '/api/notifications', url: () => '/api/notifications', allow: ALL_USERS },
  {
    method: 'POST',
    route: '/api/notifications/read',
    url: () => '/api/notifications/read',
    body: () => ({}),
    allow: ALL_USERS,
  },
  { method: 'GET', route: '/api/sharing/usage', url: () => '/api/sharing/usage', allow: SHARE_READERS },
  { method: 'GET', route: '/api/sharing/grants', url: () => '/api/sharing/grants', allow: SHARE_READERS },
  {
    method: 'GET',
    route: '/api/sharing/grants/:id',
    url: (t) => `/api/sharing/grants/${t.grantB}`,
    allow: SHARE_PARTY_B,
  },
  {
    method: 'POST',
    route: '/api/sharing/grants/:id/state',
    url: (t) => `/api/sharing/grants/${t.grantB}/state`,
    body: () => ({ action: 'suspend' }),
    allow: ['center_admin', 'center_reviewer'], // and the owner unit's admin (A)
  },
  {
    method: 'PATCH',
    route: '/api/sharing/grants/:id',
    url: (t) => `/api/sharing/grants/${t.grantB}`,
    body: () => ({ ratePerMinute: 600 }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'PUT',
    route: '/api/sharing/grants/:id/credentials',
    url: (t) => `/api/sharing/grants/${t.grantB}/credentials`,
    body: (t) => ({ credentialIds: [t.credB] }),
    allow: ['unit_admin'], // the consumer unit's admin
  },
  {
    method: 'GET',
    route: '/api/share/grants/:id/openapi.json',
    url: (t) => `/api/share/grants/${t.grantB}/openapi.json`,
    allow: [...SHARE_PARTY_B, 'system'], // unit B's users and its bound system, the Center
  },
  {
    method: 'GET',
    route: '/api/sharing/grants/:id/preview',
    url: (t) => `/api/sharing/grants/${t.grantB}/preview`,
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'GET',
    route: '/api/share/grants/:id/rows',
    url: (t) => `/api/share/grants/${t.grantB}/rows?limit=1`,
    allow: ['system'],
  },
  {
    method: 'GET',
    route: '/api/share/grants/:id/lookup',
    url: (t) => `/api/share/grants/${t.grantB}/lookup?repair_no=R1`,
    allow: ['system'],
  },
  {
    method: 'POST',
    route: '/api/share/grants/:id/verify',
    url: (t) => `/api/share/grants/${t.grantB}/verify`,
    body: () => ({ values: { repair_no: 'R1', owner_name: '王伟' } }),
    allow: ['system'],
  },
  {
    method: 'GET',
    route: '/api/sharing/grants/:id/db-sync',
    url: (t) => `/api/sharing/grants/${t.grantB}/db-sync`,
    allow: SHARE_PARTY_B,
  },
  {
    method: 'PUT',
    route: '/api/sharing/grants/:id/db-sync',
    url: (t) => `/api/sharing/grants/${t.grantB}/db-sync`,
    body: () => ({
      kind: 'postgres',
      host: '127.0.0.1',
      database: 'x',
      user: 'x',
      table: 't',
      intervalMinutes: 60,
    }),
    allow: ['unit_admin'], // the consumer unit's admin (B); the grant has no db_sync method: 409
  },
  {
    method: 'POST',
    route: '/api/sharing/grants/:id/db-sync/run',
    url: (t) => `/api/sharing/grants/${t.grantB}/db-sync/run`,
    body: () => ({}),
    allow: ['unit_admin'],
  },
  {
    method: 'GET',
    route: '/api/share/grants/:id/changes',
    url: (t) => `/api/share/grants/${t.grantB}/changes?limit=1`,
    allow: ['system'],
  },
  {
    method: 'GET',
    route: '/api/share/grants/:id/export',
    url: (t) => `/api/share/grants/${t.grantB}/export?format=csv`,
    allow: ['system', 'unit_admin', 'unit_user'], // unit B's bound system and its staff
  },
  {
    method: 'GET',
    route: '/api/sharing/grants/:id/exports',
    url: (t) => `/api/sharing/grants/${t.grantB}/exports`,
    allow: SHARE_PARTY_B,
  },
  {
    method: 'POST',
    route: '/api/sharing/trace',
    url: () => '/api/sharing/trace?fileName=leak.csv',
    body: () => 'repair_no,owner_name\nR1,王*\n',
    headers: { 'content-type': 'text/csv' },
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/auth/totp/disable',
    url: () => '/api/auth/totp/disable',
    body: () => ({ password: 'wrong' }),
    allow: ALL_USERS,
  },
  {
    method: 'POST',
    route: '/api/auth/password',
    url: () => '/api/auth/password',
    body: () => ({ currentPassword: 'wrong', newPassword: 'Whatever#2026' }),
    allow: ALL_USERS,
  },
  {
    method: 'GET',
    route: '/api/sharing/grants/:id/rows',
    url: (t) => `/api/sharing/grants/${t.grantB}/rows?limit=1`,
    allow: ['unit_admin', 'unit_user'],
  },
  // quality: unit A's rule on its resource; unit B (holding a grant) reports a problem in A's data
  {
    method: 'GET',
    route: '/api/quality/rules',
    url: () => '/api/quality/rules',
    allow: SHARE_READERS,
    scopedList: noOrgA,
  },
  {
    method: 'POST',
    route: '/api/quality/rules',
    url: () => '/api/quality/rules',
    body: (t) => ({ resourceId: t.resApproved, kind: 'timeliness', name: `矩阵规则${uniq()}` }),
    allow: ['center_admin', 'center_reviewer'],
  },
  { method: 'GET', route: '/api/quality/rules/:id', url: (t) => `/api/quality/rules/${t.ruleA}`, allow: CENTER },
  {
    method: 'PATCH',
    route: '/api/quality/rules/:id',
    url: (t) => `/api/quality/rules/${t.ruleA}`,
    body: () => ({ name: `矩阵规则${uniq()}` }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/quality/rules/:id/run',
    url: (t) => `/api/quality/rules/${t.ruleA}/run`,
    allow: ['center_admin', 'center_reviewer'],
  },
  { method: 'GET', route: '/api/quality/runs', url: (t) => `/api/quality/runs?ruleId=${t.ruleA}`, allow: CENTER },
  {
    method: 'GET',
    route: '/api/quality/resources/:id/suggestions',
    url: (t) => `/api/quality/resources/${t.resApproved}/suggestions`,
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/quality/resources/:id/suggestions',
    url: (t) => `/api/quality/resources/${t.resApproved}/suggestions`,
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/quality/resources/:id/run',
    url: (t) => `/api/quality/resources/${t.resApproved}/run`,
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'GET',
    route: '/api/quality/scores',
    url: () => '/api/quality/scores',
    allow: SHARE_READERS,
    scopedList: noOrgA,
  },
  {
    method: 'GET',
    route: '/api/quality/resources/:id/scores',
    url: (t) => `/api/quality/resources/${t.resApproved}/scores`,
    allow: CENTER,
  },
  {
    method: 'POST',
    route: '/api/quality/tickets',
    url: () => '/api/quality/tickets',
    body: (t) => ({ resourceId: t.resApproved, category: 'wrong', description: '矩阵测试反馈' }),
    allow: ['center_admin', 'center_reviewer', 'unit_admin', 'unit_user', 'system'],
  },
  { method: 'GET', route: '/api/quality/tickets', url: () => '/api/quality/tickets', allow: SHARE_READERS },
  { method: 'GET', route: '/api/quality/inbox', url: () => '/api/quality/inbox', allow: SHARE_READERS },
  {
    method: 'GET',
    route: '/api/quality/tickets/register.xlsx',
    url: () => '/api/quality/tickets/register.xlsx',
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'GET',
    route: '/api/quality/tickets/:id',
    url: (t) => `/api/quality/tickets/${t.ticketB}`,
    allow: [...CENTER, 'unit_admin', 'unit_security_officer', 'unit_user'],
  },
  {
    method: 'POST',
    route: '/api/quality/tickets/:id/triage',
    url: (t) => `/api/quality/tickets/${t.ticketB}/triage`,
    body: () => ({ decision: 'accept' }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/quality/tickets/:id/urgent',
    url: (t) => `/api/quality/tickets/${t.ticketB}/urgent`,
    body: () => ({ dueDate: inMonths(1) }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    // the owner's step: unit A's, so none of the matrix's callers
    method: 'POST',
    route: '/api/quality/tickets/:id/extension',
    url: (t) => `/api/quality/tickets/${t.ticketB}/extension`,
    body: () => ({ days: 1, reason: '矩阵' }),
    allow: [],
  },
  {
    method: 'POST',
    route: '/api/quality/tickets/:id/extension/decision',
    url: (t) => `/api/quality/tickets/${t.ticketB}/extension/decision`,
    body: () => ({ approve: true }),
    allow: ['center_admin', 'center_reviewer'],
  },
  {
    method: 'POST',
    route: '/api/quality/tickets/:id/fix',
    url: (t) => `/api/quality/tickets/${t.ticketB}/fix`,
    body: () => ({ note: '矩阵', dataWasRight: true }),
    allow: [],
  },
  {
    method: 'POST',
    route: '/api/quality/tickets/:id/verify',
    url: (t) => `/api/quality/tickets/${t.ticketB}/verify`,
    body: () => ({ decision: 'confirm' }),
    allow: ['center_admin', 'center_reviewer', 'unit_admin', 'unit_user'],
  },
];

/** Routes open to anyone by design (log-in steps, health, the API description). */
const PUBLIC = [
  '/api/auth/login',
  '/api/auth/totp/verify',
  '/api/auth/totp/setup',
  '/api/auth/totp/confirm',
  '/api/auth/logout',
  '/api/auth/session',
  '/api/health',
  '/api/openapi.json',
];

describeEachDb('authorization matrix', (env) => {
  let t: Target;
  const clients = new Map<Actor, Client>();
  before(async () => {
    const e: TestEnv = env();
    const orgA = await e.makeOrg({ kind: 'town_street' });
    const userA = await e.makeUser({ orgId: orgA.id, roles: ['unit_user'] });
    const adminA = await e.as('unit_admin', orgA.id);
    const cred = await adminA.post('/api/credentials', { systemName: '甲单位系统' });
    const resA = await adminA.post('/api/catalog/resources', resourceBody({ name: '甲单位草稿资源' }));
    const resApproved = await adminA.post(
      '/api/catalog/resources',
      resourceBody({ name: '甲单位已发布资源', shareMethods: ['api', 'file', 'db_sync'] }),
    );
    assert.equal((await adminA.post(`/api/catalog/resources/${resApproved.json.id}/submit`)).status, 200);
    const reviewer = await e.as('center_reviewer');
    assert.equal(
      (await reviewer.post(`/api/catalog/resources/${resApproved.json.id}/review`, { decision: 'approve' })).status,
      200,
    );
    const sysA = await adminA.post('/api/catalog/systems', { name: '甲单位业务系统' });
    const demandA = await adminA.post('/api/demands', {
      title: '甲单位的需求',
      dataNeeded: '企业登记信息',
      purpose: '招商服务',
      legalBasis: '职责',
    });
    const planA = await adminA.post('/api/system-plans', {
      name: '甲单位新系统',
      purpose: '网格管理',
      collects: ['姓名', '联系电话'],
    });
    const batchA = await adminA.req(
      'POST',
      `/api/ingest/resources/${resApproved.json.id}/upload`,
      'repair_no,owner_name\nR1,王伟\n,缺主键\n',
      { 'content-type': 'text/csv' },
    );
    assert.equal(batchA.json.batch.rejected, 1, batchA.body);
    const pullA = await adminA.post(`/api/ingest/resources/${resApproved.json.id}/pull-sources`, {
      name: '甲单位接口',
      kind: 'http',
      settings: { url: 'http://127.0.0.1:9/none' },
    });
    assert.equal(pullA.status, 201, pullA.body);
    t = {
      orgA: orgA.id,
      userA: userA.id,
      credA: cred.json.id,
      resA: resA.json.id,
      resApproved: resApproved.json.id,
      sysA: sysA.json.id,
      demandA: demandA.json.id,
      planA: planA.json.id,
      batchA: batchA.json.batch.id,
      pullA: pullA.json.id,
      appB: '',
      attachmentB: '',
      grantB: '',
      credB: '',
      ruleA: '',
      ticketB: '',
    };
    const orgB = await e.makeOrg({ kind: 'bureau' });
    for (const role of ROLES)
      clients.set(
        role,
        await e.as(
          role,
          ['center_admin', 'center_reviewer', 'supervisor', 'cac_officer'].includes(role) ? undefined : orgB.id,
        ),
      );
    const adminB = clients.get('unit_admin')!;
    const sys = e.client();
    sys.bearer = (await adminB.post('/api/credentials', { systemName: '乙单位系统' })).json.token;
    clients.set('system', sys);
    clients.set('anonymous', e.client());
    // unit B applies for A's published resource twice: one case stays with the Center, one is granted
    const appB = await adminB.post('/api/sharing/applications', shareApplication(t.resApproved));
    assert.equal(appB.status, 201, appB.body);
    const att = await adminB.req(
      'POST',
      `/api/sharing/applications/${appB.json.id}/attachments?fileName=letter.pdf`,
      Buffer.from('%PDF-1.4\n%%EOF\n'),
      { 'content-type': 'application/pdf' },
    );
    assert.equal(att.status, 201, att.body);
    const second = await adminB.post('/api/sharing/applications', {
      ...shareApplication(t.resApproved),
      methods: ['api', 'file'],
    });
    assert.equal(
      (await reviewer.post(`/api/sharing/applications/${second.json.id}/review`, { decision: 'approve' })).status,
      200,
    );
    const consent = await adminA.post(`/api/sharing/applications/${second.json.id}/answer`, { decision: 'consent' });
    assert.equal(consent.json.status, 'granted', consent.body);
    const grantB = (await adminB.get(`/api/sharing/applications/${second.json.id}`)).json.grantId;
    const credB = (await adminB.get('/api/credentials')).json.find(
      (c: { systemName: string }) => c.systemName === '乙单位系统',
    ).id;
    assert.equal(
      (await adminB.put(`/api/sharing/grants/${grantB}/credentials`, { credentialIds: [credB] })).status,
      200,
    );
    const ruleA = await adminA.post('/api/quality/rules', { resourceId: t.resApproved, kind: 'timeliness' });
    assert.equal(ruleA.status, 201, ruleA.body);
    const ticketB = await adminB.post('/api/quality/tickets', {
      resourceId: t.resApproved,
      category: 'wrong',
      description: '乙单位反馈的问题数据',
    });
    assert.equal(ticketB.status, 201, ticketB.body);
    Object.assign(t, {
      appB: appB.json.id,
      attachmentB: att.json.id,
      grantB,
      credB,
      ruleA: ruleA.json.id,
      ticketB: ticketB.json.id,
    });
  });

  it('every API route is in the matrix or declared public', () => {
    const seen = new Set(CASES.map((c) => `${c.method} ${c.route}`));
    const missing = env()
      .app.routeTable.filter((r) => !r.url.startsWith('/api/docs') && !PUBLIC.includes(r.url))
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !seen.has(k));
    assert.deepEqual(missing, [], 'add these routes to the authorization matrix');
  });

  for (const c of CASES) {
    it(`${c.method} ${c.route}`, async () => {
      const problems: string[] = [];
      // Denied callers first, so an allowed change (e.g. a revocation) cannot hide a refusal.
      const order = [...ACTORS].sort((a, b) => Number(c.allow.includes(a)) - Number(c.allow.includes(b)));
      for (const actor of order) {
        const r = await clients.get(actor)!.req(c.method, c.url(t), c.body?.(t), c.headers);
        const allowed = c.allow.includes(actor);
        if (r.status >= 500) problems.push(`${actor}: ${r.status} ${r.body}`);
        else if (allowed && (r.status === 401 || r.status === 403))
          problems.push(`${actor} should be allowed, got ${r.status} ${r.json?.code}`);
        else if (!allowed && actor === 'anonymous' && r.status !== 401)
          problems.push(`anonymous should get 401, got ${r.status}`);
        else if (!allowed && actor !== 'anonymous' && r.status !== 403 && r.status !== 404)
          problems.push(`${actor} should be refused, got ${r.status}`);
        else if (allowed && c.scopedList && !CENTER.includes(actor) && !c.scopedList(r.json, t))
          problems.push(`${actor} saw another unit's objects`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
