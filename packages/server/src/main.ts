// The server process: open the database, migrate, load the demo when asked, listen, stop cleanly.
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import { openRuntime } from './runtime.ts';
import { isDemoLoaded } from './demo/seed-demo.ts';
import { loadDemoCatalog, loadDemoWorkflows } from './demo/load-demo.ts';

export async function startServer(config: Config): Promise<{ close(): Promise<void>; url: string }> {
  const rt = await openRuntime(config);
  const db = rt.database.db;
  if (rt.keys.generatedAt)
    console.log(`Generated new keys in ${rt.keys.generatedAt} (keep this file: it decrypts stored secrets).`);
  // One node at a time (several may start together on one PostgreSQL): demo seeding and data-table DDL.
  const app = await rt.database.withStartupLock(async () => {
    // The demo loads on the embedded database's first start, or whenever GONGSHU_DEMO=on.
    const wantDemo =
      config.demo === 'on' || (config.demo === 'auto' && !config.databaseUrl && (await rt.auth.countOrgs()) === 0);
    if (wantDemo) {
      for (const line of await loadDemoCatalog(db, rt)) console.log(line);
    } else if (await isDemoLoaded(db)) {
      console.log('Demo district loaded; log-ins are listed in the README (password Gongshu@2026).');
    }
    if ((await rt.auth.countOrgs()) === 0)
      console.log(
        'No organisations or users yet. Create the first Center admin:\n  npx gongshu user create --username admin --name 姓名 --role center_admin --org-name 运营中心名称',
      );
    const app = await buildApp(config, {
      db,
      dbKind: rt.database.kind,
      keys: rt.keys,
      copyIn: rt.database.copyIn,
      copyOut: rt.database.copyOut,
      bulkSession: rt.database.bulkSession,
      commitDb: rt.database.commitDb,
      jobBackend: rt.database.jobBackend,
    });
    // Data tables for every approved resource (also those approved before this version), and batches a
    // killed process left running are marked failed.
    const tables = await app.services.ingest.ensureAllTables();
    if (tables) console.log(`Created or migrated ${tables} data table(s).`);
    const recovered = await app.services.ingest.recoverStale();
    if (recovered) console.log(`Marked ${recovered} interrupted batch(es) as failed.`);
    if (await isDemoLoaded(db))
      for (const line of await loadDemoWorkflows(db, app.services, { dataDir: config.dataDir })) console.log(line);
    // scheduled pulls, the one-source comparison and every other background job (platform/jobs.ts); inside the lock
    // too: two nodes creating the queue's tables and queues at once deadlocked
    await app.jobs.start();
    return app;
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const url = config.host === 'localhost' ? `http://localhost:${config.port}` : address;
  console.log(
    `Gongshu 公数 is running at ${url} (database: ${rt.database.kind === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL'})`,
  );
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await rt.close();
  };
  return { close, url };
}
