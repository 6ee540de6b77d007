// npm run bench:ingest — a 1,000,000-row, 12-column CSV of personal and business data (about 1% invalid
// rows) through the real pipeline (CSV parse, full validation, staging COPY, one applying transaction),
// next to a bare COPY of the same valid rows into an identical table in the same run. PostgreSQL
// (TEST_DATABASE_URL) first, then the embedded PGlite. Prints rows/s, the ratio and peak RSS.
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const only = process.env.BENCH_DB; // 'postgres' | 'pglite' | undefined (both)
const input = path.join(tmpdir(), `gongshu-ingest-bench-${ROWS}.csv`);
const valid = path.join(tmpdir(), `gongshu-ingest-bench-${ROWS}-valid.csv`);

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

/** The input (varied date forms, ~1% invalid rows) and the same valid rows in canonical form for COPY. */
async function generate(): Promise<number> {
  if (existsSync(input) && existsSync(valid)) {
    // count the lines on bytes: strings here would stay in this process's memory and inflate its RSS
    let n = -1;
    for await (const chunk of createReadStream(valid, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
    return n;
  }
  const a = createWriteStream(input);
  const b = createWriteStream(valid);
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
      bufB += `${id},${name},${gender},${iso},${mobile},${addr},${emp},${code},${income},${members},${regAt},${status}\n`;
    }
    if (bufA.length > 1 << 20) {
      if (!a.write(bufA)) await once(a, 'drain');
      if (!b.write(bufB)) await once(b, 'drain');
      bufA = '';
      bufB = '';
    }
  }
  a.end(bufA);
  b.end(bufB);
  await Promise.all([once(a, 'finish'), once(b, 'finish')]);
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

    // the baseline: bare COPY of the same valid rows into an identical table
    const base = `${dt.table_name}_copy`;
    await sql.raw(`CREATE TABLE data."${base}" (LIKE data."${dt.table_name}" INCLUDING ALL)`).execute(rt.database.db);
    const cols = ITEMS.map((i) => `"${i.code}"`).join(', ');
    await checkpoint();
    const t1 = performance.now();
    // every row of a batch carries the batch id: the baseline gets it as a column default
    await sql.raw(`ALTER TABLE data."${base}" ALTER COLUMN batch_id SET DEFAULT '${b.id}'`).execute(rt.database.db);
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: scratch!.url });
      await c.connect();
      const s2 = c.query(copyFrom(`COPY data."${base}" (${cols}) FROM STDIN WITH (FORMAT csv, HEADER true)`));
      await new Promise<void>((resolve, reject) => {
        const f = createReadStream(valid, { highWaterMark: 1 << 20 });
        f.on('error', reject);
        s2.on('error', reject);
        s2.on('finish', () => resolve());
        f.pipe(s2);
      });
      await c.end();
    } else {
      // PGlite takes COPY from a blob: the valid file in chunks of 50,000 lines, one transaction
      const lines = createInterface({ input: createReadStream(valid, { highWaterMark: 1 << 20 }) });
      let chunk: string[] = [];
      let first = true;
      for await (const line of lines) {
        if (first) {
          first = false;
          continue;
        }
        chunk.push(line);
        if (chunk.length >= 50_000) {
          await rt.database.copyIn(
            `data."${base}"`,
            ITEMS.map((i) => `"${i.code}"`),
            chunkToText(chunk),
          );
          chunk = [];
        }
      }
      if (chunk.length)
        await rt.database.copyIn(
          `data."${base}"`,
          ITEMS.map((i) => `"${i.code}"`),
          chunkToText(chunk),
        );
    }
    const baseSecs = (performance.now() - t1) / 1000;
    const n = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(`data."${base}"`)}`.execute(rt.database.db)
    ).rows[0]!.n;
    if (n !== validRows) throw new Error(`baseline loaded ${n} rows, expected ${validRows}`);
    const rowsPerS = Math.round(b.received / secs);
    const baseRowsPerS = Math.round(validRows / baseSecs);
    console.log(
      `\n[${kind}] ${b.received.toLocaleString()} rows in (${(statSync(input).size / 1024 / 1024).toFixed(0)} MB), ${b.accepted.toLocaleString()} loaded, ${b.rejected.toLocaleString()} rejected`,
    );
    console.log(
      `  pipeline:  ${secs.toFixed(1)} s  ${rowsPerS.toLocaleString()} rows/s   peak RSS ${rssPipeline} MB while loading (${rss0} MB before)`,
    );
    console.log(
      `  bare COPY: ${baseSecs.toFixed(1)} s  ${baseRowsPerS.toLocaleString()} rows/s (valid rows only, canonical values)`,
    );
    console.log(`  ratio:     ${(rowsPerS / baseRowsPerS).toFixed(2)} of bare COPY throughput`);
    return {
      db: kind,
      rows_per_s: rowsPerS,
      baseline_rows_per_s: baseRowsPerS,
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

/** CSV lines (no quotes in the generated data) to COPY text: commas to tabs. */
function chunkToText(lines: string[]) {
  return lines.map((l) => l.replace(/,/g, '\t')).join('\n') + '\n';
}

// The files are written by a child process, so this process's memory is the pipeline's alone.
if (process.argv.includes('--generate')) {
  console.log(await generate());
  process.exit(0);
}
if (!existsSync(input) || !existsSync(valid)) {
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
    ratio: pgr.ratio,
    peak_rss_mb: pgr.peak_rss_mb,
    pglite: results.find((r) => r.db === 'pglite') ?? null,
  }),
);
process.exit(0);
