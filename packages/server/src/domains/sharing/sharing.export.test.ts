// File exports of a grant and tracing a leaked one, over the API on both databases: CSV in UTF-8 with a BOM or in
// GB18030, and XLSX, masked as the grant says and fingerprinted; each export recorded (the access record before
// the data) and listed on the grant; a tenth of a file, reordered, with columns dropped and re-encoded to GBK,
// traced back to its export, user and time by the Center; a file no export wrote names none; the method, the
// parties and the quota are held.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { describeEachDb, type Reply } from '../../testing/test-env.ts';
import { grantedCase, ownerResource, sharingWorld, type SharingWorld } from '../../testing/sharing-fixtures.ts';
import { residentId } from '../../testing/ingest-fixtures.ts';
import { FULL_STAR } from './export/fingerprint.ts';
import { DataServer } from '../ingest/index.ts';

const ROWS = 120;
const csvRows = (text: string) => parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];

describeEachDb('sharing: exports and leak tracing', (env) => {
  let w: SharingWorld;
  let resource: { id: string };
  let grantId: string;
  const url = (q: string) => `/api/share/grants/${grantId}/export?${q}`;

  before(async () => {
    w = await sharingWorld(env());
    resource = await ownerResource(w, { shareMethods: ['api', 'file'] }, ROWS);
    ({ grantId } = await grantedCase(w, resource.id, {
      apply: { items: ['id_no', 'name', 'mobile', 'amount', 'members', 'level'], methods: ['api', 'file'] },
    }));
    const bind = await w.consumer.put(`/api/sharing/grants/${grantId}/credentials`, {
      credentialIds: [w.credentialId],
    });
    assert.equal(bind.status, 200, bind.body);
  });

  it('CSV in UTF-8 with a BOM: every row of the grant, masked, the same values the API serves but for the fill', async () => {
    const r = await w.consumerUser.get(url('format=csv'));
    assert.equal(r.status, 200, r.body);
    assert.match(String(r.headers['content-type']), /text\/csv; charset=utf-8/);
    assert.match(String(r.headers['content-disposition']), /attachment; .*filename\*=UTF-8''/);
    assert.ok(r.body.startsWith('\uFEFF'), 'a BOM, so Excel reads UTF-8');
    const [header, ...rows] = csvRows(r.body);
    assert.deepEqual(header, ['公民身份号码', '姓名', '联系电话', '救助金额', '家庭人口数', '救助类别']);
    assert.equal(rows.length, ROWS);
    assert.equal(r.headers['x-export-rows'], String(ROWS));
    // the API's rows (no fingerprint) are the export's with every fill written `*`
    const api: Record<string, unknown>[] = [];
    for (let cursor: string | null = null, n = 0; n < 10; n++) {
      const p: Reply = await w.system.get(
        `/api/share/grants/${grantId}/rows?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(p.status, 200, p.body);
      api.push(...p.json.rows);
      cursor = p.json.next;
      if (!cursor) break;
    }
    const byFill = new Map(api.map((a) => [String(a.id_no), a]));
    let fullStars = 0;
    for (const row of rows) {
      const id = row[0]!;
      assert.equal([...id].length, 18);
      assert.match(id, /^\d{6}[*＊]{8}\d{3}[\dX]$/, 'a masked ID keeps its form');
      fullStars += [...id].filter((c) => c === FULL_STAR).length;
      const a = byFill.get(id.replaceAll(FULL_STAR, '*'))!;
      assert.ok(a, `${id} is a row the API serves`);
      assert.equal(row[1]!.replaceAll(FULL_STAR, '*'), a.name);
      assert.equal(row[2]!.replaceAll(FULL_STAR, '*'), a.mobile);
      assert.equal(Number(row[3]), Number(a.amount), 'an amount is the same number');
      assert.equal(Number(row[4]), a.members);
      assert.equal(row[5], a.level);
    }
    assert.ok(fullStars > ROWS, `the fill carries the fingerprint (${fullStars} full-width)`);
    // the grant's own OpenAPI document lists the export beside the API's services
    const doc = await w.system.get(`/api/share/grants/${grantId}/openapi.json`);
    assert.ok(doc.json.paths[`/api/share/grants/${grantId}/export`], Object.keys(doc.json.paths).join());
  });

  it('the rows as COPY text: in parts (as on PGlite) the same lines as in one, within the where and the count', async () => {
    const db = env().database;
    const whole = new DataServer(db.db, db.copyOut, null);
    const parts = new DataServer(db.db, db.copyOut, 7);
    const where = [{ op: 'in' as const, item: 'level', values: ['A类', "B类'; --", 'C类\\'], negated: false }];
    const read = async (d: DataServer, max: number) => {
      const chunks: Buffer[] = [];
      for await (const c of (await d.copyRows(resource.id, { items: ['id_no', 'name', 'level'], where, max }))!)
        chunks.push(c);
      return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
    };
    const all = await read(whole, ROWS);
    assert.equal(all.length, ROWS / 3, 'only the where’s rows (a quote or backslash in a value is a value)');
    const items = (lines: string[]) => lines.map((l) => l.split('\t').slice(0, 3).join('\t'));
    const inParts = await read(parts, ROWS);
    assert.ok(inParts.every((l) => l.split('\t').length === 4 && l.split('\t')[3] === l.split('\t')[0]));
    assert.deepEqual(items(inParts), all, 'parts of 7 rows, each after the last key, give the same rows');
    assert.deepEqual(items(await read(parts, 20)), all.slice(0, 20), 'never more than the count recorded');
    // a part's last line may come in pieces (a socket's chunks): the next part still starts after its key
    const inPieces = new DataServer(
      db.db,
      (q) =>
        (async function* () {
          for await (const c of db.copyOut(q)) for (let i = 0; i < c.length; i += 5) yield c.subarray(i, i + 5);
        })(),
      7,
    );
    assert.deepEqual(items(await read(inPieces, ROWS)), all);
    // each line: the items (in parts, then the key again, for the next part to start after it), in key order
    const keys = all.map((l) => l.split('\t')[0]!);
    assert.deepEqual(keys, [...keys].sort());
    assert.ok(all.every((l) => l.split('\t').length === 3));
  });

  it('GB18030 on request (no BOM), and XLSX; a where and fields narrow the file', async () => {
    const gb = await w.consumer.get(
      url(`format=csv&encoding=gb18030&fields=name,level&where=${encodeURIComponent("救助类别 = 'A类'")}`),
    );
    assert.equal(gb.status, 200, gb.body);
    assert.match(String(gb.headers['content-type']), /charset=gb18030/);
    const text = iconv.decode(gb.raw, 'gb18030');
    const [header, ...rows] = csvRows(text);
    assert.deepEqual(header, ['姓名', '救助类别']);
    assert.equal(rows.length, ROWS / 3);
    assert.ok(rows.every((r) => r[1] === 'A类'));
    assert.notEqual(gb.raw.subarray(0, 3).toString('hex'), 'efbbbf');

    const x = await w.system.get(url('format=xlsx'));
    assert.equal(x.status, 200, x.body);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.raw as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    assert.equal(ws.rowCount, ROWS + 1);
    assert.equal(ws.getRow(1).getCell(1).value, '公民身份号码');
    assert.equal(typeof ws.getRow(2).getCell(5).value, 'number', 'a count in clear is a number in Excel');
  });

  it('each export is recorded before its data and listed on the grant, with who took it; the trail has both', async () => {
    const list = await w.owner.get(`/api/sharing/grants/${grantId}/exports`);
    assert.equal(list.status, 200, list.body);
    const exports = list.json.exports as { format: string; status: string; rows: number; by: string }[];
    assert.ok(exports.length >= 3);
    assert.ok(
      exports.every((e) => e.status === 'done'),
      JSON.stringify(exports),
    );
    assert.ok(exports.some((e) => e.format === 'xlsx' && e.by === w.systemName && e.rows === ROWS));
    const trail = await w.centerAdmin.get(`/api/audit?action=share.export&limit=50`);
    assert.ok(trail.json.items.some((i: { objectId: string }) => i.objectId === grantId));
    const done = await w.centerAdmin.get(`/api/audit?action=share.export.done&limit=50`);
    assert.ok(done.json.items.some((i: { diff: { rows: number } }) => i.diff.rows === ROWS));
  });

  it('a tenth of a file, reordered, columns dropped, in GBK: the Center names its export, user and time', async () => {
    const r = await w.consumerUser.get(url('format=csv'));
    const exportId = String(r.headers['x-export-id']);
    const [, ...rows] = csvRows(r.body);
    const tenth = rows
      .map((row, i) => ({ row, k: (i * 7919) % 101 }))
      .sort((a, b) => a.k - b.k)
      .slice(0, ROWS / 10)
      .map((x) => x.row);
    const leaked = ['联系电话,救助类别,公民身份号码', ...tenth.map((x) => [x[2], x[5], x[0]].join(','))].join('\r\n');
    const t = await w.reviewer.req('POST', '/api/sharing/trace?fileName=leak.csv', iconv.encode(leaked, 'gbk'), {
      'content-type': 'text/csv',
    });
    assert.equal(t.status, 200, t.body);
    assert.equal(t.json.verdict, 'named', t.body);
    assert.equal(t.json.named.exportId, exportId);
    assert.equal(t.json.named.grantId, grantId);
    assert.equal(t.json.named.consumer.id, w.consumerOrg);
    assert.ok(t.json.named.user, 'the user who exported it');
    assert.equal(t.json.evidence.agreeing, t.json.evidence.bits);
    assert.ok(t.json.candidates >= 3);
    // the trace is on the trail with the file's SM3
    const trail = await w.centerAdmin.get(`/api/audit?action=share.trace&limit=10`);
    assert.ok(trail.json.items.some((i: { diff: { sm3: string } }) => i.diff.sm3 === t.json.sm3));
  });

  it('an XLSX leak is traced too; a file no export wrote names none; a file that cannot be read says why', async () => {
    const x = await w.system.get(url('format=xlsx'));
    const t = await w.reviewer.req('POST', '/api/sharing/trace', x.raw, {
      'content-type': 'application/octet-stream',
    });
    assert.equal(t.status, 200, t.body);
    assert.equal(t.json.verdict, 'named');
    assert.equal(t.json.named.exportId, x.headers['x-export-id']);
    assert.equal(t.json.named.system, w.systemName);

    const api = await w.system.get(`/api/share/grants/${grantId}/rows?limit=100`);
    const plain = [
      '公民身份号码,联系电话',
      ...api.json.rows.map((a: { id_no: string; mobile: string }) => `${a.id_no},${a.mobile}`),
    ].join('\n');
    const none = await w.reviewer.req('POST', '/api/sharing/trace', plain, { 'content-type': 'text/csv' });
    assert.equal(none.status, 200, none.body);
    assert.equal(none.json.verdict, 'not_named');
    assert.equal(none.json.named, null);

    const bare = await w.reviewer.req('POST', '/api/sharing/trace', '编号,备注\n1,无\n', {
      'content-type': 'text/csv',
    });
    assert.equal(bare.json.verdict, 'no_carriers');
    const empty = await w.reviewer.req('POST', '/api/sharing/trace', Buffer.alloc(0), { 'content-type': 'text/csv' });
    assert.equal(empty.status, 400, empty.body);
    const broken = await w.reviewer.req('POST', '/api/sharing/trace', Buffer.from('PK\u0003\u0004broken'), {
      'content-type': 'application/octet-stream',
    });
    assert.equal(broken.status, 400, broken.body);
    assert.match(broken.json.message.zh ?? broken.body, /无法读取/);
  });

  it('only the consumer exports, only a grant with the file method, and never past the day’s quota', async () => {
    assert.equal((await w.owner.get(url('format=csv'))).status, 403, 'the owner does not export');
    assert.equal((await w.reviewer.get(url('format=csv'))).status, 403, 'nor the Center');
    assert.equal(
      (await w.consumerUser.req('POST', '/api/sharing/trace', 'a,b\n', { 'content-type': 'text/csv' })).status,
      403,
    );
    const bad = await w.consumerUser.get(url('format=pdf'));
    assert.equal(bad.status, 400);
    const outside = await w.consumerUser.get(url('format=csv&fields=granted_on'));
    assert.equal(outside.status, 400, outside.body);

    const apiOnly = await grantedCase(w, resource.id, { apply: { items: ['name', 'level'] } });
    const r = await w.consumerUser.get(`/api/share/grants/${apiOnly.grantId}/export?format=csv`);
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, /文件下载/);

    // an export that would pass the day's quota is refused whole, naming the numbers
    const small = await grantedCase(w, resource.id, { apply: { items: ['name', 'level'], methods: ['file'] } });
    const tight = await w.owner.patch(`/api/sharing/grants/${small.grantId}`, { dailyRows: 10 });
    assert.equal(tight.status, 200, tight.body);
    const over = await w.consumerUser.get(`/api/share/grants/${small.grantId}/export?format=csv`);
    assert.equal(over.status, 429, over.body);
    assert.match(over.json.message.zh, /导出将有 120 行，超过本授权今日剩余的 10 行/);
    assert.ok(over.headers['retry-after']);
  });

  it('pages sort numbers as numbers and keep to the key\u2019s order (the order names the table\u2019s columns)', async () => {
    // two more rows whose amounts and household sizes have more digits than the rest
    const more = [
      '公民身份号码,姓名,联系电话,救助金额,家庭人口数,批准日期,救助类别,是否在保',
      `${residentId('1949-12-31', 1)},赵一,13900000001,5.50,12,2024年1月1日,A类,是`,
      `${residentId('1949-12-31', 2)},赵二,13900000002,1000.50,9,2024年1月1日,A类,是`,
    ].join('\r\n');
    const up = await w.owner.req('POST', `/api/ingest/resources/${resource.id}/upload`, more, {
      'content-type': 'text/csv',
    });
    assert.equal(up.status, 200, up.body);
    const r = await w.system.get(`/api/share/grants/${grantId}/rows?sort=members&order=desc&limit=3`);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(
      r.json.rows.map((x: { members: number }) => x.members),
      [12, 9, 6],
    );
    const a = await w.system.get(`/api/share/grants/${grantId}/rows?sort=amount&limit=2`);
    assert.deepEqual(
      a.json.rows.map((x: { amount: string }) => Number(x.amount)),
      [5.5, 100.5],
    );
  });
});
