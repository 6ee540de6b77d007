// What changed in a resource's data, for consumers that keep a copy (sharing's sync): each succeeded batch gets a
// change number from one sequence, assigned under the resource's lock, so a resource's batches are numbered in the
// order they committed; a batch keeps the rows it removed (a replacement) or overwrote (an upsert) as they were,
// so a feed filtered by a grant can tell whether a row it no longer serves was served before. Batches that
// succeeded before this migration are numbered by their finishing time.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE SEQUENCE ingest_change_seq`,
    `ALTER TABLE ingest_batch ADD COLUMN change_seq bigint`,
    `UPDATE ingest_batch b SET change_seq = s.n
       FROM (SELECT id, row_number() OVER (ORDER BY finished_at, id) AS n FROM ingest_batch WHERE status = 'succeeded') s
      WHERE b.id = s.id`,
    `SELECT setval('ingest_change_seq', COALESCE((SELECT max(change_seq) FROM ingest_batch), 0) + 1, false)`,
    `CREATE UNIQUE INDEX ingest_batch_change_idx ON ingest_batch (resource_id, change_seq) WHERE change_seq IS NOT NULL`,
    `CREATE TABLE ingest_prior_row (
      resource_id uuid NOT NULL REFERENCES resource(id),
      batch_id uuid NOT NULL REFERENCES ingest_batch(id),
      key text[] NOT NULL,
      kind text NOT NULL CHECK (kind IN ('deleted','replaced')),
      row jsonb NOT NULL,
      PRIMARY KEY (batch_id, key)
    )`,
  ]);
}
