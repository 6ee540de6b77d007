// The CSV export's converter (COPY text in, CSV out) against the row path's rules written out value by value:
// every kind of rule and carrier, NULLs, COPY's escapes, values a spreadsheet would run as formulas or that need
// quoting, full-width spaces at an end; a sparse export marks only the values the public selector picks; worker
// threads give the same bytes, in order, as this thread; GB18030 on request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { csvCell } from '../../../platform/csv.ts';
import { keysFromBytes, maskValue, scopeHash, scopeKeyBytes, type Rule } from '../../masking/index.ts';
import { ExportConverter, type ConvertColumn, type ConvertInit } from './export.convert.ts';
import { convertExport, exportThreads } from './export.threads.ts';
import { embedDecimal, embedFill, embedHex, FULL_STAR, marked, markEvery } from './fingerprint.ts';

const keyBytes = scopeKeyBytes(Buffer.alloc(32, 7), 'share-grant:test');
const prfBytes = scopeKeyBytes(Buffer.alloc(32, 7), 'share-export:test').hash;
const TODAY = Date.UTC(2026, 11, 7);

const col = (
  code: string,
  dataType: string,
  rule: Rule,
  carrier: ConvertColumn['carrier'] = null,
  piiKind: string | null = null,
): ConvertColumn => ({ name: `列${code}`, column: { code, dataType, piiKind, length: null }, rule, carrier });

const COLUMNS: ConvertColumn[] = [
  col('id', 'string', { rule: 'none' }),
  col('name', 'string', { rule: 'mask' }, 'fill', 'name'),
  col('mobile', 'string', { rule: 'mask' }, 'fill', 'mobile'),
  col('note', 'string', { rule: 'none' }),
  col('amount', 'decimal', { rule: 'none' }, 'decimal'),
  col('n', 'integer', { rule: 'none' }),
  col('flag', 'boolean', { rule: 'none' }),
  col('pid', 'string', { rule: 'hash' }, 'hex'),
  col('tok', 'string', { rule: 'tokenize' }),
  col('born', 'date', { rule: 'generalize' }),
  col('gone', 'string', { rule: 'suppress' }),
];

/** PostgreSQL's COPY text of one value (text form; NULL as \N). */
const copyText = (v: string | null) =>
  v === null
    ? '\\N'
    : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\v/g, '\\v');

/** The row path's cell (share.service maskRow, then export.write cellOf and csvCell), written out. */
function expected(c: ConvertColumn, v: string | null, every: number): string {
  if (v === null) return '';
  const keys = keysFromBytes(keyBytes);
  const prf = scopeHash(Buffer.alloc(32, 7), 'share-export:test');
  const m = maskValue(v, c.column, c.rule, keys, new Date(TODAY));
  if (m === null || m === undefined) return '';
  const s = String(m);
  if (c.carrier === 'fill') return csvCell(embedFill(prf, s, every));
  if (c.carrier === 'decimal') return csvCell(embedDecimal(prf, s, every));
  if (c.carrier === 'hex') return csvCell(embedHex(prf, s, every));
  return csvCell(s);
}

const NOTES = [
  'plain',
  '长城中路街道',
  'a,b',
  'say "hi"',
  'tab\there',
  'line\nbreak',
  'cr\rhere',
  'back\\slash',
  '=SUM(A1)',
  '@cmd',
  '+86 139',
  '-5.5',
  '-x',
  ' leading',
  'trailing ',
  '全角空格\u3000',
  '',
  null,
  'A类',
  'v\u000bt',
];

function rowsOf(count: number) {
  const rows: (string | null)[][] = [];
  for (let i = 0; i < count; i++)
    rows.push([
      `1101011990010${String(i % 1000).padStart(4, '0')}X`,
      i % 7 === 0 ? null : ['欧阳娜娜', '张伟', '李', 'Smith'][i % 4]! + i,
      `139${String(i * 7919).padStart(8, '0')}`,
      NOTES[i % NOTES.length]!,
      i % 11 === 0 ? null : `${(i % 900) + 100}.${i % 3 === 0 ? '50' : '5'}`,
      String(i - 50),
      i % 2 ? 'true' : 'false',
      `p${i}`,
      `t${i % 13}`,
      `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
      'x',
    ]);
  return rows;
}

const copyOf = (rows: (string | null)[][], extra = '') =>
  Buffer.from(rows.map((r) => r.map(copyText).join('\t') + extra + '\n').join(''), 'utf8');

const init = (every: number, encoding: ConvertInit['encoding'] = 'utf-8'): ConvertInit => ({
  columns: COLUMNS,
  keys: keyBytes,
  prf: prfBytes,
  every,
  encoding,
  today: TODAY,
});

describe('sharing: the CSV export converter', () => {
  it('writes each value as the row path does, whatever the rule, carrier or escape; trailing key columns are left out', () => {
    for (const every of [1, 4]) {
      const rows = rowsOf(400);
      const conv = new ExportConverter(init(every));
      const out = conv.convert(copyOf(rows, '\tkey\\tcolumn'));
      assert.equal(out.rows, rows.length);
      const want = rows.map((r) => r.map((v, i) => expected(COLUMNS[i]!, v, every)).join(',') + '\r\n').join('');
      assert.equal(out.data.toString('utf8'), want);
      assert.equal(conv.header().toString('utf8'), '\uFEFF' + COLUMNS.map((c) => c.name).join(',') + '\r\n');
    }
  });

  it('a value the database masked is written as it came (marked if picked), one it handed back is masked here', () => {
    const mobile: ConvertColumn = { ...col('m', 'string', { rule: 'mask' }, 'fill', 'mobile'), sqlMasked: true };
    const email: ConvertColumn = { ...col('e', 'string', { rule: 'mask' }, null, 'email'), sqlMasked: true };
    const keys = keysFromBytes(keyBytes);
    for (const every of [1, 16]) {
      const conv = new ExportConverter({ ...init(every), columns: [mobile, email] });
      const raws = Array.from({ length: 500 }, (_, i) => [`139${String(i * 7919).padStart(8, '0')}`, `u${i}@x.cn`]);
      // as the database gives them: masked, but every fifth handed back (after \x01) for maskValue
      const given = raws.map(([m, e], i) =>
        i % 5 ? [maskValue(m, mobile.column, mobile.rule, keys), `u***@x.cn,"q"`] : [`\u0001${m}`, `\u0001${e}`],
      );
      const out = conv.convert(
        Buffer.from(given.map((r) => r.map((v) => copyText(v as string)).join('\t') + '\n').join('')),
      );
      const want = raws
        .map(
          ([m, e], i) =>
            expected(mobile, m!, every) +
            ',' +
            (i % 5 ? csvCell(`u***@x.cn,"q"`) : expected(email, e!, every)) +
            '\r\n',
        )
        .join('');
      assert.equal(out.data.toString('utf8'), want);
    }
  });

  it('a sparse export marks only the values the public selector picks; a small one marks them all', () => {
    assert.equal(markEvery(1_000), 1);
    assert.equal(markEvery(39_999), 1);
    assert.equal(markEvery(40_000), 2);
    assert.equal(markEvery(160_000), 8);
    assert.equal(markEvery(1_000_000), 16);
    const rows = rowsOf(2_000);
    const text = new ExportConverter(init(16)).convert(copyOf(rows)).data.toString('utf8');
    let marks = 0;
    let fullStars = 0;
    text.split('\r\n').forEach((line, i) => {
      const mobile = line.split(',')[2];
      if (!mobile) return;
      const canonical = mobile.replaceAll(FULL_STAR, '*');
      if (!marked('fill', canonical, 16)) assert.ok(!mobile.includes(FULL_STAR), `row ${i}: ${mobile} is not marked`);
      else marks++;
      fullStars += mobile.includes(FULL_STAR) ? 1 : 0;
    });
    assert.ok(marks > 60 && marks < 200, `about one in 16 of the mobiles is marked (${marks})`);
    assert.ok(fullStars > 30, `marked mobiles carry full-width stars (${fullStars})`);
  });

  it('worker threads give the same bytes, in order, as this thread, for a file of many pieces; GB18030 on request', async () => {
    const rows = rowsOf(40_000);
    const input = copyOf(rows);
    // in uneven chunks, as a socket gives them, a line split across two
    const chunks = async function* () {
      for (let at = 0; at < input.length; at += 65_537) yield input.subarray(at, Math.min(input.length, at + 65_537));
    };
    const collect = async (threads: number, encoding: ConvertInit['encoding']) => {
      const parts: Buffer[] = [];
      let n = 0;
      for await (const p of convertExport(init(2, encoding), chunks(), threads)) {
        parts.push(p.data);
        n += p.rows;
      }
      return { data: Buffer.concat(parts), rows: n };
    };
    const started = exportThreads.started;
    const here = await collect(0, 'utf-8');
    const threaded = await collect(2, 'utf-8');
    assert.equal(exportThreads.started, started + 2, 'two workers started');
    assert.equal(here.rows, rows.length);
    assert.equal(threaded.rows, rows.length);
    assert.ok(threaded.data.equals(here.data), 'the same bytes');
    const gb = await collect(2, 'gb18030');
    assert.equal(iconv.decode(gb.data, 'gb18030'), here.data.toString('utf8').replace(/^\uFEFF/, ''));
  });

  it('a reader that goes away ends the input (the database COPY) and the workers, on threads or here', async () => {
    // some 9 MB: pieces are still to be read when the reader goes
    const input = copyOf(rowsOf(80_000));
    for (const threads of [0, 2]) {
      let ended = false;
      const source = async function* () {
        try {
          for (let at = 0; at < input.length; at += 65_536) yield input.subarray(at, at + 65_536);
        } finally {
          ended = true;
        }
      };
      let parts = 0;
      let read = 0;
      for await (const p of convertExport(init(1), source(), threads)) {
        read += p.rows;
        if (++parts === 3) break;
      }
      assert.ok(read < 80_000, `threads ${threads}: stopped early (${read} rows read)`);
      assert.ok(ended, `threads ${threads}: the input was ended`);
    }
  });
});
