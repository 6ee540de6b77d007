// The `mask` rule written as SQL, for the masks PostgreSQL does as cheaply as it reads the value: characters kept
// at the ends (an ID, a mobile, a bank card…), an e-mail's first letter and domain, a name's surname. A file
// export reads its rows through COPY (ADR 0011), and these spare the converter decoding, masking and encoding the
// value. Each expression gives what maskValue gives, or, for a value it does not handle the same way for sure
// (a name that does not start with a common Han character, an e-mail with two @, a value starting with a control
// character, an end that trimming would remove), the value itself after a \x01: the converter masks those with
// maskValue. Tests hold every expression to maskValue on both databases (masking.sql.test.ts).
import { literal } from '../../db/inline.ts';
import { COMPOUND_SURNAMES } from './masking.names.ts';
import { MASK_DEFAULTS, SQL_FALLBACK, type Column, type Rule } from './masking.rules.ts';

/** Code points that String.prototype.trim removes (a name or value ending in one goes to maskValue). */
const TRIMMED = [
  9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239,
  8287, 12288, 65279,
];

const intOf = (n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`masking.sql: ${n} is not a count`);
  return String(n);
};

/** maskChars in SQL (code points, as PostgreSQL's length, left and right count them); the common case first. */
function maskCharsSql(v: string, keepFirst: number, keepLast: number, fill: string) {
  const f = literal(fill);
  const keep = intOf(keepFirst + keepLast);
  const first = keepFirst ? `left(${v}, ${intOf(keepFirst)}) || ` : '';
  const last = keepLast ? ` || right(${v}, ${intOf(keepLast)})` : '';
  return `CASE WHEN length(${v}) > ${keep} THEN ${first}repeat(${f}, length(${v}) - ${keep})${last}
      WHEN length(${v}) > 1 THEN left(${v}, 1) || repeat(${f}, length(${v}) - 1)
      ELSE repeat(${f}, length(${v})) END`;
}

/**
 * The SQL of a `mask` rule over the column `ref` (a quoted identifier), or null when the rule has none here (any
 * other rule, a column that is not text, an address, a fill that is not one printable character).
 */
export function maskSql(col: Column, r: Rule | undefined, ref: string): string | null {
  if (r?.rule !== 'mask' || col.dataType !== 'string') return null;
  const fill = r.fill ?? '*';
  if ([...fill].length !== 1 || fill.charCodeAt(0) < 32 || fill === SQL_FALLBACK) return null;
  let masked: string;
  if (r.keepFirst !== undefined || r.keepLast !== undefined)
    masked = maskCharsSql(ref, r.keepFirst ?? 0, r.keepLast ?? 0, fill);
  else if (col.piiKind === 'name') {
    const compounds = literal(`{${COMPOUND_SURNAMES.join(',')}}`);
    // nothing at the end that trimming removes (the surname is read from the trimmed name); the surname compound
    // or a CJK unified ideograph (so not a space either)
    return wrap(
      ref,
      `CASE WHEN ascii(right(${ref}, 1)) IN (${TRIMMED.join(', ')}) THEN NULL
       WHEN length(${ref}) > 2 AND left(${ref}, 2) = ANY(${compounds}::text[])
         THEN left(${ref}, 2) || repeat('*', greatest(1, length(${ref}) - 2))
       WHEN ascii(${ref}) BETWEEN 19968 AND 40959
         THEN left(${ref}, 1) || repeat('*', greatest(1, length(${ref}) - 1))
       ELSE NULL END`,
      col.length,
    );
  } else if (col.piiKind === 'email')
    // one @, not first: its first character, *** and the domain
    return wrap(
      ref,
      `CASE WHEN strpos(${ref}, '@') > 1 AND strpos(substr(${ref}, strpos(${ref}, '@') + 1), '@') = 0
         THEN left(${ref}, 1) || '***' || substr(${ref}, strpos(${ref}, '@'))
       ELSE NULL END`,
      col.length,
    );
  else if (col.piiKind === 'address') return null;
  else {
    // (a kind's own shape is always filled with `*`: a fill goes with the characters kept)
    const d = col.piiKind ? MASK_DEFAULTS[col.piiKind] : undefined;
    masked = maskCharsSql(ref, d?.[0] ?? 0, d?.[1] ?? 0, '*');
  }
  return wrap(ref, masked, col.length);
}

/**
 * NULL and '' as they are; a value starting with a control character (so that no masked value starts with the
 * fallback mark), or one the expression gives NULL for, to maskValue; the rest masked and cut to the item's length.
 * (ascii of NULL is NULL and of '' is 0: the common case is one test.)
 */
function wrap(ref: string, masked: string, length: number | null | undefined) {
  const fit = length ? `left(${masked}, ${intOf(length)})` : `(${masked})`;
  const fallback = `${literal(SQL_FALLBACK)} || ${ref}`;
  return `CASE WHEN ascii(${ref}) >= 32 THEN coalesce(${fit}, ${fallback})
    WHEN ${ref} = '' THEN ${ref} ELSE ${fallback} END`;
}
