import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { MaskingProfileTable } from '../../db/schema.ts';
import { COMPOUND_SURNAMES } from './masking.names.ts';
import { MASK_DEFAULTS, SQL_FALLBACK, type Column, type Rule } from './masking.rules.ts';

export function listProfiles(db: DbOrTrx, resourceId: string) {
  return db
    .selectFrom('masking_profile')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .orderBy('created_at')
    .execute();
}
export function findProfile(db: DbOrTrx, id: string) {
  return db.selectFrom('masking_profile').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function profileNameTaken(db: DbOrTrx, resourceId: string, name: string) {
  return !!(await db
    .selectFrom('masking_profile')
    .select('id')
    .where('resource_id', '=', resourceId)
    .where('name', '=', name)
    .executeTakeFirst());
}
export async function insertProfile(db: DbOrTrx, row: Insertable<MaskingProfileTable>) {
  await db.insertInto('masking_profile').values(row).execute();
}
export async function updateProfile(db: DbOrTrx, id: string, patch: Updateable<MaskingProfileTable>) {
  await db.updateTable('masking_profile').set(patch).where('id', '=', id).execute();
}

export function findProfileByName(db: DbOrTrx, resourceId: string, name: string) {
  return db
    .selectFrom('masking_profile')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function profileNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('masking_profile').select(['id', 'name', 'resource_id']).where('id', 'in', ids).execute()
    : Promise.resolve([]);
}

// ---------------------------------------------------------------- the mask rule in SQL
// The `mask` rule written as SQL (maskSql), for the masks PostgreSQL does as cheaply as it reads the value:
// characters kept at the ends (an ID, a mobile, a bank card…), an e-mail's first letter and domain, a name's
// surname. A file export reads its rows through COPY (ADR 0011), and these spare the converter decoding, masking and
// encoding the value. Each expression gives what maskValue gives, or, for a value it does not handle the same way
// for sure (a name that does not start with a common Han character, an e-mail with two @, a value starting with a
// control character, an end that trimming would remove), the value itself after a \x01: the converter masks those
// with maskValue. Tests hold every expression to maskValue on both databases (masking.sql.test.ts). The expressions
// bind their values; a COPY has them written in by the database layer (db/database.ts copyOut).

/** Code points that String.prototype.trim removes (a name or value ending in one goes to maskValue). */
const TRIMMED = sql.raw(
  [
    9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233,
    8239, 8287, 12288, 65279,
  ].join(', '),
);
const COMPOUNDS = `{${COMPOUND_SURNAMES.join(',')}}`;

type Sql = RawBuilder<unknown>;

const count = (n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`maskSql: ${n} is not a count`);
  return n;
};

/** maskChars in SQL (code points, as PostgreSQL's length, left and right count them); the common case first. */
function maskCharsSql(v: Sql, keepFirst: number, keepLast: number, fill: string): Sql {
  const keep = count(keepFirst + keepLast);
  const first = keepFirst ? sql`left(${v}, ${count(keepFirst)}) || ` : sql``;
  const last = keepLast ? sql` || right(${v}, ${count(keepLast)})` : sql``;
  return sql`CASE WHEN length(${v}) > ${keep} THEN ${first}repeat(${fill}, length(${v}) - ${keep})${last}
      WHEN length(${v}) > 1 THEN left(${v}, 1) || repeat(${fill}, length(${v}) - 1)
      ELSE repeat(${fill}, length(${v})) END`;
}

/**
 * NULL and '' as they are; a value starting with a control character (so that no masked value starts with the
 * fallback mark), or one the expression gives NULL for, to maskValue; the rest masked and cut to the item's length.
 * (ascii of NULL is NULL and of '' is 0: the common case is one test.)
 */
function wrap(v: Sql, masked: Sql, length: number | null | undefined): Sql {
  const fit = length ? sql`left(${masked}, ${count(length)})` : sql`(${masked})`;
  const fallback = sql`${SQL_FALLBACK} || ${v}`;
  return sql`CASE WHEN ascii(${v}) >= 32 THEN coalesce(${fit}, ${fallback})
    WHEN ${v} = '' THEN ${v} ELSE ${fallback} END`;
}

/**
 * The SQL of a `mask` rule, as a function of the column (its quoted identifier), or null when the rule has none
 * here (any other rule, a column that is not text, an address, a fill that is not one printable character).
 */
export function maskSql(col: Column, r: Rule | undefined): ((v: Sql) => Sql) | null {
  if (r?.rule !== 'mask' || col.dataType !== 'string') return null;
  const fill = r.fill ?? '*';
  if ([...fill].length !== 1 || fill.charCodeAt(0) < 32 || fill === SQL_FALLBACK) return null;
  if (r.keepFirst !== undefined || r.keepLast !== undefined) {
    const { keepFirst = 0, keepLast = 0 } = r;
    return (v) => wrap(v, maskCharsSql(v, keepFirst, keepLast, fill), col.length);
  }
  if (col.piiKind === 'name')
    // nothing at the end that trimming removes (the surname is read from the trimmed name); the surname compound
    // or a CJK unified ideograph (so not a space either)
    return (v) =>
      wrap(
        v,
        sql`CASE WHEN ascii(right(${v}, 1)) IN (${TRIMMED}) THEN NULL
         WHEN length(${v}) > 2 AND left(${v}, 2) = ANY(${COMPOUNDS}::text[])
           THEN left(${v}, 2) || repeat('*', greatest(1, length(${v}) - 2))
         WHEN ascii(${v}) BETWEEN 19968 AND 40959
           THEN left(${v}, 1) || repeat('*', greatest(1, length(${v}) - 1))
         ELSE NULL END`,
        col.length,
      );
  if (col.piiKind === 'email')
    // one @, not first: its first character, *** and the domain
    return (v) =>
      wrap(
        v,
        sql`CASE WHEN strpos(${v}, '@') > 1 AND strpos(substr(${v}, strpos(${v}, '@') + 1), '@') = 0
           THEN left(${v}, 1) || '***' || substr(${v}, strpos(${v}, '@'))
         ELSE NULL END`,
        col.length,
      );
  if (col.piiKind === 'address') return null;
  // (a kind's own shape is always filled with `*`: a fill goes with the characters kept)
  const d = col.piiKind ? MASK_DEFAULTS[col.piiKind] : undefined;
  return (v) => wrap(v, maskCharsSql(v, d?.[0] ?? 0, d?.[1] ?? 0, '*'), col.length);
}
