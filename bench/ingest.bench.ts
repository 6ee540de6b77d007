// npm run bench:ingest — a 1,000,000-row, 12-column CSV of personal and business data (about 1% invalid
// rows) through the real pipeline (CSV parse, full validation, staging COPY, one applying transaction),
// next to the fastest bare way to load the same valid rows into an identical table in the same run: the faster of
// COPY text and COPY binary of the canonical rows (COPY csv, the earlier baseline, is timed beside them).
// PostgreSQL (TEST_DATABASE_URL) first, then the embedded PGlite. Prints rows/s, the ratio and peak RSS.
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sql } from 'kysely';
import { loadConfig } from '../packages/server/src/config.ts';
import { openRuntime } from '../packages/server/src/runtime.ts';
import { systemContext } from '../packages/server/src/platform/context.ts';
import { residentIdCheck } from '../packages/server/src/platform/formats.ts';
import { usccCheckChar } from '../packages/server/src/platform/uscc.ts';
import { mulberry32 } from '../packages/server/src/testing/random.ts';
import { openCsv } from '../packages/server/src/domains/ingest/index.ts';
import { createScratchPgDatabase, TEST_PASSWORD } from '../packages/server/src/testing/test-env.ts';
import type { ResourceInput } from '../packages/server/src/domains/catalog/index.ts';
import type { CopyIn } from '../packages/server/src/db/database.ts';
import {
  copyBinaryHeader,
  copyBinaryTrailer,
  copyBinaryTuple,
  splitCopyBinary,
  type BinaryType,
} from './copy-binary.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const only = process.env.BENCH_DB; // 'postgres' | 'pglite' | undefined (both)
const input = path.join(tmpdir(), `gongshu-ingest-bench-${ROWS}.csv`);
const valid = path.join(tmpdir(), `gongshu-ingest-bench-${ROWS}-valid.csv`);
const validText = path.join(tmpdir(), `gongshu-ingest-bench-${ROWS}-valid.txt`);
const validBin = path.join(tmpdir(), `gongshu-ingest-bench-${ROWS}-valid.bin`);

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '马', '欧阳', '司马', '赵'];
const GIVEN = ['伟', '芳', '娜', '建华', '秀兰', '志强', '海燕', '晓东'];
const STREETS = ['满城北街街道', '黄河东路街道', '北京中路街道', '长城中路街道', '阅海街道'];
const EMPLOYERS = [
  '银川市金凤区某某商贸有限公司',
  '宁夏某某建设工程有限公司',
  '金凤区某某餐饮店',
  '银川某某科技有限公司',
];
const STATUS = ['在册', '迁出', '注销'];

const rnd = mulberry32(7);
function uscc(i: number) {
  const body = `91640106${String(i).padStart(9, '0').slice(-9)}`.slice(0, 17);
  return body + usccCheckChar(body)!;
}

const ITEMS: ResourceInput['items'] = [
  {
    code: 'id_no',
    name: '公民身份号码',
    dataType: 'string',
    length: 18,
    required: true,
    primaryKey: true,
    sensitivity: 'sensitive_personal',
    piiKind: 'id_card',
  },
  {
    code: 'person_name',
    name: '姓名',
    dataType: 'string',
    length: 30,
    required: true,
    sensitivity: 'personal',
    piiKind: 'name',
  },
  { code: 'gender', name: '性别', dataType: 'string', length: 2, valueSet: ['男', '女'] },
  { code: 'birth_date', name: '出生日期', dataType: 'date' },
  { code: 'mobile', name: '手机号码', dataType: 'string', length: 20, sensitivity: 'personal', piiKind: 'mobile' },
  { code: 'address', name: '现住址', dataType: 'string', length: 200, sensitivity: 'personal', piiKind: 'address' },
  { code: 'employer', name: '就业单位', dataType: 'string', length: 200 },
  {
    code: 'employer_uscc',
    name: '单位统一社会信用代码',
    dataType: 'string',
    length: 18,
    sensitivity: 'personal',
    piiKind: 'uscc',
  },
  { code: 'income', name: '月收入（元）', dataType: 'decimal', length: 12, precision: 2 },
  { code: 'members', name: '家庭人口', dataType: 'integer' },
  { code: 'registered_at', name: '登记时间', dataType: 'datetime' },
  { code: 'status', name: '状态', dataType: 'string', length: 10, valueSet: STATUS },
];

/** Each item's column type in COPY binary (string → text, integer → int8, …), in item order. */
const BINARY_TYPES: BinaryType[] = ITEMS.map((i) =>
  i.dataType === 'date'
    ? 'date'
    : i.dataType === 'datetime'
      ? 'timestamp'
      : i.dataType === 'integer'
        ? 'int8'
        : i.dataType === 'decimal'
          ? 'numeric'
          : 'text',
);

/**
 * The input (varied date forms, ~1% invalid rows) and the same valid rows in canonical form for COPY: as CSV, and as
 * one COPY binary stream.
 */
async function generate(): Promise<number> {
  if ([input, valid, validText, validBin].every((f) => existsSync(f))) {
    // count the lines on bytes: strings here would stay in this process's memory and inflate its RSS
    let n = -1;
    for await (const chunk of createReadStream(valid, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
    return n;
  }
  const a = createWriteStream(input);
  const b = createWriteStream(valid);
  const c = createWriteStream(validBin);
  const t = createWriteStream(validText);
  c.write(copyBinaryHeader());
  let bufC: Buffer[] = [];
  let bufT = '';
  a.write(ITEMS.map((i) => i.name).join(',') + '\n');
  b.write(ITEMS.map((i) => i.code).join(',') + '\n');
  let bufA = '';
  let bufB = '';
  let good = 0;
  for (let i = 0; i < ROWS; i++) {
    // unique keys: a thousand sequence numbers per birth date
    const born = new Date(Date.UTC(1940, 0, 1) + Math.floor(i / 1000) * 86_400_000 * 7);
    const y = born.getUTCFullYear();
    const m = born.getUTCMonth() + 1;
    const d = born.getUTCDate();
    const f17 = `640106${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    let id = f17 + residentIdCheck(f17);
    const name = SURNAMES[rnd(SURNAMES.length)]! + GIVEN[rnd(GIVEN.length)]!;
    const gender = rnd(2) ? '男' : '女';
    const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const forms = [iso, `${y}/${m}/${d}`, `${y}年${m}月${d}日`, iso.replace(/-/g, '')];
    let birth = forms[rnd(4)]!;
    let mobile = `1${3 + rnd(7)}${String(rnd(1e9)).padStart(9, '0')}`;
    const addr = `宁夏回族自治区银川市金凤区${STREETS[rnd(STREETS.length)]}${rnd(200)}号${rnd(30)}栋${rnd(3000)}`;
    const emp = EMPLOYERS[rnd(EMPLOYERS.length)]!;
    const code = uscc(rnd(100000));
    const income = `${rnd(20000)}.${String(rnd(100)).padStart(2, '0')}`;
    const members = String(1 + rnd(8));
    const regAt = `2024-${String(1 + rnd(12)).padStart(2, '0')}-${String(1 + rnd(28)).padStart(2, '0')} ${String(rnd(24)).padStart(2, '0')}:${String(rnd(60)).padStart(2, '0')}:00`;
    const status = STATUS[rnd(3)]!;
    // about 1% invalid: a wrong check digit, an impossible date, or a bad mobile number
    const bad = rnd(1000) < 10;
    if (bad) {
      const k = rnd(3);
      if (k === 0) id = f17 + (residentIdCheck(f17) === '0' ? '1' : '0');
      else if (k === 1) birth = `${y}年2月30日`;
      else mobile = '1234';
    }
    bufA += `${id},${name},${gender},${birth},${mobile},${addr},${emp},${code},${income},${members},${regAt},${status}\n`;
    if (!bad) {
      good++;
      const row = [id, name, gender, iso, mobile, addr, emp, code, income, members, regAt, status];
      bufB += row.join(',') + '\n';
      bufT += row.join('\t') + '\n';
      bufC.push(copyBinaryTuple(BINARY_TYPES, row));
    }
    if (bufA.length > 1 << 20) {
      if (!a.write(bufA)) await once(a, 'drain');
      if (!b.write(bufB)) await once(b, 'drain');
      if (!c.write(Buffer.concat(bufC))) await once(c, 'drain');
      if (!t.write(bufT)) await once(t, 'drain');
      bufA = '';
      bufB = '';
      bufC = [];
      bufT = '';
    }
  }
  a.end(bufA);
  b.end(bufB);
  c.end(Buffer.concat([...bufC, copyBinaryTrailer()]));
  t.end(bufT);
  await Promise.all([once(a, 'finish'), once(b, 'finish'), once(c, 'finish'), once(t, 'finish')]);
  return good;
}

/** Peak resident memory while `f` runs, sampled every 50 ms (the process's lifetime peak includes the generator). */
async function withPeakRss<T>(f: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
    if (process.env.BENCH_DEBUG) {
      const m = process.memoryUsage();
      console.log(
        `rss ${Math.round(m.rss / 1048576)} heap ${Math.round(m.heapUsed / 1048576)}/${Math.round(m.heapTotal / 1048576)} external ${Math.round(m.external / 1048576)} buffers ${Math.round(m.arrayBuffers / 1048576)}`,
      );
    }
  }, 50);
  try {
    const value = await f();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakMb: Math.round(peak / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}

async function run(kind: 'postgres' | 'pglite', validRows: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gs-bench-ingest-'));
  const scratch = kind === 'postgres' ? await createScratchPgDatabase('gs_bench_ingest') : null;
  const rt = await openRuntime(
    loadConfig(
      {},
      { env: 'test', logLevel: 'silent', demo: 'off', dataDir: dir, ...(scratch ? { databaseUrl: scratch.url } : {}) },
    ),
  );
  try {
    const ctx = systemContext('bench');
    const org = await rt.auth.createOrgAsSystem(ctx, { code: 'bench', name: '基准测试局', kind: 'bureau' });
    const center = await rt.auth.createOrgAsSystem(ctx, { code: 'center', name: '运营中心', kind: 'center' });
    await rt.auth.createUserAsSystem(ctx, {
      orgId: org.id,
      username: 'bench.admin',
      displayName: '管理员',
      password: TEST_PASSWORD,
      roles: ['unit_admin'],
    });
    await rt.auth.createUserAsSystem(ctx, {
      orgId: center.id,
      username: 'bench.reviewer',
      displayName: '审核员',
      password: TEST_PASSWORD,
      roles: ['center_reviewer'],
    });
    const unit = { ...ctx, actor: await rt.auth.cliActor('bench.admin') };
    const res = await rt.catalog.create(unit, {
      name: '就业人员信息（基准）',
      category: 'department',
      baseLibrary: 'person',
      summary: '基准测试',
      keywords: ['基准'],
      format: 'table',
      updateCycle: 'monthly',
      shareType: 'conditional',
      shareCondition: '测试',
      shareBasis: '测试',
      shareMethods: ['api'],
      openAttribute: 'closed',
      securityGrade: 'L2',
      responsiblePerson: '王伟',
      responsiblePhone: '0951-5100001',
      items: ITEMS,
    });
    await rt.catalog.submit(unit, res.id);
    await rt.catalog.review({ ...ctx, actor: await rt.auth.cliActor('bench.reviewer') }, res.id, {
      decision: 'approve',
    });
    const dt = await rt.database.db
      .selectFrom('data_table')
      .select(['table_name'])
      .where('resource_id', '=', res.id)
      .executeTakeFirstOrThrow();

    // the pipeline
    global.gc?.();
    const rss0 = Math.round(process.memoryUsage.rss() / 1024 / 1024);
    // each measurement starts from a clean checkpoint, so neither pays for the other's dirty pages
    const checkpoint = () => (kind === 'postgres' ? sql`CHECKPOINT`.execute(rt.database.db) : Promise.resolve());
    await checkpoint();
    const t0 = performance.now();
    const { value: out, peakMb: rssPipeline } = await withPeakRss(() =>
      rt.ingest.ingest(
        unit,
        res.code,
        { source: 'cli', mode: 'append', fileName: path.basename(input), fileFormat: 'csv', strictWidth: true },
        (onBytes) => openCsv(createReadStream(input, { highWaterMark: 1 << 20 }), { onBytes }),
      ),
    );
    const secs = (performance.now() - t0) / 1000;
    const b = out.batch;
    if (b.status !== 'succeeded') throw new Error(`the batch failed: ${JSON.stringify(b.error)}`);
    if (b.accepted !== validRows) throw new Error(`accepted ${b.accepted}, expected ${validRows}`);

    // the baselines: bare COPY of the same valid rows into identical tables, each from a clean checkpoint
    const cols = ITEMS.map((i) => `"${i.code}"`);
    const bare = async (format: CopyFormat) => {
      const table = `${dt.table_name}_${format}`;
      await sql
        .raw(`CREATE TABLE data."${table}" (LIKE data."${dt.table_name}" INCLUDING ALL)`)
        .execute(rt.database.db);
      // every row of a batch carries the batch id: the baseline gets it as a column default
      await sql.raw(`ALTER TABLE data."${table}" ALTER COLUMN batch_id SET DEFAULT '${b.id}'`).execute(rt.database.db);
      await checkpoint();
      const t1 = performance.now();
      if (kind === 'postgres') await copyFile(scratch!.url, `data."${table}"`, cols, format);
      else await copyChunks(rt.database.copyIn, `data."${table}"`, cols, format);
      const baseSecs = (performance.now() - t1) / 1000;
      const n = (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(`data."${table}"`)}`.execute(rt.database.db)
      ).rows[0]!.n;
      if (n !== validRows) throw new Error(`COPY ${format} loaded ${n} rows, expected ${validRows}`);
      return { format, table, secs: baseSecs, rowsPerS: Math.round(validRows / baseSecs) };
    };
    const bares = [];
    for (const format of kind === 'postgres' ? (['csv', 'text', 'binary'] as const) : (['text', 'binary'] as const))
      bares.push(await bare(format));
    // the binary rows are the text rows: an encoding mistake fails the bench rather than flatter the baseline
    const text = bares.find((x) => x.format === 'text')!;
    const binary = bares.find((x) => x.format === 'binary')!;
    const list = sql.raw(cols.join(', '));
    const differ = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM (
        (SELECT ${list} FROM ${sql.raw(`data."${text.table}"`)} EXCEPT ALL SELECT ${list} FROM ${sql.raw(`data."${binary.table}"`)})
        UNION ALL
        (SELECT ${list} FROM ${sql.raw(`data."${binary.table}"`)} EXCEPT ALL SELECT ${list} FROM ${sql.raw(`data."${text.table}"`)})
      ) d`.execute(rt.database.db)
    ).rows[0]!.n;
    if (differ) throw new Error(`COPY binary and COPY text loaded different rows (${differ})`);
    const fastest = text.rowsPerS >= binary.rowsPerS ? text : binary;
    const baseRowsPerS = fastest.rowsPerS;
    const rowsPerS = Math.round(b.received / secs);
    console.log(
      `\n[${kind}] ${b.received.toLocaleString()} rows in (${(statSync(input).size / 1024 / 1024).toFixed(0)} MB), ${b.accepted.toLocaleString()} loaded, ${b.rejected.toLocaleString()} rejected`,
    );
    console.log(
      `  pipeline:  ${secs.toFixed(1)} s  ${rowsPerS.toLocaleString()} rows/s   peak RSS ${rssPipeline} MB while loading (${rss0} MB before)`,
    );
    for (const x of bares)
      console.log(
        `  bare COPY ${x.format.padEnd(6)} ${x.secs.toFixed(1)} s  ${x.rowsPerS.toLocaleString()} rows/s${x === fastest ? '  ← baseline (the faster of text and binary)' : ''}`,
      );
    console.log(`  ratio:     ${(rowsPerS / baseRowsPerS).toFixed(2)} of bare COPY ${fastest.format} throughput`);
    return {
      db: kind,
      rows_per_s: rowsPerS,
      baseline_rows_per_s: baseRowsPerS,
      baseline: `copy_${fastest.format}`,
      copy_rows_per_s: Object.fromEntries(bares.map((x) => [x.format, x.rowsPerS])),
      ratio: Number((rowsPerS / baseRowsPerS).toFixed(2)),
      peak_rss_mb: rssPipeline,
      rows: b.received,
      rejected: b.rejected,
    };
  } finally {
    await rt.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type CopyFormat = 'csv' | 'text' | 'binary';

/** PostgreSQL: the prepared file of the format streamed into one COPY on its own connection. */
async function copyFile(url: string, table: string, cols: string[], format: CopyFormat) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const options = { csv: ' WITH (FORMAT csv, HEADER true)', text: '', binary: ' WITH (FORMAT binary)' }[format];
    const file = { csv: valid, text: validText, binary: validBin }[format];
    const stream = c.query(copyFrom(`COPY ${table} (${cols.join(', ')}) FROM STDIN${options}`));
    await new Promise<void>((resolve, reject) => {
      const f = createReadStream(file, { highWaterMark: 1 << 20 });
      f.on('error', reject);
      stream.on('error', reject);
      stream.on('finish', () => resolve());
      f.pipe(stream);
    });
  } finally {
    await c.end();
  }
}

/** PGlite takes COPY as one blob at a time: the prepared file in chunks of 50,000 rows. */
async function copyChunks(copyIn: CopyIn, table: string, cols: string[], format: CopyFormat) {
  if (format === 'binary') {
    for (const chunk of splitCopyBinary(readFileSync(validBin), 50_000)) await copyIn(table, cols, chunk, 'binary');
    return;
  }
  const lines = createInterface({ input: createReadStream(validText, { highWaterMark: 1 << 20 }) });
  let chunk: string[] = [];
  for await (const line of lines) {
    chunk.push(line);
    if (chunk.length >= 50_000) {
      await copyIn(table, cols, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) await copyIn(table, cols, chunk.join('\n') + '\n');
}

// The files are written by a child process, so this process's memory is the pipeline's alone.
if (process.argv.includes('--generate')) {
  console.log(await generate());
  process.exit(0);
}
if (![input, valid, validText, validBin].every((f) => existsSync(f))) {
  const { spawnSync } = await import('node:child_process');
  const g = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--generate'], {
    stdio: 'inherit',
    env: process.env,
  });
  if (g.status !== 0) throw new Error('generating the input failed');
}
const validRows = await generate();
console.log(`Input: ${input} (${ROWS.toLocaleString()} rows, ${validRows.toLocaleString()} valid)`);
const results = [];
if (!only || only === 'postgres') results.push(await run('postgres', validRows));
if (!only || only === 'pglite') results.push(await run('pglite', validRows));
const pgr = results.find((r) => r.db === 'postgres') ?? results[0]!;
console.log(
  JSON.stringify({
    bench: 'ingest',
    rows: pgr.rows,
    rows_per_s: pgr.rows_per_s,
    baseline_rows_per_s: pgr.baseline_rows_per_s,
    baseline: pgr.baseline,
    copy_rows_per_s: pgr.copy_rows_per_s,
    ratio: pgr.ratio,
    peak_rss_mb: pgr.peak_rss_mb,
    pglite: results.find((r) => r.db === 'pglite') ?? null,
  }),
);
process.exit(0);
