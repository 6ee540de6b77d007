// The ingest domain's own tables: the registry of data tables (data_table), batches (ingest_batch) and their
// rejected rows (ingest_rejected). The per-resource tables in schema "data" are table/table.repository.ts's;
// applying a batch is pipeline/pipeline.repository.ts's.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { DataColumn, DataTableTable, IngestBatchTable, Msg } from '../../db/schema.ts';

export type DataTableRow = Selectable<DataTableTable>;
export type BatchRow = Selectable<IngestBatchTable>;

// ---------------------------------------------------------------- the registry of data tables
export function findDataTable(db: DbOrTrx, resourceId: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('data_table').selectAll().where('resource_id', '=', resourceId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function listDataTables(db: DbOrTrx, resourceIds?: string[]) {
  let q = db.selectFrom('data_table').selectAll();
  if (resourceIds) {
    if (!resourceIds.length) return Promise.resolve([]);
    q = q.where('resource_id', 'in', resourceIds);
  }
  return q.execute();
}

export async function dataTableNameTaken(db: DbOrTrx, name: string): Promise<boolean> {
  return !!(await db.selectFrom('data_table').select('resource_id').where('table_name', '=', name).executeTakeFirst());
}

export async function insertDataTable(
  db: DbOrTrx,
  row: { resourceId: string; table: string; version: number; columns: DataColumn[]; keyColumns: string[] },
) {
  await db
    .insertInto('data_table')
    .values({
      resource_id: row.resourceId,
      table_name: row.table,
      version: row.version,
      columns: JSON.stringify(row.columns),
      key_columns: row.keyColumns,
    })
    .execute();
}

/** A new version of the same table (columns added or widened, or nothing to change). */
export async function setDataTableVersion(
  db: DbOrTrx,
  resourceId: string,
  v: { version: number; columns: DataColumn[]; keyColumns: string[] },
) {
  await db
    .updateTable('data_table')
    .set({ version: v.version, columns: JSON.stringify(v.columns), key_columns: v.keyColumns, migrated_at: new Date() })
    .where('resource_id', '=', resourceId)
    .execute();
}

/** A rebuilt table takes the place of the old one, which is kept (archived). */
export async function setRebuiltDataTable(
  db: DbOrTrx,
  resourceId: string,
  v: {
    table: string;
    version: number;
    columns: DataColumn[];
    keyColumns: string[];
    archived: string[];
    rowCount: number;
  },
) {
  await db
    .updateTable('data_table')
    .set({
      table_name: v.table,
      version: v.version,
      columns: JSON.stringify(v.columns),
      key_columns: v.keyColumns,
      migrated_at: new Date(),
      archived_tables: v.archived,
      row_count: v.rowCount,
    })
    .where('resource_id', '=', resourceId)
    .execute();
}

/** After a batch is applied (inside its transaction). */
export async function recordLoad(
  db: DbOrTrx,
  resourceId: string,
  load: { rowCount: number; at: Date; batchId: string },
) {
  await db
    .updateTable('data_table')
    .set({ row_count: load.rowCount, last_load_at: load.at, last_batch_id: load.batchId })
    .where('resource_id', '=', resourceId)
    .execute();
}

// ---------------------------------------------------------------- batches
export function findBatchByKey(db: DbOrTrx, resourceId: string, idempotencyKey: string) {
  return db
    .selectFrom('ingest_batch')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

export async function releaseIdempotencyKey(db: DbOrTrx, batchId: string) {
  await db.updateTable('ingest_batch').set({ idempotency_key: null }).where('id', '=', batchId).execute();
}

export async function insertBatch(db: DbOrTrx, row: Insertable<IngestBatchTable>) {
  await db.insertInto('ingest_batch').values(row).execute();
}

/** Only a running batch's heartbeat moves. */
export async function heartbeat(db: DbOrTrx, batchId: string) {
  await db
    .updateTable('ingest_batch')
    .set({ heartbeat_at: new Date() })
    .where('id', '=', batchId)
    .where('status', '=', 'running')
    .execute();
}

export async function setBatchHeader(db: DbOrTrx, batchId: string, header: unknown, encoding: string | null) {
  await db
    .updateTable('ingest_batch')
    .set({ header: JSON.stringify(header), encoding })
    .where('id', '=', batchId)
    .execute();
}

export async function setBatchChecksum(db: DbOrTrx, batchId: string, checksum: string, bytes: number) {
  await db.updateTable('ingest_batch').set({ checksum, bytes }).where('id', '=', batchId).execute();
}

export async function setBatchProgress(
  db: DbOrTrx,
  batchId: string,
  p: { received: number; accepted: number; rejected: number; bytes: number },
) {
  await db
    .updateTable('ingest_batch')
    .set({ ...p, heartbeat_at: new Date(), phase: 'loading' })
    .where('id', '=', batchId)
    .execute();
}

export async function setBatchApplying(db: DbOrTrx, batchId: string) {
  await db
    .updateTable('ingest_batch')
    .set({ phase: 'applying', heartbeat_at: new Date() })
    .where('id', '=', batchId)
    .execute();
}

export async function setBatchSucceeded(
  db: DbOrTrx,
  batchId: string,
  o: { received: number; accepted: number; rejected: number; warnings: Msg[]; at: Date },
) {
  await db
    .updateTable('ingest_batch')
    .set({
      status: 'succeeded',
      phase: 'done',
      received: o.received,
      accepted: o.accepted,
      rejected: o.rejected,
      warnings: JSON.stringify(o.warnings),
      finished_at: o.at,
      heartbeat_at: o.at,
      // taken under the resource's lock, inside the batch's transaction: the resource's batches in commit order
      change_seq: sql<number>`nextval('ingest_change_seq')`,
    })
    .where('id', '=', batchId)
    .execute();
}

/** A running batch ends failed with its reason; its key is freed for the retry. */
export async function setBatchFailed(db: DbOrTrx, batchId: string, reason: Msg, bytes?: number) {
  await db
    .updateTable('ingest_batch')
    .set({
      status: 'failed',
      phase: 'done',
      error: JSON.stringify(reason),
      finished_at: new Date(),
      idempotency_key: null,
      ...(bytes !== undefined ? { bytes } : {}),
    })
    .where('id', '=', batchId)
    .where('status', '=', 'running')
    .execute();
}

export function listRunningBatches(db: DbOrTrx) {
  return db
    .selectFrom('ingest_batch')
    .select(['id', 'owner', 'heartbeat_at'])
    .where('status', '=', 'running')
    .execute();
}

export function listBatches(db: DbOrTrx, f: { resourceId?: string; id?: string; limit: number; offset: number }) {
  let q = db.selectFrom('ingest_batch').selectAll();
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  if (f.id) q = q.where('id', '=', f.id);
  return q.orderBy('started_at', 'desc').limit(f.limit).offset(f.offset).execute();
}

export async function countBatches(db: DbOrTrx, resourceId: string): Promise<number> {
  const r = await db
    .selectFrom('ingest_batch')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('resource_id', '=', resourceId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ---------------------------------------------------------------- rejected rows
export async function insertRejected(
  db: DbOrTrx,
  rows: { batch_id: string; row_no: number; data_row: number; raw: string; errors: string }[],
) {
  await db
    .insertInto('ingest_rejected')
    .values(rows)
    .onConflict((oc) => oc.columns(['batch_id', 'row_no']).doNothing())
    .execute();
}

/** Rejected rows after row `after`, in row order. */
export function listRejected(db: DbOrTrx, batchId: string, page: { after: number; limit: number }) {
  return db
    .selectFrom('ingest_rejected')
    .select(['row_no', 'data_row', 'raw', 'errors'])
    .where('batch_id', '=', batchId)
    .where('row_no', '>', page.after)
    .orderBy('row_no')
    .limit(page.limit)
    .execute();
}

// ---------------------------------------------------------------- labels (records that name these objects)
export function batchNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db
        .selectFrom('ingest_batch')
        .select(['id', 'resource_id', 'file_name', 'source', 'started_at'])
        .where('id', 'in', ids)
        .execute()
    : Promise.resolve([]);
}

/**
 * A resource's succeeded batches: the catalog version each loaded under, the order they committed in, and whether
 * one only added rows (an append, or an upsert that overwrote no loaded row; never a replacement), and how many
 * rows it loaded.
 */
export async function succeededBatches(db: DbOrTrx, resourceId: string) {
  const rows = await db
    .selectFrom('ingest_batch as b')
    .select(['b.id', 'b.version', 'b.change_seq', 'b.accepted'])
    .select(
      sql<boolean>`b.mode <> 'replace' AND NOT EXISTS (SELECT 1 FROM ingest_prior_row p WHERE p.batch_id = b.id)`.as(
        'insert_only',
      ),
    )
    .where('b.resource_id', '=', resourceId)
    .where('b.status', '=', 'succeeded')
    .orderBy('b.change_seq')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    changeSeq: r.change_seq === null ? null : Number(r.change_seq),
    insertOnly: r.insert_only,
    accepted: Number(r.accepted),
  }));
}
