// Which export a leaked file came from (ADR 0011): the file is read (CSV in any encoding, or XLSX), its carrier
// values are compared with what each export would have written, and an export is named only when no other could
// have agreed as well by chance (FALSE_ATTRIBUTION_BOUND). The CLI (`gongshu trace FILE`) and the Center's page
// share this.
import { createHash } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import type { ExportColumn } from '../../../db/schema.ts';
import type { RequestContext } from '../../../platform/context.ts';
import { AppError } from '../../../platform/errors.ts';
import { writeAudit } from '../../audit/index.ts';
import { authLabels } from '../../auth/index.ts';
import { FileError, openCsv, openXlsx } from '../../ingest/index.ts';
import type { MaskingService } from '../../masking/index.ts';
import { authorize } from '../sharing.policy.ts';
import * as repo from './export.repository.ts';
import {
  CarrierSet,
  CARRIERS,
  chanceText,
  evidenceFor,
  FALSE_ATTRIBUTION_BOUND,
  names,
  type Carrier,
  type Evidence,
} from './fingerprint.ts';

/**
 * Distinct cells kept per column of the file: enough carriers for any verdict (a large export marks one value in
 * up to 16), bounded memory for any file.
 */
const CELLS_PER_COLUMN = 16_384;

export type Verdict = 'named' | 'not_named' | 'ambiguous' | 'no_carriers';

export interface TraceOutcome {
  fileName: string | null;
  sm3: string;
  rowsRead: number;
  columnsRead: number;
  headerMatched: boolean;
  carriers: number;
  candidates: number;
  verdict: Verdict;
  named: {
    exportId: string;
    grantId: string;
    resourceId: string;
    consumer: { id: string; name: string };
    system: string | null;
    user: { id: string; name: string; username: string } | null;
    exportedAt: string;
    format: string;
    encoding: string;
    rows: number;
  } | null;
  evidence: (Omit<Evidence, 'logChance'> & { chance: string }) | null;
  runnerUp: (Omit<Evidence, 'logChance'> & { chance: string }) | null;
  falseAttributionBound: number;
}

/** The file, read: its first row, and the distinct cells of each column. */
interface ReadFile {
  sm3: string;
  first: string[];
  /** column → distinct cells (the first row's excluded) */
  cells: Set<string>[];
  firstCells: string[];
  rows: number;
}

const badFile = (e: unknown) => {
  if (e instanceof AppError) return e;
  const p = e instanceof FileError ? e.problem : { zh: String(e), en: String(e) };
  return new AppError(400, 'sharing.trace_unreadable', `无法读取该文件：${p.zh}`, `The file cannot be read: ${p.en}`);
};

export class TraceService {
  /** each export's fingerprint key, derived once (a trace compares a file with every export) */
  private readonly prfs = new Map<string, ReturnType<MaskingService['hashKey']>>();

  constructor(
    private readonly db: Db,
    private readonly masking: MaskingService,
  ) {}

  /** The Center's trace: authorised, and kept on the audit trail with the file's SM3 and the verdict. */
  async trace(ctx: RequestContext, input: AsyncIterable<Buffer>, fileName: string | null): Promise<TraceOutcome> {
    authorize(ctx.actor, 'share.trace');
    const out = await this.traceFile(input, fileName);
    await this.record(ctx, out);
    return out;
  }

  /** Keeps a trace on the audit trail: the file's SM3 and name, the verdict, the export named. */
  async record(ctx: RequestContext, out: TraceOutcome) {
    const fileName = out.fileName;
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'share.trace',
        objectType: 'share_grant',
        objectId: out.named?.grantId ?? null,
        orgId: out.named?.consumer.id ?? null,
        diff: { file: fileName, sm3: out.sm3, verdict: out.verdict, export: out.named?.exportId ?? null },
      }),
    );
  }

  /** Reads a file and names the export it came from, if the evidence allows (the CLI calls this directly). */
  async traceFile(input: AsyncIterable<Buffer>, fileName: string | null): Promise<TraceOutcome> {
    const file = await readFile(input);
    const candidates = await repo.traceCandidates(this.db);
    const headerNames = file.first.map((h) => h.trim());
    // the first row is the header when it names columns of some export; otherwise it is data like the rest
    const headerMatched = candidates.some((c) =>
      headerNames.some((h) => (c.columns as ExportColumn[]).some((col) => col.name === h)),
    );
    const cells = file.cells.map((set, i) => {
      if (!headerMatched && file.firstCells[i] !== undefined) set.add(file.firstCells[i]!);
      return set;
    });
    // carriers depend only on which file column carries what: candidates with the same columns share them
    const byLayout = new Map<string, CarrierSet>();
    const carriersOf = (columns: ExportColumn[]) => {
      const kinds = cells.map((_, i): Carrier | 'auto' | null => {
        if (!headerMatched) return 'auto';
        const col = columns.find((c) => c.name === headerNames[i]);
        return col?.carrier ?? null;
      });
      const key = kinds.join('|');
      let set = byLayout.get(key);
      if (!set) {
        set = new CarrierSet();
        cells.forEach((values, i) => {
          const kind = kinds[i];
          if (kind) for (const v of values) set!.add(kind, v);
        });
        byLayout.set(key, set);
      }
      return set;
    };
    // a candidate must hold every column the file shows (a leak may drop columns, not add them)
    const fits = candidates.filter(
      (c) =>
        !headerMatched ||
        headerNames.every((h) => h === '' || (c.columns as ExportColumn[]).some((col) => col.name === h)),
    );
    const families = CARRIERS;
    const tried = Math.max(1, fits.length) * families.length;
    const scored: { c: (typeof candidates)[number]; e: Evidence }[] = [];
    let carrierBits = 0;
    for (const c of fits) {
      const set = carriersOf(c.columns as ExportColumn[]);
      carrierBits = Math.max(carrierBits, set.bits);
      if (!set.bits) continue;
      let prf = this.prfs.get(c.id);
      if (!prf) this.prfs.set(c.id, (prf = this.masking.hashKey(`share-export:${c.id}`)));
      const e = evidenceFor(prf, set, families, tried, c.mark_every);
      if (e) scored.push({ c, e });
    }
    scored.sort((a, b) => a.e.logChance - b.e.logChance);
    const passing = scored.filter((s) => names(s.e, tried));
    const verdict: Verdict = !carrierBits
      ? 'no_carriers'
      : passing.length === 1
        ? 'named'
        : passing.length > 1
          ? 'ambiguous'
          : 'not_named';
    const best = verdict === 'named' ? passing[0]! : null;
    const shown = (e: Evidence | undefined) =>
      e ? { family: e.family, bits: e.bits, agreeing: e.agreeing, chance: chanceText(e.logChance, tried) } : null;
    let named: TraceOutcome['named'] = null;
    if (best) {
      const labels = authLabels(this.db);
      const org = (await labels.organisation([best.c.consumer_org_id])).get(best.c.consumer_org_id);
      const user = best.c.user_id ? (await labels.user([best.c.user_id])).get(best.c.user_id) : undefined;
      named = {
        exportId: best.c.id,
        grantId: best.c.grant_id,
        resourceId: best.c.resource_id,
        consumer: { id: best.c.consumer_org_id, name: org?.name ?? best.c.consumer_org_id },
        system: best.c.system_name,
        user: best.c.user_id
          ? { id: best.c.user_id, name: user?.name ?? best.c.user_id, username: user?.code ?? '' }
          : null,
        exportedAt: best.c.started_at.toISOString(),
        format: best.c.format,
        encoding: best.c.encoding,
        rows: Number(best.c.rows),
      };
    }
    return {
      fileName,
      sm3: file.sm3,
      rowsRead: file.rows,
      columnsRead: file.first.length,
      headerMatched,
      carriers: carrierBits,
      candidates: fits.length,
      verdict,
      named,
      evidence: shown(best?.e ?? scored[0]?.e),
      runnerUp: shown(scored[1]?.e),
      falseAttributionBound: FALSE_ATTRIBUTION_BOUND,
    };
  }
}

/** Reads a CSV (any encoding the platform reads: UTF-8, GB18030/GBK, UTF-16) or an XLSX file, whole. */
async function readFile(input: AsyncIterable<Buffer>): Promise<ReadFile> {
  const hash = createHash('sm3');
  const it = input[Symbol.asyncIterator]();
  const head = await it.next();
  if (head.done || !head.value.length) throw badFile(new FileError({ zh: '文件为空', en: 'The file is empty' }));
  async function* all() {
    hash.update(head.value as Buffer);
    yield head.value as Buffer;
    for (let n = await it.next(); !n.done; n = await it.next()) {
      hash.update(n.value);
      yield n.value;
    }
  }
  const isZip = head.value[0] === 0x50 && head.value[1] === 0x4b;
  let opened;
  try {
    opened = isZip ? await openXlsx(all()) : await openCsv(all());
  } catch (e) {
    throw badFile(e);
  }
  const first = opened.header.map((h) => String(h ?? ''));
  const cells: Set<string>[] = first.map(() => new Set());
  let rows = 0;
  try {
    for await (const got of opened.rows) {
      for (const r of Array.isArray(got) ? got : [got]) {
        rows++;
        r.cells.forEach((v, i) => {
          if (v === null || v === undefined || v === '') return;
          if (i >= cells.length) return;
          const set = cells[i]!;
          if (set.size < CELLS_PER_COLUMN) set.add(typeof v === 'string' ? v : String(v));
        });
      }
    }
  } catch (e) {
    throw badFile(e);
  }
  return { sm3: hash.digest('hex'), first, cells, firstCells: first, rows };
}
