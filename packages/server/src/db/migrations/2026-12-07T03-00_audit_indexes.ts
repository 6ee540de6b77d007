// The audit trail's indexes, for access records written at the rate data is served (ADR 0010): every record
// written pays for every index. `audit_record_actor_idx` served no query (the actor filter compares the user's id
// as text, beside the actor's name), so it goes; the time index becomes a BRIN index, since records are appended
// in time order: the range filter still narrows to the pages concerned, at a fraction of a btree's cost per insert.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP INDEX IF EXISTS audit_record_actor_idx`,
    `DROP INDEX IF EXISTS audit_record_time_idx`,
    `CREATE INDEX audit_record_time_idx ON audit_record USING brin (occurred_at)`,
  ]);
}
