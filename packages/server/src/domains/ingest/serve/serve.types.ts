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
