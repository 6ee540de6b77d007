import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { itemBody, resourceBody } from '../../testing/catalog-fixtures.ts';

describeEachDb('catalog workflow', (env) => {
  let orgId: string;
  let admin: Client;
  let reviewer: Client;
  before(async () => {
    orgId = (await env().makeOrg({ kind: 'bureau' })).id;
    admin = await env().as('unit_admin', orgId);
    reviewer = await env().as('center_reviewer');
  });

  it('draft → submitted → returned with comments → fixed → resubmitted → approved, with the timeline', async () => {
    env().app.services.catalog.today = () => '2026-09-30';
    const c = await admin.post('/api/catalog/resources', resourceBody());
    assert.equal(c.status, 201, c.body);
    assert.match(c.json.code, /^301001\/\d{6}$/); // class 3 (department), item 01, sub-item 001
    const id = c.json.id;
    const sub = await admin.post(`/api/catalog/resources/${id}/submit`);
    assert.equal(sub.status, 200, sub.body);
    assert.equal(sub.json.status, 'submitted');
    // 5 working days from 2026-09-30 across the National Day holiday: Oct 8, 9, 10 (make-up), 12, 13
    assert.equal(sub.json.reviewDue, '2026-10-13');
    assert.equal(sub.json.policyVersion, 1);
    assert.equal(
      (await admin.put(`/api/catalog/resources/${id}/draft`, resourceBody())).status,
      409,
      'a submitted version is locked',
    );
    const queue = await reviewer.get('/api/catalog/review-queue');
    const mine = queue.json.find((r: { id: string }) => r.id === id);
    assert.deepEqual([mine.due.state, mine.due.daysLeft], ['open', 5]);

    const ret = await reviewer.post(`/api/catalog/resources/${id}/review`, {
      decision: 'return',
      comment: '请补充共享条件',
      itemComments: { owner_id_no: '身份证号应为不予共享' },
    });
    assert.equal(ret.status, 200, ret.body);
    assert.equal(ret.json.status, 'returned');
    assert.equal(ret.json.itemComments.owner_id_no, '身份证号应为不予共享');
    // the district catalog does not show it yet
    assert.equal(
      (
        await env()
          .client()
          .login((await env().makeUser({ orgId, roles: ['unit_user'] })).username)
          .then((u) => u.get(`/api/catalog/resources?q=${encodeURIComponent('房屋维修')}`))
      ).json.items.some((r: { id: string }) => r.id === id),
      false,
    );

    const fixed = resourceBody();
    fixed.items[2] = {
      ...fixed.items[2]!,
      shareType: 'none',
      shareCondition: '涉及个人隐私',
      shareBasis: '《个人信息保护法》第二十八条',
    };
    assert.equal((await admin.put(`/api/catalog/resources/${id}/draft`, fixed)).status, 200);
    assert.equal((await admin.post(`/api/catalog/resources/${id}/submit`)).status, 200);
    const ok = await reviewer.post(`/api/catalog/resources/${id}/review`, { decision: 'approve', comment: '同意' });
    assert.equal(ok.json.status, 'approved');
    const got = await admin.get(`/api/catalog/resources/${id}`);
    assert.equal(got.json.current.version, 1);
    assert.equal(got.json.working, null);
    const tl = (await admin.get(`/api/catalog/resources/${id}/timeline`)).json.map((e: { action: string }) => e.action);
    assert.deepEqual(tl, ['created', 'submitted', 'returned', 'edited', 'resubmitted', 'approved']);
    const audit = await env()
      .database.db.selectFrom('audit_record')
      .select('action')
      .where('object_id', '=', id)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      [
        'catalog.resource.create',
        'catalog.resource.submit',
        'catalog.resource.return',
        'catalog.resource.edit',
        'catalog.resource.submit',
        'ingest.table.create',
        'catalog.resource.approve',
      ],
    );
  });

  it('a change request makes a new version with a 10-working-day filing limit; the old version stays readable; diffs show what changed', async () => {
    env().app.services.catalog.today = () => '2026-10-09';
    const { json } = await admin.post('/api/catalog/resources', resourceBody({ name: '低保救助对象信息' }));
    await admin.post(`/api/catalog/resources/${json.id}/submit`);
    await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'approve' });
    assert.equal(
      (await admin.put(`/api/catalog/resources/${json.id}/draft`, resourceBody())).status,
      409,
      'approved resources change only through a change request',
    );
    assert.equal(
      (await admin.post(`/api/catalog/resources/${json.id}/change`, { changeDate: '2026-10-12', reason: '未来' }))
        .status,
      400,
    );
    const ch = await admin.post(`/api/catalog/resources/${json.id}/change`, {
      changeDate: '2026-09-28',
      reason: '增加救助金额信息项',
    });
    assert.equal(ch.status, 200, ch.body);
    assert.equal(ch.json.version, 2);
    assert.equal(ch.json.filingDue, '2026-10-16');
    assert.deepEqual([ch.json.due.state, ch.json.due.daysLeft], ['open', 6]); // Oct 10 (make-up), 12-16
    assert.equal(
      (await admin.post(`/api/catalog/resources/${json.id}/change`, { changeDate: '2026-09-28', reason: 'again' }))
        .status,
      409,
    );
    const v2 = resourceBody({ name: '低保救助对象信息', updateCycle: 'quarterly' });
    v2.items.push(itemBody('relief_amount', '救助金额', { dataType: 'decimal', length: 12, precision: 2 }));
    v2.items = v2.items.filter((i) => i.code !== 'finished_on');
    assert.equal((await admin.put(`/api/catalog/resources/${json.id}/draft`, v2)).status, 200);
    // meanwhile the district still sees version 1
    const pub = await env()
      .client()
      .login((await env().makeUser({ orgId: env().centerOrgId, roles: ['supervisor'] })).username);
    assert.equal((await pub.get(`/api/catalog/resources/${json.id}`)).json.current.updateCycle, 'monthly');
    await admin.post(`/api/catalog/resources/${json.id}/submit`);
    await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'approve' });
    const versions = (await pub.get(`/api/catalog/resources/${json.id}/versions`)).json;
    assert.deepEqual(
      versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`),
      ['2:approved', '1:superseded'],
    );
    assert.equal((await pub.get(`/api/catalog/resources/${json.id}/versions/1`)).json.updateCycle, 'monthly');
    const d = (await pub.get(`/api/catalog/resources/${json.id}/diff?from=1&to=2`)).json;
    assert.deepEqual(d.fields, [{ field: 'updateCycle', before: 'monthly', after: 'quarterly' }]);
    assert.deepEqual(d.items.map((i: { code: string; change: string }) => `${i.change}:${i.code}`).sort(), [
      'added:relief_amount',
      'removed:finished_on',
    ]);
  });

  it('refusals: wrong role, wrong unit, wrong state', async () => {
    const { json } = await admin.post('/api/catalog/resources', resourceBody({ name: '拒绝测试资源' }));
    const user = await env().as('unit_user', orgId);
    assert.equal(
      (await user.post(`/api/catalog/resources/${json.id}/submit`)).status,
      403,
      'a unit user cannot submit',
    );
    const other = await env().as('unit_admin');
    assert.equal(
      (await other.put(`/api/catalog/resources/${json.id}/draft`, resourceBody())).status,
      403,
      'another unit cannot edit',
    );
    assert.equal(
      (await other.get(`/api/catalog/resources/${json.id}`)).status,
      403,
      'another unit cannot read a draft',
    );
    assert.equal(
      (await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'approve' })).status,
      409,
      'nothing to review yet',
    );
    assert.equal(
      (await admin.post(`/api/catalog/resources/${json.id}/review`, { decision: 'approve' })).status,
      403,
      'units do not review',
    );
    await admin.post(`/api/catalog/resources/${json.id}/submit`);
    assert.equal((await admin.post(`/api/catalog/resources/${json.id}/submit`)).status, 409, 'already submitted');
    assert.equal((await admin.post(`/api/catalog/resources/${json.id}/withdraw`)).status, 409, 'under review');
    const noComment = await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'return' });
    assert.equal(noComment.status, 400);
    assert.equal(noComment.json.errors[0].field, 'comment');
    const badItem = await reviewer.post(`/api/catalog/resources/${json.id}/review`, {
      decision: 'return',
      itemComments: { no_such: 'x' },
    });
    assert.equal(badItem.json.errors[0].field, 'itemComments');
    await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'return', comment: '撤回重来' });
    assert.equal((await admin.post(`/api/catalog/resources/${json.id}/withdraw`)).status, 204);
    assert.equal((await admin.post(`/api/catalog/resources/${json.id}/submit`)).status, 409, 'nothing left to submit');
  });

  it('overdue cases are listed for the Center', async () => {
    env().app.services.catalog.today = () => '2026-09-21';
    const { json } = await admin.post('/api/catalog/resources', resourceBody({ name: '逾期测试资源' }));
    await admin.post(`/api/catalog/resources/${json.id}/submit`);
    env().app.services.catalog.today = () => '2026-10-09';
    const overdue = await reviewer.get('/api/catalog/overdue');
    const row = overdue.json.find((r: { id: string }) => r.id === json.id);
    assert.ok(row, 'listed');
    assert.equal(row.kind, 'review');
    assert.equal(row.due.state, 'overdue');
    env().app.services.catalog.today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  });
});

describeEachDb('catalog validation', (env) => {
  let admin: Client;
  before(async () => {
    admin = await env().as('unit_admin');
  });

  it('hostile and invalid item codes are refused with the item named; none reaches SQL', async () => {
    const hostile = ['x"; DROP TABLE resource; --', 'Robert', '1abc', 'select', 'ctid', 'a b', 'ä', 'x'.repeat(64), ''];
    for (const code of hostile) {
      const r = await admin.post(
        '/api/catalog/resources',
        resourceBody({ items: [itemBody(code, '坏代码', { primaryKey: true, required: true })] }),
      );
      assert.equal(r.status, 400, `${JSON.stringify(code)}: ${r.body}`);
      assert.ok(
        r.json.errors.some((e: { field: string }) => e.field.startsWith('items.0.code')),
        `${code}: ${r.body}`,
      );
    }
    const stored = await env()
      .database.db.selectFrom('resource')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 0, 'nothing was stored');
    const dup = await admin.post(
      '/api/catalog/resources',
      resourceBody({ items: [itemBody('a', '甲', { primaryKey: true, required: true }), itemBody('a', '乙')] }),
    );
    assert.equal(dup.json.errors[0].field, 'items.1.code');
  });

  it('share rules, PII sensitivity, primary keys and code tables', async () => {
    const looser = resourceBody({ shareType: 'none', shareCondition: '涉密', shareBasis: '依据', shareMethods: [] });
    looser.items[0] = { ...looser.items[0]!, shareType: 'unconditional' };
    const r1 = await admin.post('/api/catalog/resources', looser);
    assert.equal(r1.status, 400);
    assert.equal(r1.json.errors[0].field, 'items.0.shareType');
    const pii = resourceBody();
    pii.items[2] = { ...pii.items[2]!, sensitivity: 'personal' }; // an ID number is sensitive personal information
    assert.equal((await admin.post('/api/catalog/resources', pii)).json.errors[0].field, 'items.2.sensitivity');
    const badCode = await admin.post('/api/catalog/resources', resourceBody({ updateCycle: 'hourly' }));
    assert.equal(badCode.json.errors[0].field, 'updateCycle');
    // completeness is checked on submission, not on every save
    const draft = await admin.post(
      '/api/catalog/resources',
      resourceBody({ shareBasis: null, items: [itemBody('name', '名称')] }),
    );
    assert.equal(draft.status, 201);
    const sub = await admin.post(`/api/catalog/resources/${draft.json.id}/submit`);
    assert.equal(sub.status, 400);
    assert.deepEqual(sub.json.errors.map((e: { field: string }) => e.field).sort(), ['items', 'shareBasis']);
    const other = await env().makeOrg();
    const sys = await (await env().as('unit_admin', other.id)).post('/api/catalog/systems', { name: '别人的系统' });
    const foreign = await admin.post('/api/catalog/resources', resourceBody({ systemId: sys.json.id }));
    assert.equal(foreign.json.errors[0].field, 'systemId');
  });

  it('the Center extends a code table (not the national ones) and units can then use the code', async () => {
    const center = await env().as('center_admin');
    assert.equal(
      (await center.put('/api/catalog/code-tables/update_cycle/biweekly', { zh: '每两周', en: 'Fortnightly' })).status,
      200,
    );
    assert.equal(
      (await center.put('/api/catalog/code-tables/category/other', { zh: '其他', en: 'Other' })).status,
      400,
    );
    assert.equal((await admin.post('/api/catalog/resources', resourceBody({ updateCycle: 'biweekly' }))).status, 201);
    assert.equal(
      (await center.put('/api/catalog/settings', { itemLength: 3, subItemLength: 2, sequenceLength: 4 })).status,
      200,
    );
    const r = await admin.post('/api/catalog/resources', resourceBody({ category: 'base' }));
    assert.match(r.json.code, /^1001\d{2}\/\d{4}$/);
    await center.put('/api/catalog/settings', { itemLength: 2, subItemLength: 3, sequenceLength: 6 });
  });
});

describeEachDb('catalog search', (env) => {
  const names = [
    '房屋维修信息登记',
    '户籍人口信息',
    '企业登记信息',
    '不动产登记信息',
    '低保救助对象',
    '学校基本信息',
    '城市部件普查',
  ];
  before(async () => {
    const admin = await env().as('unit_admin');
    const reviewer = await env().as('center_reviewer');
    for (const [i, name] of names.entries()) {
      const body = resourceBody({
        name,
        keywords: [],
        summary: `${name}的摘要`,
        baseLibrary: i % 2 ? 'person' : 'house',
        shareType: i === 3 ? 'unconditional' : 'conditional',
      });
      if (name === '户籍人口信息') body.items[2] = { ...body.items[2]!, name: '公民身份证号码' };
      else body.items[2] = { ...body.items[2]!, name: '证件号码' };
      const { json } = await admin.post('/api/catalog/resources', body);
      await admin.post(`/api/catalog/resources/${json.id}/submit`);
      await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'approve' });
    }
    await admin.post('/api/catalog/resources', resourceBody({ name: '未发布的维修信息' }));
  });

  it('partial Chinese terms match names and item names; drafts are not in the district catalog', async () => {
    const c = await env().as('unit_user');
    const q = async (s: string) => (await c.get(`/api/catalog/resources?q=${encodeURIComponent(s)}`)).json;
    assert.deepEqual(
      (await q('维修信息')).items.map((i: { name: string }) => i.name),
      ['房屋维修信息登记'],
    );
    assert.deepEqual(
      (await q('身份证')).items.map((i: { name: string }) => i.name),
      ['户籍人口信息'],
    );
    assert.deepEqual((await q('登记信息')).items.map((i: { name: string }) => i.name).sort(), [
      '不动产登记信息',
      '企业登记信息',
    ]);
    assert.equal((await q('信息 不动产')).total, 1, 'two terms: both must match');
    assert.equal((await q('维息')).total, 0, 'bigrams must be contiguous in the text');
    assert.equal((await q('ＦＯＯ')).total, 0);
  });

  it('exact code search, facets, and the same results as an ILIKE scan', async () => {
    const c = await env().as('unit_user');
    const res = await c.get('/api/catalog/resources?limit=50');
    assert.equal(res.status, 200, res.body);
    const all = res.json;
    assert.equal(all.total, names.length);
    const code = all.items[0].code;
    assert.deepEqual(
      (await c.get(`/api/catalog/resources?q=${encodeURIComponent(code)}`)).json.items.map(
        (i: { code: string }) => i.code,
      ),
      [code],
    );
    const f = (await c.get('/api/catalog/resources?baseLibrary=person')).json;
    assert.equal(f.total, 3);
    assert.equal(
      f.facets.baseLibrary.find((x: { value: string }) => x.value === 'house').count,
      4,
      'a facet ignores its own filter',
    );
    assert.equal(
      f.facets.shareType.reduce((n: number, x: { count: number }) => n + x.count, 0),
      3,
    );
    const { ilikeScan } = await import('./catalog.repository.ts');
    for (const term of ['信息', '登记', '维修', '证件号码', '人口', '普查', '摘要', '息登']) {
      const ours = (await c.get(`/api/catalog/resources?limit=200&q=${encodeURIComponent(term)}`)).json.items
        .map((i: { id: string }) => i.id)
        .sort();
      const scan = (await ilikeScan(env().database.db, term)).sort();
      assert.deepEqual(ours, scan, term);
    }
    const n = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM resource_version WHERE search_doc IS NULL`.execute(env().database.db);
    assert.equal(n.rows[0]!.n, 0);
  });
});
