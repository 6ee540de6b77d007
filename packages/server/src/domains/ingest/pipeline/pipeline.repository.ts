// SQL of the batch pipeline: staging tables, the bulk session's transaction, and the statements that apply a
// batch's staged rows to its data table. Identifiers are quoted by ident() (table/table.ts); values are bound.
import { sql } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { DataColumn } from '../../../db/schema.ts';
import { dataTable, ident } from '../table/table.ts';
import { rowAtParts, type RowPlace } from '../check/check.row-errors.ts';

export const stagingTable = (batchId: string) => `stg_${batchId.replace(/-/g, '')}`;
/** The staging table of a PGlite batch (unlogged, in schema "data"), quoted. */
export const stagingName = (batchId: string) => dataTable(stagingTable(batchId));
/** The staging table of a PostgreSQL batch (temporary, dropped at commit), quoted. */
export const tempStagingName = (batchId: string) => ident(stagingTable(batchId));

/** A staging table's columns: where the row is in the file, which data row it is, then the items with their types. */
const stagingColumns = (columns: DataColumn[]) =>
  [
    `${ident('row_no')} integer NOT NULL`,
    `${ident('data_row')} integer NOT NULL`,
    ...columns.map((c) => `${ident(c.code)} ${c.sqlType}`),
  ].join(', ');

export async function createStaging(db: DbOrTrx, batchId: string, columns: DataColumn[]) {
  await sql.raw(`CREATE UNLOGGED TABLE ${stagingName(batchId)} (${stagingColumns(columns)})`).execute(db);
}

export async function dropStaging(db: DbOrTrx, batchId: string) {
  await sql.raw(`DROP TABLE IF EXISTS ${stagingName(batchId)}`).execute(db);
}

export async function createTempStaging(db: DbOrTrx, batchId: string, columns: DataColumn[]) {
  await sql
    .raw(`CREATE TEMP TABLE ${tempStagingName(batchId)} (${stagingColumns(columns)}) ON COMMIT DROP`)
    .execute(db);
}

// ---------------------------------------------------------------- the bulk session's one transaction
export async function begin(db: DbOrTrx) {
  await sql`BEGIN`.execute(db);
}
export async function commit(db: DbOrTrx) {
  await sql`COMMIT`.execute(db);
}
export async function rollback(db: DbOrTrx) {
  await sql`ROLLBACK`.execute(db);
}

/** The registry row of the resource's table, locked until the batch's transaction ends. */
export function lockDataTable(db: DbOrTrx, resourceId: string) {
  return db
    .selectFrom('data_table')
    .select(['version', 'table_name'])
    .where('resource_id', '=', resourceId)
    .forUpdate()
    .executeTakeFirst();
}

/** The key's columns as text, in key order: how a prior row's key is kept. */
const keyText = (columns: DataColumn[], alias: string) =>
  `ARRAY[${columns
    .filter((c) => c.key)
    .map((c) => `${alias}.${ident(c.code)}::text`)
    .join(', ')}]::text[]`;

/**
 * A replacement removes every loaded row; the rows it removes are kept first, as they were (ingest_prior_row,
 * 'deleted'), for the change feed: those the new data brings back become 'replaced' when the batch applies.
 */
export async function deleteAllRows(
  db: DbOrTrx,
  batch: { table: string; batchId: string; resourceId: string; columns: DataColumn[] },
) {
  if (batch.columns.some((c) => c.key))
    await sql`
      INSERT INTO ingest_prior_row (resource_id, batch_id, key, kind, row)
      SELECT ${batch.resourceId}, ${batch.batchId}, ${sql.raw(keyText(batch.columns, 't'))}, 'deleted', to_jsonb(t)
        FROM ${sql.raw(dataTable(batch.table))} t
      ON CONFLICT DO NOTHING`.execute(db);
  await sql.raw(`DELETE FROM ${dataTable(batch.table)}`).execute(db);
}

/** The rows a replacement loaded again were replaced, not deleted. */
export async function markReturnedRows(db: DbOrTrx, batch: { table: string; batchId: string; columns: DataColumn[] }) {
  if (!batch.columns.some((c) => c.key)) return;
  await sql`
    UPDATE ingest_prior_row d SET kind = 'replaced' WHERE d.batch_id = ${batch.batchId}
       AND EXISTS (SELECT 1 FROM ${sql.raw(dataTable(batch.table))} t WHERE ${sql.raw(keyText(batch.columns, 't'))} = d.key)`.execute(
    db,
  );
}

export async function isEmpty(db: DbOrTrx, table: string): Promise<boolean> {
  return (await sql.raw(`SELECT 1 FROM ${dataTable(table)} LIMIT 1`).execute(db)).rows.length === 0;
}

// ---------------------------------------------------------------- applying staged rows
/** A batch's staged rows as the statements below see them. */
export interface Staged {
  batchId: string;
  /** The staging table, quoted. */
  staging: string;
  /** The data table (unqualified name). */
  table: string;
  columns: DataColumn[];
  /** For each item, its position in the file's header, or -1. */
  index: number[];
  header: string[];
  /** how the batch says where a row is */
  place: RowPlace;
}

const keysOf = (s: Staged) => s.columns.filter((c) => c.key).map((c) => ident(c.code));
const sameKey = (s: Staged) =>
  keysOf(s)
    .map((k) => `t.${k} = s.${k}`)
    .join(' AND ');

/** A staged row's values as sent, in the file's column order (what its rejected-row record keeps). */
function valuesAsSent(s: Staged): string {
  const cells = s.header.map((_, pos) => {
    const i = s.index.indexOf(pos);
    return i >= 0 ? `s.${ident(s.columns[i]!.code)}::text` : 'NULL';
  });
  return `to_jsonb(ARRAY[${cells.join(', ')}]::text[])`;
}

/**
 * Staged rows whose key is already in the data table become rejected rows with `errors`, and leave staging.
 * Returns how many.
 */
export async function rejectStagedKeysInTable(db: DbOrTrx, s: Staged, errors: unknown): Promise<number> {
  const T = dataTable(s.table);
  const r = await sql`
    INSERT INTO ingest_rejected (batch_id, row_no, data_row, raw, errors)
    SELECT ${s.batchId}::uuid, s.row_no, s.data_row, ${sql.raw(valuesAsSent(s))}, ${JSON.stringify(errors)}::jsonb
    FROM ${sql.raw(s.staging)} s
    WHERE EXISTS (SELECT 1 FROM ${sql.raw(T)} t WHERE ${sql.raw(sameKey(s))})
    ON CONFLICT DO NOTHING`.execute(db);
  const n = Number(r.numAffectedRows ?? 0);
  if (n)
    await sql`DELETE FROM ${sql.raw(s.staging)} s WHERE EXISTS (SELECT 1 FROM ${sql.raw(T)} t WHERE ${sql.raw(sameKey(s))})`.execute(
      db,
    );
  return n;
}

/**
 * Staged rows whose key repeats an earlier staged row become rejected rows naming that row, and leave staging
 * (the first stays). Returns how many.
 */
export async function rejectStagedRepeats(db: DbOrTrx, s: Staged): Promise<number> {
  const keyCode = s.columns.find((c) => c.key)?.code ?? 'row';
  const firsts = `(SELECT row_no, min(row_no) OVER (PARTITION BY ${keysOf(s).join(', ')}) AS first FROM ${s.staging})`;
  const at = rowAtParts(s.place);
  const r = await sql`
    INSERT INTO ingest_rejected (batch_id, row_no, data_row, raw, errors)
    SELECT ${s.batchId}::uuid, s.row_no, s.data_row, ${sql.raw(valuesAsSent(s))},
      jsonb_build_array(jsonb_build_object('field', ${keyCode}::text,
        'zh', ${'主键与本批次' + at.zh[0]}::text || d.first || ${at.zh[1] + '的数据重复'}::text,
        'en', ${'the key repeats the row at ' + at.en[0]}::text || d.first || ${at.en[1] + ' of this batch'}::text))
    FROM ${sql.raw(s.staging)} s JOIN ${sql.raw(firsts)} d ON d.row_no = s.row_no
    WHERE d.first < s.row_no
    ON CONFLICT DO NOTHING`.execute(db);
  const n = Number(r.numAffectedRows ?? 0);
  if (n)
    await sql`DELETE FROM ${sql.raw(s.staging)} s USING ${sql.raw(firsts)} d WHERE d.row_no = s.row_no AND d.first < s.row_no`.execute(
      db,
    );
  return n;
}

/**
 * The staged rows into the data table, in file order. Upsert: a row whose key is loaded replaces the values of the
 * items the file has (an item without a column keeps its value).
 */
/** The loaded rows an upsert is about to overwrite, kept as they were (ingest_prior_row, 'replaced'). */
export async function keepOverwrittenRows(db: DbOrTrx, s: Staged & { resourceId: string }) {
  if (!keysOf(s).length) return;
  await sql`
    INSERT INTO ingest_prior_row (resource_id, batch_id, key, kind, row)
    SELECT ${s.resourceId}, ${s.batchId}, ${sql.raw(keyText(s.columns, 't'))}, 'replaced', to_jsonb(t)
      FROM ${sql.raw(dataTable(s.table))} t
     WHERE EXISTS (SELECT 1 FROM ${sql.raw(s.staging)} s WHERE ${sql.raw(sameKey(s))})
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function insertStaged(db: DbOrTrx, s: Staged, upsert: boolean) {
  const cols = s.columns.map((c) => ident(c.code));
  const present = s.columns.filter((c, i) => s.index[i]! >= 0 && !c.key).map((c) => ident(c.code));
  const updates = [...present, ident('batch_id'), ident('loaded_at')].map((c) => `${c} = EXCLUDED.${c}`);
  const conflict = upsert ? ` ON CONFLICT (${keysOf(s).join(', ')}) DO UPDATE SET ${updates.join(', ')}` : '';
  await sql`
    INSERT INTO ${sql.raw(dataTable(s.table))} (${sql.raw([...cols, ident('batch_id')].join(', '))})
    SELECT ${sql.raw(cols.join(', '))}, ${s.batchId}::uuid FROM ${sql.raw(s.staging)}
    ORDER BY row_no${sql.raw(conflict)}`.execute(db);
}
