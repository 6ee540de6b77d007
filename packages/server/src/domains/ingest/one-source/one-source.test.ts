// One data, one source, and freshness: a holder's values that disagree with the authoritative source are
// listed by resource and unit; each resource is fresh, due or overdue from its cycle and last load.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Client } from '../../../testing/test-env.ts';
import { itemBody, resourceBody } from '../../../testing/catalog-fixtures.ts';
import { publish, residentId } from '../../../testing/ingest-fixtures.ts';

describeEachDb('one data, one source; freshness', (env) => {
  let police: Client;
  let civil: Client;
  let reviewer: Client;
  let src: { id: string; code: string };
  let holder: { id: string; code: string };
  const ids = [0, 1, 2].map((i) => residentId('1975-05-05', i));

  before(async () => {
    const gaj = await env().makeOrg({ name: '公安分局（一数一源）' });
    const mzj = await env().makeOrg({ name: '民政局（一数一源）' });
    police = await env().as('unit_admin', gaj.id);
    civil = await env().as('unit_admin', mzj.id);
    reviewer = await env().as('center_reviewer');
    src = await publish(
      police,
      reviewer,
      resourceBody({
        name: '户籍人口信息（权威来源）',
        updateCycle: 'daily',
        items: [
          itemBody('id_no', '公民身份号码', {
            primaryKey: true,
            required: true,
            length: 18,
            piiKind: 'id_card',
            sensitivity: 'sensitive_personal',
          }),
          itemBody('person_name', '姓名', { length: 30, piiKind: 'name', sensitivity: 'personal' }),
          itemBody('birth_date', '出生日期', { dataType: 'date', length: null }),
        ],
      }),
    );
    holder = await publish(
      civil,
      reviewer,
      resourceBody({
        name: '养老服务对象信息',
        updateCycle: 'monthly',
        items: [
          itemBody('sfzh', '公民身份号码', {
            primaryKey: true,
            required: true,
            length: 18,
            piiKind: 'id_card',
            sensitivity: 'sensitive_personal',
            sourceResourceCode: src.code,
            sourceItemCode: 'id_no',
          }),
          itemBody('xm', '姓名', {
            length: 30,
            piiKind: 'name',
            sensitivity: 'personal',
            sourceResourceCode: src.code,
            sourceItemCode: 'person_name',
          }),
          itemBody('csrq', '出生日期', {
            dataType: 'date',
            length: null,
            sourceResourceCode: src.code,
            sourceItemCode: 'birth_date',
          }),
          itemBody('level', '护理等级', { length: 10 }),
        ],
      }),
    );
    const push = async (c: Client, id: string, rows: unknown[]) => {
      const r = await c.post(`/api/ingest/resources/${id}/rows`, rows);
      assert.equal(r.json.batch.rejected, 0, r.body);
    };
    await push(
      police,
      src.id,
      ids.map((id, i) => ({ id_no: id, person_name: `马${i}`, birth_date: '1975-05-05' })),
    );
    await push(civil, holder.id, [
      { sfzh: ids[0], xm: '马0', csrq: '1975-05-05', level: '一级' }, // agrees
      { sfzh: ids[1], xm: '马壹', csrq: '1975-05-05', level: '二级' }, // name differs
      { sfzh: ids[2], xm: '马2', csrq: '1975-06-05', level: '三级' }, // birth date differs
      { sfzh: residentId('1980-01-01', 7), xm: '不在源中', csrq: '1980-01-01' }, // no source row: nothing to compare
    ]);
  });

  it('the comparison lists each disagreeing value with the authoritative one, by resource and unit', async () => {
    assert.equal((await civil.post('/api/ingest/conflicts/check')).status, 403);
    const run = await reviewer.post('/api/ingest/conflicts/check');
    assert.equal(run.status, 200, run.body);
    const pair = run.json.pairs.find((p: { holder: string }) => p.holder === holder.id);
    assert.deepEqual([pair.compared.sort(), pair.conflicts], [['csrq', 'xm'], 2]);
    const view = (await civil.get(`/api/ingest/conflicts?resourceId=${holder.id}`)).json;
    assert.equal(view.total, 2);
    const byItem = Object.fromEntries(
      view.conflicts.map((c: { itemCode: string; value: string; sourceValue: string; keyValue: string }) => [
        c.itemCode,
        [c.keyValue, c.value, c.sourceValue],
      ]),
    );
    assert.deepEqual(byItem.xm, [ids[1], '马壹', '马1']);
    assert.deepEqual(byItem.csrq, [ids[2], '1975-06-05', '1975-05-05']);
    assert.ok(
      view.byResource.every(
        (b: { orgName: string; sourceOrgName: string }) =>
          b.orgName === '民政局（一数一源）' && b.sourceOrgName === '公安分局（一数一源）',
      ),
    );
    // the source unit sees them too; an unrelated unit does not
    assert.equal((await police.get('/api/ingest/conflicts')).json.total >= 2, true);
    const other = await env().as('unit_admin');
    assert.equal((await other.get('/api/ingest/conflicts')).json.total, 0);
  });

  it('freshness: fresh after a load, due after its cycle, overdue after the grace in working days; the Center counts by unit', async () => {
    const svc = env().app.services.ingest;
    const orig = svc.today;
    try {
      const info = (await civil.get(`/api/ingest/resources/${holder.id}`)).json;
      assert.equal(info.freshness, 'fresh');
      const loaded = new Date(info.lastLoadAt);
      const due = info.dueDate as string;
      assert.ok(due > loaded.toISOString().slice(0, 10));
      svc.today = () => due;
      assert.equal((await civil.get(`/api/ingest/resources/${holder.id}`)).json.freshness, 'due');
      svc.today = () => '2099-01-01';
      assert.equal((await civil.get(`/api/ingest/resources/${holder.id}`)).json.freshness, 'overdue');
      const overdue = (await reviewer.get('/api/ingest/resources?freshness=overdue')).json.map(
        (r: { id: string }) => r.id,
      );
      assert.ok(overdue.includes(holder.id) && overdue.includes(src.id));
      const units = (await reviewer.get('/api/ingest/overdue-by-unit')).json;
      assert.ok(
        units.find((u: { orgName: string; overdue: number }) => u.orgName === '民政局（一数一源）' && u.overdue === 1),
      );
      const mine = (await civil.get('/api/ingest/resources')).json;
      assert.ok(mine.every((r: { orgName: string }) => r.orgName === '民政局（一数一源）'));
    } finally {
      svc.today = orig;
    }
  });
});
