import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { resourceBody } from '../../testing/catalog-fixtures.ts';

async function sheet(env: () => { app: import('fastify').FastifyInstance }, c: Client, url: string) {
  const r = await env().app.inject({ method: 'GET', url, headers: { cookie: `gongshu_session=${c.cookie}` } });
  assert.equal(r.statusCode, 200, r.body);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: string[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return rows;
}

describeEachDb('the three lists, demands and system plans', (env) => {
  let unit: Client;
  let reviewer: Client;
  let approvedId: string;
  let orgId: string;
  before(async () => {
    orgId = (await env().makeOrg({ kind: 'bureau', name: '清单测试局' })).id;
    unit = await env().as('unit_admin', orgId);
    reviewer = await env().as('center_reviewer');
    const publish = async (body: ReturnType<typeof resourceBody>) => {
      const { json } = await unit.post('/api/catalog/resources', body);
      await unit.post(`/api/catalog/resources/${json.id}/submit`);
      await reviewer.post(`/api/catalog/resources/${json.id}/review`, { decision: 'approve' });
      return json.id as string;
    };
    const withItem = resourceBody({ name: '房屋产权登记信息' });
    withItem.items[2] = {
      ...withItem.items[2]!,
      shareType: 'none',
      shareCondition: '涉及个人隐私',
      shareBasis: '《个人信息保护法》第二十八条',
    };
    approvedId = await publish(withItem);
    await publish(
      resourceBody({
        name: '婚姻登记档案',
        shareType: 'none',
        shareCondition: '法律禁止',
        shareBasis: '《婚姻登记档案管理办法》',
        shareMethods: [],
      }),
    );
  });

  it('responsibility list: every approved resource with its owner, person, cycle and aggregation status; exports to XLSX', async () => {
    const list = (await unit.get(`/api/catalog/lists/responsibility?orgId=${orgId}`)).json;
    assert.equal(list.length, 2);
    assert.deepEqual(
      [list[0].orgName, list[0].responsiblePerson, list[0].aggregationStatus],
      ['清单测试局', '王伟', 'not_aggregated'],
    );
    const rows = await sheet(env, unit, `/api/catalog/lists/responsibility.xlsx?orgId=${orgId}`);
    assert.equal(rows[0]![0], '资源代码');
    assert.equal(rows.length, 3);
    assert.ok(rows.slice(1).every((r) => r.includes('未归集') && r.includes('每月')));
  });

  it('non-share list: whole resources and single items, each with its legal basis', async () => {
    const list = (await unit.get('/api/catalog/lists/non-share')).json;
    const whole = list.find((r: { name: string }) => r.name === '婚姻登记档案');
    assert.equal(whole.itemCode, null);
    assert.equal(whole.basis, '《婚姻登记档案管理办法》');
    const item = list.find((r: { name: string }) => r.name === '房屋产权登记信息');
    assert.equal(item.itemCode, 'owner_id_no');
    const rows = await sheet(env, unit, '/api/catalog/lists/non-share.xlsx');
    assert.ok(rows.some((r) => r.includes('整个资源')) && rows.some((r) => r.some((c) => c.startsWith('信息项：'))));
  });

  it('demands: matched to approved resources, approved as a topic library led by the demanding unit, or rejected with a reason', async () => {
    const filed = async (title: string) =>
      (
        await unit.post('/api/demands', {
          title,
          dataNeeded: '房屋产权人与坐落',
          purpose: '老旧小区改造',
          legalBasis: '《城市危险房屋管理规定》',
          holderOrgId: null,
        })
      ).json.id as string;
    const a = await filed('需要房屋产权数据');
    const b = await filed('建设房屋主题库');
    const c = await filed('需要全市人口数据');
    const bad = await reviewer.post(`/api/demands/${a}/review`, { outcome: 'matched', resourceIds: [] });
    assert.equal(bad.json.errors[0].field, 'resourceIds');
    assert.equal(
      (await reviewer.post(`/api/demands/${a}/review`, { outcome: 'matched', resourceIds: [approvedId] })).json.status,
      'matched',
    );
    assert.equal((await reviewer.post(`/api/demands/${a}/review`, { outcome: 'rejected', comment: 'x' })).status, 409);
    const topic = await reviewer.post(`/api/demands/${b}/review`, {
      outcome: 'topic',
      comment: '同意建设',
      project: {
        name: '房屋主题库',
        kind: 'topic',
        memberOrgIds: [env().centerOrgId],
        targetResourceIds: [approvedId],
      },
    });
    assert.equal(topic.json.status, 'topic_approved');
    assert.equal(topic.json.projectName, '房屋主题库');
    const projects = (await unit.get('/api/topic-projects')).json;
    assert.equal(
      projects.find((p: { name: string }) => p.name === '房屋主题库').leadOrgId,
      orgId,
      'led by the demanding unit',
    );
    assert.equal(
      (await reviewer.post(`/api/demands/${c}/review`, { outcome: 'rejected' })).json.errors[0].field,
      'comment',
    );
    assert.equal(
      (await reviewer.post(`/api/demands/${c}/review`, { outcome: 'rejected', comment: '超出本区范围' })).json.status,
      'rejected',
    );
    const rows = await sheet(env, reviewer, '/api/demands.xlsx');
    assert.ok(rows.some((r) => r.includes('纳入主题库/专题库建设')) && rows.some((r) => r.includes('不予通过')));
  });

  it('system plans: submitted, reviewed with the catalog resources that already hold the same data, returned and resubmitted', async () => {
    const id = (
      await unit.post('/api/system-plans', {
        name: '智慧物业管理系统',
        purpose: '物业维修资金管理',
        collects: ['房屋坐落', '产权人身份证号码', '车位编号'],
        needs: '不动产登记信息',
      })
    ).json.id;
    const similar = (await reviewer.get(`/api/system-plans/${id}/similar`)).json;
    assert.ok(
      similar
        .find((s: { item: string }) => s.item === '房屋坐落')
        .resources.some((r: { name: string }) => r.name === '房屋产权登记信息'),
    );
    assert.equal(similar.find((s: { item: string }) => s.item === '车位编号').total, 0);
    assert.equal((await reviewer.post(`/api/system-plans/${id}/review`, { decision: 'return' })).status, 400);
    assert.equal(
      (
        await reviewer.post(`/api/system-plans/${id}/review`, {
          decision: 'return',
          comment: '房屋坐落请复用不动产登记数据，不得重复采集',
        })
      ).status,
      204,
    );
    assert.equal(
      (
        await unit.put(`/api/system-plans/${id}`, {
          name: '智慧物业管理系统',
          purpose: '物业维修资金管理',
          collects: ['车位编号'],
          needs: '通过共享获取不动产登记信息',
        })
      ).status,
      204,
    );
    assert.equal((await reviewer.post(`/api/system-plans/${id}/review`, { decision: 'approve' })).status, 204);
    const plans = (await unit.get('/api/system-plans')).json;
    assert.equal(plans.find((p: { id: string }) => p.id === id).status, 'approved');
  });
});
