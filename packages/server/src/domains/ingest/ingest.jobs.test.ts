// Scheduled pulls and the one-source comparison run on the job queue (platform/jobs.ts), the same on PGlite and
// PostgreSQL: a due source becomes one job and one batch; the Center sees each job kind, its schedule and the jobs.
// (Two app nodes on one PostgreSQL: tests/multi-node.test.ts.)
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../../testing/test-env.ts';
import { personResource, publish, servePeopleApi } from '../../testing/ingest-fixtures.ts';
import { until } from '../../testing/until.ts';

describeEachDb(
  'background jobs',
  (env) => {
    it('a due pull source is run once, by a job; the Center sees the job kinds, their schedules and the jobs in words', async () => {
      const http = await servePeopleApi('k-9', '1962-01-01');
      try {
        const unit = await env().as('unit_admin');
        const res = await publish(unit, await env().as('center_reviewer'), personResource({ updateCycle: 'daily' }));
        const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
          name: '接口（任务队列）',
          kind: 'http',
          settings: {
            url: `${http.base}/api/dibao`,
            itemsPath: 'data.list',
            pageParam: 'page',
            pageSizeParam: 'size',
            pageSize: 2,
            authHeader: 'x-api-key',
          },
          secret: 'k-9',
          mode: 'upsert',
        });
        assert.equal(c.status, 201, c.body);

        const center = await env().as('center_admin');
        const before = await center.get('/api/jobs');
        assert.equal(before.status, 200, before.body);
        assert.equal(before.json.started, false, 'buildApp alone does not run jobs');
        assert.deepEqual(before.json.queues.map((q: { name: string }) => q.name).sort(), [
          'ingest.one_source.check',
          'ingest.pull.check',
          'ingest.pull.run',
          'platform.rate_limit.prune',
          'quality.after_batch',
          'quality.reminders',
          'quality.schedule',
          'sharing.db_sync',
          'sharing.reminders',
        ]);

        await env()
          .database.db.updateTable('pull_source')
          .set({ next_run_at: new Date(Date.now() - 1000) })
          .where('id', '=', c.json.id)
          .execute();
        await env().app.jobs.start();
        // the run is over when the source records its outcome (the batch is listed while it still runs)
        await until('the scheduled pull to finish', async () => {
          const r = await env()
            .database.db.selectFrom('pull_source')
            .select('last_status')
            .where('id', '=', c.json.id)
            .executeTakeFirst();
          return r?.last_status ?? null;
        });
        const batches = (await unit.get(`/api/ingest/resources/${res.id}/batches`)).json.batches;
        assert.deepEqual(
          [batches[0].source, batches[0].accepted, batches[0].actorName],
          ['pull', 5, '定时抽取 / scheduler'],
        );
        const src = await env()
          .database.db.selectFrom('pull_source')
          .select(['next_run_at', 'last_status'])
          .where('id', '=', c.json.id)
          .executeTakeFirstOrThrow();
        assert.equal(src.last_status, 'succeeded');
        assert.ok(src.next_run_at!.getTime() > Date.now() + 23 * 3600_000, 'next run a day on (daily resource)');

        const view = await until('the finished job in /api/jobs', async () => {
          const v = (await center.get('/api/jobs?name=ingest.pull.run')).json;
          return v.jobs.some((j: { state: string }) => j.state === 'completed') ? v : null;
        });
        assert.equal(view.started, true);
        const runs = view.jobs.filter((j: { key: string }) => j.key === c.json.id);
        assert.equal(runs.length, 1, 'one job for the due source');
        assert.deepEqual(runs[0].title, { zh: '定时抽取一个数据源', en: 'Run one scheduled pull' });
        const all = (await center.get('/api/jobs')).json;
        const oneSource = all.queues.find((q: { name: string }) => q.name === 'ingest.one_source.check');
        assert.deepEqual([oneSource.cron, oneSource.timeZone], ['0 2 * * *', 'Asia/Shanghai']);
        assert.equal(all.queues.find((q: { name: string }) => q.name === 'ingest.pull.run').counts.completed, 1);
        // still exactly one batch a few polls later
        await new Promise((r) => setTimeout(r, 2500));
        assert.equal((await unit.get(`/api/ingest/resources/${res.id}/batches`)).json.batches.length, 1);

        assert.equal((await unit.get('/api/jobs')).status, 403, 'a unit admin does not see the platform’s jobs');
        assert.equal((await center.get('/api/jobs?state=bogus')).status, 400);
      } finally {
        await env().app.jobs.stop();
        await http.close();
      }
    });

    it('a job sent inside a transaction that rolls back does not exist', async () => {
      await env().app.jobs.start();
      const db = env().database.db;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await env().app.jobs.send(
            'ingest.pull.run',
            { sourceId: '00000000-0000-4000-8000-000000000000' },
            { singletonKey: 'rollback-probe', startAfter: new Date(Date.now() + 3600_000) },
            trx,
          );
          throw new Error('roll back');
        }),
        /roll back/,
      );
      const id = await db
        .transaction()
        .execute((trx) =>
          env().app.jobs.send(
            'ingest.pull.run',
            { sourceId: '00000000-0000-4000-8000-000000000000' },
            { singletonKey: 'commit-probe', startAfter: new Date(Date.now() + 3600_000) },
            trx,
          ),
        );
      assert.ok(id);
      const keys = (
        await (await env().as('center_admin')).get('/api/jobs?name=ingest.pull.run&state=created')
      ).json.jobs.map((j: { key: string }) => j.key);
      assert.ok(keys.includes('commit-probe'));
      assert.ok(!keys.includes('rollback-probe'));
      await env().app.jobs.stop();
    });
  },
  { jobPollSeconds: 1, jobCronCheckSeconds: 1 },
);
