import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb, TEST_PASSWORD, TEST_TOTP_SECRET } from '../../testing/test-env.ts';
import { totpNow } from './totp.ts';
import { checkUscc, usccCheckChar } from '../../platform/uscc.ts';
import { passwordProblem } from './password.ts';

it('USCC check characters (GB 32100)', () => {
  assert.equal(checkUscc('91350100M000100Y43'), null);
  assert.equal(checkUscc('91350100M000100Y44'), 'check');
  assert.equal(checkUscc('91350100M000100Y4'), 'length');
  assert.equal(checkUscc('91350100M000100YI3'), 'charset');
  assert.equal(usccCheckChar('91110000600037341'), 'L'); // a published code: 91110000600037341L
});

it('password rules', () => {
  assert.ok(passwordProblem('short1A', 'bob'));
  assert.ok(passwordProblem('alllowercaseletters', 'bob'));
  assert.ok(passwordProblem('Bob-is-me-2026', 'bob'));
  assert.equal(passwordProblem('Gongshu@2026', 'alice'), null);
});

describeEachDb('log-in, sessions and CSRF', (env) => {
  it('logs in, shows the session, refuses a change without the CSRF token, logs out', async () => {
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_admin'] });
    const c = env().client();
    const r = await c.post('/api/auth/login', { username: u.username.toUpperCase(), password: TEST_PASSWORD });
    assert.equal(r.status, 200);
    assert.equal(r.json.next, 'done');
    const setCookie = String(r.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    const me = await c.get('/api/auth/session');
    assert.equal(me.json.user.username, u.username);
    assert.equal(me.json.csrfToken, r.json.csrfToken);
    const noCsrf = await c.req('POST', '/api/credentials', { systemName: 'x' }, { 'x-csrf-token': 'wrong' });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.code, 'auth.csrf');
    c.csrf = r.json.csrfToken;
    assert.equal((await c.post('/api/credentials', { systemName: '社区网格系统' })).status, 201);
    assert.equal((await c.post('/api/auth/logout')).status, 200);
    assert.equal((await c.get('/api/auth/session')).status, 401);
  });

  it('a wrong password is refused without saying which part was wrong; unknown users likewise', async () => {
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
    const a = await env().client().post('/api/auth/login', { username: u.username, password: 'Wrong#pass1' });
    const b = await env().client().post('/api/auth/login', { username: 'nobody-here', password: 'Wrong#pass1' });
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.json.code, b.json.code);
    assert.ok(a.json.message.zh && a.json.message.en);
  });

  it('locks an account after repeated failures, and an admin can unlock it', async () => {
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
    for (let i = 0; i < env().config.loginMaxFailures - 1; i++)
      assert.equal(
        (await env().client().post('/api/auth/login', { username: u.username, password: 'Wrong#pass1' })).status,
        401,
      );
    const locked = await env().client().post('/api/auth/login', { username: u.username, password: 'Wrong#pass1' });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.code, 'auth.locked');
    // even the right password is refused while locked
    assert.equal(
      (await env().client().post('/api/auth/login', { username: u.username, password: TEST_PASSWORD })).status,
      429,
    );
    const admin = await env().as('unit_admin', org.id);
    const un = await admin.patch(`/api/users/${u.id}`, { unlock: true });
    assert.equal(un.status, 200, un.body);
    await env().client().login(u.username);
    const trail = await env()
      .database.db.selectFrom('audit_record')
      .select(['action', 'outcome'])
      .where('object_id', '=', u.id)
      .execute();
    assert.ok(trail.some((t) => t.action === 'auth.lockout' && t.outcome === 'failure'));
    assert.ok(trail.some((t) => t.action === 'user.unlock'));
  });

  it('expires idle sessions and sessions past their absolute lifetime', async () => {
    const org = await env().makeOrg();
    const idle = await env().as('unit_user', org.id);
    await env()
      .database.db.updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - (env().config.sessionIdleMinutes + 1) * 60_000) })
      .where('user_id', '=', idle.userId)
      .execute();
    assert.equal((await idle.get('/api/auth/session')).status, 401);
    const old = await env().as('unit_user', org.id);
    await env()
      .database.db.updateTable('session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', old.userId)
      .execute();
    assert.equal((await old.get('/api/whoami')).status, 401);
  });

  it('changing the password ends the other sessions', async () => {
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
    const a = await env().client().login(u.username);
    const b = await env().client().login(u.username);
    const weak = await a.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'weak' });
    assert.equal(weak.status, 400);
    assert.equal(weak.json.errors[0].field, 'newPassword');
    assert.equal(
      (await a.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'New#pass2026' })).status,
      200,
    );
    assert.equal((await a.get('/api/auth/session')).status, 200);
    assert.equal((await b.get('/api/auth/session')).status, 401);
    await env().client().login(u.username, 'New#pass2026');
  });

  it('a password reset by an admin forces a change before anything else', async () => {
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
    const admin = await env().as('unit_admin', org.id);
    assert.equal((await admin.post(`/api/users/${u.id}/password`, { password: 'Reset#pass2026' })).status, 200);
    const c = await env().client().login(u.username, 'Reset#pass2026');
    const blocked = await c.get('/api/orgs');
    assert.equal(blocked.status, 403);
    assert.equal(blocked.json.code, 'auth.password_change_required');
    assert.equal(
      (await c.post('/api/auth/password', { currentPassword: 'Reset#pass2026', newPassword: 'Mine#pass2026' })).status,
      200,
    );
    assert.equal((await c.get('/api/orgs')).status, 200);
  });
});

describeEachDb('TOTP second factor', (env) => {
  it('a Center admin without an authenticator must enrol before doing anything', async () => {
    const u = await env().makeUser({ orgId: env().centerOrgId, roles: ['center_admin'] });
    const c = env().client();
    const r = await c.post('/api/auth/login', { username: u.username, password: TEST_PASSWORD });
    assert.equal(r.json.next, 'enrol_totp');
    c.csrf = r.json.csrfToken;
    assert.equal((await c.get('/api/orgs')).status, 401);
    const setup = await c.post('/api/auth/totp/setup');
    assert.equal(setup.status, 200);
    assert.match(setup.json.uri, /^otpauth:\/\/totp\//);
    assert.equal(
      (await c.post('/api/auth/totp/confirm', { code: '000000' === totpNow(setup.json.secret) ? '111111' : '000000' }))
        .status,
      400,
    );
    assert.equal((await c.post('/api/auth/totp/confirm', { code: totpNow(setup.json.secret) })).status, 200);
    assert.equal((await c.get('/api/orgs')).status, 200);
  });

  it('with an authenticator, log-in needs a valid code, and a code cannot be used twice', async () => {
    const u = await env().makeUser({ orgId: env().centerOrgId, roles: ['center_admin'], totpSecret: TEST_TOTP_SECRET });
    const c = env().client();
    const r = await c.post('/api/auth/login', { username: u.username, password: TEST_PASSWORD });
    assert.equal(r.json.next, 'totp');
    c.csrf = r.json.csrfToken;
    assert.equal((await c.get('/api/whoami')).status, 401);
    const code = totpNow(TEST_TOTP_SECRET);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    assert.equal((await c.post('/api/auth/totp/verify', { code: wrong })).status, 401);
    assert.equal((await c.post('/api/auth/totp/verify', { code })).status, 200);
    assert.equal((await c.get('/api/whoami')).status, 200);
    const again = env().client();
    const r2 = await again.post('/api/auth/login', { username: u.username, password: TEST_PASSWORD });
    again.csrf = r2.json.csrfToken;
    const replay = await again.post('/api/auth/totp/verify', { code });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.code, 'auth.bad_totp');
  });

  it('a Center admin cannot switch the second factor off; others can', async () => {
    const admin = await env().as('center_admin');
    assert.equal((await admin.post('/api/auth/totp/disable', { password: TEST_PASSWORD })).status, 409);
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'], totpSecret: TEST_TOTP_SECRET });
    const c = await env().client().login(u.username, TEST_PASSWORD, TEST_TOTP_SECRET);
    assert.equal((await c.post('/api/auth/totp/disable', { password: TEST_PASSWORD })).status, 200);
    const sealed = await env()
      .database.db.selectFrom('app_user')
      .select(['totp_secret_sealed', 'totp_enabled'])
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(sealed, { totp_secret_sealed: null, totp_enabled: false });
  });

  it('stores the TOTP secret encrypted with SM4, not in clear', async () => {
    const u = await env().makeUser({
      orgId: env().centerOrgId,
      roles: ['center_reviewer'],
      totpSecret: TEST_TOTP_SECRET,
    });
    const row = await env()
      .database.db.selectFrom('app_user')
      .select('totp_secret_sealed')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    assert.match(row.totp_secret_sealed!, /^sm4:v1:/);
    assert.ok(!row.totp_secret_sealed!.includes(TEST_TOTP_SECRET));
  });
});

describeEachDb('API credentials', (env) => {
  it('issues a credential shown once, stores only its hash, authenticates, records last use, and stops after revocation', async () => {
    const org = await env().makeOrg();
    const admin = await env().as('unit_admin', org.id);
    const created = await admin.post('/api/credentials', { systemName: '不动产登记系统', description: '推送登记数据' });
    assert.equal(created.status, 201);
    const token: string = created.json.token;
    assert.match(token, /^gsk_[0-9a-f]{16}\./);
    const row = await env()
      .database.db.selectFrom('api_credential')
      .selectAll()
      .where('id', '=', created.json.id)
      .executeTakeFirstOrThrow();
    assert.ok(!row.secret_hash.includes(token.split('.')[1]!));
    const listed = await admin.get('/api/credentials');
    assert.ok(listed.json.every((c: Record<string, unknown>) => !('token' in c)));

    const sys = env().client();
    sys.bearer = token;
    const who = await sys.get('/api/whoami');
    assert.equal(who.status, 200);
    assert.deepEqual([who.json.kind, who.json.orgId, who.json.roles], ['credential', org.id, ['system']]);
    // a system may not manage users
    assert.equal((await sys.get('/api/users')).status, 403);
    const used = await env()
      .database.db.selectFrom('api_credential')
      .select('last_used_at')
      .where('id', '=', created.json.id)
      .executeTakeFirstOrThrow();
    assert.ok(used.last_used_at);
    const calls = await env()
      .database.db.selectFrom('audit_record')
      .select(['action', 'outcome'])
      .where('credential_id', '=', created.json.id)
      .execute();
    assert.ok(calls.some((c) => c.action === 'api.call' && c.outcome === 'success'));
    assert.ok(calls.some((c) => c.outcome === 'denied'));

    assert.equal((await admin.post(`/api/credentials/${created.json.id}/revoke`)).status, 200);
    const after = await sys.get('/api/whoami');
    assert.equal(after.status, 401);
    assert.equal(after.json.code, 'auth.bad_credential');
    sys.bearer = token.slice(0, -2) + 'xx';
    assert.equal((await sys.get('/api/whoami')).status, 401);
  });

  it('an expired credential is refused', async () => {
    const org = await env().makeOrg();
    const admin = await env().as('unit_admin', org.id);
    const created = await admin.post('/api/credentials', {
      systemName: '网格系统',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await sql`UPDATE api_credential SET expires_at = now() - interval '1 minute' WHERE id = ${created.json.id}`.execute(
      env().database.db,
    );
    const sys = env().client();
    sys.bearer = created.json.token;
    assert.equal((await sys.get('/api/whoami')).status, 401);
    const past = await admin.post('/api/credentials', { systemName: '网格系统', expiresAt: '2020-01-01T00:00:00Z' });
    assert.equal(past.status, 400);
    assert.equal(past.json.errors[0].field, 'expiresAt');
  });
});

describeEachDb('organisations and users managed by role', (env) => {
  it("a unit admin updates its own unit's contact details but not its name, and manages only its own users", async () => {
    const org = await env().makeOrg({ kind: 'town_street' });
    const admin = await env().as('unit_admin', org.id);
    const ok = await admin.patch(`/api/orgs/${org.id}`, { contactName: '李主任', contactPhone: '0951-5100001' });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.contactName, '李主任');
    assert.equal((await admin.patch(`/api/orgs/${org.id}`, { name: '改名' })).status, 403);
    const created = await admin.post('/api/users', {
      orgId: org.id,
      username: `own-${Date.now()}`,
      displayName: '本单位用户',
      password: 'Own#pass2026',
      roles: ['unit_user', 'unit_security_officer'],
    });
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json.mustChangePassword, true);
    const centerRole = await admin.patch(`/api/users/${created.json.id}`, { roles: ['center_reviewer'] });
    assert.equal(centerRole.status, 400);
    assert.equal(centerRole.json.errors[0].field, 'roles');
    const listed = await admin.get('/api/users');
    assert.ok(listed.json.length >= 2 && listed.json.every((u: { orgId: string }) => u.orgId === org.id));
    const self = await admin.patch(`/api/users/${admin.userId}`, { active: false });
    assert.equal(self.status, 409);
  });

  it('a Center admin deactivates a user: the sessions end and log-in is refused', async () => {
    const org = await env().makeOrg();
    const u = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
    const c = await env().client().login(u.username);
    const center = await env().as('center_admin');
    assert.equal((await center.patch(`/api/users/${u.id}`, { active: false })).status, 200);
    assert.equal((await c.get('/api/whoami')).status, 401);
    assert.equal(
      (await env().client().post('/api/auth/login', { username: u.username, password: TEST_PASSWORD })).status,
      401,
    );
  });
});
