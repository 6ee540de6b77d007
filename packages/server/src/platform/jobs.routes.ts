// GET /api/jobs: the Center's view of background work — each job type with its schedule and counts by state, and
// the jobs themselves (waiting, running, retried, done, failed with the reason), newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/database.ts';
import { Obj, OneOf } from './http.ts';
import type { JobQueue } from './jobs.ts';
import {
  countByState,
  JOB_STATES,
  listJobs,
  queueInstalled,
  schedules,
  type JobRow,
  type JobState,
} from './jobs.repository.ts';

/** Who sees the background jobs: the Center's admins. */
export const JOB_VIEWERS = ['center_admin'] as const;

const Words = Type.Object({ zh: Type.String(), en: Type.String() });
const State = OneOf(JOB_STATES, { title: 'JobState' });
const Counts = Type.Object(
  Object.fromEntries(JOB_STATES.map((s) => [s, Type.Integer()])) as Record<JobState, ReturnType<typeof Type.Integer>>,
);
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const JobsReply = Type.Object({
  started: Type.Boolean({ description: 'this node runs background jobs' }),
  queues: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Words,
      cron: Type.Union([Type.String(), Type.Null()]),
      timeZone: Type.Union([Type.String(), Type.Null()]),
      counts: Counts,
    }),
  ),
  jobs: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      title: Words,
      state: State,
      retryCount: Type.Integer(),
      retryLimit: Type.Integer(),
      key: Type.Union([Type.String(), Type.Null()], { description: 'singleton key (e.g. the pull source)' }),
      createdAt: Type.String({ format: 'date-time' }),
      startAfter: Time,
      startedAt: Time,
      finishedAt: Time,
      error: Type.Union([Type.String(), Type.Null()], { description: 'why the last attempt failed' }),
    }),
  ),
  total: Type.Integer(),
});

const Query = Obj({
  name: Type.Optional(Type.String({ maxLength: 100 })),
  state: Type.Optional(State),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

function errorOf(j: JobRow): string | null {
  if (j.state !== 'failed' && j.state !== 'retry') return null;
  const o = j.output as { message?: unknown } | null;
  return o && typeof o.message === 'string' ? o.message.slice(0, 500) : null;
}

export const jobsRoutes =
  (jobs: JobQueue, db: Db): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/jobs',
      {
        schema: {
          tags: ['platform'],
          summary: 'Background jobs: each kind with its schedule and counts, and the jobs, newest first',
          querystring: Query,
          response: { 200: JobsReply },
        },
        config: { allow: JOB_VIEWERS },
      },
      async (req) => {
        const { limit = 50, offset = 0, name, state } = req.query;
        const title = (n: string) => jobs.titleOf(n) ?? { zh: n, en: n };
        const names = name ? jobs.names.filter((n) => n === name) : jobs.names;
        const empty = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
        if (!(await queueInstalled(db)))
          return {
            started: jobs.started,
            queues: jobs.names.map((n) => ({
              name: n,
              title: title(n),
              cron: null,
              timeZone: null,
              counts: { ...empty },
            })),
            jobs: [],
            total: 0,
          };
        const [counts, sched, list] = await Promise.all([
          countByState(db, jobs.names),
          schedules(db),
          listJobs(db, { names, state, limit, offset }),
        ]);
        return {
          started: jobs.started,
          queues: jobs.names.map((n) => {
            const s = sched.find((x) => x.name === n);
            const c = { ...empty };
            for (const r of counts) if (r.name === n) c[r.state] = r.n;
            return { name: n, title: title(n), cron: s?.cron ?? null, timeZone: s?.timezone ?? null, counts: c };
          }),
          jobs: list.rows.map((j) => ({
            id: j.id,
            name: j.name,
            title: title(j.name),
            state: j.state,
            retryCount: j.retry_count,
            retryLimit: j.retry_limit,
            key: j.singleton_key,
            createdAt: j.created_on.toISOString(),
            startAfter: j.start_after?.toISOString() ?? null,
            startedAt: j.started_on?.toISOString() ?? null,
            finishedAt: j.completed_on?.toISOString() ?? null,
            error: errorOf(j),
          })),
          total: list.total,
        };
      },
    );
  };
