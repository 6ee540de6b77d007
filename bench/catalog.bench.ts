// npm run bench:catalog — 5,000 resources with 100,000 items, 50 Chinese queries: the catalog search
// (bigram GIN index + substring check) against a plain ILIKE scan over the same tables, in the same run.
// Runs on the embedded PGlite and, when reachable, on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL).
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../packages/server/src/db/database.ts';
import { migrateToLatest } from '../packages/server/src/db/migrator.ts';
import { CalendarService } from '../packages/server/src/domains/calendar/index.ts';
import { CatalogService } from '../packages/server/src/domains/catalog/index.ts';
import * as repo from '../packages/server/src/domains/catalog/catalog.repository.ts';
import { indexKeys, normaliseText } from '../packages/server/src/domains/catalog/catalog.search-text.ts';
import { TEMPLATES, templateToInput } from '../packages/server/src/demo/catalog-templates.ts';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 5000);
const ITEMS_PER = 20;
const QUERIES = [
  '身份证',
  '维修信息',
  '登记信息',
  '低保',
  '企业',
  '学校',
  '社保',
  '不动产',
  '网格',
  '出生',
  '婚姻',
  '机动车',
  '流动人口',
  '救助',
  '养老',
  '许可',
  '处罚',
  '城市部件',
  '案件',
  '医疗机构',
  '学籍',
  '就业',
  '参保',
  '退役军人',
  '办件',
  '矛盾纠纷',
  '高龄',
  '津贴',
  '统一社会信用代码',
  '法定代表人',
  '联系电话',
  '户籍地址',
  '出生日期',
  '发放金额',
  '建筑面积',
  '经纬度',
  '部件编码',
  '号牌',
  '食品经营',
  '施工许可',
  '安全生产',
  '权责清单',
  '办事指南',
  '房屋坐落',
  '注册资本',
  '经营范围',
  '登记机关',
  '缴费基数',
  '配偶',
  '人口 信息',
];
const PREFIXES = [
  '满城北街',
  '黄河东路',
  '北京中路',
  '长城中路',
  '上海西路',
  '阅海',
  '良田镇',
  '丰登镇',
  '发改',
  '教育',
  '民政',
  '司法',
  '财政',
  '人社',
  '住建',
  '农水',
  '商务',
  '文旅',
  '卫健',
  '应急',
];
const EXTRA_ITEMS = [
  '备注',
  '数据来源',
  '采集人员',
  '采集时间',
  '审核状态',
  '审核人',
  '审核时间',
  '所属街道',
  '所属社区',
  '证照编号',
  '证照类型',
  '核发日期',
  '有效期起',
  '有效期止',
  '联系人',
  '联系人电话',
  '经办机构',
  '业务类型',
  '业务状态',
  '批次号',
];

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function generate(db: Db, orgId: string) {
  const templates = Object.values(TEMPLATES).flat();
  const t0 = performance.now();
  for (let start = 0; start < RESOURCES; start += 100) {
    const versions: Record<string, unknown>[] = [];
    const items: Record<string, unknown>[] = [];
    const resources: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(RESOURCES, start + 100); i++) {
      const t = templates[i % templates.length]!;
      const input = templateToInput(
        t,
        PREFIXES[Math.floor(i / templates.length) % PREFIXES.length]! +
          (i >= templates.length * PREFIXES.length
            ? `第${Math.floor(i / (templates.length * PREFIXES.length)) + 1}批`
            : ''),
        { person: '王伟', phone: '0951-5100001' },
      );
      const its = [...input.items];
      for (let k = 0; its.length < ITEMS_PER; k++)
        its.push({
          code: `extra_${k}`,
          name: EXTRA_ITEMS[(i + k) % EXTRA_ITEMS.length]!,
          dataType: 'string',
          sensitivity: 'none',
        });
      const id = randomUUID();
      const code = `3${String(1 + (i % 99)).padStart(2, '0')}001/${String(i + 1).padStart(6, '0')}`;
      resources.push({ id, code, org_id: orgId, current_version: 1, working_version: null });
      const itemText = its.map((x) => x.name).join(' ');
      versions.push({
        resource_id: id,
        version: 1,
        kind: 'new',
        status: 'approved',
        name: input.name,
        category: input.category,
        base_library: input.baseLibrary,
        summary: input.summary,
        keywords: input.keywords,
        format: input.format,
        update_cycle: input.updateCycle,
        share_type: input.shareType,
        share_condition: input.shareCondition,
        share_basis: input.shareBasis,
        share_methods: input.shareMethods,
        open_attribute: input.openAttribute,
        security_grade: input.securityGrade,
        policy_version: 1,
        search_doc: sql`setweight(array_to_tsvector(${indexKeys([input.name, ...(input.keywords ?? [])].join(' '))}::text[]), 'A') || setweight(array_to_tsvector(${indexKeys(itemText)}::text[]), 'B') || setweight(array_to_tsvector(${indexKeys(input.summary ?? '')}::text[]), 'C')`,
        search_text: normaliseText(
          [code, input.name, (input.keywords ?? []).join(' '), input.summary ?? '', itemText].join(' | '),
        ),
      });
      its.forEach((it, position) =>
        items.push({
          resource_id: id,
          version: 1,
          position,
          code: it.code,
          name: it.name,
          data_type: it.dataType,
          length: it.length ?? null,
          precision: it.precision ?? null,
          sensitivity: it.sensitivity ?? 'none',
          pii_kind: it.piiKind ?? null,
        }),
      );
    }
    await db
      .insertInto('resource')
      .values(resources as never)
      .execute();
    await db
      .insertInto('resource_version')
      .values(versions as never)
      .execute();
    for (let k = 0; k < items.length; k += 500)
      await db
        .insertInto('resource_item')
        .values(items.slice(k, k + 500) as never)
        .execute();
  }
  await sql`ANALYZE`.execute(db);
  return performance.now() - t0;
}

async function runOn(kind: 'pglite' | 'postgres', url?: string) {
  const d = await openDatabase({ databaseUrl: url });
  try {
    if (url) await sql`DROP SCHEMA IF EXISTS public CASCADE; `.execute(d.db).catch(() => {});
    if (url) await sql`CREATE SCHEMA IF NOT EXISTS public`.execute(d.db);
    await migrateToLatest(d.db);
    const cal = new CalendarService(d.db);
    await cal.ensurePolicy();
    await new CatalogService(d.db, cal).codes.ensureCodes();
    const orgId = randomUUID();
    await d.db
      .insertInto('organisation')
      .values({ id: orgId, code: 'bench', name: '基准测试单位', kind: 'bureau' })
      .execute();
    const genMs = await generate(d.db, orgId);
    const counts = await sql<{
      r: number;
      i: number;
    }>`SELECT (SELECT count(*) FROM resource)::int AS r, (SELECT count(*) FROM resource_item)::int AS i`.execute(d.db);
    console.log(
      `[${kind}] generated ${counts.rows[0]!.r} resources, ${counts.rows[0]!.i} items in ${(genMs / 1000).toFixed(1)} s`,
    );

    // warm-up, then timed rounds
    for (const q of QUERIES.slice(0, 5)) {
      await repo.search(d.db, { q }, { limit: 20, offset: 0 });
      await repo.ilikeScan(d.db, q);
    }
    const ours: number[] = [];
    const withFacets: number[] = [];
    const base: number[] = [];
    let mismatches = 0;
    for (const q of QUERIES) {
      let t = performance.now();
      await repo.search(d.db, { q }, { limit: 20, offset: 0 });
      ours.push(performance.now() - t);
      t = performance.now();
      await Promise.all([repo.search(d.db, { q }, { limit: 20, offset: 0 }), repo.facets(d.db, { q })]);
      withFacets.push(performance.now() - t);
      t = performance.now();
      const scan = await repo.ilikeScan(d.db, q);
      base.push(performance.now() - t);
      const all = await repo.search(d.db, { q }, { limit: 100000, offset: 0 });
      const got = new Set(all.rows.map((r) => r.resource_id));
      const missing = scan.filter((x) => !got.has(x));
      if (missing.length) {
        mismatches++;
        console.log(`  ${q}: the ILIKE scan finds ${missing.length} the search does not`);
      }
    }
    const slowest = QUERIES.map((q, i) => [q, ours[i]!] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5);
    console.log(`[${kind}] slowest: ${slowest.map(([q, ms]) => `${q} ${ms.toFixed(1)} ms`).join(', ')}`);
    const r = {
      bench: 'catalog',
      db: kind,
      resources: counts.rows[0]!.r,
      items: counts.rows[0]!.i,
      queries: QUERIES.length,
      p50_ms: +pct(ours, 50).toFixed(2),
      p95_ms: +pct(ours, 95).toFixed(2),
      with_facets_p50_ms: +pct(withFacets, 50).toFixed(2),
      with_facets_p95_ms: +pct(withFacets, 95).toFixed(2),
      baseline_p50_ms: +pct(base, 50).toFixed(2),
      baseline_p95_ms: +pct(base, 95).toFixed(2),
      ratio: +(pct(ours, 95) / pct(base, 95)).toFixed(3),
      finds_all_ilike_finds: mismatches === 0,
    };
    console.log(
      `[${kind}] search p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms (with facets p95 ${r.with_facets_p95_ms} ms) | ILIKE scan p50 ${r.baseline_p50_ms} ms, p95 ${r.baseline_p95_ms} ms | every query finds what ILIKE finds: ${r.finds_all_ilike_finds}`,
    );
    return r;
  } finally {
    await d.close();
  }
}

async function pgReachable(url: string) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

const results = [await runOn('pglite')];
const adminUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (await pgReachable(adminUrl)) {
  const name = `gs_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = '/' + name;
  try {
    results.push(await runOn('postgres', u.toString()));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
} else console.log(`PostgreSQL not reachable at ${adminUrl}: measured on PGlite only`);
const pgRes = results.find((r) => r.db === 'postgres') ?? results[0]!;
console.log(JSON.stringify({ ...pgRes, runs: results }));
