// SQL on the per-resource tables in schema "data": their DDL, their real columns, counts, the copy into a rebuilt
// table. Every identifier goes through ident() (table.ts).
import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../../../db/database.ts';
import type { DataColumn } from '../../../db/schema.ts';
import { createTableSql, dataTable, DATA_SCHEMA, ident, SYSTEM_COLUMNS, widens } from './table.ts';

export async function createDataTable(db: DbOrTrx, table: string, cols: DataColumn[]) {
  await sql.raw(createTableSql(table, cols)).execute(db);
}

/** The statements of a migration plan (table.ts planMigration), in order. */
export async function alterDataTable(db: DbOrTrx, statements: string[]) {
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function countRows(db: DbOrTrx, table: string): Promise<number> {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(dataTable(table))}`.execute(db)).rows[0]!.n;
}

/** The real columns of a data table, as format_type() prints their types. */
export async function actualColumns(db: DbOrTrx, table: string): Promise<Map<string, string>> {
  const { rows } = await sql<{ name: string; type: string }>`
    SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${DATA_SCHEMA} AND c.relname = ${table} AND a.attnum > 0 AND NOT a.attisdropped`.execute(db);
  return new Map(
    rows.filter((r) => !(SYSTEM_COLUMNS as readonly string[]).includes(r.name)).map((r) => [r.name, r.type]),
  );
}

export async function tableExists(db: DbOrTrx, table: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${DATA_SCHEMA} AND c.relname = ${table}`.execute(
    db,
  );
  return rows[0]!.n > 0;
}

/**
 * Copies an old table into a rebuilt one. Each value is cast on its own; a value the new type cannot hold
 * becomes NULL (a key that cannot be cast drops the row), and the counts say how many rows came across.
 */
export async function copyIntoRebuilt(
  trx: Trx,
  from: string,
  to: string,
  actual: Map<string, string>,
  next: DataColumn[],
): Promise<{ copied: number; total: number }> {
  const cols = next.filter((c) => actual.has(c.code));
  const target = [...cols.map((c) => ident(c.code)), ident('batch_id'), ident('loaded_at')];
  const exprs = cols.map((c) =>
    actual.get(c.code) === c.sqlType || widens(actual.get(c.code)!, c.sqlType)
      ? `${ident(c.code)}::${c.sqlType}`
      : `${ident(DATA_SCHEMA)}.try_cast(${ident(c.code)}::text, '${c.sqlType}', NULL::${c.sqlType})`,
  );
  const keyCols = next.filter((c) => c.key);
  const keyExprs = keyCols.map((c) => exprs[cols.indexOf(c)]).filter((e): e is string => !!e);
  const where = keyCols.length
    ? keyCols.length === keyExprs.length
      ? `WHERE ${keyExprs.map((e) => `${e} IS NOT NULL`).join(' AND ')}`
      : 'WHERE false'
    : '';
  const total = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(dataTable(from))}`.execute(trx))
    .rows[0]!.n;
  const res =
    await sql`${sql.raw(`INSERT INTO ${dataTable(to)} (${target.join(', ')}) SELECT ${[...exprs, ident('batch_id'), ident('loaded_at')].join(', ')} FROM ${dataTable(from)} ${where}${keyCols.length ? ' ON CONFLICT DO NOTHING' : ''}`)}`.execute(
      trx,
    );
  return { copied: Number(res.numAffectedRows ?? 0), total };
}
