import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { AuditRecordTable } from '../../db/schema.ts';

// Any fixed number: serialises chain appends across connections until the transaction ends.
const CHAIN_LOCK = 0x67_73_61_75; // "gsau"

export async function lockChainAndGetHead(trx: DbOrTrx): Promise<{ seq: number; hash: string } | null> {
  await sql`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  const row = await trx
    .selectFrom('audit_record')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

export async function insertRecords(trx: DbOrTrx, rows: AuditRecordTable[]): Promise<void> {
  await trx
    .insertInto('audit_record')
    .values(rows.map((r) => ({ ...r, diff: r.diff === null || r.diff === undefined ? null : JSON.stringify(r.diff) })))
    .execute();
}

export interface AuditFilter {
  actor?: string | undefined;
  orgId?: string | undefined;
  action?: string | undefined;
  /** the part of the action before its first dot (auth, catalog, ingest, …) */
  family?: string | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  outcome?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function applyFilter(db: Db, f: AuditFilter) {
  let q = db.selectFrom('audit_record');
  if (f.actor)
    q = q.where((eb) => eb.or([eb('actor_name', '=', f.actor!), eb(sql<string>`actor_user_id::text`, '=', f.actor!)]));
  if (f.orgId) q = q.where('org_id', '=', f.orgId);
  if (f.action) q = q.where('action', 'like', f.action.replace(/[%_\\]/g, '\\$&') + '%');
  if (f.family) q = q.where('action', 'like', f.family.replace(/[%_\\]/g, '\\$&') + '.%');
  if (f.objectType) q = q.where('object_type', '=', f.objectType);
  if (f.objectId) q = q.where('object_id', '=', f.objectId);
  if (f.outcome) q = q.where('outcome', '=', f.outcome as 'success');
  if (f.from) q = q.where('occurred_at', '>=', new Date(f.from));
  if (f.to) q = q.where('occurred_at', '<', new Date(f.to));
  return q;
}

export async function listRecords(db: Db, f: AuditFilter, page: { limit: number; offset: number }) {
  const rows = await applyFilter(db, f)
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { total } = await applyFilter(db, f)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

export async function* streamRecords(db: Db, f: AuditFilter, order: 'asc' | 'desc' = 'asc', batch = 1000) {
  let after: number | null = null;
  for (;;) {
    let q = applyFilter(db, f).selectAll();
    if (after !== null) q = q.where('seq', order === 'asc' ? '>' : '<', after);
    const rows = await q.orderBy('seq', order).limit(batch).execute();
    for (const r of rows) yield r;
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.seq;
  }
}
