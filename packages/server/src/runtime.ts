// Opening the platform's database the same way for the server and every CLI command.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrateToLatest } from './db/migrator.ts';
import { loadKeys } from './platform/secrets.ts';
import { AuthService } from './domains/auth/index.ts';
import { CalendarService } from './domains/calendar/index.ts';
import { CatalogService } from './domains/catalog/index.ts';
import { IngestService } from './domains/ingest/index.ts';

export interface Runtime {
  config: Config;
  database: Database;
  keys: ReturnType<typeof loadKeys>;
  auth: AuthService;
  calendar: CalendarService;
  catalog: CatalogService;
  ingest: IngestService;
  close(): Promise<void>;
}

/** PGlite is one process's database: a lock file stops a second process from opening the same directory. */
function lockEmbedded(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'gongshu.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    let alive = false;
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (alive)
      throw new Error(
        `the embedded database in ${dir} is in use by process ${pid}; stop it first, or point DATABASE_URL at a PostgreSQL server`,
      );
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

export async function openRuntime(config: Config, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const unlock = config.databaseUrl ? () => {} : lockEmbedded(config.dataDir);
  try {
    const keys = loadKeys(config);
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDir: path.join(config.dataDir, 'pglite'),
    });
    const calendar = new CalendarService(database.db);
    const catalog = new CatalogService(database.db, calendar);
    if (opts.migrate !== false)
      await database.withStartupLock(async () => {
        await migrateToLatest(database.db);
        await calendar.ensurePolicy();
        await catalog.codes.ensureCodes();
      });
    const auth = new AuthService({ db: database.db, config, keys });
    const ingest = new IngestService(database.db, database.copyIn, calendar, database.bulkSession);
    catalog.onApproved((trx, id) => ingest.ensureTable(trx, id));
    return {
      ingest,
      config,
      database,
      keys,
      auth,
      calendar,
      catalog,
      async close() {
        await database.close();
        unlock();
      },
    };
  } catch (e) {
    unlock();
    throw e;
  }
}
