// Sharing's background work on the job queue (platform/jobs.ts): each morning, the reminders of the bell — steps
// past their due date, grants about to expire; every minute, the database syncs that are due.
import type { JobQueue } from '../../platform/jobs.ts';
import type { ApplicationService } from './application/application.service.ts';
import type { GrantService } from './grant/grant.service.ts';
import type { DbSyncService } from './dbsync/dbsync.service.ts';

export const SHARING_JOBS = { reminders: 'sharing.reminders', dbSync: 'sharing.db_sync' } as const;

export function registerSharingJobs(
  queue: JobQueue,
  apps: ApplicationService,
  grants: GrantService,
  dbSync: DbSyncService,
  cron: string,
) {
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
  // every minute: the database syncs whose time has come (each claimed by one node)
  queue.register({
    name: SHARING_JOBS.dbSync,
    title: { zh: '库表交换（写入使用单位数据库）', en: "Database sync (writing into consumers' databases)" },
    cron: '* * * * *',
    policy: 'singleton',
    retryLimit: 0,
    run: async () => {
      await dbSync.runDue();
    },
  });
}
