// npm run bench:share — the data services of a grant under load. A 1,000,000-row resource of people (loaded through
// the real pipeline) and a grant whose profile masks 4 items (name, mobile, address, e-mail; the key in clear so
// lookups by key work), called by the consumer's system with its API credential: keyed lookups and 100-row pages,
// driven by autocannon for a fixed time at concurrency 32. In the same run, the same lookups and pages against a
// bare Fastify route on the same database (the same SELECT, no auth, grant check, masking or audit). Every shared
// call is audited (the bench checks the access records). PostgreSQL first, then PGlite; BENCH_DB picks one.
// Prints requests/s, p50 and p99 for both and the ratio; ends with one JSON line. BENCH_ONLY=lookup runs only the
// shared lookups (for a CPU profile); BENCH_ONLY=services the lookups and pages with their baselines, without the
// export; BENCH_ONLY=export only the export.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { createTestEnv } from '../packages/server/src/testing/test-env.ts';
import { publish, residentId } from '../packages/server/src/testing/ingest-fixtures.ts';
import { itemBody, resourceBody } from '../packages/server/src/testing/catalog-fixtures.ts';
import { openCsv } from '../packages/server/src/domains/ingest/index.ts';
import type { Db } from '../packages/server/src/db/database.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/** alternating rounds of the shared and the bare route, per kind of call */
const ROUNDS = 3;
/** timed exports (each with its COPY) after the watched one */
const EXPORT_ROUNDS = 2;
const CONNECTIONS = 32;
const only = process.env.BENCH_DB; // 'postgres' | 'pglite' | undefined (both)

const ITEMS = [
  itemBody('id_no', '公民身份号码', {
    primaryKey: true,
    required: true,
    length: 18,
    piiKind: 'id_card',
    sensitivity: 'sensitive_personal',
  }),
  itemBody('name', '姓名', { required: true, length: 30, piiKind: 'name', sensitivity: 'personal' }),
  itemBody('mobile', '联系电话', { length: 20, piiKind: 'mobile', sensitivity: 'personal' }),
  itemBody('address', '现住址', { length: 200, piiKind: 'address', sensitivity: 'personal' }),
  itemBody('email', '电子邮箱', { length: 100, piiKind: 'email', sensitivity: 'personal' }),
  itemBody('amount', '救助金额', { dataType: 'decimal', length: 10, precision: 2 }),
  itemBody('members', '家庭人口数', { dataType: 'integer', length: null }),
  itemBody('level', '救助类别', { length: 10, valueSet: ['A类', 'B类', 'C类'] }),
];
const STREETS = ['满城北街街道', '黄河东路街道', '北京中路街道', '长城中路街道', '阅海街道'];

/** Row i's key (unique for i below a million per birth day). */
function keyOf(i: number) {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
  return residentId(birth, i);
}

function generate(file: string) {
  const lines = ['公民身份号码,姓名,联系电话,现住址,电子邮箱,救助金额,家庭人口数,救助类别'];
  for (let i = 0; i < ROWS; i++)
    lines.push(
      [
        keyOf(i),
        `张${'伟芳娜敏静'[i % 5]}${i}`,
        `139${String(i).padStart(8, '0')}`,
        `金凤区${STREETS[i % 5]}${(i % 300) + 1}号`,
        `user${i}@example.cn`,
        `${(i % 900) + 100}.50`,
        `${1 + (i % 6)}`,
        ['A类', 'B类', 'C类'][i % 3],
      ].join(','),
    );
  writeFileSync(file, lines.join('\n') + '\n');
}

const rnd = () => Math.floor(Math.random() * ROWS);

/** CPU seconds the whole machine has used so far, every process (/proc/stat; 0 where it cannot be read). */
function machineCpu(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = line;
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return 0;
  }
}

type Driven = Awaited<ReturnType<typeof drive>>;

/**
 * The shared route and the bare one in alternating rounds (ROUNDS each, SECONDS in all per side), so that this
 * shared machine's drift in speed falls on both alike. Requests/s over all rounds; p50 the rounds' median, p99 the
 * worst round's.
 */
async function paired(shared: () => Promise<Driven>, bare: () => Promise<Driven>) {
  const rounds: { shared: Driven; bare: Driven }[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push({ shared: await shared(), bare: await bare() });
  const combine = (list: Driven[]): Driven => {
    const total = list.reduce((n, d) => n + d.total, 0);
    const weighted = (f: (d: Driven) => number) => Math.round(list.reduce((n, d) => n + f(d) * d.total, 0) / total);
    return {
      rps: Math.round(list.reduce((n, d) => n + d.rps, 0) / list.length),
      p50: list.map((d) => d.p50).sort((a, b) => a - b)[Math.floor(list.length / 2)]!,
      p99: Math.max(...list.map((d) => d.p99)),
      total,
      nodeUs: weighted((d) => d.nodeUs),
      pgUs: weighted((d) => d.pgUs),
    };
  };
  return { shared: combine(rounds.map((r) => r.shared)), bare: combine(rounds.map((r) => r.bare)) };
}

async function drive(url: string, headers: Record<string, string>, pathOf: () => string, seconds = SECONDS) {
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: pathOf() }) }],
  });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) throw new Error(`${bad} of ${r.requests.total} requests failed (${url}${pathOf()})`);
  const cpu = process.cpuUsage(cpu0);
  const machine = machineCpu() - machine0;
  const perCall = (s: number) => Math.round((s * 1e6) / r.requests.total);
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    // CPU per call, µs: this process (the server and autocannon both), and the rest of the machine (PostgreSQL)
    nodeUs: perCall((cpu.user + cpu.system) / 1e6),
    pgUs: perCall(machine - (cpu.user + cpu.system) / 1e6),
  };
}

async function run(kind: 'postgres' | 'pglite', file: string) {
  // as in production: no response checking (a test-only aid); request logging off, as on the bare route
  const env = await createTestEnv(kind, {
    env: 'production',
    sessionSecret: randomBytes(32).toString('hex'),
    sm4Key: randomBytes(16).toString('hex'),
  });
  const bare = Fastify();
  try {
    const app = env.app;
    const db = env.database.db;
    const owner = await env.as('unit_admin');
    const consumer = await env.as('unit_admin');
    const reviewer = await env.as('center_reviewer');
    const centerAdmin = await env.as('center_admin');
    const sys = await consumer.post('/api/catalog/systems', { name: '基准测试系统' });
    const cred = await consumer.post('/api/credentials', { systemName: '基准测试系统' });
    const { id } = await publish(
      owner,
      reviewer,
      resourceBody({ name: '救助对象信息（基准）', items: ITEMS, shareMethods: ['api', 'file'] }),
    );
    const t0 = performance.now();
    const actor = await app.services.auth.cliActor(owner.username);
    const batch = await app.services.ingest.ingest(
      { actor, requestId: 'bench', ip: null },
      id,
      { source: 'cli', mode: 'append', fileName: 'bench.csv', fileFormat: 'csv', strictWidth: true },
      (onBytes) => openCsv(createReadStream(file, { highWaterMark: 1 << 20 }), { onBytes }),
    );
    if (batch.batch.accepted !== ROWS) throw new Error(`loaded ${batch.batch.accepted} rows of ${ROWS}`);
    console.log(`[${kind}] ${ROWS.toLocaleString()} rows loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    // the grant: the key in clear, name, mobile, address and e-mail masked; limits out of the way
    const profile = await owner.post(`/api/masking/resources/${id}/profiles`, {
      name: '基准方案',
      purpose: 'grant',
      rules: { id_no: { rule: 'none' } },
    });
    await centerAdmin.post(`/api/masking/profiles/${profile.json.id}/approve`);
    const a = await consumer.post('/api/sharing/applications', {
      resource: id,
      purpose: '基准测试',
      businessProcess: '基准测试',
      scenario: '基准测试',
      legalBasis: '基准测试',
      methods: ['api', 'file'],
      validUntil: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
      systemId: sys.json.id,
      commitmentVersion: 1,
    });
    await reviewer.post(`/api/sharing/applications/${a.json.id}/review`, { decision: 'approve' });
    await owner.post(`/api/sharing/applications/${a.json.id}/answer`, {
      decision: 'consent',
      maskingProfileId: profile.json.id,
    });
    const grantId = (await consumer.get(`/api/sharing/applications/${a.json.id}`)).json.grantId as string;
    await owner.patch(`/api/sharing/grants/${grantId}`, { ratePerMinute: 100_000, dailyRows: 1_000_000_000 });
    const grant = (await consumer.get(`/api/sharing/grants/${grantId}`)).json;
    const masked = grant.items.filter(
      (i: { masking: { zh: string } | null }) => i.masking && i.masking.zh !== '不脱敏',
    );
    if (masked.length !== 4) throw new Error(`the grant masks ${masked.length} items, not 4`);
    const probe = await fetchJson(await app.listen({ port: 0, host: '127.0.0.1' }), grantId, cred.json.token);
    if (!/\*/.test(String(probe.record.name))) throw new Error(`the name is not masked: ${JSON.stringify(probe)}`);
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    // the bare route: the same SELECT on the same database, nothing else
    const table = (
      await db.selectFrom('data_table').select('table_name').where('resource_id', '=', id).executeTakeFirstOrThrow()
    ).table_name;
    const cols = sql.raw(ITEMS.map((i) => `"${i.code}"`).join(', '));
    const from = sql.raw(`data."${table}"`);
    bare.get<{ Querystring: { id_no: string } }>('/lookup', async (req) => {
      const r = await sql`SELECT ${cols} FROM ${from} WHERE id_no = ${req.query.id_no}`.execute(db);
      return { record: r.rows[0] ?? null };
    });
    bare.get<{ Querystring: { after: string } }>('/rows', async (req) => {
      const r =
        await sql`SELECT ${cols} FROM ${from} WHERE id_no > ${req.query.after} ORDER BY id_no LIMIT 100`.execute(db);
      return { rows: r.rows };
    });
    const bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });
    // a table in its steady state, so autovacuum's first pass over a million new rows does not land in one phase
    await sql`VACUUM ANALYZE ${from}`.execute(db);

    const auth = { authorization: `Bearer ${cred.json.token}` };
    // the export: the whole grant as one CSV over HTTP, against COPY … TO STDOUT of the same rows and columns
    // first an export whose memory is watched (the heap collected every few MB read, which costs time), then
    // EXPORT_ROUNDS timed exports, each followed by a COPY (on PostgreSQL), so that drift falls on both alike
    let exported: { rowsPerS: number; seconds: number; bytes: number; heapMb: number; rssMb: number } | null = null;
    let copied: { rowsPerS: number } | null = null;
    if (process.env.BENCH_ONLY !== 'lookup' && process.env.BENCH_ONLY !== 'services') {
      const exportUrl = `${base}/api/share/grants/${grantId}/export?format=csv`;
      const memory = await timeExport(exportUrl, auth, true);
      const runs = [];
      const copies = [];
      for (let i = 0; i < EXPORT_ROUNDS; i++) {
        runs.push(await timeExport(exportUrl, auth, false));
        if (kind === 'postgres')
          copies.push(await timeCopy(env.database.url!, table, ITEMS.map((i) => `"${i.code}"`).join(', ')));
      }
      const mean = (list: { rowsPerS: number }[]) => list.reduce((n, r) => n + r.rowsPerS, 0) / list.length;
      exported = { ...runs.at(-1)!, rowsPerS: mean(runs), heapMb: memory.heapMb, rssMb: memory.rssMb };
      copied = copies.length ? { rowsPerS: mean(copies) } : null;
    }
    if (exported)
      console.log(
        `  export ${Math.round(exported.rowsPerS).toLocaleString()} rows/s (mean of ${EXPORT_ROUNDS}; ${(exported.bytes / 2 ** 20).toFixed(0)} MB in ${exported.seconds.toFixed(1)} s; while watched: heap +${exported.heapMb.toFixed(0)} MB, RSS +${exported.rssMb.toFixed(0)} MB at most)` +
          (copied
            ? `  | COPY TO STDOUT ${Math.round(copied.rowsPerS).toLocaleString()} rows/s  | ratio ${(exported.rowsPerS / copied.rowsPerS).toFixed(2)}`
            : '  | COPY TO STDOUT: not measured on PGlite'),
      );
    if (process.env.BENCH_ONLY === 'export') return null;
    // warm-up, not measured: the table's pages in PostgreSQL's buffers, the server's code compiled
    await drive(bareBase, {}, () => `/lookup?id_no=${keyOf(rnd())}`, 3);
    await drive(base, auth, () => `/api/share/grants/${grantId}/lookup?id_no=${keyOf(rnd())}`, 3);
    const lookupPath = () => `/api/share/grants/${grantId}/lookup?id_no=${keyOf(rnd())}`;
    const before = await auditCount(db);
    if (process.env.BENCH_ONLY === 'lookup') {
      const shared = await drive(base, auth, lookupPath);
      console.log(
        `  lookup shared ${shared.rps} req/s  p50 ${shared.p50} ms  p99 ${shared.p99} ms  CPU per call: this process ${shared.nodeUs} µs, the rest (PostgreSQL) ${shared.pgUs} µs`,
      );
      return null;
    }
    const results = {
      lookup: await paired(
        () => drive(base, auth, lookupPath, SECONDS / ROUNDS),
        () => drive(bareBase, {}, () => `/lookup?id_no=${keyOf(rnd())}`, SECONDS / ROUNDS),
      ),
      page: await paired(
        () =>
          drive(
            base,
            auth,
            () =>
              `/api/share/grants/${grantId}/rows?limit=100&sort=id_no&where=${encodeURIComponent(`id_no > '${keyOf(rnd())}'`)}`,
            SECONDS / ROUNDS,
          ),
        () => drive(bareBase, {}, () => `/rows?after=${keyOf(rnd())}`, SECONDS / ROUNDS),
      ),
    };
    // every shared call left its access record
    const audited = (await auditCount(db)) - before;
    const calls = results.lookup.shared.total + results.page.shared.total;
    if (audited < calls) throw new Error(`${calls} calls answered, ${audited} access records`);
    for (const [name, r] of Object.entries(results))
      console.log(
        `  ${name.padEnd(6)} shared ${String(r.shared.rps).padStart(6)} req/s  p50 ${r.shared.p50} ms  p99 ${r.shared.p99} ms` +
          `  | bare ${String(r.bare.rps).padStart(6)} req/s  p50 ${r.bare.p50} ms  p99 ${r.bare.p99} ms` +
          `  | ratio ${(r.shared.rps / r.bare.rps).toFixed(2)}` +
          `  | CPU per call µs (this process / the rest): shared ${r.shared.nodeUs} / ${r.shared.pgUs}, bare ${r.bare.nodeUs} / ${r.bare.pgUs}`,
      );
    console.log(`  ${audited.toLocaleString()} access records written for ${calls.toLocaleString()} answered calls`);
    return {
      db: kind,
      lookup_rps: results.lookup.shared.rps,
      lookup_p50_ms: results.lookup.shared.p50,
      lookup_p99_ms: results.lookup.shared.p99,
      baseline_lookup_rps: results.lookup.bare.rps,
      baseline_lookup_p99_ms: results.lookup.bare.p99,
      lookup_ratio: Number((results.lookup.shared.rps / results.lookup.bare.rps).toFixed(2)),
      page_rps: results.page.shared.rps,
      page_p99_ms: results.page.shared.p99,
      baseline_page_rps: results.page.bare.rps,
      page_ratio: Number((results.page.shared.rps / results.page.bare.rps).toFixed(2)),
      audited_calls: audited,
      export_rows_per_s: exported ? Math.round(exported.rowsPerS) : null,
      export_heap_mb: exported ? Math.round(exported.heapMb) : null,
      export_rss_mb: exported ? Math.round(exported.rssMb) : null,
      baseline_copy_rows_per_s: copied ? Math.round(copied.rowsPerS) : null,
      export_ratio: copied && exported ? Number((exported.rowsPerS / copied.rowsPerS).toFixed(2)) : null,
    };
  } finally {
    await bare.close();
    await env.close();
  }
}

/**
 * Reads an export to its end, counting rows and bytes. Watched: the live heap (collected first) and the process's
 * RSS (worker threads included) are sampled every few MB read, above their level before the export.
 */
async function timeExport(url: string, headers: Record<string, string>, watched: boolean) {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  let heapMax = heap0;
  let rssMax = rss0;
  const t0 = performance.now();
  // node:http, as a consumer's curl or wget would read it (fetch's web streams cost this process more than the
  // file's bytes do, and the server shares its cores)
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    httpGet(url, { headers }, resolve).on('error', reject),
  );
  if (res.statusCode !== 200) {
    let body = '';
    for await (const c of res) body += String(c);
    throw new Error(`export: ${res.statusCode} ${body}`);
  }
  let bytes = 0;
  let lines = 0;
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    if (watched && ++n % 256 === 0) {
      // the live heap, garbage collected first: what the export holds, not what it left behind
      global.gc?.();
      const m = process.memoryUsage();
      heapMax = Math.max(heapMax, m.heapUsed);
      rssMax = Math.max(rssMax, m.rss);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const rows = lines - 1;
  if (rows !== ROWS) throw new Error(`the export holds ${rows} rows, not ${ROWS}`);
  return {
    rowsPerS: rows / seconds,
    seconds,
    bytes,
    heapMb: (heapMax - heap0) / 2 ** 20,
    rssMb: (rssMax - rss0) / 2 ** 20,
  };
}

/** COPY (the same columns, in key order) TO STDOUT as CSV, read to its end. */
async function timeCopy(url: string, table: string, cols: string) {
  const { default: pg } = await import('pg');
  const { to } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const text = `COPY (SELECT ${cols} FROM data."${table}" ORDER BY id_no) TO STDOUT WITH (FORMAT csv, HEADER)`;
    const t0 = performance.now();
    let lines = 0;
    // counted as the export's reader counts them
    for await (const chunk of client.query(to(text)) as AsyncIterable<Buffer>)
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    const seconds = (performance.now() - t0) / 1000;
    return { rowsPerS: (lines - 1) / seconds, seconds };
  } finally {
    await client.end();
  }
}

async function auditCount(db: Db) {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_record`.execute(db);
  return r.rows[0]!.n;
}

async function fetchJson(base: string, grantId: string, token: string) {
  const r = await fetch(`${base}/api/share/grants/${grantId}/lookup?id_no=${keyOf(1)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (r.status !== 200) throw new Error(`probe lookup: ${r.status} ${await r.text()}`);
  return (await r.json()) as { record: Record<string, unknown> };
}

const dir = mkdtempSync(path.join(tmpdir(), 'gs-bench-share-'));
const file = path.join(dir, 'rows.csv');
try {
  generate(file);
  const out = [];
  for (const kind of ['postgres', 'pglite'] as const)
    if (!only || only === kind) {
      const r = await run(kind, file);
      if (r) out.push(r);
    }
  if (!out.length) process.exit(0); // BENCH_ONLY: a profile of one phase, no figures to print
  const pg = out.find((x) => x.db === 'postgres') ?? out[0]!;
  console.log(
    JSON.stringify({
      bench: 'share',
      rows: ROWS,
      seconds: SECONDS,
      connections: CONNECTIONS,
      rps: pg.lookup_rps,
      p99_ms: pg.lookup_p99_ms,
      baseline_rps: pg.baseline_lookup_rps,
      ratio: pg.lookup_ratio,
      runs: out,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
