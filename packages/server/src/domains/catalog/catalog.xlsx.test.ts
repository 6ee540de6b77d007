import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { itemBody, resourceBody } from '../../testing/catalog-fixtures.ts';
import { xlsxToCatalog, SHEET, COLUMNS } from './catalog.xlsx.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describeEachDb('catalog spreadsheets', (env) => {
  let admin: Client;
  let orgId: string;
  before(async () => {
    orgId = (await env().makeOrg({ kind: 'bureau', name: '表格测试局' })).id;
    admin = await env().as('unit_admin', orgId);
  });

  async function exportUnit(): Promise<Buffer> {
    const r = await env().app.inject({
      method: 'GET',
      url: '/api/catalog/export.xlsx?scope=unit',
      headers: { cookie: `gongshu_session=${admin.cookie}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-type'], XLSX);
    return r.rawPayload;
  }
  async function upload(buf: Buffer) {
    const r = await env().app.inject({
      method: 'POST',
      url: '/api/catalog/import',
      payload: buf,
      headers: { cookie: `gongshu_session=${admin.cookie}`, 'x-csrf-token': admin.csrf!, 'content-type': XLSX },
    });
    return { status: r.statusCode, json: JSON.parse(r.body) };
  }

  it('export → import round-trips losslessly, and formula-like text is never a formula', async () => {
    await admin.post('/api/catalog/systems', { name: '住房保障管理系统' });
    const systems = (await admin.get('/api/catalog/systems')).json;
    const body = resourceBody({
      name: '公租房保障对象信息',
      systemId: systems[0].id,
      summary: "=cmd|' /C calc'!A0 并非公式",
      keywords: ['公租房', '保障'],
      shareMethods: ['api', 'file'],
      openAttribute: 'conditional',
      openCondition: '脱敏后按年度汇总开放',
      publishDate: '2026-01-05',
      relatedCodes: ['301001/000001'],
    });
    body.items.push(
      itemBody('rent', '月租金', { dataType: 'decimal', length: 10, precision: 2, description: '+含物业费' }),
    );
    body.items[2] = {
      ...body.items[2]!,
      shareType: 'none',
      shareCondition: '涉及个人隐私',
      shareBasis: '《个人信息保护法》第二十八条',
      maskingRule: 'mask',
    };
    const created = await admin.post('/api/catalog/resources', body);
    assert.equal(created.status, 201, created.body);
    const before_ = (await admin.get(`/api/catalog/resources/${created.json.id}`)).json.working;

    const buf = await exportUnit();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(SHEET)!;
    const summaryCol = COLUMNS.findIndex((c) => c.key === 'summary') + 1;
    assert.equal(ws.getRow(2).getCell(summaryCol).value, "'=cmd|' /C calc'!A0 并非公式");
    assert.equal(ws.getRow(2).getCell(summaryCol).formula, undefined);

    const names = await env().app.services.catalog.codes.codeNames();
    const parsed = await xlsxToCatalog(buf, names);
    assert.deepEqual(parsed.problems, []);
    const g = parsed.groups.find((x) => x.code === created.json.code)!;
    const { systemId: _s, ...expected } = body;
    const norm = (o: unknown) =>
      JSON.parse(
        JSON.stringify(o, (_k, v) =>
          v === null || v === undefined || (Array.isArray(v) && !v.length) || v === false ? undefined : v,
        ),
      );
    assert.deepEqual(norm(g.input), norm(expected));
    assert.equal(g.systemName, '住房保障管理系统');

    const report = await upload(buf);
    assert.equal(report.status, 200);
    assert.deepEqual(report.json.rejected, []);
    assert.equal(report.json.accepted.length, 1);
    assert.equal(report.json.accepted[0].action, 'updated');
    const after_ = (await admin.get(`/api/catalog/resources/${created.json.id}`)).json.working;
    const strip = (v: Record<string, unknown>) => ({ ...v, updatedAt: null, due: null });
    assert.deepEqual(strip(after_), strip(before_));
  });

  it('imports new drafts and reports each rejected row with its reason', async () => {
    const buf = await exportUnit();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(SHEET)!;
    const col = (k: string) => COLUMNS.findIndex((c) => c.key === k) + 1;
    const add = (cells: Record<string, string | number>) => {
      const row = ws.addRow([]);
      for (const [k, v] of Object.entries(cells)) row.getCell(col(k)).value = v;
    };
    const good = {
      name: '新建的资源',
      category: '部门信息资源',
      baseLibrary: '不属于基础库',
      format: '数据库表',
      updateCycle: '每月',
      shareType: '无条件共享',
      openAttribute: '不开放',
      securityGrade: '一般数据一级',
      shareMethods: '接口共享',
      summary: '导入',
    };
    const first = ws.rowCount + 1;
    add({
      ...good,
      'item.name': '编号',
      'item.code': 'no',
      'item.dataType': 'C',
      'item.primaryKey': '是',
      'item.required': '是',
    });
    add({ 'item.name': '名称', 'item.code': 'title', 'item.dataType': '字符型 C' });
    add({
      ...good,
      name: '坏代码的资源',
      'item.name': '编号',
      'item.code': 'x"; DROP TABLE resource; --',
      'item.dataType': '字符型 C',
    });
    add({
      ...good,
      name: '坏周期的资源',
      updateCycle: '每小时',
      'item.name': '编号',
      'item.code': 'no',
      'item.dataType': '字符型 C',
      'item.length': '十',
    });
    add({
      ...good,
      code: '999999/000001',
      name: '别人的资源',
      'item.name': '编号',
      'item.code': 'no',
      'item.dataType': '字符型 C',
    });
    const report = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    assert.equal(report.status, 200);
    if (process.env.DEBUG_IMPORT) console.log(JSON.stringify(report.json, null, 1));
    const created = report.json.accepted.filter((a: { action: string }) => a.action === 'created');
    assert.deepEqual(
      created.map((a: { name: string }) => a.name),
      ['新建的资源'],
    );
    const rejected = report.json.rejected;
    assert.equal(rejected.length, 3);
    const byName = Object.fromEntries(rejected.map((r: { name: string }) => [r.name, r]));
    assert.equal(byName['坏代码的资源'].errors[0].field, 'items.0.code');
    assert.equal(byName['坏代码的资源'].errors[0].row, first + 2);
    assert.deepEqual(byName['坏周期的资源'].errors.map((e: { field: string }) => e.field).sort(), [
      'items.0.length',
      'updateCycle',
    ]);
    assert.match(
      byName['坏周期的资源'].errors.find((e: { field: string }) => e.field === 'updateCycle').message.zh,
      /每小时/,
    );
    assert.equal(byName['别人的资源'].errors[0].field, 'code');
    const mine = (await admin.get('/api/catalog/mine')).json.map((r: { name: string }) => r.name);
    assert.ok(mine.includes('新建的资源') && !mine.includes('坏代码的资源'));
  });

  it('an unreadable upload is a clear 400, and the district export holds only approved resources', async () => {
    const bad = await upload(Buffer.from('not a spreadsheet'));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'catalog.import_unreadable');
    const json = await admin.get('/api/catalog/export.json?scope=district');
    assert.equal(json.status, 200);
    assert.ok(json.json.every((v: { status: string }) => v.status === 'approved'));
  });
});
