// Kysely over the embedded PGlite (default) or a PostgreSQL server (DATABASE_URL). One SQL dialect.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, type CompiledQuery, type Transaction } from 'kysely';
import { PGliteDialect } from './pglite-dialect.ts';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import type { DB } from './schema.ts';
import type { JobBackend } from '../platform/jobs.ts';

export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
export type DbOrTrx = Db | Trx;

/**
 * Bulk load: COPY text-format rows (already escaped, one per line) into a table, outside any transaction.
 * `table` and `columns` must already be quoted identifiers.
 */
/** COPY rows into a table: COPY text (the pipeline's), or a whole COPY binary stream (header to trailer). */
export type CopyIn = (
  table: string,
  columns: string[],
  data: string | Buffer,
  format?: 'text' | 'binary',
) => Promise<void>;

/**
 * COPY out: a compiled SELECT's rows as COPY text (tab-separated lines), as PostgreSQL writes them. COPY takes no
 * parameters: the query's values are written in as literals (inlineParameters). On PostgreSQL a stream on a
 * connection of its own, ended (and the connection closed) when the reader stops early; on PGlite the whole result
 * at once, so callers read large results in parts.
 */
export type CopyOut = (query: CompiledQuery) => AsyncIterable<Buffer>;

// Parameters written into a query as literals, for the one statement that takes none (COPY): each quoted as a
// PostgreSQL string literal (escapeLiteral's rules: quotes doubled, and an E'' literal with doubled backslashes when
// there are any), so a value cannot end its literal whatever it holds. Placeholders are found outside quoted
// identifiers and literals.

/** A value as a PostgreSQL literal: text quoted, finite numbers as they are. Anything else is refused. */
export function literal(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('inline: a number that is not finite');
    return String(v);
  }
  if (typeof v !== 'string') throw new Error(`inline: a ${typeof v} parameter cannot be written as a literal`);
  if (v.includes('\u0000')) throw new Error('inline: a text with a NUL character');
  const quoted = `'${v.replace(/'/g, "''")}'`;
  return v.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** `sql` with each `$n` outside quotes replaced by parameters[n - 1] as a literal. */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '"' || ch === "'") {
      // a quoted identifier or literal, doubled quotes inside: copied as it is
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(ch, j);
        if (k < 0) throw new Error('inline: an unterminated quote');
        if (sql[k + 1] === ch) j = k + 2;
        else {
          j = k + 1;
          break;
        }
      }
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (ch === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (m) {
        const n = Number(m[1]);
        if (n < 1 || n > parameters.length) throw new Error(`inline: no parameter $${n}`);
        out += literal(parameters[n - 1]);
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

/** A dedicated PostgreSQL connection: Kysely bound to it (queries share its transaction) and COPY streams. */
export interface BulkSession {
  db: Db;
  copyStream(sqlText: string): Writable;
  /** Back to the pool; `broken` destroys the connection instead (after a failed COPY). */
  release(broken?: boolean): void;
}

export interface Database {
  db: Db;
  /**
   * Writes that requests wait on at the rate data is served (the data services' group commit of access records):
   * on PostgreSQL a pool of its own, so they never queue behind the reads they gate; on PGlite the one connection.
   */
  commitDb: Db;
  kind: 'pglite' | 'postgres';
  copyIn: CopyIn;
  copyOut: CopyOut;
  /** PostgreSQL only: PGlite has a single connection, shared by every request. */
  bulkSession?: () => Promise<BulkSession>;
  /** How the job queue (platform/jobs.ts) reaches this database. */
  jobBackend: JobBackend;
  /** Start-up work (migrations, seeding, data-table DDL) one node at a time: app nodes that start together on one
   * PostgreSQL otherwise deadlock on each other's DDL. A session advisory lock on PostgreSQL; PGlite has one process. */
  withStartupLock<T>(work: () => Promise<T>): Promise<T>;
  /** PGlite only: the whole database as a tar file (what `pgliteFrom` starts another one from). */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

/** pg_advisory_lock key of the start-up work (any constant no other code uses). */
const STARTUP_LOCK = 0x67_6f_6e_67; // 'gong'

const INT8 = 20;
const DATE = 1082;

// bigint counts fit in a JS number at district scale; dates stay 'YYYY-MM-DD' strings (no time-zone shifts).
pg.types.setTypeParser(INT8, (v: string) => Number(v));
pg.types.setTypeParser(DATE, (v: string) => v);

export async function openDatabase(opts: {
  databaseUrl?: string | undefined;
  pgliteDir?: string | undefined;
  /** PGlite only, in memory: start from a dump of another database (the tests' migrated template) */
  pgliteFrom?: Blob | undefined;
}): Promise<Database> {
  if (opts.databaseUrl) {
    // An idle connection that the server ends (restart, failover, a dropped test database) must not take
    // the process down; the pool replaces it on the next query.
    const lost = (err: Error) => process.stderr.write(`PostgreSQL connection lost: ${err.message}\n`);
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 }).on('error', lost);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const commitPool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 }).on('error', lost);
    const commitDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: commitPool }) });
    const copyIn: CopyIn = async (table, columns, data, format = 'text') => {
      const client = await pool.connect();
      try {
        const stream = client.query(
          copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN${format === 'binary' ? ' (FORMAT binary)' : ''}`),
        );
        await new Promise<void>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(data);
        });
      } finally {
        client.release();
      }
    };
    const copyOut: CopyOut = (query) =>
      (async function* () {
        const client = await pool.connect();
        let whole = false;
        try {
          // one backend: the process reading the COPY (an export's converter threads) works on the other cores; a
          // parallel plan's Gather Merge costs more than it spreads there
          await client.query('SET max_parallel_workers_per_gather = 0');
          const text = `COPY (${inlineParameters(query.sql, query.parameters)}) TO STDOUT`;
          for await (const chunk of client.query(copyTo(text))) yield chunk as Buffer;
          await client.query('RESET max_parallel_workers_per_gather');
          whole = true;
        } finally {
          // a COPY left before its end is still sending: the connection goes, not back to the pool
          client.release(whole ? undefined : new Error('COPY out ended early'));
        }
      })();
    const bulkSession = async (): Promise<BulkSession> => {
      const client = await pool.connect();
      const single = {
        connect: async () => ({ query: client.query.bind(client), release: () => {} }),
        end: async () => {},
      };
      const sdb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: single as unknown as pg.Pool }) });
      return {
        db: sdb,
        copyStream: (text) => client.query(copyFrom(text)),
        release: (broken) => client.release(broken ? new Error('bulk session ended in error') : undefined),
      };
    };
    const withStartupLock = async <T>(work: () => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
        }
      } finally {
        client.release();
      }
    };
    return {
      db,
      commitDb,
      kind: 'postgres',
      copyIn,
      copyOut,
      bulkSession,
      jobBackend: { connectionString: opts.databaseUrl },
      withStartupLock,
      close: async () => {
        await commitDb.destroy();
        await db.destroy();
      },
    };
  }
  let dataDir: string | undefined;
  if (opts.pgliteDir) {
    dataDir = path.resolve(opts.pgliteDir);
    mkdirSync(dataDir, { recursive: true });
  }
  // loaded only for the embedded database (~45 MB a PostgreSQL deployment does not need)
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(opts.pgliteFrom ? { loadDataDir: opts.pgliteFrom } : {}),
    parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  // Through Kysely's connection, so the COPY waits its turn on PGlite's single connection and never lands
  // inside another request's open transaction.
  const copyIn: CopyIn = (table, columns, data, format = 'text') =>
    db.connection().execute(async () => {
      await pglite.query(
        `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'${format === 'binary' ? ' (FORMAT binary)' : ''}`,
        [],
        { blob: new Blob([data as BlobPart]) },
      );
    });
  const copyOut: CopyOut = (query) =>
    (async function* () {
      const blob = await db
        .connection()
        .execute(
          async () =>
            (await pglite.query(`COPY (${inlineParameters(query.sql, query.parameters)}) TO '/dev/blob'`, [])).blob,
        );
      if (blob?.size) yield Buffer.from(await blob.arrayBuffer());
    })();
  // The job queue's statements go to PGlite directly: PGlite runs each one outside any open transaction (it waits
  // for the transaction to end), and a script without parameters (pg-boss's schema) runs as one simple query.
  const jobBackend: JobBackend = {
    db: {
      executeSql: async (text, values) => {
        if (values?.length) return { rows: (await pglite.query(text, values)).rows };
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      },
    },
  };
  return {
    db,
    commitDb: db,
    kind: 'pglite',
    copyIn,
    copyOut,
    jobBackend,
    withStartupLock: (work) => work(),
    dump: () => pglite.dumpDataDir('none'),
    close: () => db.destroy(),
  };
}
