// Quality's background work on the real job queue, on both databases: a batch that succeeds queues its resource's
// rules, which a worker runs (a run with the batch as its trigger appears); the job kinds are listed in words.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../../testing/test-env.ts';
import { personCsv, personResource, publish } from '../../testing/ingest-fixtures.ts';
import { until } from '../../testing/until.ts';

describeEachDb(
  'quality: jobs',
  (env) => {
    it('a batch that succeeds queues its rules; a worker runs them', async () => {
      const unit = await env().as('unit_admin');
      const reviewer = await env().as('center_reviewer');
      const res = await publish(unit, reviewer, personResource({ name: '质量任务测试' }));
      const rule = await unit.post('/api/quality/rules', {
        resourceId: res.id,
        kind: 'validity',
        items: ['members'],
        params: { check: 'range', min: '1', max: '3' },
      });
      assert.equal(rule.status, 201, rule.body);
      await env().app.jobs.start();
      try {
        const up = await unit.req('POST', `/api/ingest/resources/${res.id}/upload`, personCsv(12), {
          'content-type': 'text/csv',
        });
        assert.equal(up.json.batch.accepted, 12, up.body);
        const run = await until('a run of the rule after the batch', async () => {
          const runs = (await unit.get(`/api/quality/runs?ruleId=${rule.json.id}`)).json.runs as {
            trigger: string;
            batchId: string | null;
            failing: number;
          }[];
          return runs.find((r) => r.trigger === 'batch');
        });
        assert.equal(run.batchId, up.json.batch.id);
        assert.equal(run.failing, 6, 'households of 4, 5 and 6');
        const center = await env().as('center_admin');
        const queues = (await center.get('/api/jobs')).json.queues as { name: string; title: { zh: string } }[];
        assert.equal(queues.find((q) => q.name === 'quality.after_batch')?.title.zh, '归集后运行质量规则');
      } finally {
        await env().app.jobs.stop();
      }
    });
  },
  { jobPollSeconds: 1, jobCronCheckSeconds: 1 },
);
