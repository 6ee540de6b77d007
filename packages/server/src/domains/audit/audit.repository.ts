import { sql, type RawBuilder } from 'kysely';
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

/** The record's columns and their types, for the arrays of the one-statement append. */
const RECORD_COLUMNS = {
  seq: 'bigint',
  occurred_at: 'timestamptz',
  actor_user_id: 'uuid',
  actor_name: 'text',
  org_id: 'uuid',
  credential_id: 'uuid',
  action: 'text',
  object_type: 'text',
  object_id: 'text',
  outcome: 'text',
  client_ip: 'text',
  request_id: 'text',
  diff: 'jsonb',
  prev_hash: 'text',
  hash: 'text',
} as const satisfies Record<keyof AuditRecordTable, string>;
const COLUMN_NAMES = Object.keys(RECORD_COLUMNS) as (keyof AuditRecordTable)[];

/**
 * One statement that takes the chain's lock, then appends the records (already chained by the caller), with the
 * caller's own writes alongside as data-modifying CTEs (`also`: name → an INSERT … RETURNING): outside a
 * transaction it is a transaction of its own, one round trip for the whole group. The lock is taken before the
 * first record is inserted (the records are joined to it), so a writer holding the lock always sees these once it
 * has it. The caller chains from a head it believes current: if another writer appended since, the first
 * record's number is taken and the statement fails as a unique violation (`isChainConflict`), writing nothing.
 * Returns each CTE's returned rows.
 */
export async function appendRecords(
  db: DbOrTrx,
  rows: AuditRecordTable[],
  also: Record<string, RawBuilder<unknown>> = {},
): Promise<Record<string, unknown[]>> {
  const names = Object.keys(also);
  const cols = sql.join(COLUMN_NAMES.map((c) => sql.id(c)));
  // one array per column, unnested: the statement's text is the same whatever the group's size
  const arrays = sql.join(
    COLUMN_NAMES.map((c) => {
      const values = rows.map((r) =>
        c === 'diff' ? (r.diff === null || r.diff === undefined ? null : JSON.stringify(r.diff)) : r[c],
      );
      return sql`${values}::${sql.raw(RECORD_COLUMNS[c])}[]`;
    }),
  );
  const r = await sql<Record<string, unknown>>`
    WITH chain_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK)}) AS held),
    written AS (
      INSERT INTO audit_record (${cols})
      SELECT r.* FROM chain_lock, unnest(${arrays}) AS r (${cols})
      RETURNING seq
    )${sql.join(
      names.map((n) => sql`, ${sql.id(n)} AS (${also[n]!})`),
      sql``,
    )}
    SELECT (SELECT count(*) FROM written)::int AS written${sql.join(
      names.map((n) => sql`, (SELECT coalesce(json_agg(x), '[]'::json) FROM ${sql.id(n)} x) AS ${sql.id(n)}`),
      sql``,
    )}`.execute(db);
  const row = r.rows[0]!;
  if (Number(row.written) !== rows.length)
    throw new Error(`audit: ${rows.length} records to append, ${String(row.written)} written`);
  return Object.fromEntries(names.map((n) => [n, (row[n] as unknown[] | null) ?? []]));
}

/** The append lost a race for the chain's next number (another writer appended first): nothing was written. */
export function isChainConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string } | null;
  return (
    err?.code === '23505' &&
    (err.constraint === 'audit_record_pkey' || String(err.message ?? '').includes('audit_record_pkey'))
  );
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
