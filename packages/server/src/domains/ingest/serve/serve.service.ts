// A resource's loaded data as other domains may read it (sharing's data services): pages in a stable order,
// one row by its key, and comparisons that say match or no match without the stored values. Who may read what is
// the caller's business (a grant); this side owns the tables, the SQL, and the types of the values.
import { copyUnescape } from '../../../db/copy-text.ts';
import type { CopyOut, Db } from '../../../db/database.ts';
import type { DataColumn } from '../../../db/schema.ts';
import { findDataTable } from '../ingest.repository.ts';
import * as repo from './serve.repository.ts';
import type { CopySql, TableShape } from './serve.repository.ts';
import {
  meets,
  type Change,
  type ChangeEnd,
  type Condition,
  type PageEnd,
  type PageSpec,
  type ServedColumn,
  type ServedRow,
} from './serve.types.ts';

/** How long a table's shape is kept in memory (a new catalog version changes it; calls are many). */
const SHAPE_TTL_MS = 5_000;

/** Text from the database typed as the item says: whole numbers and booleans as such, everything else as text. */
function typed(dataType: string, v: string | null): string | number | boolean | null {
  if (v === null) return null;
  if (dataType === 'integer') return Number(v);
  if (dataType === 'boolean') return v === 'true';
  return v;
}

export class DataServer {
  private readonly shapes = new Map<
    string,
    { at: number; shape: (TableShape & { columnList: ServedColumn[] }) | null }
  >();

  constructor(
    private readonly db: Db,
    private readonly copyOut?: CopyOut,
    /** rows per COPY (null: one COPY streams them all; PGlite gives a COPY's result whole) */
    private readonly copyPart: number | null = null,
  ) {}

  /** The data table of a resource: its columns and key; null when it has none. */
  async shape(resourceId: string) {
    const hit = this.shapes.get(resourceId);
    if (hit && Date.now() - hit.at < SHAPE_TTL_MS) return hit.shape;
    const t = await findDataTable(this.db, resourceId);
    const shape = t
      ? (() => {
          const cols = t.columns as DataColumn[];
          return {
            table: t.table_name,
            columns: new Map(cols.map((c) => [c.code, c])),
            keys: t.key_columns.map((k) => cols.find((c) => c.code === k)!).filter(Boolean),
            columnList: cols.map((c) => ({
              code: c.code,
              name: c.name,
              dataType: c.dataType,
              sqlType: c.sqlType,
              key: c.key,
            })),
          };
        })()
      : null;
    this.shapes.set(resourceId, { at: Date.now(), shape });
    return shape;
  }

  private typedRow(shape: TableShape, items: string[], row: Record<string, string | null>): ServedRow {
    // a loop: pages of rows (an export's million) are typed here
    const out: ServedRow = {};
    for (const code of items) out[code] = typed(shape.columns.get(code)!.dataType, row[code] ?? null);
    return out;
  }

  /** A page of rows in a stable order, and where the next page starts (null: this was the last). */
  async page(resourceId: string, spec: PageSpec): Promise<{ rows: ServedRow[]; end: PageEnd | null } | null> {
    const shape = await this.shape(resourceId);
    if (!shape) return null;
    const got = await repo.selectPage(this.db, shape, spec);
    const more = got.length > spec.limit;
    const rows = more ? got.slice(0, spec.limit) : got;
    const last = rows.at(-1);
    const keyCount = Math.max(shape.keys.length, 1);
    const end: PageEnd | null =
      more && last
        ? {
            sort: spec.sort ? (last.__s ?? null) : null,
            key: Array.from({ length: keyCount }, (_, i) => last[`__k${i}`] ?? null),
          }
        : null;
    return { rows: rows.map((r) => this.typedRow(shape, spec.items, r)), end };
  }

  /**
   * Every row that meets the conditions, in key order, as COPY text: each line the items (on PGlite then the key's
   * columns, as text, for the next part to start after). On PGlite a COPY of `copyPart` rows at a time, each going on after the key the
   * last one ended with. At most `max` rows (the count the caller recorded); `sqlOf` may write an item through an
   * expression of its own (a mask in SQL). Null when the resource has no data table.
   */
  async copyRows(resourceId: string, spec: { items: string[]; where: Condition[]; max: number; sqlOf?: CopySql }) {
    const copyOut = this.copyOut;
    if (!copyOut) throw new Error('DataServer: no COPY out on this database');
    const shape = await this.shape(resourceId);
    return shape ? copyParts(this.db, copyOut, shape, { ...spec, part: this.copyPart }) : null;
  }

  /**
   * What changed after `after` (from the first batch when null), batch by batch in commit order, at most `limit`
   * changes: rows written (or, when they no longer meet `filter`, their keys as deleted), then the keys a
   * replacement removed. `end` is where the next call goes on from; `more` says whether changes remain now.
   * A table without a key has no change feed: null.
   */
  async changes(
    resourceId: string,
    spec: { items: string[]; filter: Condition | null; after: ChangeEnd | null; limit: number },
  ): Promise<{ changes: Change[]; end: ChangeEnd; more: boolean } | null> {
    const shape = await this.shape(resourceId);
    if (!shape || !shape.keys.length) return null;
    const keyOf = (values: (string | null)[]) =>
      Object.fromEntries(shape.keys.map((k, i) => [k.code, values[i] ?? ''])) as Record<string, string>;
    const changes: Change[] = [];
    // a row the grant no longer serves was served before if its prior form met the filter: only then is it sent
    // as deleted (a key the grant never served is never named)
    const numeric = (code: string) => ['integer', 'decimal'].includes(shape.columns.get(code)?.dataType ?? '');
    const servedBefore = (prior: Record<string, unknown>) =>
      !spec.filter || meets(spec.filter, prior, numeric) === true;
    let pos: ChangeEnd = spec.after ?? { seq: 0, phase: 'done', key: null };
    let batch = pos.phase === 'done' ? null : await repo.changedBatch(this.db, resourceId, pos.seq, true);
    for (;;) {
      if (pos.phase === 'done' || !batch) {
        batch = await repo.changedBatch(this.db, resourceId, pos.seq, false);
        if (!batch) return { changes, end: pos, more: false };
        pos = { seq: batch.change_seq!, phase: 'rows', key: null };
      }
      const room = spec.limit - changes.length;
      if (room <= 0) return { changes, end: pos, more: true };
      if (pos.phase === 'rows') {
        const rows = await repo.selectChangedRows(this.db, shape, batch.id, spec.items, spec.filter, pos.key, room);
        const keyText = (r: Record<string, unknown>) => shape.keys.map((_, i) => String(r[`__k${i}`] ?? ''));
        const outside = rows.filter((r) => !r.__in).map(keyText);
        const priors = new Map(
          (await repo.priorRowsOf(this.db, batch.id, outside)).map((p) => [JSON.stringify(p.key), p.row]),
        );
        for (const r of rows) {
          if (r.__in) changes.push({ op: 'upsert', row: this.typedRow(shape, spec.items, r) });
          else {
            const prior = priors.get(JSON.stringify(keyText(r)));
            if (prior && servedBefore(prior)) changes.push({ op: 'delete', key: keyOf(keyText(r)) });
          }
        }
        pos =
          rows.length < room
            ? { seq: pos.seq, phase: 'deletes', key: null }
            : { seq: pos.seq, phase: 'rows', key: keyText(rows.at(-1)!) };
      } else {
        const gone = await repo.selectDeletedRows(this.db, batch.id, pos.key, room);
        for (const g of gone) if (servedBefore(g.row)) changes.push({ op: 'delete', key: keyOf(g.key) });
        pos =
          gone.length < room
            ? { seq: pos.seq, phase: 'done', key: null }
            : { seq: pos.seq, phase: 'deletes', key: gone.at(-1)!.key };
      }
    }
  }

  /** How many rows meet the conditions (0 when the resource has no data yet). */
  async count(resourceId: string, where: Condition[]) {
    const shape = await this.shape(resourceId);
    return shape ? repo.countRows(this.db, shape, where) : 0;
  }

  /** One row by its key, if it meets the conditions. */
  async lookup(resourceId: string, key: Record<string, string>, items: string[], where: Condition[]) {
    const shape = await this.shape(resourceId);
    if (!shape) return null;
    const row = await repo.selectByKey(this.db, shape, key, items, where);
    return row ? this.typedRow(shape, items, row) : null;
  }

  /** For the row with this key (meeting the conditions), whether it holds each value; null: no such row. */
  async compare(resourceId: string, key: Record<string, string>, values: Record<string, string>, where: Condition[]) {
    const shape = await this.shape(resourceId);
    if (!shape) return null;
    return repo.compareByKey(this.db, shape, key, values, where);
  }
}

async function* copyParts(
  db: Db,
  copyOut: CopyOut,
  shape: TableShape,
  spec: { items: string[]; where: Condition[]; max: number; part: number | null; sqlOf?: CopySql | undefined },
): AsyncGenerator<Buffer> {
  const keyCount = Math.max(shape.keys.length, 1);
  let after: PageEnd | null = null;
  let left = spec.max;
  while (left > 0) {
    const limit = Math.min(left, spec.part ?? left);
    // the key's columns follow the items only where a next part needs them
    const query = repo.copyQuery(db, shape, {
      items: spec.items,
      where: spec.where,
      after,
      limit,
      sqlOf: spec.sqlOf,
      keys: spec.part !== null,
    });
    // the last line read so far (it may span chunks)
    let tail: Buffer = Buffer.alloc(0);
    let lines = 0;
    for await (const chunk of copyOut(query)) {
      if (spec.part !== null) {
        lines += countLines(chunk);
        const nl = chunk.length > 1 ? chunk.lastIndexOf(10, chunk.length - 2) : -1;
        tail = nl >= 0 ? chunk.subarray(nl + 1) : Buffer.concat([tail, chunk]);
      }
      yield chunk;
    }
    left -= limit;
    if (spec.part === null || lines < limit || !tail.length) return;
    // the next part starts after the last line's key (its last fields)
    const end = tail[tail.length - 1] === 10 ? tail.length - 1 : tail.length;
    const line = tail.toString('utf8', 0, end).split('\t');
    after = { sort: null, key: line.slice(-keyCount).map((f) => (f === '\\N' ? null : copyUnescape(f))) };
  }
}

function countLines(b: Buffer) {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}
