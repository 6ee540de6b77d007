// The byte lane must give exactly what the text path gives: the same COPY text for every accepted row and
// the same refusals (row number, reasons, original cells), on random files full of what district CSVs hold
// (other date forms, spaces and Unicode spaces, tabs, backslashes, value sets, ragged and blank lines,
// repeated keys, CRLF, a quote that hands over to the text reader), cut into chunks of every size.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { KeySet } from '../check/check.key-set.ts';
import { runLane } from './lane.ts';
import { laneThreads, runLaneAuto } from './lane.thread.ts';
import { mapHeader } from '../pipeline/pipeline.ts';
import { openCsv, type InRow } from '../read/read.sources.ts';
import { duplicateKeyError, fieldError, raggedError, type RowError } from '../check/check.row-errors.ts';
import { compileItem, type ItemSpec } from '../check/check.values.ts';
import { residentIdCheck } from '../../../platform/formats.ts';
import { usccCheckChar } from '../../../platform/uscc.ts';
import { mulberry32 } from '../../../testing/random.ts';

const USCC = `91640106MA76ABCD2${usccCheckChar('91640106MA76ABCD2')}`;

const base = {
  length: null,
  precision: null,
  required: false,
  primaryKey: false,
  piiKind: null,
  valueSet: [] as string[],
};
const ITEMS: ItemSpec[] = [
  {
    ...base,
    code: 'id_no',
    name: '公民身份号码',
    dataType: 'string',
    length: 18,
    primaryKey: true,
    piiKind: 'id_card',
  },
  { ...base, code: 'name', name: '姓名', dataType: 'string', length: 4, required: true, piiKind: 'name' },
  { ...base, code: 'gender', name: '性别', dataType: 'string', length: 2, valueSet: ['男', '女'] },
  { ...base, code: 'born', name: '出生日期', dataType: 'date' },
  { ...base, code: 'mobile', name: '手机', dataType: 'string', length: 20, piiKind: 'mobile' },
  { ...base, code: 'addr', name: '住址', dataType: 'string', length: 12 },
  { ...base, code: 'uscc', name: '信用代码', dataType: 'string', length: 18, piiKind: 'uscc' },
  { ...base, code: 'income', name: '收入', dataType: 'decimal', length: 6, precision: 2 },
  { ...base, code: 'members', name: '人口', dataType: 'integer', valueSet: ['1', '2', '03'] },
  { ...base, code: 'at', name: '时间', dataType: 'datetime' },
  { ...base, code: 'ok', name: '在保', dataType: 'boolean' },
  { ...base, code: 'email', name: '邮箱', dataType: 'string', length: 40, piiKind: 'email' },
];

const rnd = mulberry32(11);
const pick = <T>(xs: T[]) => xs[rnd(xs.length)]!;
/** Mostly the first (valid, canonical) form, sometimes any of the others. */
const mostly = (xs: string[]) => (rnd(100) < 93 ? xs[0]! : pick(xs));

function idNo(k: number) {
  const f17 = `64010619${String(70 + (k % 30)).padStart(2, '0')}0101${String(k % 1000).padStart(3, '0')}`;
  return f17 + residentIdCheck(f17);
}
const CELLS: Record<string, () => string> = {
  id_no: () =>
    mostly([
      idNo(rnd(3000)),
      idNo(rnd(3000)),
      idNo(rnd(300)).toLowerCase(),
      ` ${idNo(rnd(300))}`,
      '640106197001010000',
      '',
      idNo(rnd(300)).slice(0, 17) + 'x',
    ]),
  name: () =>
    mostly([
      '张伟',
      '欧阳娜娜',
      '欧阳娜娜娜',
      ' 李四',
      '钱七 ',
      '孙八\u00a0',
      '王五\u3000',
      '\u00a0赵六',
      'a\\b',
      'tab\there',
      '',
      '𠀀吉',
    ]),
  gender: () => mostly(['男', '女', ' 女', '未知', '']),
  born: () =>
    mostly([
      '2024-01-05',
      '2024/1/5',
      '2024.12.31',
      '2024年1月5日',
      '2024年12月1',
      '20240105',
      '2024-02-30',
      '2023-02-29',
      '2024-1-05日',
      '2024-013-01',
      ' 2024-01-05',
      '0000-01-01',
      '',
    ]),
  mobile: () => mostly(['13912345678', '1391234567', '12912345678', '+86 139 1234 5678', '139-1234-5678', '']),
  addr: () =>
    mostly([
      '银川市金凤区',
      '银川市金凤区满城北街街道一号院',
      '\u2003满城',
      'x'.repeat(12),
      'x'.repeat(13),
      'C:\\path',
      '',
    ]),
  uscc: () => mostly([USCC, `${USCC.slice(0, 17)}0`, USCC.toLowerCase(), '9164010', '']),
  income: () =>
    mostly(['0', '0.5', '12.50', '1234.56', '12345.6', '-3', '+4.1', '007', '.5', '5.', '0.00', '1e3', '1234.567', '']),
  members: () => mostly(['1', '2', '3', '03', '01', '', 'x']),
  at: () =>
    mostly([
      '2024-01-05 08:30:00',
      '2024-01-05 24:00:00',
      '2024/1/5 8:30',
      '2024-01-05T08:30:00+08:00',
      '2024-01-05',
      '2024-01-05 08:30:60',
      '',
    ]),
  ok: () => mostly(['是', '否', 'true', '0', 'maybe', '']),
  email: () => mostly(['a@b.cn', 'no-at', '']),
};

function randomFile(rows: number, quoteAt: number | null): string {
  const lines = [ITEMS.map((i) => i.name).join(',')];
  for (let r = 0; r < rows; r++) {
    const roll = rnd(100);
    if (roll < 2) lines.push('');
    else if (roll < 4)
      lines.push(
        ITEMS.slice(0, 5)
          .map((i) => CELLS[i.code]!())
          .join(','),
      );
    else if (roll < 6) lines.push([...ITEMS.map((i) => CELLS[i.code]!()), '', ''].join(','));
    else if (roll < 7) lines.push([...ITEMS.map((i) => CELLS[i.code]!()), 'extra'].join(','));
    else lines.push(ITEMS.map((i) => CELLS[i.code]!()).join(','));
    if (quoteAt === r) lines.push(`${idNo(999)},"张,三",男,2024-01-05,,,,,,,,`);
  }
  return lines.join(pick(['\n', '\r\n'])) + pick(['', '\n']);
}

async function* once(...chunks: Buffer[]) {
  yield* chunks;
}

interface Outcome {
  accepted: string[];
  rejected: string[];
  counts: { received: number; accepted: number; rejected: number };
}

/** The text path's row loop, as the pipeline runs it. */
async function textPath(
  rows: AsyncIterable<InRow | InRow[]>,
  index: number[],
  width: number,
  suffix: string,
  keys = new KeySet(),
): Promise<Outcome> {
  const checkers = ITEMS.map(compileItem);
  const o: Outcome = { accepted: [], rejected: [], counts: { received: 0, accepted: 0, rejected: 0 } };
  for await (const item of rows)
    for (const row of Array.isArray(item) ? item : [item]) {
      o.counts.received++;
      let errs: RowError[] | null = null;
      if (row.problem) errs = [{ field: 'row', ...row.problem }];
      else if (
        row.cells.length !== width &&
        !(row.cells.length > width && row.cells.slice(width).every((c) => c === ''))
      )
        errs = [raggedError(row.cells.length, width)];
      else {
        const out = checkers.map((c, i) => c(index[i]! >= 0 ? row.cells[index[i]!] : undefined));
        out.forEach((r, i) => typeof r !== 'string' && (errs ??= []).push(fieldError(ITEMS[i]!, r)));
        if (!errs) {
          keys.pushString(out[0] as string);
          const first = keys.commit(row.rowNo);
          if (first >= 0) errs = [duplicateKeyError(ITEMS[0]!, first, 'line')];
          else {
            o.counts.accepted++;
            o.accepted.push(`${out.join('\t')}${suffix}`);
          }
        }
      }
      if (errs) {
        o.counts.rejected++;
        o.rejected.push(JSON.stringify([row.rowNo, row.cells, errs]));
      }
    }
  return o;
}

async function lanePath(file: Buffer, chunk: number, suffix: string, threaded = false): Promise<Outcome> {
  async function* chunks() {
    for (let i = 0; i < file.length; i += chunk) yield file.subarray(i, i + chunk);
  }
  const src = await openCsv(chunks());
  assert.ok(src.lane, 'a UTF-8 CSV opens with the byte lane');
  const mapped = mapHeader(src.header, ITEMS) as { index: number[] };
  const o: Outcome = { accepted: [], rejected: [], counts: { received: 0, accepted: 0, rejected: 0 } };
  const keys = new KeySet();
  const rest = await (
    threaded ? (l: typeof src.lane & object, ctx: Parameters<typeof runLane>[1]) => runLaneAuto(l, ctx, 1) : runLane
  )(src.lane!, {
    items: ITEMS,
    checkers: ITEMS.map(compileItem),
    index: mapped.index,
    width: src.header.length,
    keyIdx: [0],
    keys,
    withRowNo: false,
    suffix,
    counts: o.counts,
    reject: (rowNo, cells, errs) => {
      o.counts.rejected++;
      o.rejected.push(JSON.stringify([rowNo, cells, errs]));
    },
    flush: async (copy) => {
      o.accepted.push(...copy.toString('utf8').split('\n').slice(0, -1));
    },
  });
  if (rest) {
    // after a quote the text reader goes on, with the keys seen so far
    const more = await textPath(rest, mapped.index, src.header.length, suffix, keys);
    o.accepted.push(...more.accepted);
    o.rejected.push(...more.rejected);
    for (const k of ['received', 'accepted', 'rejected'] as const) o.counts[k] += more.counts[k];
  }
  return o;
}

it('the byte lane accepts, writes and refuses exactly as the text path does', async () => {
  const suffix = '\t00000000-0000-0000-0000-000000000001';
  for (let round = 0; round < 12; round++) {
    const file = Buffer.from(randomFile(1500, round % 3 === 2 ? 700 : null));
    const src = await openCsv(once(file));
    const mapped = mapHeader(src.header, ITEMS) as { index: number[] };
    const want = await textPath(src.rows, mapped.index, src.header.length, suffix);
    assert.ok(
      want.accepted.length > 100 && want.rejected.length > 100,
      `the random file has both kinds of rows (${want.accepted.length} accepted, ${want.rejected.length} refused: ${want.rejected.slice(0, 3).join(' | ')})`,
    );
    for (const chunk of [7, 4096, 1 << 20]) {
      const got = await lanePath(file, chunk, suffix);
      assert.deepEqual(got.counts, want.counts, `counts, round ${round}, chunks of ${chunk}`);
      assert.deepEqual(got.accepted, want.accepted, `accepted rows, round ${round}, chunks of ${chunk}`);
      assert.deepEqual(got.rejected, want.rejected, `rejected rows, round ${round}, chunks of ${chunk}`);
    }
  }
});

it('in a worker thread too, with the keys handed back when the text reader takes over', async () => {
  const suffix = '\t00000000-0000-0000-0000-000000000002';
  for (let round = 0; round < 4; round++) {
    const file = Buffer.from(randomFile(3000, round % 2 ? 2500 : null));
    const src = await openCsv(once(file));
    const mapped = mapHeader(src.header, ITEMS) as { index: number[] };
    const want = await textPath(src.rows, mapped.index, src.header.length, suffix);
    for (const chunk of [5000, 65536]) {
      const started = laneThreads.started;
      const got = await lanePath(file, chunk, suffix, true);
      assert.equal(laneThreads.started, started + 1, 'the lane ran in a worker thread');
      assert.deepEqual(got.counts, want.counts, `counts, round ${round}, chunks of ${chunk}`);
      assert.deepEqual(got.accepted, want.accepted, `accepted rows, round ${round}, chunks of ${chunk}`);
      assert.deepEqual(got.rejected, want.rejected, `rejected rows, round ${round}, chunks of ${chunk}`);
    }
  }
});

it('a file of nothing but bad rows hands its rejected rows on chunk by chunk, in the lane and its worker', async () => {
  const bad = Buffer.from(
    `${ITEMS.map((i) => i.code).join(',')}\n${Array.from({ length: 40_000 }, (_, k) => `${k},${'x'.repeat(60)},x`).join('\n')}\n`,
  );
  for (const threaded of [false, true]) {
    async function* chunks() {
      for (let i = 0; i < bad.length; i += 65536) yield bad.subarray(i, i + 65536);
    }
    const src = await openCsv(chunks());
    const mapped = mapHeader(src.header, ITEMS) as { index: number[] };
    let pending = 0;
    let most = 0;
    let total = 0;
    const ctx = {
      items: ITEMS,
      checkers: ITEMS.map(compileItem),
      index: mapped.index,
      width: src.header.length,
      keyIdx: [0],
      keys: new KeySet(),
      withRowNo: false,
      suffix: '',
      counts: { received: 0, accepted: 0, rejected: 0 },
      reject: () => {
        pending++;
        total++;
      },
      flush: async () => {
        most = Math.max(most, pending);
        pending = 0;
      },
    };
    await (threaded ? runLaneAuto(src.lane!, ctx, 1) : runLane(src.lane!, ctx));
    most = Math.max(most, pending);
    assert.equal(total, 40_000);
    assert.ok(most < 20_000, `${threaded ? 'worker' : 'lane'}: at most ${most} rejected rows waited for a hand-over`);
  }
});

it('the byte lane refuses a file with invalid UTF-8, naming the row', async () => {
  const rows = Array.from({ length: 3000 }, (_, k) => `${idNo(k)},张伟,男`);
  const file = Buffer.concat([
    Buffer.from(`id_no,name,gender\n${rows.join('\n')}\n`),
    Buffer.from([0xe5, 0xbc, 0x2c, 0x0a]),
  ]);
  const src = await openCsv(once(file.subarray(0, 70_000), file.subarray(70_000)), { encoding: 'utf-8' });
  const mapped = mapHeader(src.header, ITEMS.slice(0, 3)) as { index: number[] };
  const items = ITEMS.slice(0, 3);
  await assert.rejects(
    runLane(src.lane!, {
      items,
      checkers: items.map(compileItem),
      index: mapped.index,
      width: src.header.length,
      keyIdx: [0],
      keys: new KeySet(),
      withRowNo: false,
      suffix: '',
      counts: { received: 0, accepted: 0, rejected: 0 },
      reject: () => {},
      flush: async () => {},
    }),
    (e: Error & { problem?: { zh: string } }) =>
      /invalid UTF-8.*row 3002/.test(e.message) && /第 3002 行/.test(e.problem!.zh),
  );
});

it('the key set finds every repeat and nothing else, across growth', () => {
  const keys = new KeySet();
  const seen = new Map<string, number>();
  for (let i = 1; i <= 50_000; i++) {
    const k = `k${rnd(30_000)}`;
    keys.pushString(k);
    if (i % 7 === 0) {
      keys.separator();
      keys.pushString('第二部分');
    }
    const full = i % 7 === 0 ? `${k}\u0001第二部分` : k;
    const first = keys.commit(i);
    assert.equal(first, seen.get(full) ?? -1, `row ${i}`);
    if (!seen.has(full)) seen.set(full, i);
  }
  assert.equal(keys.size, seen.size);

  // keys longer than a block, and blocks filling up mid-key; and the set carried to another thread
  const big = new KeySet();
  const long = (k: number) => `${k}`.padEnd(300_000 + k * 1000, String.fromCharCode(0x4e00 + k));
  for (let k = 0; k < 12; k++) assert.equal((big.pushString(long(k)), big.commit(k + 1)), -1, `long key ${k}`);
  for (let k = 0; k < 12; k++)
    assert.equal((big.pushString(long(k)), big.commit(100 + k)), k + 1, `long key ${k} again`);
  const moved = new KeySet();
  moved.load(structuredClone(big.state()));
  for (let k = 0; k < 12; k++)
    assert.equal((moved.pushString(long(k)), moved.commit(200 + k)), k + 1, `long key ${k} after the move`);
  assert.equal((moved.pushString('new'), moved.commit(300)), -1);
  assert.equal((moved.pushString('new'), moved.commit(301)), 300);

  // full at a number of keys, or at an amount of key text, whichever comes first
  const few = new KeySet(3);
  for (let k = 0; k < 3; k++) assert.equal((few.full, few.pushString(`k${k}`), few.commit(k)), -1);
  assert.equal(few.full, true);
  const wide = new KeySet(1_000_000, 2 * 1024 * 1024);
  let n = 0;
  while (!wide.full) {
    wide.pushString('键'.repeat(100_000) + n);
    wide.commit(n++);
  }
  assert.ok(n >= 4 && n <= 7, `${n} keys of 300 KB fill 2 MB`);
});

it('a row is numbered by the line it starts on: quoted values across lines and blank lines counted, lane and text alike', async () => {
  const file = Buffer.from(
    [
      'a,b,c',
      '1,plain,x', // line 2: the byte lane
      '', // line 3: blank
      '2,"two', // line 4: a quoted value over two lines (the text reader takes over)
      'lines",y',
      '3,after,z', // line 6
      '"4","quoted',
      '',
      'three lines",w', // a record on lines 7-9
      '5,last,v', // line 10
    ].join('\n') + '\n',
  );
  for (const chunk of [3, 1 << 20]) {
    async function* chunks() {
      for (let i = 0; i < file.length; i += chunk) yield file.subarray(i, i + chunk);
    }
    const src = await openCsv(chunks());
    const rows: number[] = [];
    if (src.lane) {
      // the lane reads the first rows, then hands the rest (from the quote on) to the text reader
      const numbered: number[] = [];
      const rest = await runLane(src.lane, {
        items: [],
        checkers: [],
        index: [],
        width: 3,
        keyIdx: [],
        keys: null,
        withRowNo: true,
        suffix: '',
        counts: { received: 0, accepted: 0, rejected: 0 },
        reject: () => {},
        flush: async (copy) => {
          for (const line of copy.toString('latin1').split('\n').filter(Boolean))
            numbered.push(Number(line.split('\t')[0]));
        },
      });
      rows.push(...numbered);
      if (rest) for await (const batch of rest) for (const r of batch) rows.push(r.rowNo);
    } else for await (const batch of src.rows) for (const r of batch as InRow[]) rows.push(r.rowNo);
    assert.deepEqual(rows, [2, 4, 6, 7, 10], `chunks of ${chunk}`);
  }
});
