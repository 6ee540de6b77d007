// A carried check names what it judged by the last batch it judged (`through`: that batch's change_seq) instead of
// a list of every batch: a resource's batches commit in change_seq order under its lock, so "up to this one" is
// exact, and a resource pulled every few minutes no longer grows the list (and the statements that name it) without
// end. The run that lists the batches and scans the table does both in one snapshot. Existing rows are dropped:
// their checks judge every row once more.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DELETE FROM quality_carry`,
    `ALTER TABLE quality_carry DROP COLUMN batches`,
    `ALTER TABLE quality_carry ADD COLUMN through bigint`,
  ]);
}
