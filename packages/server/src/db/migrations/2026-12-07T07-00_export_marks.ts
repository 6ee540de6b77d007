// An export marks one value in `mark_every` with its fingerprint (ADR 0011, fingerprint.ts markEvery): the tracer
// needs to know which. Exports written before marked every value.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE share_export ADD COLUMN mark_every integer NOT NULL DEFAULT 1
       CHECK (mark_every IN (1, 2, 4, 8, 16))`,
  ]);
}
