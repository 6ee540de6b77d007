// What a row check judged, carried to its rule's next run (ADR 0012): the basis it judged on (the rule as last
// changed, the table and the check with its items' types; for an existence check the other resource's last change),
// the batches whose rows it judged and what it found. A later run judges only the rows of batches loaded since,
// when every one of them only added rows and the basis is the same; anything else (an upsert that changed rows, a
// replacement, the other resource loaded again, the rule or an item's type changed) judges every row again.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE quality_carry (
      rule_id uuid PRIMARY KEY REFERENCES quality_rule(id) ON DELETE CASCADE,
      basis text NOT NULL,
      batches uuid[] NOT NULL,
      checked bigint NOT NULL,
      failing bigint NOT NULL,
      sample text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  ]);
}
