// Roles × routes: who may call each route, and no unit-scoped actor reaches another unit's objects.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachDb, type Client, type TestEnv } from '../testing/test-env.ts';
import { ROLES, type Role } from './context.ts';

type Actor = Role | 'system' | 'anonymous';
const ACTORS: Actor[] = [...ROLES, 'system', 'anonymous'];
const ALL_USERS: Actor[] = [...ROLES];
const AUTHENTICATED: Actor[] = [...ROLES, 'system'];

interface Target {
  orgA: string;
  userA: string;
  credA: string;
}
interface Case {
  method: string;
  route: string;
  url: (t: Target) => string;
  body?: (t: Target) => unknown;
  allow: Actor[];
  /** for list routes a unit-scoped actor may call: the reply must not contain the other unit's objects */
  scopedList?: (json: unknown, t: Target) => boolean;
}

const uniq = () => randomBytes(3).toString('hex');
const noOrgA = (json: unknown, t: Target) => !JSON.stringify(json).includes(t.orgA);

const CASES: Case[] = [
  { method: 'GET', route: '/api/orgs', url: () => '/api/orgs', allow: ALL_USERS },
  { method: 'GET', route: '/api/orgs/:id', url: (t) => `/api/orgs/${t.orgA}`, allow: ALL_USERS },
  { method: 'POST', route: '/api/orgs', url: () => '/api/orgs', body: () => ({ code: `m${uniq()}`, name: `矩阵单位${uniq()}`, kind: 'bureau' }), allow: ['center_admin'] },
  { method: 'PATCH', route: '/api/orgs/:id', url: (t) => `/api/orgs/${t.orgA}`, body: () => ({ contactName: '联系人' }), allow: ['center_admin'] },
  { method: 'GET', route: '/api/users', url: () => '/api/users', allow: ['center_admin', 'supervisor', 'unit_admin'], scopedList: noOrgA },
  { method: 'GET', route: '/api/users/:id', url: (t) => `/api/users/${t.userA}`, allow: ['center_admin', 'supervisor'] },
  { method: 'POST', route: '/api/users', url: () => '/api/users', body: (t) => ({ orgId: t.orgA, username: `mx${uniq()}`, displayName: '矩阵', password: 'Matrix#2026x', roles: ['unit_user'] }), allow: ['center_admin'] },
  { method: 'PATCH', route: '/api/users/:id', url: (t) => `/api/users/${t.userA}`, body: () => ({ displayName: `改名${uniq()}` }), allow: ['center_admin'] },
  { method: 'POST', route: '/api/users/:id/password', url: (t) => `/api/users/${t.userA}/password`, body: () => ({ password: 'Matrix#2026y' }), allow: ['center_admin'] },
  { method: 'POST', route: '/api/users/:id/totp-reset', url: (t) => `/api/users/${t.userA}/totp-reset`, allow: ['center_admin'] },
  { method: 'GET', route: '/api/credentials', url: () => '/api/credentials', allow: ['center_admin', 'supervisor', 'unit_admin'], scopedList: noOrgA },
  { method: 'POST', route: '/api/credentials', url: () => '/api/credentials', body: (t) => ({ orgId: t.orgA, systemName: '矩阵系统' }), allow: ['center_admin'] },
  { method: 'POST', route: '/api/credentials/:id/revoke', url: (t) => `/api/credentials/${t.credA}/revoke`, allow: ['center_admin'] },
  { method: 'GET', route: '/api/audit', url: (t) => `/api/audit?orgId=${t.orgA}`, allow: ['center_admin', 'supervisor'] },
  { method: 'GET', route: '/api/audit/export.csv', url: (t) => `/api/audit/export.csv?orgId=${t.orgA}`, allow: ['center_admin', 'supervisor'] },
  { method: 'POST', route: '/api/audit/verify', url: () => '/api/audit/verify', allow: ['center_admin', 'supervisor'] },
  { method: 'GET', route: '/api/calendar/working-days', url: () => '/api/calendar/working-days?from=2026-09-28&add=10', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/calendar/between', url: () => '/api/calendar/between?from=2026-09-28&to=2026-10-16', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/calendar/due', url: () => '/api/calendar/due?due=2026-10-16', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/calendar/years/:year', url: () => '/api/calendar/years/2026', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/calendar/overrides', url: () => '/api/calendar/overrides', allow: AUTHENTICATED },
  { method: 'PUT', route: '/api/calendar/overrides/:date', url: () => '/api/calendar/overrides/2030-01-02', body: () => ({ kind: 'restday', note: '矩阵' }), allow: ['center_admin'] },
  { method: 'DELETE', route: '/api/calendar/overrides/:date', url: () => '/api/calendar/overrides/2030-01-02', allow: ['center_admin'] },
  { method: 'GET', route: '/api/policy', url: () => '/api/policy', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/policy/versions', url: () => '/api/policy/versions', allow: AUTHENTICATED },
  { method: 'GET', route: '/api/policy/versions/:version', url: () => '/api/policy/versions/1', allow: AUTHENTICATED },
  { method: 'POST', route: '/api/policy', url: () => '/api/policy', body: () => ({ params: { ticket_fix_days: 5 + Math.floor(Math.random() * 50) + 1 }, note: '矩阵测试' }), allow: ['center_admin'] },
  { method: 'GET', route: '/api/whoami', url: () => '/api/whoami', allow: AUTHENTICATED },
  { method: 'POST', route: '/api/auth/totp/disable', url: () => '/api/auth/totp/disable', body: () => ({ password: 'wrong' }), allow: ALL_USERS },
  { method: 'POST', route: '/api/auth/password', url: () => '/api/auth/password', body: () => ({ currentPassword: 'wrong', newPassword: 'Whatever#2026' }), allow: ALL_USERS },
];

/** Routes open to anyone by design (log-in steps, health, the API description). */
const PUBLIC = ['/api/auth/login', '/api/auth/totp/verify', '/api/auth/totp/setup', '/api/auth/totp/confirm', '/api/auth/logout', '/api/auth/session', '/api/health', '/api/openapi.json'];

describeEachDb('authorization matrix', (env) => {
  let t: Target;
  const clients = new Map<Actor, Client>();
  before(async () => {
    const e: TestEnv = env();
    const orgA = await e.makeOrg({ kind: 'town_street' });
    const userA = await e.makeUser({ orgId: orgA.id, roles: ['unit_user'] });
    const adminA = await e.as('unit_admin', orgA.id);
    const cred = await adminA.post('/api/credentials', { systemName: '甲单位系统' });
    t = { orgA: orgA.id, userA: userA.id, credA: cred.json.id };
    const orgB = await e.makeOrg({ kind: 'bureau' });
    for (const role of ROLES) clients.set(role, await e.as(role, ['center_admin', 'center_reviewer', 'supervisor', 'cac_officer'].includes(role) ? undefined : orgB.id));
    const adminB = clients.get('unit_admin')!;
    const sys = e.client();
    sys.bearer = (await adminB.post('/api/credentials', { systemName: '乙单位系统' })).json.token;
    clients.set('system', sys);
    clients.set('anonymous', e.client());
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
        const r = await clients.get(actor)!.req(c.method, c.url(t), c.body?.(t));
        const allowed = c.allow.includes(actor);
        if (r.status >= 500) problems.push(`${actor}: ${r.status} ${r.body}`);
        else if (allowed && (r.status === 401 || r.status === 403)) problems.push(`${actor} should be allowed, got ${r.status} ${r.json?.code}`);
        else if (!allowed && actor === 'anonymous' && r.status !== 401) problems.push(`anonymous should get 401, got ${r.status}`);
        else if (!allowed && actor !== 'anonymous' && r.status !== 403 && r.status !== 404) problems.push(`${actor} should be refused, got ${r.status}`);
        else if (allowed && c.scopedList && !['center_admin', 'supervisor'].includes(actor) && !c.scopedList(r.json, t)) problems.push(`${actor} saw another unit's objects`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
