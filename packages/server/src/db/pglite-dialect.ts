// Kysely dialect for the embedded PGlite database.
//
// Ported from Kysely's own PGliteDialect (kysely 0.29, MIT, src/dialect/pglite): Kysely ships it only from 0.29,
// which needs Node 22, while the project runs on Node 20 with kysely 0.28 (ADR 0008). Same behaviour: one
// connection, lent to one caller at a time (kysely 0.29 does this in its runtime driver, 0.28 leaves it to the
// dialect), transactions in PGlite's exclusive transaction mode, no streaming, no migration lock (the single
// connection is the lock). Drop this file for `import { PGliteDialect } from 'kysely'` once Node 20 goes.
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

class PGliteAdapter extends PostgresAdapter {
  // The one connection is held by the migrator for the whole run: nothing else can interleave.
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

class PGliteConnection implements DatabaseConnection {
  private transaction: PGliteTransaction | undefined;
  private commit: (() => void) | undefined;
  private rollback: ((reason: unknown) => void) | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { affectedRows, rows } = await (this.transaction ?? this.pglite).query<R>(
      query.sql,
      query.parameters as unknown[],
      { rowMode: 'object' },
    );
    return { numAffectedRows: affectedRows != null ? BigInt(affectedRows) : undefined, rows: rows ?? [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by PGlite.');
  }

  /** Opens PGlite's exclusive transaction and keeps it open until commit or rollback settles it. */
  async begin(): Promise<void> {
    let begun!: () => void;
    const started = new Promise<void>((resolve) => (begun = resolve));
    const settled = new Promise<void>((resolve, reject) => {
      this.commit = resolve;
      this.rollback = reject;
    });
    this.closed = this.pglite.transaction(async (tx) => {
      this.transaction = tx;
      begun();
      await settled;
    });
    // A transaction that never began (PGlite closed) must not leave begin() waiting.
    await Promise.race([started, this.closed]);
  }

  async end(how: 'commit' | 'rollback'): Promise<void> {
    const closed = this.closed;
    if (how === 'commit') this.commit?.();
    else this.rollback?.(new Error('rollback'));
    try {
      if (how === 'commit') await closed;
      else await closed?.catch(() => {});
    } finally {
      this.transaction = this.commit = this.rollback = this.closed = undefined;
    }
  }
}

/** One connection, lent to one caller at a time (as Kysely's SQLite driver does): a transaction keeps it until it ends. */
class ConnectionMutex {
  private held: Promise<void> | undefined;
  private free: (() => void) | undefined;
  /** Where the holder took the connection: printed when a caller has waited too long (a likely deadlock). */
  private holder: Error | undefined;
  async lock(): Promise<void> {
    if (this.held) {
      const waiter = new Error('waiting here');
      const warn = setTimeout(() => {
        process.stderr.write(
          `PGlite: a query has waited ${STUCK_SECONDS} s for the one connection (a transaction that waits for ` +
            `another query of its own?)\nheld by: ${this.holder?.stack ?? '?'}\nwaiter: ${waiter.stack ?? '?'}\n`,
        );
      }, STUCK_SECONDS * 1000);
      warn.unref();
      try {
        while (this.held) await this.held;
      } finally {
        clearTimeout(warn);
      }
    }
    this.held = new Promise((resolve) => (this.free = resolve));
    this.holder = new Error('connection taken here');
  }
  unlock(): void {
    const free = this.free;
    this.held = this.free = this.holder = undefined;
    free?.();
  }
}

const STUCK_SECONDS = 20;

class PGliteDriver implements Driver {
  private connection: PGliteConnection | undefined;
  private readonly mutex = new ConnectionMutex();
  constructor(private readonly pglite: PGlite) {}

  async init(): Promise<void> {
    if (this.pglite.closed) throw new Error('PGlite instance is already closed.');
    if (!this.pglite.ready) await this.pglite.waitReady;
    this.connection = new PGliteConnection(this.pglite);
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection!;
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('rollback');
  }
  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }
  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly config: { pglite: PGlite }) {}
  createAdapter(): DialectAdapter {
    return new PGliteAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.config.pglite);
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}
