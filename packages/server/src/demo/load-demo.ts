// DEMO DATA: the whole demo district, in order — organisations, users and the catalog (seed-demo.ts), the data
// tables and generated rows (data-seed.ts), then the other workflows in every state (workflow-seed.ts, sharing-seed.ts, quality-seed.ts). Each step
// runs once; the server's first start and `gongshu seed-demo` both call this. Returns the lines to print.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/database.ts';
import { formatDemoLogins, seedDemo } from './seed-demo.ts';
import { DEMO_BATCH_NAME, seedDemoData } from './data-seed.ts';
import { seedDemoOutcomes, seedDemoWorkflows } from './workflow-seed.ts';
import { seedDemoSharing } from './sharing-seed.ts';
import { seedDemoQuality } from './quality-seed.ts';

/** The catalog part, before the app exists (the app's start-up makes the data tables of what it approved). */
export async function loadDemoCatalog(db: Db, app: Pick<FastifyInstance['services'], 'auth' | 'catalog'>) {
  const r = await seedDemo(db, app.auth, app.catalog);
  return r.loaded
    ? [formatDemoLogins(r.logins), `  Demo catalog: ${r.resources} resources in every workflow state.`]
    : [];
}

/** The data and the workflows, once the data tables exist. */
export async function loadDemoWorkflows(
  db: Db,
  services: FastifyInstance['services'],
  opts: { dataDir?: string } = {},
): Promise<string[]> {
  const lines: string[] = [];
  const n = await seedDemoData(db, services.ingest, services.auth);
  if (n) lines.push(`  Demo data: ${n} resources loaded with generated rows (batches named "${DEMO_BATCH_NAME}").`);
  const made = [
    ...(await seedDemoWorkflows(db, services)),
    ...(await seedDemoOutcomes(db, services)),
    ...(await seedDemoSharing(db, services, opts.dataDir)),
    ...(await seedDemoQuality(db, services)),
  ];
  if (made.length) lines.push(`  Demo workflows: ${made.join(', ')}.`);
  return lines;
}
