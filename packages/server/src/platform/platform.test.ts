import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../config.ts';
import { describeEachDb } from '../testing/test-env.ts';
import { Sm4Box, sm3Hex } from './crypto.ts';
import { randomBytes } from 'node:crypto';

it('config: defaults, env overrides, config file, and clear refusals', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, undefined);
  assert.match(c.dataDir, /data$/);
  assert.equal(loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://u@h/db' }).port, 9000);
  assert.throws(() => loadConfig({ PORT: '99999' }), /PORT must be an integer from 0 to 65535/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /postgres:\/\//);
  assert.throws(() => loadConfig({ GONGSHU_DEMO: 'maybe' }), /GONGSHU_DEMO must be one of/);
  const dir = mkdtempSync(path.join(tmpdir(), 'gs-cfg-'));
  const file = path.join(dir, 'gongshu.json');
  writeFileSync(file, JSON.stringify({ port: 8181, sessionIdleMinutes: 15 }));
  const fromFile = loadConfig({ GONGSHU_CONFIG: file, PORT: '8282' });
  assert.equal(fromFile.port, 8282, 'env wins over the file');
  assert.equal(fromFile.sessionIdleMinutes, 15);
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  assert.throws(() => loadConfig({ GONGSHU_CONFIG: file }), /unknown setting "prot"/);
  writeFileSync(file, '{ not json');
  assert.throws(() => loadConfig({ GONGSHU_CONFIG: file }), ConfigError);
});

it('config: production refuses to start without explicit secrets', () => {
  assert.throws(() => loadConfig({ GONGSHU_ENV: 'production' }), /production mode needs GONGSHU_SESSION_SECRET/);
  assert.throws(
    () => loadConfig({ GONGSHU_ENV: 'production', GONGSHU_SESSION_SECRET: 'short', GONGSHU_SM4_KEY: 'x' }),
    /64 hex/,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'gs-cfg-'));
  writeFileSync(path.join(dir, 'sm4'), 'ab'.repeat(16) + '\n');
  const ok = loadConfig({
    GONGSHU_ENV: 'production',
    GONGSHU_SESSION_SECRET: 'cd'.repeat(32),
    GONGSHU_SM4_KEY_FILE: path.join(dir, 'sm4'),
  });
  assert.equal(ok.sm4Key, 'ab'.repeat(16));
});

it('SM3 matches the standard test vector; SM4 seals, opens and detects tampering', () => {
  assert.equal(sm3Hex('abc'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  const box = new Sm4Box(randomBytes(16));
  const sealed = box.seal('秘密 secret');
  assert.notEqual(box.seal('秘密 secret'), sealed, 'random IV');
  assert.equal(box.open(sealed), '秘密 secret');
  const bytes = Buffer.from(sealed.slice(7), 'base64url');
  bytes[20]! ^= 1;
  assert.throws(() => box.open('sm4:v1:' + bytes.toString('base64url')), /integrity/);
  assert.throws(() => new Sm4Box(randomBytes(16)).open(sealed), /integrity/);
});

describeEachDb('health, OpenAPI and the policy', (env) => {
  it('health reports the database and the migration version', async () => {
    const r = await env().client().get('/api/health');
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ok');
    assert.equal(r.json.database.reachable, true);
    assert.equal(r.json.database.kind, env().kind);
    assert.equal(r.json.migration.current, r.json.migration.latest);
  });

  it('serves an OpenAPI 3.1 document covering every route, and the docs page', async () => {
    const c = env().client();
    const doc = (await c.get('/api/openapi.json')).json;
    assert.equal(doc.openapi, '3.1.0');
    const paths = Object.keys(doc.paths);
    for (const r of env().app.routeTable.filter(
      (x) => !x.url.startsWith('/api/docs') && x.url !== '/api/openapi.json',
    )) {
      const p = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      assert.ok(paths.includes(p), `${p} missing from OpenAPI`);
      assert.ok(doc.paths[p][r.method.toLowerCase()], `${r.method} ${p} missing from OpenAPI`);
    }
    assert.ok(doc.paths['/api/orgs'].post.requestBody);
    const page = await c.get('/api/docs/');
    assert.equal(page.status, 200);
    assert.match(page.body, /swagger/i);
  });

  it('policy starts at the regulation defaults; a change makes a new version and keeps the old one', async () => {
    const admin = await env().as('center_admin');
    const cur = (await admin.get('/api/policy')).json;
    assert.equal(cur.current.version, 1);
    assert.deepEqual(
      [
        cur.current.params.catalog_change_filing_days,
        cur.current.params.catalog_review_days,
        cur.current.params.share_owner_consent_days,
        cur.current.params.ticket_fix_days,
        cur.current.params.ticket_extension_cap_days,
      ],
      [10, 5, 5, 5, 15],
    );
    const up = await admin.post('/api/policy', {
      params: { catalog_review_days: 7 },
      note: '依据《政务数据共享条例》调整',
    });
    assert.equal(up.status, 201);
    assert.equal(up.json.version, 2);
    assert.equal(up.json.params.catalog_review_days, 7);
    assert.equal((await admin.get('/api/policy/versions/1')).json.params.catalog_review_days, 5);
    assert.equal((await admin.post('/api/policy', { params: { catalog_review_days: 7 }, note: 'same' })).status, 409);
    const snap = await env().app.services.calendar.currentPolicy();
    assert.equal(snap.version, 2);
    const trail = await env()
      .database.db.selectFrom('audit_record')
      .select(['diff'])
      .where('action', '=', 'policy.update')
      .executeTakeFirstOrThrow();
    assert.deepEqual(trail.diff, { catalog_review_days: [5, 7] });
  });

  it('calendar overrides change working-day answers for everyone, and are audited', async () => {
    const admin = await env().as('center_admin');
    const before = (await admin.get('/api/calendar/working-days?from=2099-01-01&add=1')).json.date;
    assert.equal(before, '2099-01-02');
    assert.equal(
      (await admin.put('/api/calendar/overrides/2099-01-02', { kind: 'restday', note: '元旦调休' })).status,
      200,
    );
    assert.equal((await admin.get('/api/calendar/working-days?from=2099-01-01&add=1')).json.date, '2099-01-05');
    const year = (await admin.get('/api/calendar/years/2099')).json;
    assert.equal(year.source, 'center_overrides');
    assert.equal(year.days.length, 365);
    assert.equal((await admin.get('/api/calendar/years/2026')).json.source, 'state_council');
    assert.equal((await admin.delete('/api/calendar/overrides/2099-01-02')).status, 204);
    assert.equal((await admin.delete('/api/calendar/overrides/2099-01-02')).status, 404);
    const due = (await admin.get('/api/calendar/due?due=2026-10-16&today=2026-09-30')).json;
    assert.deepEqual([due.state, due.daysLeft], ['open', 8]);
    const actions = (
      await env()
        .database.db.selectFrom('audit_record')
        .select('action')
        .where('object_type', '=', 'calendar_day')
        .execute()
    ).map((r) => r.action);
    assert.deepEqual(actions, ['calendar.override.set', 'calendar.override.remove']);
  });

  it('audit browser: filters, unit scoping and a CSV export that Excel opens', async () => {
    const admin = await env().as('center_admin');
    const org = await admin.post('/api/orgs', { code: 'audit-t', name: '审计测试单位', kind: 'bureau' });
    const list = await admin.get(`/api/audit?action=org.create&objectId=${org.json.id}`);
    assert.equal(list.json.total, 1);
    assert.equal(list.json.items[0].actorName, admin.username);
    assert.deepEqual(list.json.items[0].diff.name, [null, '审计测试单位']);
    const csv = await admin.get(`/api/audit/export.csv?objectId=${org.json.id}`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.ok(csv.body.startsWith('\uFEFF'), 'BOM for Excel');
    assert.match(csv.body, /审计测试单位/);
    const unitAdmin = await env().as('unit_admin', org.json.id);
    const own = await unitAdmin.get('/api/audit');
    assert.ok(own.json.items.every((i: { orgId: string }) => i.orgId === org.json.id));
    assert.equal((await unitAdmin.get(`/api/audit?orgId=${env().centerOrgId}`)).status, 403);
    // reading people's records, credentials and the trail itself are data accesses, and audited
    await unitAdmin.get('/api/users');
    await unitAdmin.get('/api/credentials');
    const reads = await env()
      .database.db.selectFrom('audit_record')
      .select('action')
      .where('actor_user_id', '=', unitAdmin.userId)
      .execute();
    const got = new Set(reads.map((r) => r.action));
    for (const a of ['audit.read', 'user.list', 'credential.list']) assert.ok(got.has(a), `${a} not audited`);
  });
});
