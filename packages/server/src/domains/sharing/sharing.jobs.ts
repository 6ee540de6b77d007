// Sharing's background work on the job queue (platform/jobs.ts): each morning, the reminders of the bell — steps
// past their due date, grants about to expire.
import type { JobQueue } from '../../platform/jobs.ts';
import type { ApplicationService } from './application/application.service.ts';
import type { GrantService } from './grant/grant.service.ts';

export const SHARING_JOBS = { reminders: 'sharing.reminders' } as const;

export function registerSharingJobs(queue: JobQueue, apps: ApplicationService, grants: GrantService, cron: string) {
  queue.register({
    name: SHARING_JOBS.reminders,
    title: { zh: '共享事项超期和授权到期提醒', en: 'Overdue sharing steps and expiring grants: reminders' },
    cron,
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 300,
    run: async () => {
      await apps.remindOverdue();
      await grants.remindExpiring();
    },
  });
}
