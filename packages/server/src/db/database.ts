// Kysely over the embedded PGlite (default) or a PostgreSQL server (DATABASE_URL). One SQL dialect.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, PGliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
export type DbOrTrx = Db | Trx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;

// bigint counts fit in a JS number at district scale; dates stay 'YYYY-MM-DD' strings (no time-zone shifts).
pg.types.setTypeParser(INT8, (v: string) => Number(v));
pg.types.setTypeParser(DATE, (v: string) => v);

export async function openDatabase(opts: { databaseUrl?: string | undefined; pgliteDir?: string | undefined }): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle connection that the server ends (restart, failover, a dropped test database) must not take
    // the process down; the pool replaces it on the next query.
    pool.on('error', (err) => {
      process.stderr.write(`PostgreSQL connection lost: ${err.message}\n`);
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  let dataDir: string | undefined;
  if (opts.pgliteDir) {
    dataDir = path.resolve(opts.pgliteDir);
    mkdirSync(dataDir, { recursive: true });
  }
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
