// The catalog's GIN search index without the "fast update" pending list. PGlite runs no autovacuum, so
// entries added since the last VACUUM stayed in the pending list, which every search scans linearly and
// which made the planner pass the index by (bench:catalog: 16 → 7 ms for a common term). Catalog writes
// are rare; each now goes straight into the index.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER INDEX resource_version_search_idx SET (fastupdate = off)`,
    `SELECT gin_clean_pending_list('resource_version_search_idx')`,
  ]);
}
