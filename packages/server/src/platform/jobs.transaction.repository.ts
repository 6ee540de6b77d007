// How pg-boss's own statements run inside a caller's Kysely transaction (a job sent with the change that asks for
// it exists exactly when that change commits).
import { CompiledQuery } from 'kysely';
import type PgBoss from 'pg-boss';
import type { DbOrTrx } from '../db/database.ts';

/** pg-boss's statements, run in the caller's Kysely transaction (one statement with parameters each). */
export function inTransaction(trx: DbOrTrx): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({
      rows: (await trx.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as unknown[],
    }),
  };
}
