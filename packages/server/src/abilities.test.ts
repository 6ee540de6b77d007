// The session tells the console what to offer, and what it says is what the server does: a page is offered exactly
// when the route it reads admits the user, an action exactly when the service would let it through.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, TEST_PASSWORD } from './testing/test-env.ts';
import { ROLES } from './platform/context.ts';
import { ABILITIES, PAGES } from './platform/abilities.ts';

/** Pages whose reading route admits only some roles: the offer must match the route's answer. */
const PAGE_ROUTES = {
  review: '/api/catalog/review-queue',
  users: '/api/users',
  credentials: '/api/credentials',
  audit: '/api/audit?limit=1',
  jobs: '/api/jobs?limit=1',
  sharing: '/api/sharing/applications?limit=1',
  quality: '/api/quality/tickets?limit=1',
} as const;

describeEachDb('what the console may offer', (env) => {
  it('each role is offered the pages whose routes admit it, and nothing else', async () => {
    for (const role of ROLES) {
      const c = await env().as(role);
      const { abilities } = (await c.get('/api/auth/session')).json;
      assert.deepEqual(Object.keys(abilities.pages).sort(), [...PAGES].sort());
      assert.deepEqual(Object.keys(abilities.can).sort(), [...ABILITIES].sort());
      for (const [page, url] of Object.entries(PAGE_ROUTES)) {
        const status = (await c.get(url)).status;
        assert.equal(
          abilities.pages[page],
          status === 200,
          `${role} ${page}: offered ${abilities.pages[page]}, ${url} answered ${status}`,
        );
        assert.ok(status === 200 || status === 403, `${role} ${url}: ${status}`);
      }
    }
  });

  it('actions follow the services: a unit admin files and manages its own; a reviewer reviews; only the Center admin approves masking or edits the calendar', async () => {
    const can = async (role: (typeof ROLES)[number]) =>
      (await (await env().as(role)).get('/api/auth/session')).json.abilities.can;
    const unitAdmin = await can('unit_admin');
    assert.equal(unitAdmin['catalog.compile'], true);
    assert.equal(unitAdmin['catalog.review'], false);
    assert.equal(unitAdmin['user.manage'], true);
    assert.equal(unitAdmin['user.grant_center_roles'], false);
    assert.equal(unitAdmin['units.all'], false);
    assert.equal(unitAdmin['calendar.edit'], false);
    assert.equal(unitAdmin['totp.optional'], true);
    const reviewer = await can('center_reviewer');
    assert.equal(reviewer['catalog.review'], true);
    assert.equal(reviewer['catalog.compile'], false);
    assert.equal(reviewer['units.all'], true);
    assert.equal(reviewer['ingest.one_source.check'], true);
    assert.equal(reviewer['masking.approve'], false);
    const admin = await can('center_admin');
    for (const a of ['masking.approve', 'calendar.edit', 'policy.edit', 'credential.other_units', 'user.reset_totp'])
      assert.equal(admin[a], true, a);
    assert.equal(admin['totp.optional'], false);
    const officer = await can('cac_officer');
    assert.ok(
      ABILITIES.filter((a) => officer[a]).every((a) => a === 'totp.optional'),
      'the cyberspace office is offered no action but its own second factor',
    );
  });

  it('the offer is what the server does: a unit admin offered user.manage creates a user; a unit user, not offered it, is refused', async () => {
    const org = await env().makeOrg();
    const admin = await env().as('unit_admin', org.id);
    const user = await env().as('unit_user', org.id);
    const body = (n: string) => ({
      orgId: org.id,
      username: `offer-${n}-${Date.now()}`,
      displayName: '张三',
      password: TEST_PASSWORD,
      roles: ['unit_user'],
    });
    assert.equal((await admin.get('/api/auth/session')).json.abilities.can['user.manage'], true);
    assert.equal((await admin.post('/api/users', body('a'))).status, 201);
    assert.equal((await user.get('/api/auth/session')).json.abilities.can['user.manage'], false);
    assert.equal((await user.post('/api/users', body('b'))).status, 403);
  });

  it('a session still waiting for its second factor is offered nothing', async () => {
    const u = await env().makeUser({
      orgId: env().centerOrgId,
      roles: ['center_admin'],
      totpSecret: 'JBSWY3DPEHPK3PXP',
    });
    const c = env().client();
    const r = await c.post('/api/auth/login', { username: u.username, password: TEST_PASSWORD });
    assert.equal(r.status, 200);
    const s = (await c.get('/api/auth/session')).json;
    assert.equal(s.mfaState, 'totp_pending');
    assert.ok(Object.values(s.abilities.pages).every((v) => v === false));
    assert.ok(Object.values(s.abilities.can).every((v) => v === false));
  });
});
