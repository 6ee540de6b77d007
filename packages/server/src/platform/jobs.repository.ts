// The job queue's tables (pg-boss's schema), read for the console: what ran, what waits, what failed.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { JOB_SCHEMA } from './jobs.ts';

export const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobRow {
  id: string;
  name: string;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  singleton_key: string | null;
  created_on: Date;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  output: unknown;
}

const schema = sql.id(JOB_SCHEMA);

/** False until the queue has started once on this database (it installs its tables then). */
export async function queueInstalled(db: Db): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`SELECT to_regclass(${`${JOB_SCHEMA}.job`}) IS NOT NULL AS ok`.execute(db);
  return !!r.rows[0]?.ok;
}

function both(names: string[]) {
  const cols = sql`id::text AS id, name, state::text AS state, retry_count, retry_limit, singleton_key, created_on, start_after, started_on, completed_on, output`;
  const only = sql`name IN (${sql.join(names)})`;
  return sql`(SELECT ${cols} FROM ${schema}.job WHERE ${only} UNION ALL SELECT ${cols} FROM ${schema}.archive WHERE ${only})`;
}

export async function listJobs(
  db: Db,
  f: { names: string[]; state?: JobState | undefined; limit: number; offset: number },
): Promise<{ rows: JobRow[]; total: number }> {
  if (!f.names.length) return { rows: [], total: 0 };
  const where = f.state ? sql`WHERE state = ${f.state}` : sql``;
  const rows =
    await sql<JobRow>`SELECT * FROM ${both(f.names)} j ${where} ORDER BY created_on DESC, id LIMIT ${f.limit} OFFSET ${f.offset}`.execute(
      db,
    );
  const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${both(f.names)} j ${where}`.execute(db);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

export async function countByState(db: Db, names: string[]): Promise<{ name: string; state: JobState; n: number }[]> {
  if (!names.length) return [];
  const r = await sql<{
    name: string;
    state: JobState;
    n: number;
  }>`SELECT name, state, count(*)::int AS n FROM ${both(names)} j GROUP BY name, state`.execute(db);
  return r.rows;
}

export async function schedules(db: Db): Promise<{ name: string; cron: string; timezone: string }[]> {
  const r = await sql<{
    name: string;
    cron: string;
    timezone: string;
  }>`SELECT name, cron, timezone FROM ${schema}.schedule ORDER BY name`.execute(db);
  return r.rows;
}
