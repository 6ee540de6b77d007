// Hostile uploads and pushes: workbooks that inflate without end, lines without a break, files whose lines
// disagree on their encoding, rows a database would refuse. Each fails (or rejects its one row) early with a clear
// reason, changes no data it should not, and leaves the server answering.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { gb18030, personCsv, personResource, publish, residentId } from '../../testing/ingest-fixtures.ts';
import { workbook } from '../../testing/zip.ts';
import { xlsxLimits } from './read/read.xlsx.ts';

const XLSX = { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
const HEADER = ['公民身份号码', '姓名'];

describeEachDb('hostile uploads', (env) => {
  let unit: Client;
  let res: { id: string };
  const upload = (body: Buffer | string, q = '', headers: Record<string, string> = { 'content-type': 'text/csv' }) =>
    unit.req('POST', `/api/ingest/resources/${res.id}/upload${q}`, body, headers);
  const rowCount = async () => (await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount as number;

  before(async () => {
    unit = await env().as('unit_admin');
    res = await publish(unit, await env().as('center_reviewer'), personResource());
    const ok = await upload(personCsv(3), '?fileName=seed.csv');
    assert.equal(ok.json.batch.accepted, 3, ok.body);
  });

  const failsWith = async (body: Buffer, re: RegExp, q = '?fileName=bomb.xlsx') => {
    const before_ = await rowCount();
    const r = await upload(body, q, XLSX);
    assert.ok(r.status === 200 || r.status === 201, r.body.slice(0, 300));
    assert.equal(r.json.batch.status, 'failed', r.body.slice(0, 300));
    assert.match(r.json.batch.error.zh + ' ' + r.json.batch.error.en, re);
    assert.ok(JSON.stringify(r.json).length < 20_000, 'the reply stays small');
    assert.equal(await rowCount(), before_, 'no data changed');
    return r;
  };

  it('a workbook is read within limits: its rows load, on the direct and the deferred path', async () => {
    for (const sharedFirst of [true, false]) {
      const r = await upload(
        workbook([HEADER, [residentId('1990-03-07', 1), '马文']], { sharedFirst }),
        '?fileName=ok.xlsx',
        XLSX,
      );
      assert.equal(r.json.batch.status, 'succeeded', r.body);
      assert.equal(r.json.batch.accepted, 1);
    }
  });

  it("two million empty rows stop at Excel's row limit; a row beyond it too", async () => {
    const rows = Buffer.from(Array.from({ length: 2_000_000 }, (_, i) => `<row r="${i + 2}"/>`).join(''));
    await failsWith(workbook([HEADER], { tail: rows }), /1048576/);
    await failsWith(
      workbook([HEADER], { tail: '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>' }),
      /1048576/,
    );
  });

  it('a cell of a gigabyte stops at the first 256 KB, on both paths', async () => {
    const huge = `<row r="2"><c r="A2" t="inlineStr"><is><t>${'x'.repeat(3_000_000)}</t></is></c></row>`;
    for (const sharedFirst of [true, false])
      await failsWith(workbook([HEADER], { tail: huge, sharedFirst }), /单元格内容超过|longer than/);
  });

  it('a zip bomb stops at the compression ratio; a row of too many cells, or too many columns, is refused', async () => {
    const saved = { ...xlsxLimits };
    try {
      xlsxLimits.ratioAfter = 1024 * 1024;
      const same = `<row><c t="inlineStr"><is><t>aaaaaaaa</t></is></c></row>`.repeat(200_000);
      await failsWith(workbook([HEADER], { tail: same }), /压缩炸弹|zip bomb/);
      Object.assign(xlsxLimits, saved);
      xlsxLimits.maxRowBytes = 64 * 1024;
      const wide = `<row r="2">${'<c t="inlineStr"><is><t>a</t></is></c>'.repeat(5000)}</row>`;
      await failsWith(workbook([HEADER], { tail: wide }), /一行超过|row of the worksheet/);
      Object.assign(xlsxLimits, saved);
      await failsWith(
        workbook([HEADER], { tail: '<row r="2"><c r="ZZZ2" t="inlineStr"><is><t>x</t></is></c></row>' }),
        /ZZZ/,
      );
    } finally {
      Object.assign(xlsxLimits, saved);
    }
  });

  it('50 MB without a line break fails after a few MB, stores a bounded header, and the server keeps answering', async () => {
    const body = Buffer.alloc(50 * 1024 * 1024, 'a');
    const health = (async () => {
      let worst = 0;
      for (let i = 0; i < 20; i++) {
        const t = Date.now();
        await env().app.inject({ method: 'GET', url: '/api/health' });
        worst = Math.max(worst, Date.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
      return worst;
    })();
    const r = await upload(body, '?fileName=noline.csv');
    await health;
    assert.equal(r.json.batch.status, 'failed');
    assert.match(r.json.batch.error.zh, /表头行超过 4 MB/);
    const stored = await env()
      .database.db.selectFrom('ingest_batch')
      .select(['header', 'error'])
      .where('id', '=', r.json.batch.id)
      .executeTakeFirstOrThrow();
    assert.ok(JSON.stringify(stored).length < 10_000, 'no 50 MB header stored');
    const list = await unit.get(`/api/ingest/resources/${res.id}/batches?limit=50`);
    assert.ok(list.body.length < 200_000, `the batch list stays small (${list.body.length} bytes)`);
    // a data row without a break after a good header
    const r2 = await upload(
      Buffer.concat([Buffer.from('公民身份号码,姓名\r\n'), Buffer.alloc(6 * 1024 * 1024, 'b')]),
      '?fileName=noline2.csv',
    );
    assert.equal(r2.json.batch.accepted, 0);
    assert.match(JSON.stringify(r2.json.batch.rejectedSample), /超过 4 MB/);
  });

  it('encoding=auto refuses a file whose lines mix UTF-8 and GBK, naming the first line that does not fit', async () => {
    const before_ = await rowCount();
    const utf8 = Buffer.from(`公民身份号码,姓名\r\n${residentId('1990-03-07', 5)},马文\r\n`);
    const gbk = gb18030(`${residentId('1990-03-07', 6)},回族张三\r\n`);
    for (const body of [
      Buffer.concat([utf8, gbk]),
      Buffer.concat([
        gb18030(`公民身份号码,姓名\r\n${residentId('1990-03-07', 7)},李四\r\n`),
        Buffer.from(`${residentId('1990-03-07', 8)},马文\r\n`),
      ]),
    ]) {
      const r = await upload(body, '?fileName=mixed.csv&encoding=auto');
      assert.equal(r.json.batch.status, 'failed', r.body);
      assert.match(r.json.batch.error.zh, /第 3 行/);
      assert.match(r.json.batch.error.en, /line 3/);
    }
    assert.equal(await rowCount(), before_);
  });
});

describeEachDb('hostile rows in a JSON push', (env) => {
  it('a lone surrogate or NUL in a value or a key rejects that row with a reason; the rest load; no database message reaches the caller', async () => {
    const unit = await env().as('unit_admin');
    const res = await publish(unit, await env().as('center_reviewer'), personResource());
    const id = (n: number) => JSON.stringify(residentId('1991-01-01', n));
    const body = `[{"id_no":${id(1)},"name":"好人"},{"id_no":${id(2)},"name":"a\\ud800b"},{"id_no":${id(3)},"name\\u0000x":"键"},{"id_no":${id(4)},"name":"n\\u0000ul"},{"id_no":${id(5)},"name":"\\udfff","x\\ud800":1},{"id_no":${id(6)},"name":"也好"}]`;
    const r = await unit.req('POST', `/api/ingest/resources/${res.id}/rows?mode=upsert`, body);
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.batch.status, 'succeeded', r.body);
    assert.deepEqual([r.json.batch.accepted, r.json.batch.rejected], [2, 4]);
    assert.deepEqual(
      r.json.batch.rejectedSample.map((x: { rowNo: number }) => x.rowNo),
      [2, 3, 4, 5],
    );
    assert.doesNotMatch(r.body, /invalid input syntax|unsupported Unicode|jsonb|22P02|22021/);
    // NDJSON the same
    const nd = [
      `{"id_no":${id(7)},"name":"行"}`,
      `{"id_no":${id(8)},"name":"\\ud800"}`,
      `{"id_no":${id(9)},"na\\u0000me":"x"}`,
    ].join('\n');
    const r2 = await unit.req('POST', `/api/ingest/resources/${res.id}/rows?mode=upsert`, nd, {
      'content-type': 'application/x-ndjson',
    });
    assert.deepEqual(
      [r2.json.batch.status, r2.json.batch.accepted, r2.json.batch.rejected],
      ['succeeded', 1, 2],
      r2.body,
    );
  });
});

describeEachDb('masked views reveal no order', (env) => {
  it('with no sort, a masked data browser is not in key order (which would tell the order of birth dates), and is stable', async () => {
    const org = await env().makeOrg();
    const unit = await env().as('unit_admin', org.id);
    const res = await publish(unit, await env().as('center_reviewer'), personResource());
    const up = await unit.req('POST', `/api/ingest/resources/${res.id}/upload?fileName=p.csv`, personCsv(40), {
      'content-type': 'text/csv',
    });
    assert.equal(up.json.batch.accepted, 40, up.body);
    const viewer = await env().as('unit_user', org.id);
    const amounts = async (q = '') =>
      (
        (await viewer.get(`/api/ingest/resources/${res.id}/rows?pageSize=40${q}`)).json.rows as {
          amount: string;
          id_no: string;
        }[]
      ).map((r) => Number(r.amount));
    const masked = await amounts();
    assert.equal(masked.length, 40);
    const ascending = [...masked].sort((a, b) => a - b);
    // the file's order is the key's order is the amounts' order: a masked view must show neither
    assert.notDeepEqual(masked, ascending);
    assert.notDeepEqual(masked, [...ascending].reverse());
    assert.deepEqual(await amounts(), masked, 'the same order on every call (pages do not overlap)');
    // the owner's officer reading raw values sees key order, as before
    const raw = (
      (await unit.get(`/api/ingest/resources/${res.id}/rows?pageSize=40&raw=true`)).json.rows as { id_no: string }[]
    ).map((r) => r.id_no);
    assert.deepEqual(raw, [...raw].sort());
  });
});
