// npm run bench:quality — the full default rule set of a 10,000,000-row resource, against one sequential scan of the
// same table in the same run. The resource (people: resident ID as key, name, mobile, e-mail, birth date, help
// class with a value set, street, amount) and a second resource of 1,000,000 people it takes its resident IDs
// from are loaded through the real pipeline; the rules are the ones the platform suggests from the items (required
// items, formats, the value set, the birth date, the key, the update cycle, the one-source agreement, and the
// existence of each resident ID in the second resource). Three runs are timed: the first (every row judged), the
// run after a later batch of 1 % new people (the existence check judges that batch's rows and carries the rest,
// ADR 0012: the figure held to the target), and a nightly run with nothing new. Baseline: `SELECT count(*) … WHERE
// <key> IS NOT NULL`, warmed once, then timed. Memory: the Node process's live heap, sampled while the rules run.
// PostgreSQL only (BENCH_ROWS and BENCH_REF_ROWS change the sizes). Ends with one JSON line.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestEnv } from '../packages/server/src/testing/test-env.ts';
import { publish, residentId } from '../packages/server/src/testing/ingest-fixtures.ts';
import { itemBody, resourceBody } from '../packages/server/src/testing/catalog-fixtures.ts';
import { openCsv } from '../packages/server/src/domains/ingest/index.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const REF_ROWS = Number(process.env.BENCH_REF_ROWS ?? 1_000_000);
const NEW_ROWS = Math.max(1, Math.floor(ROWS / 100));
const STREETS = ['满城北街街道', '黄河东路街道', '北京中路街道', '长城中路街道', '阅海街道'];

/** Row i's key: unique for i below a thousand per birth day. */
function keyOf(i: number) {
  const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
  return residentId(birth, i);
}

/** The people: every tenth of them is in the reference (the household register), so 90 % are not. */
async function generate(file: string, n: number, step: number, full: boolean, from = 0) {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(
    full ? '公民身份号码,姓名,联系电话,电子邮箱,出生日期,救助类别,所属街道,救助金额\n' : '公民身份号码,姓名\n',
  );
  let chunk = '';
  for (let j = 0; j < n; j++) {
    const i = from + j * step;
    const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
    chunk += full
      ? `${keyOf(i)},张${'伟芳娜敏静'[i % 5]}${i},139${String(i % 1e8).padStart(8, '0')},u${i}@example.cn,${birth},${['A类', 'B类', 'C类'][i % 3]},${STREETS[i % 5]},${(i % 900) + 100}.50\n`
      : `${keyOf(i)},张${'伟芳娜敏静'[i % 5]}${i}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gs-quality-bench-'));
  const big = path.join(dir, 'people.csv');
  const small = path.join(dir, 'register.csv');
  await generate(big, ROWS, 1, true);
  await generate(small, REF_ROWS, Math.max(1, Math.floor(ROWS / REF_ROWS)), false);
  // a later month's new people (1 %), none of them in the reference
  const more = path.join(dir, 'people-more.csv');
  await generate(more, NEW_ROWS, 1, true, ROWS);
  const env = await createTestEnv('postgres', {
    env: 'production',
    sessionSecret: randomBytes(32).toString('hex'),
    sm4Key: randomBytes(16).toString('hex'),
  });
  try {
    const app = env.app;
    const db = env.database.db;
    const owner = await env.as('unit_admin');
    const reviewer = await env.as('center_reviewer');
    const register = await publish(
      owner,
      reviewer,
      resourceBody({
        name: '户籍人口（基准）',
        items: [
          itemBody('id_no', '公民身份号码', {
            primaryKey: true,
            required: true,
            length: 18,
            piiKind: 'id_card',
            sensitivity: 'sensitive_personal',
          }),
          itemBody('name', '姓名', { required: true, length: 30, piiKind: 'name', sensitivity: 'personal' }),
        ],
      }),
    );
    const people = await publish(
      owner,
      reviewer,
      resourceBody({
        name: '救助对象（基准）',
        updateCycle: 'monthly',
        items: [
          itemBody('id_no', '公民身份号码', {
            primaryKey: true,
            required: true,
            length: 18,
            piiKind: 'id_card',
            sensitivity: 'sensitive_personal',
            sourceResourceCode: register.code,
            sourceItemCode: 'id_no',
          }),
          itemBody('name', '姓名', { required: true, length: 30, piiKind: 'name', sensitivity: 'personal' }),
          itemBody('mobile', '联系电话', { length: 20, piiKind: 'mobile', sensitivity: 'personal' }),
          itemBody('email', '电子邮箱', { length: 100, piiKind: 'email', sensitivity: 'personal' }),
          itemBody('birth', '出生日期', {
            dataType: 'date',
            length: null,
            piiKind: 'birth_date',
            sensitivity: 'personal',
          }),
          itemBody('level', '救助类别', { length: 10, valueSet: ['A类', 'B类', 'C类'] }),
          itemBody('street', '所属街道', { length: 30 }),
          itemBody('amount', '救助金额', { dataType: 'decimal', length: 10, precision: 2 }),
        ],
      }),
    );
    const actor = await app.services.auth.cliActor(owner.username);
    // the bench runs the rules itself, as the queue would after each batch: the loads do not run them in place
    (app.services.ingest as unknown as { batchListeners: unknown[] }).batchListeners.length = 0;
    const load = async (id: string, file: string, n: number) => {
      const t0 = performance.now();
      const b = await app.services.ingest.ingest(
        { actor, requestId: 'bench', ip: null },
        id,
        { source: 'cli', mode: 'append', fileName: path.basename(file), fileFormat: 'csv', strictWidth: true },
        (onBytes) => openCsv(createReadStream(file, { highWaterMark: 1 << 20 }), { onBytes }),
      );
      if (b.batch.accepted !== n)
        throw new Error(`loaded ${b.batch.accepted} rows of ${n}: ${JSON.stringify(b.batch.error)}`);
      console.log(`${n.toLocaleString()} rows loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      return b.batch.id;
    };
    await load(register.id, small, REF_ROWS);
    await load(people.id, big, ROWS);
    const table = (await app.services.ingest.resource({ actor, requestId: 'bench', ip: null }, people.id)).table!;
    await sql.raw(`VACUUM ANALYZE ${table}`).execute(db);
    // the one-source comparison the single-source rule reads (not timed: it is its own job)
    await app.services.oneSource.check({ actor: null, requestId: 'bench', ip: null });

    // the default rules: what the platform suggests from the items (the unit's own register to compare with)
    const suggested = await owner.post(`/api/quality/resources/${people.id}/suggestions`);
    if (suggested.status !== 201) throw new Error(suggested.body);
    const kinds = [...new Set((suggested.json as { kind: string }[]).map((r) => r.kind))].sort();
    console.log(`rules: ${suggested.json.length} (${kinds.join(', ')})`);
    if (kinds.length < 6) throw new Error(`expected a rule of every kind, got ${kinds.join(', ')}`);

    // the rule set, as it runs (the Node process's live heap sampled meanwhile)
    const gc = (globalThis as { gc?: () => void }).gc;
    const ctx = { actor: null, requestId: 'bench', ip: null };
    const measure = async (trigger: 'schedule' | 'batch', opts: { batchId?: string; ruleIds?: string[] } = {}) => {
      gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      let peak = heap0;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 50);
      const t0 = performance.now();
      const runs = await app.services.rules.runResource(ctx, people.id, trigger, opts);
      const ms = performance.now() - t0;
      clearInterval(timer);
      return { ms, heapMb: (peak - heap0) / 2 ** 20, runs };
    };
    // 1. the first run judges every row (and finds the failing keys afterwards, as it has no run to go by)
    const full = await measure('schedule');
    // 2. a month's new people arrive: the run after their batch judges their rows for existence, the rest as before
    const batchId = await load(people.id, more, NEW_ROWS);
    rmSync(dir, { recursive: true, force: true });
    await sql.raw(`VACUUM ANALYZE ${table}`).execute(db);
    const afterBatch = await measure('batch', { batchId });
    // 3. the nightly run: nothing loaded since the last run
    const nightly = await measure('schedule');
    // where the time goes: the same rules without the existence check against the other resource
    const others = (await app.services.rules.list({ actor, requestId: 'bench', ip: null }, { resourceId: people.id }))
      .filter((r) => r.kind !== 'consistency')
      .map((r) => r.id);
    const without = await measure('schedule', { ruleIds: others });

    // the baseline: one sequential scan of the same table, warmed once
    const scan = async () => {
      const t0 = performance.now();
      await sql.raw(`SELECT count(*) FROM ${table} WHERE id_no IS NOT NULL`).execute(db);
      return performance.now() - t0;
    };
    await scan();
    const scanMs = await scan();

    for (const r of afterBatch.runs)
      console.log(
        `  ${r.kind.padEnd(13)} ${r.outcome.padEnd(7)} checked ${r.checked.toLocaleString().padStart(11)}  failing ${r.failing.toLocaleString().padStart(10)}`,
      );
    // each statement's time in the run after the batch (the scan's checks share one)
    const per = await db
      .selectFrom('quality_run')
      .select(['kind', 'duration_ms'])
      .where('resource_id', '=', people.id)
      .where('trigger', '=', 'batch')
      .execute();
    console.log(
      `statements after the batch: ${[...new Set(per.map((p) => `${p.kind} ${p.duration_ms} ms`))].join('; ')}`,
    );
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const ratio = (ms: number) => Math.round((ms / scanMs) * 100) / 100;
    console.log(
      `rule set: first run (every row judged) ${s(full.ms)}; after a batch of ${NEW_ROWS.toLocaleString()} rows ${s(afterBatch.ms)}; nightly ${s(nightly.ms)}; without the existence check ${s(without.ms)}; one scan ${s(scanMs)}`,
    );
    const heap = Math.max(full.heapMb, afterBatch.heapMb, nightly.heapMb, without.heapMb);
    console.log(`heap +${heap.toFixed(1)} MB`);
    console.log(
      JSON.stringify({
        bench: 'quality',
        rows: ROWS + NEW_ROWS,
        ref_rows: REF_ROWS,
        new_rows: NEW_ROWS,
        rules: afterBatch.runs.length,
        rules_ms: Math.round(afterBatch.ms),
        baseline_scan_ms: Math.round(scanMs),
        ratio: ratio(afterBatch.ms),
        nightly_ms: Math.round(nightly.ms),
        nightly_ratio: ratio(nightly.ms),
        full_run_ms: Math.round(full.ms),
        full_run_ratio: ratio(full.ms),
        without_consistency_ms: Math.round(without.ms),
        without_consistency_ratio: ratio(without.ms),
        heap_growth_mb: Math.round(heap * 10) / 10,
      }),
    );
  } finally {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
