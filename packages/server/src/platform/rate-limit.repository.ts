// Rate-limit counters in the platform database, so every app node counts the same requests.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';

/** Counts one request against `key` in a window of `windowMs`: the count so far and the window's milliseconds left. */
export async function countRequest(db: Db, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const r = await sql<{ current: number; ttl: number }>`
    INSERT INTO rate_limit_counter AS c (key, count, window_ends)
    VALUES (${key}, 1, now() + ${windowMs} * interval '1 millisecond')
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN c.window_ends <= now() THEN 1 ELSE c.count + 1 END,
      window_ends = CASE WHEN c.window_ends <= now() THEN excluded.window_ends ELSE c.window_ends END
    RETURNING count AS current, greatest(0, ceil(extract(epoch FROM (window_ends - now())) * 1000))::int AS ttl`.execute(
    db,
  );
  return r.rows[0]!;
}

/** The count in the current window, without counting (0 when the window is over). */
export async function readCount(db: Db, key: string): Promise<{ current: number; ttl: number }> {
  const r = await sql<{ current: number; ttl: number }>`
    SELECT count AS current, greatest(0, ceil(extract(epoch FROM (window_ends - now())) * 1000))::int AS ttl
    FROM rate_limit_counter WHERE key = ${key} AND window_ends > now()`.execute(db);
  return r.rows[0] ?? { current: 0, ttl: 0 };
}

/** Windows that ended more than an hour ago (job `platform.rate_limit.prune`). */
export async function pruneCounters(db: Db): Promise<number> {
  const r = await db
    .deleteFrom('rate_limit_counter')
    .where('window_ends', '<', sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Adds requests to several keys' windows, as one statement to run alongside others (a CTE of the data services'
 * group commit): returns each key's count, every node's, and its window's milliseconds left.
 */
export function addToCounts(counts: { key: string; n: number }[], windowMs: number): RawBuilder<unknown> {
  const values = sql.join(counts.map((c) => sql`(${c.key}, ${c.n}, now() + ${windowMs} * interval '1 millisecond')`));
  return sql`
    INSERT INTO rate_limit_counter AS c (key, count, window_ends) VALUES ${values}
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN c.window_ends <= now() THEN excluded.count ELSE c.count + excluded.count END,
      window_ends = CASE WHEN c.window_ends <= now() THEN excluded.window_ends ELSE c.window_ends END
    RETURNING key, count AS current, greatest(0, ceil(extract(epoch FROM (window_ends - now())) * 1000))::int AS ttl`;
}
