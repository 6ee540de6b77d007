// What another domain (sharing) may ask of a resource's loaded data: conditions as a tree (never SQL text), the
// items to return, an order and where the last page ended. Ingest owns the data tables and compiles the tree to
// parameterised SQL (serve.repository.ts); values are checked against their items before they get there.

/** A value as written in a condition: the item's canonical text form (checked by the item's checker). */
export type CondValue = string;

export type Condition =
  | { op: 'and' | 'or'; args: Condition[] }
  | { op: 'not'; arg: Condition }
  | { op: 'cmp'; item: string; cmp: '=' | '<>' | '<' | '<=' | '>' | '>='; value: CondValue }
  | { op: 'in'; item: string; values: CondValue[]; negated: boolean }
  | { op: 'between'; item: string; low: CondValue; high: CondValue }
  | { op: 'null'; item: string; negated: boolean }
  | { op: 'prefix'; item: string; value: string };

/** Where a page ended: the sort value and key of its last row (or the row's position in a table without a key). */
export interface PageEnd {
  sort: string | null;
  key: (string | null)[];
}

export interface PageSpec {
  items: string[];
  where: Condition[];
  sort: { item: string; desc: boolean } | null;
  after: PageEnd | null;
  limit: number;
}

/**
 * Where a change feed stands: within the batch numbered `seq` (ingest_batch.change_seq), in its changed rows or
 * then in the keys it deleted, after `key`; phase `done`: every change up to and including batch `seq` was read.
 */
export interface ChangeEnd {
  seq: number;
  phase: 'rows' | 'deletes' | 'done';
  key: string[] | null;
}

/** A change: a row inserted or updated (its items), or the key of a row that is gone or no longer in the filter. */
export type Change = { op: 'upsert'; row: ServedRow } | { op: 'delete'; key: Record<string, string> };

/** A row as served: values typed by the item (numbers for integers, booleans, text for the rest). */
export type ServedRow = Record<string, string | number | boolean | null>;

export interface ServedColumn {
  code: string;
  name: string;
  dataType: string;
  sqlType: string;
  key: boolean;
}

/** Every item a condition names, once. */
export function itemsOf(c: Condition, into = new Set<string>()): Set<string> {
  switch (c.op) {
    case 'and':
    case 'or':
      c.args.forEach((a) => itemsOf(a, into));
      break;
    case 'not':
      itemsOf(c.arg, into);
      break;
    default:
      into.add(c.item);
  }
  return into;
}

/**
 * Whether a row as it was (a prior row, its values as JSON) met a condition, with SQL's three values: null where
 * SQL's answer is NULL (a comparison with a missing value). Numbers compare as numbers, everything else as text in
 * its canonical form (dates `YYYY-MM-DD`), as the compiled SQL compares them; text ranges compare by code point,
 * which may differ from the database's collation for `<` and `>` on Chinese text.
 */
export function meets(c: Condition, row: Record<string, unknown>, numeric: (item: string) => boolean): boolean | null {
  const val = (item: string): string | number | null => {
    const v = row[item];
    if (v === null || v === undefined) return null;
    return numeric(item) ? Number(v) : String(v);
  };
  const lit = (item: string, v: string): string | number => (numeric(item) ? Number(v) : v);
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  switch (c.op) {
    case 'and': {
      let unknown = false;
      for (const a of c.args) {
        const r = meets(a, row, numeric);
        if (r === false) return false;
        if (r === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case 'or': {
      let unknown = false;
      for (const a of c.args) {
        const r = meets(a, row, numeric);
        if (r === true) return true;
        if (r === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case 'not': {
      const r = meets(c.arg, row, numeric);
      return r === null ? null : !r;
    }
    case 'cmp': {
      const v = val(c.item);
      if (v === null) return null;
      const d = cmp(v, lit(c.item, c.value));
      return { '=': d === 0, '<>': d !== 0, '<': d < 0, '<=': d <= 0, '>': d > 0, '>=': d >= 0 }[c.cmp];
    }
    case 'in': {
      const v = val(c.item);
      if (v === null) return c.negated ? false : null;
      const hit = c.values.some((x) => cmp(v, lit(c.item, x)) === 0);
      return c.negated ? !hit : hit;
    }
    case 'between': {
      const v = val(c.item);
      if (v === null) return null;
      return cmp(v, lit(c.item, c.low)) >= 0 && cmp(v, lit(c.item, c.high)) <= 0;
    }
    case 'null':
      return c.negated ? val(c.item) !== null : val(c.item) === null;
    case 'prefix': {
      const v = val(c.item);
      return v === null ? null : String(v).startsWith(c.value);
    }
  }
}
