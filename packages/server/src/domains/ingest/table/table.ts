// The typed table behind each approved tabular resource, in schema "data": created on approval, migrated
// with each new version (added columns, widened types), rebuilt and copied when a change is incompatible.
// Every identifier goes through ident(); nothing from the catalog is ever spliced into SQL unquoted.
import type { DataColumn } from '../../../db/schema.ts';
import { sqlType, type ItemSpec } from '../check/check.values.ts';

export const DATA_SCHEMA = 'data';
export const SYSTEM_COLUMNS = ['batch_id', 'loaded_at'] as const;

/** The one way an identifier reaches SQL: double-quoted, quotes doubled, NUL and over-long names refused. */
export function ident(name: string): string {
  if (!name || name.includes('\0') || Buffer.byteLength(name, 'utf8') > 63)
    throw new Error(`not a usable SQL identifier: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

export const dataTable = (table: string) => `${ident(DATA_SCHEMA)}.${ident(table)}`;

/** A readable table name from the resource code: r_<code as lower-case letters, digits and _>. */
export function baseTableName(code: string): string {
  const slug = code
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `r_${slug || 'resource'}`;
}

export function columnsOf(items: ItemSpec[]): DataColumn[] {
  return items.map((i) => ({
    code: i.code,
    name: i.name,
    sqlType: sqlType(i),
    dataType: i.dataType,
    key: i.primaryKey,
  }));
}

export function createTableSql(table: string, cols: DataColumn[]): string {
  const key = cols.filter((c) => c.key).map((c) => ident(c.code));
  const defs = [
    ...cols.map((c) => `${ident(c.code)} ${c.sqlType}${c.key ? ' NOT NULL' : ''}`),
    `${ident('batch_id')} uuid NOT NULL`,
    `${ident('loaded_at')} timestamptz NOT NULL DEFAULT now()`,
    ...(key.length ? [`PRIMARY KEY (${key.join(', ')})`] : []),
  ];
  return `CREATE TABLE ${dataTable(table)} (\n  ${defs.join(',\n  ')}\n)`;
}

const VARCHAR = /^character varying\((\d+)\)$/;
const NUMERIC = /^numeric\((\d+),(\d+)\)$/;

/** Whether a column of type `from` can be altered to `to` in place without losing or refusing a value. */
export function widens(from: string, to: string): boolean {
  if (from === to || to === 'text') return true;
  const fv = VARCHAR.exec(from);
  const tv = VARCHAR.exec(to);
  if (fv && tv) return Number(tv[1]) >= Number(fv[1]);
  const tn = NUMERIC.exec(to);
  if (from === 'bigint') return to === 'numeric' || (!!tn && Number(tn[1]) - Number(tn[2]) >= 19);
  const fn = NUMERIC.exec(from);
  if (fn)
    return (
      to === 'numeric' ||
      (!!tn && Number(tn[1]) - Number(tn[2]) >= Number(fn[1]) - Number(fn[2]) && Number(tn[2]) >= Number(fn[2]))
    );
  if (from === 'date') return to === 'timestamp without time zone';
  return false;
}

export type MigrationPlan =
  | { kind: 'none' }
  | { kind: 'alter'; statements: string[]; added: string[]; widened: string[] }
  | { kind: 'rebuild'; reasons: string[] };

/**
 * What a new version needs of the existing table. `actual` holds the table's real columns (format_type);
 * columns of items a version dropped stay in the table, unused, so no data is thrown away.
 */
export function planMigration(
  table: string,
  actual: Map<string, string>,
  oldKey: string[],
  next: DataColumn[],
): MigrationPlan {
  const newKey = next.filter((c) => c.key).map((c) => c.code);
  const reasons: string[] = [];
  if (newKey.join('\u0001') !== oldKey.join('\u0001'))
    reasons.push(`primary key (${oldKey.join(', ') || '—'}) → (${newKey.join(', ') || '—'})`);
  const statements: string[] = [];
  const added: string[] = [];
  const widened: string[] = [];
  for (const c of next) {
    const have = actual.get(c.code);
    if (have === undefined) {
      statements.push(`ALTER TABLE ${dataTable(table)} ADD COLUMN ${ident(c.code)} ${c.sqlType}`);
      added.push(c.code);
    } else if (have !== c.sqlType) {
      if (widens(have, c.sqlType)) {
        statements.push(
          `ALTER TABLE ${dataTable(table)} ALTER COLUMN ${ident(c.code)} TYPE ${c.sqlType} USING ${ident(c.code)}::${c.sqlType}`,
        );
        widened.push(c.code);
      } else reasons.push(`${c.code}: ${have} → ${c.sqlType}`);
    }
  }
  if (reasons.length) return { kind: 'rebuild', reasons };
  return statements.length ? { kind: 'alter', statements, added, widened } : { kind: 'none' };
}
