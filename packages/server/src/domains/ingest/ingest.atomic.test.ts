// A batch is atomic: a loading process killed with SIGKILL leaves either the whole batch or none of it,
// and the batch shows as failed afterwards, never as running. Both databases, a real child process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../config.ts';
import { openRuntime } from '../../runtime.ts';
import { systemContext } from '../../platform/context.ts';
import { createScratchPgDatabase, dbKinds, TEST_PASSWORD } from '../../testing/test-env.ts';
import { personCsv, personResource } from '../../testing/ingest-fixtures.ts';

const CHILD = path.resolve(import.meta.dirname, '../../testing/ingest-child.ts');
const ROWS = 60_000;

/** Runs the child; kills it when `killAt(line)` says so. Resolves with what it printed and whether it was killed. */
function runChild(args: string[], killAt: (line: string) => boolean): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        out += line + '\n';
        if (!killed && line && killAt(line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed && code !== 0) reject(new Error(`child exited ${code ?? signal}: ${err}`));
      else resolve({ out, killed });
    });
  });
}

for (const { kind, skip } of dbKinds()) {
  describe(`a batch is atomic when its process is killed [${kind}]`, { skip }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gs-atomic-'));
    let scratch: { url: string; drop(): Promise<void> } | null = null;
    let code = '';
    const file = path.join(dir, 'rows.csv');
    const config = () =>
      loadConfig(
        {},
        {
          env: 'test',
          logLevel: 'silent',
          demo: 'off',
          dataDir: dir,
          ...(scratch ? { databaseUrl: scratch.url } : {}),
        },
      );
    const args = () => [dir, scratch?.url ?? '', code, 'atomic.admin', file];

    /** Opens the platform as a restarted server would (recovering stale batches) and reads the outcome. */
    async function afterRestart() {
      const rt = await openRuntime(config());
      try {
        const recovered = await rt.ingest.recoverStale();
        const db = rt.database.db;
        const dt = await db
          .selectFrom('data_table as d')
          .innerJoin('resource as r', 'r.id', 'd.resource_id')
          .select(['d.table_name', 'd.row_count'])
          .where('r.code', '=', code)
          .executeTakeFirstOrThrow();
        const rows = (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(`data."${dt.table_name}"`)}`.execute(db)
        ).rows[0]!.n;
        const batches = await db
          .selectFrom('ingest_batch')
          .select(['status', 'accepted', 'error'])
          .orderBy('started_at')
          .execute();
        const staging = (
          await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'data' AND c.relname LIKE 'stg_%'`.execute(
            db,
          )
        ).rows[0]!.n;
        return { recovered, rows, rowCount: dt.row_count, batches, staging };
      } finally {
        await rt.close();
      }
    }

    before(async () => {
      if (kind === 'postgres') scratch = await createScratchPgDatabase('gs_atomic');
      writeFileSync(file, personCsv(ROWS));
      const rt = await openRuntime(config());
      try {
        const ctx = systemContext('atomic-test');
        const org = await rt.auth.createOrgAsSystem(ctx, { code: 'atomic', name: '原子性测试局', kind: 'bureau' });
        await rt.auth.createUserAsSystem(ctx, {
          orgId: org.id,
          username: 'atomic.admin',
          displayName: '管理员',
          password: TEST_PASSWORD,
          roles: ['unit_admin'],
        });
        await rt.auth.createUserAsSystem(ctx, {
          orgId: (await rt.auth.createOrgAsSystem(ctx, { code: 'center', name: '运营中心', kind: 'center' })).id,
          username: 'atomic.reviewer',
          displayName: '审核员',
          password: TEST_PASSWORD,
          roles: ['center_reviewer'],
        });
        const unit = { ...ctx, actor: await rt.auth.cliActor('atomic.admin') };
        const reviewer = { ...ctx, actor: await rt.auth.cliActor('atomic.reviewer') };
        const r = await rt.catalog.create(unit, personResource());
        await rt.catalog.submit(unit, r.id);
        await rt.catalog.review(reviewer, r.id, { decision: 'approve' });
        code = r.code;
      } finally {
        await rt.close();
      }
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await scratch?.drop();
    });

    it('killed while rows are being staged: none of the batch is visible, and it shows as failed', async () => {
      const r = await runChild(args(), (l) => l.startsWith('progress ') && Number(l.split(' ')[1]) >= 10_000);
      assert.ok(r.killed, 'the child was killed mid-batch');
      assert.doesNotMatch(r.out, /done/);
      const s = await afterRestart();
      assert.equal(s.rows, 0);
      assert.equal(s.rowCount, 0);
      assert.equal(s.recovered, 1);
      assert.deepEqual(
        s.batches.map((b) => b.status),
        ['failed'],
      );
      assert.match((s.batches[0]!.error as { zh: string }).zh, /处理中断/);
      assert.equal(s.staging, 0, 'the staged rows are dropped');
    });

    it('killed at the very end (while applying or just after): the whole batch or none of it', async () => {
      const r = await runChild(args(), (l) => l.startsWith('progress ') && Number(l.split(' ')[1]) >= ROWS);
      const s = await afterRestart();
      const last = s.batches.at(-1)!;
      assert.notEqual(last.status, 'running');
      assert.ok(s.rows === 0 || s.rows === ROWS, `${s.rows} rows visible`);
      assert.equal(
        last.status === 'succeeded',
        s.rows === ROWS,
        `batch ${last.status} with ${s.rows} rows (killed: ${r.killed})`,
      );
    });

    it('run to the end, the batch loads every row', async () => {
      const r = await runChild([...args(), 'replace'], () => false);
      assert.match(r.out, new RegExp(`done succeeded ${ROWS}`));
      const s = await afterRestart();
      assert.equal(s.rows, ROWS);
      assert.equal(s.batches.filter((b) => b.status === 'running').length, 0);
    });
  });
}
