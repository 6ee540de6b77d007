// Quality's background work on the job queue (platform/jobs.ts): the rules of a resource after each batch that
// succeeded (queued by the batch, run by whichever node takes the job), every rule each night, and the tickets'
// reminders each morning (near the due date: whom the ticket waits for; past it: the Center too).
import type { JobQueue } from '../../platform/jobs.ts';
import type { RuleService } from './rule/rule.service.ts';
import type { TicketService } from './ticket/ticket.service.ts';

export const QUALITY_JOBS = {
  afterBatch: 'quality.after_batch',
  schedule: 'quality.schedule',
  reminders: 'quality.reminders',
} as const;

const BATCH_CTX = { actor: null, requestId: 'quality.after_batch', ip: null };

export function registerQualityJobs(queue: JobQueue, rules: RuleService, tickets: TicketService) {
  queue.register<{ resourceId: string; batchId: string }>({
    name: QUALITY_JOBS.afterBatch,
    title: { zh: '归集后运行质量规则', en: 'Quality rules after a batch' },
    policy: 'stately',
    retryLimit: 2,
    retryDelay: 60,
    run: async (data) => {
      await rules.runResource(BATCH_CTX, data.resourceId, 'batch', { batchId: data.batchId });
    },
  });
  queue.register({
    name: QUALITY_JOBS.schedule,
    title: { zh: '定时运行全部质量规则', en: 'All quality rules, nightly' },
    cron: '30 1 * * *',
    policy: 'singleton',
    retryLimit: 1,
    retryDelay: 600,
    run: async () => {
      await rules.runScheduled();
    },
  });
  queue.register({
    name: QUALITY_JOBS.reminders,
    title: { zh: '问题数据到期和逾期提醒', en: 'Problem-data tickets: due and overdue reminders' },
    cron: '5 8 * * *',
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 300,
    run: async () => {
      await tickets.remind();
    },
  });
}
