// Forward-only migrations, listed statically so they work the same under tsx and in tests.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.ts';
import * as foundation from './migrations/2026-11-29T00-00_foundation.ts';
import * as catalog from './migrations/2026-11-29T01-00_catalog.ts';
import * as demandsPlans from './migrations/2026-11-29T02-00_demands_plans.ts';
import * as masking from './migrations/2026-11-29T03-00_masking.ts';
import * as ingest from './migrations/2026-11-29T04-00_ingest.ts';
import * as searchIndex from './migrations/2026-11-29T05-00_search_index.ts';
import * as rateLimit from './migrations/2026-12-03T00-00_rate_limit.ts';
import * as rejectedDataRow from './migrations/2026-12-06T00-00_rejected_data_row.ts';
import * as sharing from './migrations/2026-12-06T01-00_sharing.ts';
import * as notifications from './migrations/2026-12-06T02-00_notifications.ts';
import * as shareExport from './migrations/2026-12-07T00-00_share_export.ts';
import * as ingestChanges from './migrations/2026-12-07T01-00_ingest_changes.ts';
import * as shareDbSync from './migrations/2026-12-07T02-00_share_db_sync.ts';
import * as auditIndexes from './migrations/2026-12-07T03-00_audit_indexes.ts';
import * as quality from './migrations/2026-12-07T04-00_quality.ts';
import * as qualityCarry from './migrations/2026-12-07T05-00_quality_carry.ts';
import * as qualityCarryThrough from './migrations/2026-12-07T06-00_quality_carry_through.ts';
import * as exportMarks from './migrations/2026-12-07T07-00_export_marks.ts';

const migrations: Record<string, Migration> = {
  '2026-11-29T00-00_foundation': foundation,
  '2026-11-29T01-00_catalog': catalog,
  '2026-11-29T02-00_demands_plans': demandsPlans,
  '2026-11-29T03-00_masking': masking,
  '2026-11-29T04-00_ingest': ingest,
  '2026-11-29T05-00_search_index': searchIndex,
  '2026-12-03T00-00_rate_limit': rateLimit,
  '2026-12-06T00-00_rejected_data_row': rejectedDataRow,
  '2026-12-06T01-00_sharing': sharing,
  '2026-12-06T02-00_notifications': notifications,
  '2026-12-07T00-00_share_export': shareExport,
  '2026-12-07T01-00_ingest_changes': ingestChanges,
  '2026-12-07T02-00_share_db_sync': shareDbSync,
  '2026-12-07T03-00_audit_indexes': auditIndexes,
  '2026-12-07T04-00_quality': quality,
  '2026-12-07T05-00_quality_carry': qualityCarry,
  '2026-12-07T06-00_quality_carry_through': qualityCarryThrough,
  '2026-12-07T07-00_export_marks': exportMarks,
};

class StaticProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

export const latestMigration = Object.keys(migrations).sort().at(-1)!;

export async function migrateToLatest(db: Db): Promise<{ applied: string[] }> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export async function currentMigration(db: Db): Promise<string | null> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const all = await migrator.getMigrations();
  const done = all.filter((m) => m.executedAt);
  return done.at(-1)?.name ?? null;
}
