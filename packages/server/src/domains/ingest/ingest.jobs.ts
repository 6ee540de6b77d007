// Ingest's background work on the job queue (platform/jobs.ts): scheduled pulls and the one-source comparison.
import type { JobQueue } from '../../platform/jobs.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { PullService } from './pull/pull.service.ts';
import type { OneSourceService } from './one-source/one-source.service.ts';

export const INGEST_JOBS = {
  pullCheck: 'ingest.pull.check',
  pullRun: 'ingest.pull.run',
  oneSourceCheck: 'ingest.one_source.check',
} as const;

const ONE_SOURCE: RequestContext = { actor: null, requestId: 'one-source', ip: null };

export function registerIngestJobs(
  queue: JobQueue,
  pull: PullService,
  oneSource: OneSourceService,
  schedule: { pullCheckCron: string; oneSourceCron: string },
): void {
  queue.register({
    name: INGEST_JOBS.pullCheck,
    title: { zh: '查找到期的定时抽取', en: 'Find scheduled pulls that are due' },
    cron: schedule.pullCheckCron,
    policy: 'singleton',
    retryLimit: 2,
    retryDelay: 10,
    run: async () => {
      await pull.queueDue((trx, sourceId) =>
        queue.send(INGEST_JOBS.pullRun, { sourceId }, { singletonKey: sourceId }, trx),
      );
    },
  });
  queue.register<{ sourceId: string }>({
    name: INGEST_JOBS.pullRun,
    title: { zh: '定时抽取一个数据源', en: 'Run one scheduled pull' },
    // one waiting and one running job per source at most
    policy: 'stately',
    // the pull records its own failures (and backs off); a retry here is for a node that died mid-run
    retryLimit: 3,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: 4 * 3600,
    run: async ({ sourceId }) => pull.runQueued(sourceId),
  });
  queue.register({
    name: INGEST_JOBS.oneSourceCheck,
    title: { zh: '一数一源比对', en: 'One-source comparison' },
    cron: schedule.oneSourceCron,
    policy: 'singleton',
    retryLimit: 2,
    retryDelay: 600,
    expireInSeconds: 4 * 3600,
    run: async () => {
      await oneSource.check(ONE_SOURCE);
    },
  });
}
