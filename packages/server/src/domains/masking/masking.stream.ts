// Masking a CSV as a stream: parse, mask each row by column, write. The CLI and the benchmark share it.
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { maskValue, type Column, type Rule, type ScopeKeys } from './masking.rules.ts';

export interface CsvProfile {
  /** by header text: the column's type and kind, and its rule */
  columns: Record<string, { rule: Rule; column: Column }>;
}

export interface MaskStats {
  rows: number;
  values: number;
  unmatchedHeaders: string[];
}

/**
 * Reads CSV from `input`, masks it, writes CSV to `output`. Columns the profile does not name are masked
 * whole (fail closed) unless `passUnknown` is set. `identity` only copies (the benchmark's baseline).
 */
export async function maskCsv(
  input: Readable,
  output: Writable,
  profile: CsvProfile,
  keys: ScopeKeys,
  opts: { passUnknown?: boolean; identity?: boolean; onRows?: (n: number) => void } = {},
): Promise<MaskStats> {
  const stats: MaskStats = { rows: 0, values: 0, unmatchedHeaders: [] };
  let plan: ((v: string) => unknown)[] | null = null;
  const today = new Date();
  const transform = new Transform({
    objectMode: true,
    transform(record: string[], _enc, done) {
      if (!plan) {
        plan = record.map((h) => {
          const p = profile.columns[h.trim()] ?? profile.columns[h.trim().toLowerCase()];
          if (!p) stats.unmatchedHeaders.push(h);
          if (opts.identity || (!p && opts.passUnknown)) return (v: string) => v;
          const column = p?.column ?? { code: h, dataType: 'string' };
          const rule = p?.rule; // undefined → fail closed inside maskValue
          return (v: string) => maskValue(v, column, rule, keys, today);
        });
        done(null, record);
        return;
      }
      const out = new Array(record.length);
      for (let i = 0; i < record.length; i++) out[i] = plan[i] ? plan[i]!(record[i]!) : record[i];
      stats.rows++;
      stats.values += record.length;
      if (opts.onRows && stats.rows % 10000 === 0) opts.onRows(stats.rows);
      done(null, out);
    },
  });
  await pipeline(input, parse({ bom: true, relax_column_count: true }), transform, stringify(), output);
  return stats;
}
