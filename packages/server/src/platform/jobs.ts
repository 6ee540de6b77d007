// Background and scheduled work on a PostgreSQL job queue (pg-boss, ADR 0009), the same on both databases:
// on PostgreSQL every app node polls the same queue tables (a job is fetched with SKIP LOCKED, so one node runs
// it), and a schedule sends one job per slot however many nodes there are; on PGlite, the one process runs the
// same queue over its embedded database. Jobs are retried with back-off, kept for the console, and sent inside the
// caller's transaction when one is given (so a job exists exactly when the change that asked for it commits).
import PgBoss from 'pg-boss';
import { inTransaction } from './jobs.transaction.repository.ts';
import type { DbOrTrx } from '../db/database.ts';

/** How pg-boss reaches the database: its own small pool (PostgreSQL) or the embedded database's one connection. */
export type JobBackend = { connectionString: string } | { db: PgBoss.Db };

export interface JobContext {
  id: string;
  retryCount: number;
}

export interface JobSpec<T extends object = Record<string, unknown>> {
  /** `<domain>.<what>`, e.g. `ingest.pull.run`. */
  name: string;
  /** What the job is, for the console (zh-CN and en). */
  title: { zh: string; en: string };
  run(data: T, job: JobContext): Promise<void>;
  /** On a schedule (cron, Asia/Shanghai): one job per slot across every node. */
  cron?: string | undefined;
  /** `stately`: at most one waiting and one running job per singleton key (a source is never pulled twice at once). */
  policy?: 'standard' | 'stately' | 'singleton';
  retryLimit?: number;
  /** Seconds before the first retry; doubled each time when `retryBackoff`. */
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  /** How many of these jobs one node runs at once. */
  concurrency?: number;
}

export interface SendOptions {
  startAfter?: Date;
  singletonKey?: string;
}

export interface JobQueueOptions {
  /** How often an idle worker asks for work. */
  pollingSeconds: number;
  /** How often a node checks whether a schedule is due (the slot itself is a minute). */
  cronMonitorSeconds: number;
  schema?: string;
}

export const JOB_SCHEMA = 'pgboss';
export const TIME_ZONE = 'Asia/Shanghai';

export class JobQueue {
  private readonly specs = new Map<string, JobSpec<never>>();
  private boss: PgBoss | null = null;
  private starting: Promise<void> | null = null;
  /** Errors pg-boss reports from its own loops (a lost connection); the worker goes on polling. */
  readonly errors: Error[] = [];

  constructor(
    private readonly backend: JobBackend,
    private readonly options: JobQueueOptions,
  ) {}

  /** Whether this node's queue is started (the server's is; a CLI command's or a test's usually not). */
  get running(): boolean {
    return this.boss !== null;
  }

  /** Before start(): what this node can run. Every node registers the same jobs. */
  register<T extends object>(spec: JobSpec<T>): void {
    if (this.boss) throw new Error(`job ${spec.name} registered after the queue started`);
    if (this.specs.has(spec.name)) throw new Error(`job ${spec.name} registered twice`);
    this.specs.set(spec.name, spec as unknown as JobSpec<never>);
  }

  get names(): string[] {
    return [...this.specs.keys()];
  }

  titleOf(name: string): { zh: string; en: string } | null {
    return this.specs.get(name)?.title ?? null;
  }

  get started(): boolean {
    return this.boss !== null;
  }

  /** Installs or upgrades the queue's tables, creates the queues, sets the schedules and starts polling. */
  async start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const boss = new PgBoss({
      ...this.backend,
      ...('connectionString' in this.backend ? { max: 3, application_name: 'gongshu-jobs' } : {}),
      schema: this.options.schema ?? JOB_SCHEMA,
      pollingIntervalSeconds: this.options.pollingSeconds,
      cronMonitorIntervalSeconds: this.options.cronMonitorSeconds,
      cronWorkerIntervalSeconds: Math.max(1, Math.min(5, this.options.cronMonitorSeconds)),
      // finished jobs stay in the job table a day, then in the archive a week: the console shows both
      archiveCompletedAfterSeconds: 24 * 3600,
      deleteAfterDays: 7,
    });
    boss.on('error', (e: Error) => {
      this.errors.push(e);
      if (this.errors.length > 100) this.errors.shift();
      process.stderr.write(`job queue: ${e.message}\n`);
    });
    await boss.start();
    const scheduled = new Set<string>();
    for (const spec of this.specs.values()) {
      await boss.createQueue(spec.name, {
        name: spec.name,
        policy: spec.policy ?? 'standard',
        retryLimit: spec.retryLimit ?? 3,
        retryDelay: spec.retryDelay ?? 30,
        retryBackoff: spec.retryBackoff ?? true,
        expireInSeconds: spec.expireInSeconds ?? 3600,
      });
      if (spec.cron) {
        await boss.schedule(spec.name, spec.cron, {}, { tz: TIME_ZONE });
        scheduled.add(spec.name);
      }
      await boss.work<never>(
        spec.name,
        { pollingIntervalSeconds: this.options.pollingSeconds, batchSize: spec.concurrency ?? 1 },
        async (jobs) => {
          for (const job of jobs)
            await spec.run(job.data, {
              id: job.id,
              retryCount: (job as unknown as { retryCount?: number }).retryCount ?? 0,
            });
        },
      );
    }
    // a schedule that this version no longer has stops here
    for (const s of await boss.getSchedules())
      if (!scheduled.has(s.name) && this.specs.has(s.name)) await boss.unschedule(s.name);
    this.boss = boss;
  }

  /** Sends a job; inside `trx` it exists only if the transaction commits. Returns the job's id, or null when a
   * job with the same singleton key is already waiting (stately and singleton queues). */
  async send(name: string, data: object, opts: SendOptions = {}, trx?: DbOrTrx): Promise<string | null> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`no job named ${name}`);
    if (!this.boss) throw new Error(`the job queue is not started (job ${name})`);
    return this.boss.send(name, data, {
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(trx ? { db: inTransaction(trx) } : {}),
    });
  }

  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => {});
    const boss = this.boss;
    this.boss = null;
    this.starting = null;
    // wait for running jobs a short while; a job cut off is retried by another node (or at the next start)
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
