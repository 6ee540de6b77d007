// Ingest end to end through the API on both databases: tables on approval, uploads (UTF-8, GBK, XLSX),
// pushes (JSON, NDJSON, idempotent), validation with rejected rows, modes, hostile input, browsing.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { gb18030, personCsv, personResource, publish, residentId } from '../../testing/ingest-fixtures.ts';
import { itemBody } from '../../testing/catalog-fixtures.ts';
import { ingestLimits } from './check/check.key-set.ts';
import { laneThreads } from './lane/lane.thread.ts';

const CSV = { 'content-type': 'text/csv' };

describeEachDb('ingest', (env) => {
  let unit: Client;
  let reviewer: Client;
  let res: { id: string; code: string };
  let orgId: string;
  const upload = (c: Client, body: string | Buffer, q = '', headers: Record<string, string> = CSV) =>
    c.req('POST', `/api/ingest/resources/${res.id}/upload${q}`, body, headers);
  const count = async (table: string) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(table)}`.execute(env().database.db)).rows[0]!.n;

  before(async () => {
    orgId = (await env().makeOrg({ name: '区民政局（归集测试）' })).id;
    unit = await env().as('unit_admin', orgId);
    reviewer = await env().as('center_reviewer');
    res = await publish(unit, reviewer, personResource());
  });

  it('approving a tabular resource creates its typed table with the key and batch columns', async () => {
    const info = (await unit.get(`/api/ingest/resources/${res.id}`)).json;
    assert.match(info.table, /^data\.r_/);
    assert.deepEqual(info.keyColumns, ['id_no']);
    const { rows } = await sql<{ column_name: string; data_type: string }>`
      SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'data' AND table_name = ${info.table.slice(5)} ORDER BY ordinal_position`.execute(
      env().database.db,
    );
    assert.deepEqual(
      rows.map((r) => `${r.column_name}:${r.data_type}`),
      [
        'id_no:character varying',
        'name:character varying',
        'mobile:character varying',
        'amount:numeric',
        'members:bigint',
        'granted_on:date',
        'level:character varying',
        'active:boolean',
        'batch_id:uuid',
        'loaded_at:timestamp with time zone',
      ],
    );
    assert.equal(info.freshness, 'never');
    const list = (await unit.get('/api/catalog/lists/responsibility')).json.find(
      (r: { id: string }) => r.id === res.id,
    );
    assert.deepEqual([list.aggregationStatus, list.rowCount, list.lastLoadAt], ['not_aggregated', 0, null]);
  });

  it('a UTF-8 CSV with a few bad rows: accepted rows load, rejected rows keep their reasons and download as CSV', async () => {
    const lines = personCsv(20).split('\r\n');
    lines[3] = lines[3]!.replace(/^\d{17}[\dX]/, '640106199001011234'); // wrong check digit
    lines[5] = lines[5]!.replace(/,A类,|,B类,|,C类,/, ',D类,'); // not in the value set
    lines[7] = lines[7]!.replace(/2024年\d+月\d+日/, '2024年2月30日'); // no such date
    lines[9] = lines[9] + ',extra'; // ragged
    lines[11] = lines[2]!; // repeats the key of row 2
    const r = await upload(unit, lines.join('\r\n'), '?mode=upsert&fileName=dibao.csv');
    assert.equal(r.status, 200, r.body);
    const b = r.json.batch;
    assert.equal(b.status, 'succeeded', JSON.stringify(b.error));
    assert.deepEqual([b.received, b.accepted, b.rejected], [20, 15, 5]);
    assert.equal(b.encoding, 'utf-8');
    assert.match(b.checksum, /^[0-9a-f]{64}$/);
    const reasons = Object.fromEntries(
      b.rejectedSample.map((x: { rowNo: number; errors: { zh: string }[] }) => [
        x.rowNo,
        x.errors.map((e) => e.zh).join(),
      ]),
    );
    assert.match(reasons[4], /GB 11643/);
    assert.match(reasons[6], /不在值域内/);
    assert.match(reasons[8], /不是有效日期/);
    assert.match(reasons[10], /本行有 9 列，表头有 8 列/);
    assert.match(reasons[12], /与本批次文件第 3 行的数据重复/);
    // where a row is, in words that cannot be mistaken: the data row and the file's line (the header is line 1)
    const first = b.rejectedSample.find((x: { rowNo: number }) => x.rowNo === 4);
    assert.equal(first.dataRow, 3);
    assert.deepEqual(first.where, { zh: '第 3 条数据（文件第 4 行）', en: 'data row 3 (line 4 of the file)' });
    assert.equal(b.outcome, 'partly_accepted');
    const info = (await unit.get(`/api/ingest/resources/${res.id}`)).json;
    assert.equal(info.rowCount, 15);
    assert.equal(await count(info.table), 15);
    assert.equal(info.freshness, 'fresh');
    // the responsibility list (catalog) learns of the load from ingest
    const listed = (await unit.get('/api/catalog/lists/responsibility')).json.find(
      (x: { id: string }) => x.id === res.id,
    );
    assert.deepEqual([listed.aggregationStatus, listed.rowCount], ['aggregated', 15]);
    assert.equal(listed.lastLoadAt, info.lastLoadAt);

    const csv = await unit.get(`/api/ingest/batches/${b.id}/rejected.csv`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(csv.body, /第 3 条数据（文件第 4 行）：[^\r\n]*GB 11643/);
    const out = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(out.length, 6);
    assert.match(out[0]!, /^公民身份号码,姓名,.*,_错误原因$/);
    assert.match(out[1]!, /^640106199001011234,/);

    // Fixed and uploaded again (the reason column is ignored, with a warning).
    const fixed = [
      out[0],
      ...out.slice(1, 4).map((l, i) =>
        l!
          .replace(/^640106199001011234/, residentId('1990-01-01', 900 + i))
          .replace('D类', 'A类')
          .replace('2024年2月30日', '2024年2月28日'),
      ),
    ].join('\r\n');
    const again = await upload(unit, fixed, '?mode=upsert&fileName=fixed.csv');
    assert.equal(again.json.batch.status, 'succeeded', again.body);
    assert.equal(again.json.batch.rejected, 0, JSON.stringify(again.json.batch.rejectedSample));
    assert.match(again.json.batch.warnings.map((w: { zh: string }) => w.zh).join(), /_错误原因/);
    assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, 18);
  });

  it('GBK-encoded CSV (detected, and stated), semicolon and tab delimiters, headers by item code', async () => {
    const text = personCsv(3, 100);
    const iconv = gb18030(text);
    const r = await upload(unit, iconv, '?fileName=gbk.csv');
    assert.equal(r.json.batch.status, 'succeeded', r.body);
    assert.equal(r.json.batch.encoding, 'gb18030');
    assert.equal(r.json.batch.accepted, 3);
    const semi = personCsv(2, 200).replace(/,/g, ';').replace('公民身份号码', 'id_no').replace('姓名', 'NAME');
    const s = await upload(unit, semi);
    assert.equal(s.json.batch.accepted, 2, s.body);
    const tab = personCsv(2, 300).replace(/,/g, '\t');
    const t = await upload(unit, tab, '?delimiter=tab&encoding=utf-8');
    assert.equal(t.json.batch.accepted, 2, t.body);
    const browse = (
      await unit.get(
        `/api/ingest/resources/${res.id}/rows?raw=true&filter=name:contains:${encodeURIComponent('张伟100')}`,
      )
    ).json;
    assert.equal(browse.rows.length, 1);
    assert.equal(browse.rows[0].name, '张伟100');
  });

  it('an XLSX file with dates, numbers and a formula cell', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['公民身份号码', '姓名', '救助金额', '批准日期', '是否在保']);
    ws.addRow([residentId('1980-05-06', 1), '李四', 1234.5, new Date(Date.UTC(2024, 0, 5)), true]);
    ws.addRow([
      residentId('1981-05-06', 2),
      { richText: [{ text: '王' }, { text: '五' }] },
      { formula: 'A1*2', result: 10 },
      '2024/1/6',
      '否',
    ]);
    ws.addRow([residentId('1982-05-06', 3), "=cmd|' /C calc'!A0", 5, '20240107', 1]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload(unit, buf, '?fileName=dibao.xlsx', {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    assert.equal(r.json.batch.status, 'succeeded', r.body);
    assert.equal(r.json.batch.accepted, 3, JSON.stringify(r.json.batch.rejectedSample));
    const rows = (
      await unit.get(`/api/ingest/resources/${res.id}/rows?raw=true&filter=id_no:eq:${residentId('1982-05-06', 3)}`)
    ).json.rows;
    assert.equal(rows[0].name, "=cmd|' /C calc'!A0"); // stored as text
    const d = (
      await unit.get(`/api/ingest/resources/${res.id}/rows?raw=true&filter=id_no:eq:${residentId('1980-05-06', 1)}`)
    ).json.rows[0];
    assert.deepEqual([d.granted_on, d.amount, d.active], ['2024-01-05', '1234.50', true]);
  });

  it('push: JSON array and NDJSON from a unit system with an API credential; a retried push loads once', async () => {
    const cred = await unit.post('/api/credentials', { systemName: '低保业务系统' });
    assert.equal(cred.status, 201, cred.body);
    const sys = env().client();
    sys.bearer = cred.json.token;
    const rows = [0, 1, 2].map((i) => ({
      id_no: residentId('1970-03-03', 500 + i),
      name: `推送${i}`,
      amount: 10.25,
      members: 3,
      granted_on: '2024-03-01',
      level: 'B类',
      active: true,
    }));
    const key = { 'idempotency-key': 'push-2024-03-01-001' };
    const first = await sys.req(
      'POST',
      `/api/ingest/resources/${encodeURIComponent(res.code)}/rows?mode=upsert`,
      rows,
      key,
    );
    assert.equal(first.status, 201, first.body);
    assert.equal(first.json.batch.accepted, 3);
    const retry = await sys.req(
      'POST',
      `/api/ingest/resources/${encodeURIComponent(res.code)}/rows?mode=upsert`,
      rows,
      key,
    );
    assert.equal(retry.status, 200);
    assert.equal(retry.json.replayed, true);
    assert.equal(retry.json.batch.id, first.json.batch.id);
    const other = await sys.req('POST', `/api/ingest/resources/${res.id}/rows`, [{ ...rows[0], name: '改了' }], key);
    assert.equal(other.status, 422);
    const batches = (await unit.get(`/api/ingest/resources/${res.id}/batches`)).json;
    assert.equal(
      batches.batches.filter((b: { idempotencyKey: string }) => b.idempotencyKey === key['idempotency-key']).length,
      1,
    );

    const nd =
      rows
        .map((r, i) => JSON.stringify({ ...r, id_no: residentId('1971-03-03', 600 + i), unknown_key: 1 }))
        .join('\n') + '\n{"id_no": "bad"}\nnot json\n';
    const n = await sys.req('POST', `/api/ingest/resources/${res.id}/rows?mode=append`, nd, {
      'content-type': 'application/x-ndjson',
    });
    assert.equal(n.status, 201, n.body);
    assert.deepEqual([n.json.batch.received, n.json.batch.accepted, n.json.batch.rejected], [5, 3, 2]);
    const reasons = n.json.batch.rejectedSample.map((x: { errors: { zh: string }[] }) =>
      x.errors.map((e) => e.zh).join(),
    );
    assert.match(reasons[0], /GB 11643/);
    assert.match(reasons[1], /不是有效的 JSON/);

    // Another unit's system may not push here.
    const otherUnit = await env().as('unit_admin');
    const oc = await otherUnit.post('/api/credentials', { systemName: '别的系统' });
    const stranger = env().client();
    stranger.bearer = oc.json.token;
    assert.equal((await stranger.req('POST', `/api/ingest/resources/${res.id}/rows`, rows)).status, 403);
  });

  it('modes: append refuses keys already loaded row by row; replace swaps the whole table; upsert keeps columns the file leaves out', async () => {
    const before_ = (await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount;
    const ap = await upload(unit, personCsv(2, 0), '?mode=append');
    assert.deepEqual([ap.json.batch.accepted, ap.json.batch.rejected], [0, 2]);
    assert.match(ap.json.batch.rejectedSample[0].errors[0].zh, /主键已存在/);
    assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, before_);

    const partial = ['公民身份号码,姓名', `${personCsv(1, 0).split('\r\n')[1]!.split(',')[0]},新名字`].join('\n');
    const up = await upload(unit, partial, '?mode=upsert');
    assert.equal(up.json.batch.accepted, 1, up.body);
    const row = (
      await unit.get(`/api/ingest/resources/${res.id}/rows?raw=true&filter=name:eq:${encodeURIComponent('新名字')}`)
    ).json.rows[0];
    assert.equal(row.level, 'A类'); // not in the file: kept

    const rep = await upload(unit, personCsv(4, 1000), '?mode=replace');
    assert.equal(rep.json.batch.status, 'succeeded');
    assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, 4);
    const empty = await upload(unit, 'id_no,name\n640106199001011234,x\n', '?mode=replace');
    assert.equal(empty.json.batch.status, 'failed');
    assert.match(empty.json.batch.error.zh, /已有数据保持不变/);
    assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, 4);
  });

  it('hostile files: empty, header only, stray and unclosed quotes, a 10 MB field, invalid UTF-8 stated as UTF-8, NUL, wrong columns', async () => {
    const fail = async (body: string | Buffer, q: string, re: RegExp) => {
      const r = await upload(unit, body, q);
      assert.equal(r.status, 200, `${q}: ${r.body}`);
      assert.equal(r.json.batch.status, 'failed', `${q}: ${r.body.slice(0, 300)}`);
      assert.match(r.json.batch.error.zh, re);
    };
    await fail('', '', /文件为空/);
    await fail('\uFEFF', '', /文件为空/);
    await fail('公民身份号码,姓名\r\n', '', /没有数据行/);
    await fail('foo,bar\n1,2\n', '', /没有任何一列/);
    await fail('姓名,救助金额\n张三,1\n', '', /缺少必填信息项的列/);
    await fail(
      Buffer.concat([Buffer.from('公民身份号码,姓名\n'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(',x\n')]),
      '?encoding=utf-8',
      /无效的 UTF-8/,
    );

    const id = (i: number) => residentId('1966-06-06', 700 + i);
    const big = 'x'.repeat(10 * 1024 * 1024);
    const body = [
      '公民身份号码,姓名,联系电话',
      `${id(1)},"ab"c,13909510000`,
      `${id(2)},ok"quote,13909510001`,
      `${id(3)},${big},13909510002`,
      `${id(4)},a\u0000b,13909510003`,
      `${id(5)},"unclosed,13909510004`,
      `${id(6)},never,13909510005`,
    ].join('\n');
    const r = await upload(unit, body, '?mode=upsert');
    assert.equal(r.status, 200, r.body.slice(0, 500));
    assert.equal(r.json.batch.status, 'succeeded', r.body.slice(0, 500));
    const rs = r.json.batch.rejectedSample as { rowNo: number; errors: { zh: string }[] }[];
    const why = (n: number) =>
      rs
        .find((x) => x.rowNo === n)
        ?.errors.map((e) => e.zh)
        .join() ?? '';
    assert.equal(r.json.batch.accepted, 2); // rows 2 and 3: quotes inside a field are kept as text
    assert.match(why(4), /超过最大长度 30/);
    assert.match(why(5), /空字符/);
    assert.match(why(6), /引号没有闭合/);
    // A file that turns bad after thousands of rows already streamed: the batch fails whole, nothing loads.
    const before_ = (await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount;
    const long = Buffer.concat([Buffer.from(personCsv(7000, 5000)), Buffer.from([0xff, 0xfe]), Buffer.from(',x\n')]);
    const mid = await upload(unit, long, '?encoding=utf-8&mode=upsert');
    assert.equal(mid.json.batch.status, 'failed', mid.body.slice(0, 300));
    assert.match(mid.json.batch.error.zh, /无效的 UTF-8/);
    assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, before_);
    const after_ = await upload(unit, personCsv(2, 9000), '?mode=upsert');
    assert.equal(after_.json.batch.status, 'succeeded', 'the next batch runs normally');
    // The server is still up and the data is consistent.
    assert.equal((await unit.get('/api/health')).status, 200);
  });

  it('a new version migrates the table with its data: added column, widened type; an incompatible change rebuilds and copies', async () => {
    const info0 = (await unit.get(`/api/ingest/resources/${res.id}`)).json;
    const startChange = async (items: ReturnType<typeof personResource>['items']) => {
      const c = await unit.post(`/api/catalog/resources/${res.id}/change`, {
        changeDate: '2026-11-27',
        reason: '增加信息项',
      });
      assert.equal(c.status, 200, c.body);
      const v = (await unit.get(`/api/catalog/resources/${res.id}`)).json.working;
      const s = await unit.put(`/api/catalog/resources/${res.id}/draft`, { ...personResource(), items, name: v.name });
      assert.equal(s.status, 200, s.body);
      assert.equal((await unit.post(`/api/catalog/resources/${res.id}/submit`)).status, 200);
      const a = await reviewer.post(`/api/catalog/resources/${res.id}/review`, { decision: 'approve' });
      assert.equal(a.status, 200, a.body);
    };
    const base = personResource().items;
    await startChange([
      ...base.map((i) => (i.code === 'name' ? { ...i, length: 60 } : i)),
      itemBody('street', '所属街道', { length: 50 }),
    ]);
    const info1 = (await unit.get(`/api/ingest/resources/${res.id}`)).json;
    assert.equal(info1.table, info0.table);
    assert.equal(info1.rowCount, info0.rowCount);
    assert.equal(await count(info1.table), info0.rowCount);
    const { rows } = await sql<{
      t: string;
    }>`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = ${info1.table}::regclass AND attname IN ('name', 'street') ORDER BY attname`.execute(
      env().database.db,
    );
    assert.deepEqual(
      rows.map((r) => r.t),
      ['character varying(60)', 'character varying(50)'],
    );

    // members becomes a string and the key changes: a new table, the old one archived, the rows copied.
    await startChange([...base.map((i) => (i.code === 'members' ? { ...i, dataType: 'string', length: 2 } : i))]);
    const info2 = (await unit.get(`/api/ingest/resources/${res.id}`)).json;
    assert.notEqual(info2.table, info1.table);
    assert.deepEqual(info2.archivedTables, [info1.table.slice(5)]);
    assert.equal(await count(info2.table), info1.rowCount);
  });

  it('hostile item codes cannot reach SQL unquoted; the data browser masks personal data for the Center', async () => {
    const center = await env().as('center_reviewer');
    const probe = await center.get(
      `/api/ingest/resources/${res.id}/rows?sort=id_no&filter=${encodeURIComponent(`id_no:eq:${residentId('1980-05-06', 1)}`)}`,
    );
    assert.equal(probe.status, 400, 'filtering or sorting on a masked item would reveal it');
    assert.deepEqual(probe.json.errors.map((e: { field: string }) => e.field).sort(), ['filter.0', 'sort']);
    const page = (await center.get(`/api/ingest/resources/${res.id}/rows?pageSize=2&sort=amount&order=desc`)).json;
    assert.equal(page.raw, false);
    assert.ok(page.rows.length === 2);
    assert.ok(page.columns.find((c: { code: string }) => c.code === 'id_no').masked);
    assert.match(page.rows[0].id_no, /\*/);
    assert.equal((await center.get(`/api/ingest/resources/${res.id}/rows?raw=true`)).status, 403);
    const raw = (await unit.get(`/api/ingest/resources/${res.id}/rows?pageSize=2&sort=id_no&order=desc&raw=true`)).json;
    assert.doesNotMatch(raw.rows[0].id_no, /\*/);
    // rejected rows hold unmasked values: the owner unit fixes them; the Center sees reasons only
    const someBatch = (await unit.get(`/api/ingest/resources/${res.id}/batches?limit=50`)).json.batches.find(
      (b: { rejected: number }) => b.rejected > 0,
    );
    assert.equal((await center.get(`/api/ingest/batches/${someBatch.id}/rejected.csv`)).status, 403);
    const seen = (await center.get(`/api/ingest/batches/${someBatch.id}`)).json;
    assert.ok(seen.rejectedSample.length > 0 && seen.rejectedSample.every((r: { raw: unknown }) => r.raw === null));
    assert.ok(
      (await unit.get(`/api/ingest/batches/${someBatch.id}`)).json.rejectedSample.some((r: { raw: unknown }) =>
        Array.isArray(r.raw),
      ),
    );
    const bad = await unit.get(`/api/ingest/resources/${res.id}/rows?sort=nope`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].field, 'sort');
    const badFilter = await unit.get(`/api/ingest/resources/${res.id}/rows?filter=granted_on:gt:notadate`);
    assert.equal(badFilter.status, 400);
    // A masking profile previewed on the loaded rows: the owner's officer sees before and after, the Center only after.
    const own = (await unit.get(`/api/ingest/resources/${res.id}/masking-preview?limit=3`)).json;
    assert.equal(own.rows.length, 3);
    assert.equal(own.before, true);
    assert.doesNotMatch(own.rows[0].id_no.before, /\*/);
    assert.match(own.rows[0].id_no.after, /\*/);
    const ctr = (await center.get(`/api/ingest/resources/${res.id}/masking-preview?limit=3`)).json;
    assert.equal(ctr.before, false);
    assert.equal('before' in ctr.rows[0].id_no, false);
    assert.equal(ctr.rows[0].id_no.after, own.rows[0].id_no.after);
    // A unit user of another unit may not browse.
    const stranger = await env().as('unit_admin');
    assert.equal((await stranger.get(`/api/ingest/resources/${res.id}/rows`)).status, 403);
  });
  it('past the in-memory key limit the database refuses repeated keys: byte lane, its worker thread and the text path, direct and staged', async () => {
    const [head, ...rows] = personCsv(5).trim().split('\r\n');
    // rows 2-4 are checked in memory (limit 3); row 5 on is unchecked: row 6 repeats row 3, row 7 repeats row 5
    const file = (quoted: boolean) =>
      [
        head,
        quoted ? rows[0]!.replace(/,(张[^,]*),/, ',"$1",') : rows[0],
        rows[1],
        rows[2],
        rows[3],
        rows[1],
        rows[3],
        rows[4],
      ].join('\r\n');
    const saved = { ...ingestLimits };
    try {
      ingestLimits.keySetMax = 3;
      for (const [label, quoted, threadMin] of [
        ['lane', false, saved.threadMinBytes],
        ['worker', false, 1],
        ['text', true, saved.threadMinBytes],
      ] as const) {
        ingestLimits.threadMinBytes = threadMin;
        const started = laneThreads.started;
        // replace: on PostgreSQL rows go straight into the emptied table until the limit, then to staging
        for (const mode of ['replace', 'upsert']) {
          const r = await upload(unit, file(quoted), `?mode=${mode}&fileName=keys-${label}.csv`);
          assert.equal(r.status, 200, r.body);
          const b = r.json.batch;
          assert.equal(b.status, 'succeeded', `${label} ${mode}: ${JSON.stringify(b.error)}`);
          assert.deepEqual([b.received, b.accepted, b.rejected], [7, 5, 2], `${label} ${mode}`);
          const reasons = Object.fromEntries(
            b.rejectedSample.map((x: { rowNo: number; errors: { zh: string }[] }) => [
              x.rowNo,
              x.errors.map((e) => e.zh).join(),
            ]),
          );
          assert.match(reasons[6], /与本批次(文件第 3 行的数据|前面的一行)重复/, `${label} ${mode}`);
          assert.match(reasons[7], /与本批次文件第 5 行的数据重复/, `${label} ${mode}`);
          // rows refused when the batch is applied name their data row too (kept in staging with the line)
          for (const x of b.rejectedSample) assert.equal(x.dataRow, x.rowNo - 1, `${label} ${mode} row ${x.rowNo}`);
          assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, 5, `${label} ${mode}`);
        }
        if (label === 'worker') assert.ok(laneThreads.started > started, 'the worker thread ran');
      }
    } finally {
      Object.assign(ingestLimits, saved);
    }
  });
});
