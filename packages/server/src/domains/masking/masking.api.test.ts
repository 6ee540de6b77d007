import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { resourceBody } from '../../testing/catalog-fixtures.ts';

describeEachDb('masking service', (env) => {
  let unit: Client;
  let resourceId: string;
  before(async () => {
    const org = await env().makeOrg({ kind: 'bureau' });
    unit = await env().as('unit_admin', org.id);
    const reviewer = await env().as('center_reviewer');
    const { json } = await unit.post('/api/catalog/resources', resourceBody({ securityGrade: 'L2' }));
    resourceId = json.id;
    await unit.post(`/api/catalog/resources/${resourceId}/submit`);
    await reviewer.post(`/api/catalog/resources/${resourceId}/review`, { decision: 'approve' });
  });

  it('every approved resource has a default profile from its items; preview shows each item before and after', async () => {
    const profiles = (await unit.get(`/api/masking/resources/${resourceId}/profiles`)).json;
    assert.deepEqual(profiles[0].rules.owner_id_no, { rule: 'mask' });
    assert.deepEqual(profiles[0].rules.repair_no, { rule: 'none' });
    const p = await unit.post('/api/masking/preview', {
      resourceId,
      rows: [
        {
          repair_no: 'WX-2026-001',
          owner_name: '欧阳娜娜',
          owner_id_no: '64010619900307123X',
          address: '银川市金凤区北京中路168号',
        },
      ],
    });
    assert.equal(p.status, 200, p.body);
    const row = p.json.rows[0];
    assert.deepEqual(row.owner_name, { before: '欧阳娜娜', after: '欧阳**' });
    assert.equal(row.owner_id_no.after, '640106********123X');
    assert.equal(row.repair_no.after, 'WX-2026-001');
    assert.equal(row.finished_on.after, null);
  });

  it('a profile may tighten at once; loosening waits for a Center admin; a pending profile cannot be used', async () => {
    const tight = await unit.post(`/api/masking/resources/${resourceId}/profiles`, {
      name: '共享给民政局',
      purpose: 'grant',
      rules: { owner_id_no: { rule: 'hash' }, owner_name: { rule: 'suppress' } },
    });
    assert.equal(tight.status, 201, tight.body);
    assert.equal(tight.json.status, 'active');
    const loose = await unit.post(`/api/masking/resources/${resourceId}/profiles`, {
      name: '明文',
      purpose: 'grant',
      rules: { owner_id_no: { rule: 'none' } },
    });
    assert.deepEqual([loose.json.status, loose.json.looserItems], ['pending_approval', ['owner_id_no']]);
    const blocked = await unit.post('/api/masking/preview', {
      resourceId,
      profileId: loose.json.id,
      rows: [{ owner_id_no: '64010619900307123X' }],
    });
    assert.equal(blocked.status, 409);
    assert.equal((await unit.post(`/api/masking/profiles/${loose.json.id}/approve`)).status, 403);
    const admin = await env().as('center_admin');
    assert.equal((await admin.post(`/api/masking/profiles/${loose.json.id}/approve`)).status, 204);
    const clear = await unit.post('/api/masking/preview', {
      resourceId,
      profileId: loose.json.id,
      rows: [{ owner_id_no: '64010619900307123X' }],
    });
    assert.equal(clear.json.rows[0].owner_id_no.after, '64010619900307123X');
    const bad = await unit.post(`/api/masking/resources/${resourceId}/profiles`, {
      name: '坏',
      purpose: 'custom',
      rules: { nope: { rule: 'mask' }, owner_name: { rule: 'reveal' } },
    });
    assert.deepEqual(bad.json.errors.map((e: { field: string }) => e.field).sort(), [
      'rules.nope',
      'rules.owner_name.rule',
    ]);
  });

  it('tokens reverse only through a Center admin, and every reversal is audited', async () => {
    const tokenProfile = await unit.post(`/api/masking/resources/${resourceId}/profiles`, {
      name: '令牌',
      purpose: 'grant',
      rules: { owner_id_no: { rule: 'tokenize' } },
    });
    const p = await unit.post('/api/masking/preview', {
      resourceId,
      profileId: tokenProfile.json.id,
      scope: 'grant:abc',
      rows: [{ owner_id_no: '64010619900307123X' }],
    });
    const token = p.json.rows[0].owner_id_no.after as string;
    assert.match(token, /^tk1\./);
    assert.equal((await unit.post('/api/masking/detokenize', { scope: 'grant:abc', token })).status, 403);
    const admin = await env().as('center_admin');
    const r = await admin.post('/api/masking/detokenize', { scope: 'grant:abc', token });
    assert.equal(r.json.value, '64010619900307123X');
    assert.equal((await admin.post('/api/masking/detokenize', { scope: 'grant:other', token })).status, 400);
    const trail = await env()
      .database.db.selectFrom('audit_record')
      .select(['action', 'outcome', 'actor_name'])
      .where('action', '=', 'masking.detokenize')
      .execute();
    assert.deepEqual(trail.map((t) => t.outcome).sort(), ['failure', 'success']);
    assert.ok(trail.every((t) => t.actor_name === admin.username));
  });

  it('the PII scan reports personal columns and how many values look personal', async () => {
    const r = await unit.post('/api/masking/scan', {
      columns: [
        { name: '联系方式', values: ['13912345678', '18600001111', '未知'] },
        { name: 'col_b', values: ['王伟', '欧阳娜娜', '张建华'] },
        { name: '状态', values: ['已办结', '受理中'] },
      ],
    });
    assert.equal(r.json[0].suggestion.kind, 'mobile');
    assert.equal(r.json[0].personalValues, 2);
    assert.equal(r.json[1].suggestion.kind, 'name');
    assert.equal(r.json[2].suggestion, null);
    const s = await unit.post('/api/masking/suggest', { names: ['户籍地址', '备注'] });
    assert.deepEqual(
      s.json.map((x: { suggestion: { kind: string } | null }) => x.suggestion?.kind ?? null),
      ['address', null],
    );
  });
});
