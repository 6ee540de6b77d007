// The statements a rule set runs inside the database (§20: cleaning, comparison, verification). Every row-level
// check of a resource — required items, formats, value sets, ranges, patterns, dates in the future, values that
// must exist in another resource — is one FILTER of one scan of the resource's table, which also counts the rows
// and keeps the first failing keys; a uniqueness check on items other than the key is one grouping. Values from a
// rule are parameters; identifiers go through ingest's quoting helper.
import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTrx } from '../../../db/database.ts';
import { dataTable, ident } from '../../ingest/index.ts';

export interface ColumnRef {
  code: string;
  dataType: string;
}

export type RowCheck =
  | { kind: 'not_null'; items: ColumnRef[] }
  | { kind: 'validator'; item: ColumnRef; validator: 'id_card' | 'uscc' | 'mobile' | 'email' }
  | { kind: 'value_set'; item: ColumnRef; values: string[] }
  | { kind: 'range'; item: ColumnRef; min: string | null; max: string | null }
  | { kind: 'pattern'; item: ColumnRef; pattern: string }
  | { kind: 'not_future'; item: ColumnRef; today: string; now: string }
  | { kind: 'exists_in'; items: ColumnRef[]; refTable: string; refItems: string[] };

const col = (c: ColumnRef | string) => sql.raw(`t.${ident(typeof c === 'string' ? c : c.code)}`);
const text = (c: ColumnRef) => sql`${col(c)}::text`;
const MOBILE = '^(\\+?86)?1[3-9][0-9]{9}$';
const EMAIL = '^[^[:space:]@]+@[^[:space:]@]+\\.[a-zA-Z]{2,}$';

/** A value of a rule in the item's own type, so a range compares numbers as numbers and dates as dates. */
function typed(c: ColumnRef, v: string) {
  switch (c.dataType) {
    case 'integer':
    case 'decimal':
      return sql`CAST(${v} AS numeric)`;
    case 'date':
      return sql`CAST(${v} AS date)`;
    case 'datetime':
      return sql`CAST(${v} AS timestamp)`;
    default:
      return sql`CAST(${v} AS text)`;
  }
}

/** The condition a failing row meets. */
export function failing(c: RowCheck): RawBuilder<unknown> {
  switch (c.kind) {
    case 'not_null':
      return sql`(${sql.join(
        c.items.map((i) => sql`${col(i)} IS NULL`),
        sql` OR `,
      )})`;
    case 'validator':
      switch (c.validator) {
        case 'id_card':
          return sql`NOT quality_resident_id_ok(${text(c.item)})`;
        case 'uscc':
          return sql`NOT quality_uscc_ok(${text(c.item)})`;
        case 'mobile':
          // as ingest judges it: spaces and dashes aside
          return sql`regexp_replace(${text(c.item)}, '[[:space:]-]', '', 'g') !~ ${MOBILE}`;
        case 'email':
          return sql`btrim(${text(c.item)}) !~ ${EMAIL}`;
      }
      break;
    case 'value_set':
      return sql`${text(c.item)} <> ALL(${c.values}::text[])`;
    case 'range': {
      const parts = [
        ...(c.min !== null ? [sql`${col(c.item)} < ${typed(c.item, c.min)}`] : []),
        ...(c.max !== null ? [sql`${col(c.item)} > ${typed(c.item, c.max)}`] : []),
      ];
      return parts.length ? sql`(${sql.join(parts, sql` OR `)})` : sql`false`;
    }
    case 'pattern':
      return sql`${text(c.item)} !~ ${c.pattern}`;
    case 'not_future':
      return c.item.dataType === 'date'
        ? sql`${col(c.item)} > CAST(${c.today} AS date)`
        : sql`${col(c.item)} > CAST(${c.now} AS timestamp)`;
    case 'exists_in': {
      // a hashed sub-plan: the other table is read once; values compare as text, whatever their types
      const mine = c.items.map((i) => text(i));
      const theirs = c.refItems.map((r) => sql`r.${sql.raw(ident(r))}::text`);
      const notNull = c.refItems.map((r) => sql`r.${sql.raw(ident(r))} IS NOT NULL`);
      return sql`(${sql.join(mine)}) NOT IN (SELECT ${sql.join(theirs)} FROM ${sql.raw(dataTable(c.refTable))} r WHERE ${sql.join(notNull, sql` AND `)})`;
    }
  }
  throw new Error(`no condition for ${JSON.stringify(c)}`);
}

/** The items a check reads: a row with any of them empty is not judged by a format, set, range or existence check. */
function guard(c: RowCheck): RawBuilder<unknown> {
  const items = c.kind === 'not_null' ? [] : c.kind === 'exists_in' ? c.items : [c.item];
  return items.length ? sql.join([...items.map((i) => sql`${col(i)} IS NOT NULL`)], sql` AND `) : sql`true`;
}

export interface ScanCheck {
  check: RowCheck;
  /** Batches whose rows ingest already made this check on (at the door): those rows are not judged again. */
  checkedAtLoad?: string[];
  /**
   * An existence check whose other items are the other table's key, on few rows: each row is looked up in that
   * key's index (a nested loop, which parallel workers can run) instead of hashing the whole other table.
   */
  lookUp?: boolean;
  /**
   * How the first failing keys are found: in the scan itself (`scan`: each failing row costs a call, so for a rule
   * that failed few rows last time), or afterwards by a query that stops at the twentieth (`after`: for a rule that
   * failed many, or never ran; a rare failure then costs a second pass), or not at all (`none`: a check that carries
   * twenty failing keys from its rule's last run).
   */
  sample: 'scan' | 'after' | 'none';
}

export interface ScanResult {
  rows: number;
  checks: { failing: number; checked: number; sample: string[] }[];
}

/**
 * Runs `fn` in a transaction (the caller's, or its own) with room for hash tables and groupings in memory. Its
 * settings last until that transaction ends: callers pass the database, not a transaction of their own.
 */
async function withRoom<T>(db: DbOrTrx, fn: (trx: DbOrTrx) => Promise<T>): Promise<T> {
  const inTrx = async (trx: DbOrTrx) => {
    await sql`SET LOCAL work_mem = '256MB'`.execute(trx);
    // compiling these statements costs more than it saves (measured on the rule set of 10 M rows)
    await sql`SET LOCAL jit = off`.execute(trx);
    return fn(trx);
  };
  return 'isTransaction' in db && db.isTransaction ? inTrx(db) : (db as Db).transaction().execute(inTrx);
}

/** The key of a row as text (several key items joined by '|'), for the samples; null when the table has none. */
function keyText(keys: string[]) {
  if (!keys.length) return null;
  return keys.length === 1
    ? sql`${col(keys[0]!)}::text`
    : sql`concat_ws('|', ${sql.join(keys.map((k) => sql`${col(k)}::text`))})`;
}

/**
 * One scan of a resource's table for all its row checks: the rows, and for each check the rows it judged, those
 * that failed and the first failing keys. Runs with room for the existence checks' hash tables. `only` keeps the
 * rows whose key is one of them (a report's rows); `within` the rows of these batches (the new batches of the checks
 * that carry what they judged before: see the rule service's carry).
 */
export async function scan(
  db: DbOrTrx,
  table: string,
  keys: string[],
  checks: ScanCheck[],
  rows: { only?: string[]; within?: string[] } = {},
): Promise<ScanResult> {
  const key = keyText(keys);
  const filters = [
    ...(rows.only && key ? [sql`${key} = ANY(${rows.only}::text[])`] : []),
    ...(rows.within ? [sql`t.batch_id = ANY(${rows.within}::uuid[])`] : []),
  ];
  const where = (lead: string) => (filters.length ? sql`${sql.raw(lead)}${sql.join(filters, sql` AND `)}` : sql``);
  const columns: RawBuilder<unknown>[] = [sql`count(*) AS n`];
  const joins: RawBuilder<unknown>[] = [];
  const conditions = checks.map((c, i) => {
    let fails = failing(c.check);
    if (c.lookUp && c.check.kind === 'exists_in') {
      // the other table's key items are never empty: a row without a match leaves them empty
      const ref = c.check.refItems;
      const r = sql.raw(`r${i}`);
      const same = c.check.items.map((it, k) => sql`${r}.${sql.raw(ident(ref[k]!))} = ${text(it)}`);
      joins.push(sql` LEFT JOIN ${sql.raw(dataTable(c.check.refTable))} ${r} ON ${sql.join(same, sql` AND `)}`);
      fails = sql`${r}.${sql.raw(ident(ref[0]!))} IS NULL`;
    }
    const f = c.checkedAtLoad?.length
      ? sql`(t.batch_id IS NULL OR NOT (t.batch_id = ANY(${c.checkedAtLoad}::uuid[]))) AND ${fails}`
      : fails;
    return { g: guard(c.check), f };
  });
  // a looked-up check's keys come from the scan: the query after it would not have the join
  const sampling = checks.map((c) => (c.lookUp && c.sample === 'after' ? 'scan' : c.sample));
  conditions.forEach(({ g, f }, i) => {
    columns.push(sql`count(*) FILTER (WHERE ${g}) AS ${sql.raw(`c${i}`)}`);
    columns.push(sql`count(*) FILTER (WHERE ${g} AND ${f}) AS ${sql.raw(`f${i}`)}`);
    if (key && sampling[i] === 'scan')
      columns.push(sql`quality_sample(${key}) FILTER (WHERE ${g} AND ${f}) AS ${sql.raw(`s${i}`)}`);
  });
  return withRoom(db, async (trx) => {
    if (joins.length) {
      // the lookups as nested loops over the other tables' keys (the rows looked up are few: see `lookUp`)
      await sql`SET LOCAL enable_hashjoin = off`.execute(trx);
      await sql`SET LOCAL enable_mergejoin = off`.execute(trx);
    }
    const r = await sql<Record<string, unknown>>`SELECT ${sql.join(columns)}
      FROM ${sql.raw(dataTable(table))} t${sql.join(joins, sql``)}${where(' WHERE ')}`.execute(trx);
    const row = r.rows[0]!;
    // the keys of the checks sampled afterwards: the first twenty failing rows, in whatever order the scan meets them
    if (key)
      for (const [i, { g, f }] of conditions.entries())
        if (sampling[i] === 'after' && Number(row[`f${i}`]) > 0) {
          const s = await sql<{ k: string }>`SELECT ${key} AS k FROM ${sql.raw(dataTable(table))} t
            WHERE ${g} AND ${f}${where(' AND ')} LIMIT 20`.execute(trx);
          row[`s${i}`] = s.rows.map((x) => x.k);
        }
    return {
      rows: Number(row.n),
      checks: checks.map((_, i) => ({
        checked: Number(row[`c${i}`]),
        failing: Number(row[`f${i}`]),
        sample: key ? ((row[`s${i}`] as string[] | null) ?? []) : [],
      })),
    };
  });
}

/** Rows whose items repeat another row's (rows with an empty item are not judged), and a key of each group. */
export async function duplicates(db: DbOrTrx, table: string, keys: string[], items: string[]) {
  const key = keyText(keys) ?? sql`NULL::text`;
  const group = sql.join(items.map((i) => col(i)));
  const notNull = sql.join(
    items.map((i) => sql`${col(i)} IS NOT NULL`),
    sql` AND `,
  );
  const row = await withRoom(db, async (trx) => {
    const r = await sql<{ checked: string | null; failing: string | null; sample: string[] | null }>`
      SELECT sum(g.n) AS checked, sum(g.n) FILTER (WHERE g.n > 1) AS failing,
        quality_sample(g.k) FILTER (WHERE g.n > 1) AS sample
      FROM (SELECT count(*) AS n, min(${key}) AS k FROM ${sql.raw(dataTable(table))} t WHERE ${notNull}
        GROUP BY ${group}) g`.execute(trx);
    return r.rows[0]!;
  });
  return {
    checked: Number(row.checked ?? 0),
    failing: Number(row.failing ?? 0),
    sample: (row.sample ?? []).filter(Boolean),
  };
}

/** Whether PostgreSQL accepts a pattern as a regular expression: the reason in its words when not. */
export async function patternProblem(db: DbOrTrx, pattern: string): Promise<string | null> {
  try {
    await db.transaction().execute(async (trx) => {
      await sql`SELECT '' ~ ${pattern}`.execute(trx);
    });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
