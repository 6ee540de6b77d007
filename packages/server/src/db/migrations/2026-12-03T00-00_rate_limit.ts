// Rate-limit counters shared by every app node (platform/rate-limit.ts): one row per client, route and window.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE rate_limit_counter (
      key text PRIMARY KEY,
      count integer NOT NULL,
      window_ends timestamptz NOT NULL
    )`,
    `CREATE INDEX rate_limit_counter_window_ends_idx ON rate_limit_counter (window_ends)`,
  ]);
}
