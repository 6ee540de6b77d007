// SQL of the data browser and the masking preview over a resource's data table (schema "data"). Identifiers are
// quoted by ident(); values are bound. Every value comes back as text (booleans too), as the browser shows it.
import { sql, type RawBuilder } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import { copyUnescape } from '../../../db/copy-text.ts';
import { dataTable, ident } from '../table/table.ts';

export interface RowFilter {
  code: string;
  op: 'eq' | 'contains' | 'gt' | 'lt';
  /** `contains`: the text as typed; else the value in COPY text form, checked against the item. */
  value: string;
  /** The column's SQL type (the comparison casts the value to it). */
  sqlType: string;
}

export interface PageQuery {
  /** Items shown, in order. */
  codes: string[];
  filters: RowFilter[];
  /** An item, or `loaded_at`; none: by the key (or load time when there is no key). */
  sort?: string | undefined;
  descending: boolean;
  keyColumns: string[];
  /**
   * When the key is masked, its order must not show (masked ID numbers in key order tell the order of birth
   * dates), nor may ties fall back to the file's order: rows go by load order (or the sort), then by a keyed
   * pseudonym of the key made with this salt.
   */
  pseudonymSalt: string | null;
  limit: number;
  offset: number;
}

const OPS = { eq: '=', gt: '>', lt: '<' } as const;

function condition(f: RowFilter): RawBuilder<unknown> {
  const col = sql.raw(ident(f.code));
  if (f.op === 'contains') return sql`${col}::text ILIKE ${'%' + f.value.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`;
  return sql`${col} ${sql.raw(OPS[f.op])} CAST(${copyUnescape(f.value)} AS ${sql.raw(f.sqlType)})`;
}

function whereClause(filters: RowFilter[]): RawBuilder<unknown> {
  return filters.length ? sql`WHERE ${sql.join(filters.map(condition), sql` AND `)}` : sql``;
}

function orderClause(q: PageQuery): RawBuilder<unknown> {
  const direction = sql.raw(q.descending ? 'DESC' : 'ASC');
  const pseudonym = () => {
    const keyText = q.keyColumns.length
      ? q.keyColumns.map((k) => `coalesce(${ident(k)}::text, '')`).join(` || '|' || `)
      : `${ident('batch_id')}::text`;
    return sql`md5(${q.pseudonymSalt} || ${sql.raw(keyText)})`;
  };
  if (q.sort)
    return q.pseudonymSalt !== null
      ? sql`${sql.raw(ident(q.sort))} ${direction} NULLS LAST, ${pseudonym()}`
      : sql`${sql.raw(ident(q.sort))} ${direction} NULLS LAST`;
  if (q.pseudonymSalt !== null) return sql`${sql.raw(ident('loaded_at'))} ${direction}, ${pseudonym()} ${direction}`;
  if (q.keyColumns.length) return sql`${sql.raw(q.keyColumns.map(ident).join(', '))} ${direction} NULLS LAST`;
  return sql`${sql.raw(ident('loaded_at'))} ${direction} NULLS LAST`;
}

/** One page of rows: the items as text, and the load time in Asia/Shanghai. */
export async function selectPage(db: DbOrTrx, table: string, q: PageQuery): Promise<Record<string, string | null>[]> {
  const select = sql.join([
    ...q.codes.map((c) => sql.raw(`${ident(c)}::text AS ${ident(c)}`)),
    sql.raw(
      `to_char(${ident('loaded_at')} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS ${ident('loaded_at')}`,
    ),
  ]);
  const { rows } = await sql<Record<string, string | null>>`
    SELECT ${select} FROM ${sql.raw(dataTable(table))} ${whereClause(q.filters)}
    ORDER BY ${orderClause(q)} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(db);
  return rows;
}

/** How many rows match the filters. */
export async function countMatching(db: DbOrTrx, table: string, filters: RowFilter[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ${sql.raw(dataTable(table))} ${whereClause(filters)}`.execute(db);
  return rows[0]!.n;
}

/** The first rows by key (or by load time), the items as text: what a masking profile is tried on. */
export async function firstRows(
  db: DbOrTrx,
  table: string,
  codes: string[],
  keyColumns: string[],
  limit: number,
): Promise<Record<string, string | null>[]> {
  const order = keyColumns.length ? keyColumns.map(ident).join(', ') : ident('loaded_at');
  const { rows } = await sql<Record<string, string | null>>`
    SELECT ${sql.join(codes.map((c) => sql.raw(`${ident(c)}::text AS ${ident(c)}`)))}
    FROM ${sql.raw(dataTable(table))} ORDER BY ${sql.raw(order)} LIMIT ${limit}`.execute(db);
  return rows;
}
