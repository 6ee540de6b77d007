// Every refusal made for a security reason leaves an audit record, and guessing a password through the signed-in
// routes is throttled and locks the account like the log-in.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { describeEachDb, TEST_PASSWORD } from '../testing/test-env.ts';
import { personResource, publish } from '../testing/ingest-fixtures.ts';
import { installErrorHandling, type Refusal } from './http.ts';
import { verifyChain } from '../domains/audit/index.ts';

describeEachDb('refusals are audited', (env) => {
  const lastAudit = async (action: string) =>
    env()
      .database.db.selectFrom('audit_record')
      .selectAll()
      .where('action', '=', action)
      .orderBy('seq', 'desc')
      .executeTakeFirst();

  it('a unit admin granting a Center role: 400, and an access.refused record naming the reason', async () => {
    const unitAdmin = await env().as('unit_admin');
    const r = await unitAdmin.post('/api/users', {
      orgId: unitAdmin.orgId,
      username: 'escalate',
      displayName: '越权',
      password: 'Right#pass2026',
      roles: ['center_admin'],
    });
    assert.equal(r.status, 400);
    const rec = await lastAudit('access.refused');
    assert.ok(rec, 'an access.refused record');
    assert.equal(rec.outcome, 'denied');
    assert.equal(rec.actor_name, unitAdmin.username);
    assert.deepEqual(rec.diff, { code: 'request.invalid', reason: 'role_not_allowed', fields: ['roles'] });
  });

  for (const [route, field, action] of [
    ['/api/auth/password', 'currentPassword', 'user.password_change'],
    ['/api/auth/totp/disable', 'password', 'auth.totp.disable'],
  ] as const) {
    it(`wrong current passwords on ${route} are audited, count towards the lock-out and end the session`, async () => {
      const org = await env().makeOrg();
      const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
      const c = env().client();
      await c.login(u.username);
      const body = (pw: string) =>
        field === 'password' ? { password: pw } : { currentPassword: pw, newPassword: 'Another#pass2026' };
      const max = env().config.loginMaxFailures;
      for (let i = 1; i < max; i++) {
        const r = await c.post(route, body(`wrong-${i}`));
        assert.equal(r.status, 400, r.body);
        assert.equal(r.json.errors[0].field, field);
      }
      const failures = await env()
        .database.db.selectFrom('audit_record')
        .select(['outcome', 'diff'])
        .where('action', '=', action)
        .where('object_id', '=', u.id)
        .execute();
      assert.equal(failures.length, max - 1);
      assert.ok(failures.every((f) => f.outcome === 'failure'));
      const locked = await c.post(route, body('wrong-last'));
      assert.deepEqual([locked.status, locked.json.code], [429, 'auth.locked'], locked.body);
      assert.equal((await lastAudit('auth.lockout'))?.object_id, u.id);
      // the session is gone, and the right password does not open the account until the lock ends
      assert.equal((await c.get('/api/auth/session')).json?.user ?? null, null);
      const again = await env().client().post('/api/auth/login', { username: u.username, password: TEST_PASSWORD });
      assert.equal(again.json.code, 'auth.locked');
    });
  }

  it('a failed batch (a garbage file) is audited with its reason', async () => {
    const unit = await env().as('unit_admin');
    const res = await publish(unit, await env().as('center_reviewer'), personResource());
    const r = await unit.req(
      'POST',
      `/api/ingest/resources/${res.id}/upload?fileName=x.xlsx&format=xlsx`,
      Buffer.from('PK\u0003\u0004 not really a workbook'),
      { 'content-type': 'application/octet-stream' },
    );
    assert.equal(r.json.batch.status, 'failed', r.body);
    const rec = await lastAudit('ingest.batch.fail');
    assert.equal(rec?.object_id, r.json.batch.id);
    assert.equal(rec?.outcome, 'failure');
    assert.match(JSON.stringify(rec?.diff), /Excel/);
  });

  it('throttled guessing: the first refusal per client and route is audited, not every one (last: it throttles this suite)', async () => {
    const anon = env().client();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await anon.post('/api/auth/login', { username: 'nobody-here', password: `guess${i}` })).status);
    assert.ok(statuses.filter((s) => s === 429).length >= 5, statuses.join(','));
    const recs = await env()
      .database.db.selectFrom('audit_record')
      .select(['diff', 'outcome'])
      .where('action', '=', 'access.refused')
      .where('object_id', '=', 'POST /api/auth/login')
      .execute();
    assert.equal(recs.length, 1, 'one record for the burst');
    assert.deepEqual([recs[0]!.outcome, (recs[0]!.diff as { reason: string }).reason], ['denied', 'rate_limited']);
  });

  it('the chain verifies after all of this', async () => {
    const r = await verifyChain(env().database.db);
    assert.equal(r.ok, true, JSON.stringify(r.problems.slice(0, 3)));
  });
});

it('a 5xx is audited as server.error and tells the caller nothing of its cause', async () => {
  const seen: Refusal[] = [];
  const app = Fastify();
  app.decorateRequest('ctx', null as never);
  app.addHook('onRequest', async (req) => {
    req.ctx = { actor: null, requestId: req.id, ip: req.ip };
  });
  installErrorHandling(app, async (_req, r) => {
    seen.push(r);
  });
  app.get('/boom', async () => {
    throw Object.assign(new Error('relation "secret_table" does not exist'), { code: '42P01' });
  });
  const r = await app.inject({ method: 'GET', url: '/boom' });
  assert.equal(r.statusCode, 500);
  assert.doesNotMatch(r.body, /secret_table|42P01/);
  assert.deepEqual(seen, [{ kind: 'server_error', code: 'server.error', error: '42P01' }]);
  await app.close();
});
