// SQL of the data served to other domains: conditions compiled to parameterised SQL (identifiers through ident(),
// every value bound and cast to its column's type), keyset pages, a lookup by key, and comparisons whose stored
// values never leave the database. Values come back as text, typed by the service.
import { sql, type RawBuilder } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { DataColumn } from '../../../db/schema.ts';
import { dataTable, ident } from '../table/table.ts';
import type { ChangeEnd, Condition, PageEnd, PageSpec } from './serve.types.ts';

export interface TableShape {
  table: string;
  columns: Map<string, DataColumn>;
  keys: DataColumn[];
}

const col = (c: DataColumn) => sql.raw(ident(c.code));
const cast = (t: TableShape, code: string, value: string) => sql`CAST(${value} AS ${sql.raw(column(t, code).sqlType)})`;

function column(t: TableShape, code: string): DataColumn {
  const c = t.columns.get(code);
  if (!c) throw new Error(`serve: ${code} is not a column of ${t.table}`);
  return c;
}

const CMP = { '=': '=', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/** A condition tree as SQL: every column checked against the table, every value bound. */
export function compile(t: TableShape, c: Condition): RawBuilder<unknown> {
  switch (c.op) {
    case 'and':
    case 'or':
      if (!c.args.length) return c.op === 'and' ? sql`TRUE` : sql`FALSE`;
      return sql`(${sql.join(
        c.args.map((a) => compile(t, a)),
        c.op === 'and' ? sql` AND ` : sql` OR `,
      )})`;
    case 'not':
      return sql`(NOT ${compile(t, c.arg)})`;
    case 'cmp':
      return sql`${col(column(t, c.item))} ${sql.raw(CMP[c.cmp])} ${cast(t, c.item, c.value)}`;
    case 'in': {
      const list = sql.join(c.values.map((v) => cast(t, c.item, v)));
      return c.negated
        ? sql`(${col(column(t, c.item))} IS NOT NULL AND ${col(column(t, c.item))} NOT IN (${list}))`
        : sql`${col(column(t, c.item))} IN (${list})`;
    }
    case 'between':
      return sql`${col(column(t, c.item))} BETWEEN ${cast(t, c.item, c.low)} AND ${cast(t, c.item, c.high)}`;
    case 'null':
      return c.negated ? sql`${col(column(t, c.item))} IS NOT NULL` : sql`${col(column(t, c.item))} IS NULL`;
    case 'prefix':
      return sql`starts_with(${col(column(t, c.item))}::text, ${c.value})`;
  }
}

const whereAll = (t: TableShape, conds: RawBuilder<unknown>[]) =>
  conds.length ? sql`WHERE ${sql.join(conds, sql` AND `)}` : sql``;

/** The key's columns (or the row's position, in a table without a key), ascending: the tie-break of every order. */
function keyList(t: TableShape): RawBuilder<unknown> {
  return t.keys.length ? sql.join(t.keys.map(col)) : sql.raw('ctid');
}

/** Rows after a page's end, in the page's order (NULLs last; ties by key). */
function afterCondition(t: TableShape, spec: PageSpec, end: PageEnd): RawBuilder<unknown> {
  const keyTuple = t.keys.length
    ? sql`(${keyList(t)}) > (${sql.join(t.keys.map((k, i) => cast(t, k.code, end.key[i] ?? '')))})`
    : sql`ctid > CAST(${end.key[0] ?? '(0,0)'} AS tid)`;
  if (!spec.sort) return keyTuple;
  const s = col(column(t, spec.sort.item));
  if (end.sort === null) return sql`(${s} IS NULL AND ${keyTuple})`;
  const v = cast(t, spec.sort.item, end.sort);
  const beyond = spec.sort.desc ? sql`${s} < ${v}` : sql`${s} > ${v}`;
  return sql`(${beyond} OR (${s} = ${v} AND ${keyTuple}) OR ${s} IS NULL)`;
}

/** One page (one row more than asked, to tell whether another follows), with each row's sort value and key. */
export async function selectPage(db: DbOrTrx, t: TableShape, spec: PageSpec) {
  const items = spec.items.map((code) => sql.raw(`${ident(code)}::text AS ${ident(code)}`));
  const keyOut = t.keys.length
    ? t.keys.map((k, i) => sql.raw(`${ident(k.code)}::text AS ${ident(`__k${i}`)}`))
    : [sql.raw(`ctid::text AS ${ident('__k0')}`)];
  const sortOut = spec.sort ? [sql.raw(`${ident(spec.sort.item)}::text AS ${ident('__s')}`)] : [];
  const conds = [...spec.where.map((c) => compile(t, c)), ...(spec.after ? [afterCondition(t, spec, spec.after)] : [])];
  // ORDER BY names the table's columns, qualified: unqualified, a name resolves to the output column of the same
  // name (its ::text), which sorts numbers as text and cannot use the key's index
  const own = (c: DataColumn) => sql.raw(`${dataTable(t.table)}.${ident(c.code)}`);
  const keys = t.keys.length ? sql.join(t.keys.map(own)) : sql.raw('ctid');
  const order = spec.sort
    ? sql`${own(column(t, spec.sort.item))} ${sql.raw(spec.sort.desc ? 'DESC' : 'ASC')} NULLS LAST, ${keys}`
    : keys;
  const { rows } = await sql<Record<string, string | null>>`
    SELECT ${sql.join([...items, ...keyOut, ...sortOut])} FROM ${sql.raw(dataTable(t.table))}
    ${whereAll(t, conds)} ORDER BY ${order} LIMIT ${spec.limit + 1}`.execute(db);
  return rows;
}

/**
 * An item's value written by an expression of the caller's over its column (given quoted), instead of the value:
 * the masking domain's SQL of a mask rule (maskSql). Null: the value itself.
 */
export type CopySql = (code: string, column: RawBuilder<unknown>) => RawBuilder<unknown> | null;

/**
 * The rows of a page spec without the extra row (all of them when `limit` is null) as one compiled SELECT, for COPY
 * (Database.copyOut writes its values in): the items as text, then (`keys`) the key's columns (or ctid) as text, in
 * key order.
 */
export function copyQuery(
  db: DbOrTrx,
  t: TableShape,
  spec: Omit<PageSpec, 'limit' | 'sort'> & { limit: number | null; sqlOf?: CopySql | undefined; keys: boolean },
) {
  const items = spec.items.map((code) => {
    const expr = spec.sqlOf?.(code, sql.raw(ident(column(t, code).code)));
    return expr ? sql`(${expr})::text AS ${sql.raw(ident(code))}` : sql.raw(`${ident(code)}::text AS ${ident(code)}`);
  });
  const keyOut = t.keys.length
    ? t.keys.map((k, i) => sql.raw(`${ident(k.code)}::text AS ${ident(`__k${i}`)}`))
    : [sql.raw(`ctid::text AS ${ident('__k0')}`)];
  const page = { ...spec, sort: null, limit: spec.limit ?? 0 };
  const conds = [...spec.where.map((c) => compile(t, c)), ...(spec.after ? [afterCondition(t, page, spec.after)] : [])];
  const own = (c: DataColumn) => sql.raw(`${dataTable(t.table)}.${ident(c.code)}`);
  const keys = t.keys.length ? sql.join(t.keys.map(own)) : sql.raw('ctid');
  return sql`SELECT ${sql.join([...items, ...(spec.keys ? keyOut : [])])} FROM ${sql.raw(dataTable(t.table))}
    ${whereAll(t, conds)} ORDER BY ${keys}${spec.limit === null ? sql`` : sql` LIMIT ${spec.limit}`}`.compile(db);
}

/** How many rows meet the conditions. */
export async function countRows(db: DbOrTrx, t: TableShape, where: Condition[]) {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM ${sql.raw(dataTable(t.table))} ${whereAll(
      t,
      where.map((c) => compile(t, c)),
    )}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The row with this key that meets the conditions, or nothing. */
export async function selectByKey(
  db: DbOrTrx,
  t: TableShape,
  key: Record<string, string>,
  items: string[],
  where: Condition[],
) {
  const conds = [
    ...t.keys.map((k) => sql`${col(k)} = ${cast(t, k.code, key[k.code]!)}`),
    ...where.map((c) => compile(t, c)),
  ];
  const { rows } = await sql<Record<string, string | null>>`
    SELECT ${sql.join(items.map((code) => sql.raw(`${ident(code)}::text AS ${ident(code)}`)))}
    FROM ${sql.raw(dataTable(t.table))} ${whereAll(t, conds)} LIMIT 1`.execute(db);
  return rows[0] ?? null;
}

/**
 * Whether the row with this key (meeting the conditions) holds each of the given values: true or false per item,
 * computed in the database, so the stored values never reach the caller. No row: null.
 */
export async function compareByKey(
  db: DbOrTrx,
  t: TableShape,
  key: Record<string, string>,
  values: Record<string, string>,
  where: Condition[],
): Promise<Record<string, boolean> | null> {
  const entries = Object.entries(values);
  const tests = entries.length
    ? entries.map(
        ([code, v], i) =>
          sql`coalesce(${col(column(t, code))} = ${cast(t, code, v)}, false) AS ${sql.raw(ident(`__m${i}`))}`,
      )
    : [sql`TRUE AS "__found"`];
  const conds = [
    ...t.keys.map((k) => sql`${col(k)} = ${cast(t, k.code, key[k.code]!)}`),
    ...where.map((c) => compile(t, c)),
  ];
  const { rows } = await sql<Record<string, boolean>>`
    SELECT ${sql.join(tests)} FROM ${sql.raw(dataTable(t.table))} ${whereAll(t, conds)} LIMIT 1`.execute(db);
  const row = rows[0];
  if (!row) return null;
  return Object.fromEntries(entries.map(([code], i) => [code, row[`__m${i}`] === true]));
}

// ---------------------------------------------------------------- the change feed (sharing's sync)
/** The resource's first succeeded batch numbered after `seq` (or `seq` itself, to go on within it). */
export async function changedBatch(db: DbOrTrx, resourceId: string, seq: number, same: boolean) {
  return db
    .selectFrom('ingest_batch')
    .select(['id', 'change_seq'])
    .where('resource_id', '=', resourceId)
    .where('change_seq', same ? '=' : '>', seq)
    .orderBy('change_seq')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The rows a batch wrote that no later batch rewrote (their batch_id is still this batch), in key order after
 * `after`, each with whether it meets `filter` (a row that left a grant's filter is reported as deleted).
 */
export async function selectChangedRows(
  db: DbOrTrx,
  t: TableShape,
  batchId: string,
  items: string[],
  filter: Condition | null,
  after: ChangeEnd['key'],
  limit: number,
) {
  const out = items.map((code) => sql.raw(`${ident(code)}::text AS ${ident(code)}`));
  const keyOut = t.keys.map((k, i) => sql.raw(`${ident(k.code)}::text AS ${ident(`__k${i}`)}`));
  const inFilter = filter ? sql`COALESCE((${compile(t, filter)}), false)` : sql`true`;
  const own = (c: DataColumn) => sql.raw(`${dataTable(t.table)}.${ident(c.code)}`);
  const conds = [
    sql`${sql.raw(ident('batch_id'))} = ${batchId}`,
    ...(after
      ? [afterCondition(t, { items, where: [], sort: null, after: null, limit }, { sort: null, key: after })]
      : []),
  ];
  const { rows } = await sql<Record<string, string | null> & { __in: boolean }>`
    SELECT ${sql.join([...out, ...keyOut])}, ${inFilter} AS ${sql.raw(ident('__in'))}
      FROM ${sql.raw(dataTable(t.table))} ${whereAll(t, conds)}
     ORDER BY ${sql.join(t.keys.map(own))} LIMIT ${limit}`.execute(db);
  return rows;
}

/** The rows a replacement removed and did not bring back, as they were, in key order after `after`. */
export async function selectDeletedRows(db: DbOrTrx, batchId: string, after: string[] | null, limit: number) {
  let q = db
    .selectFrom('ingest_prior_row')
    .select(['key', 'row'])
    .where('batch_id', '=', batchId)
    .where('kind', '=', 'deleted');
  if (after) q = q.where('key', '>', sql<string[]>`${after}::text[]`);
  return q.orderBy('key').limit(limit).execute();
}

/** The rows with these keys as they were before the batch overwrote them (those it did). */
export async function priorRowsOf(db: DbOrTrx, batchId: string, keys: string[][]) {
  if (!keys.length) return [];
  return db
    .selectFrom('ingest_prior_row')
    .select(['key', 'row'])
    .where('batch_id', '=', batchId)
    .where(sql<boolean>`key IN (${sql.join(keys.map((k) => sql`${k}::text[]`))})`)
    .execute();
}
