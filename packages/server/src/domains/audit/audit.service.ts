// Writes audit records inside the caller's transaction, lists and exports them, verifies the chain.
import type { RawBuilder } from 'kysely';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { actorName } from '../../platform/context.ts';
import {
  AUDIT_DIFF_TEXT_MAX,
  AUDIT_FIELD_MAX,
  ChainVerifier,
  GENESIS_HASH,
  recordHash,
  type ChainProblem,
} from './audit.chain.ts';
import { storableJson, storableText } from '../../platform/text.ts';
import * as repo from './audit.repository.ts';
import { readAuditScope } from './audit.policy.ts';
import { csvCell } from '../../platform/csv.ts';
import type { AuditAction, OBJECT_TYPES } from './audit.words.ts';
import { presentRecords, type AuditLabels, type PresentedRecord } from './audit.present.ts';
import { shanghaiDateTime } from '../../platform/time.ts';
import type { AuditRecordTable } from '../../db/schema.ts';

type ObjectType = keyof typeof OBJECT_TYPES;

export interface AuditEntry {
  /** one of the actions the trail has words for (audit.words.ts) */
  action: AuditAction;
  objectType?: ObjectType | null;
  objectId?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  diff?: unknown;
  /** organisation the record belongs to when it is not the actor's own (e.g. a failed log-in) */
  orgId?: string | null;
}

/** A record's fields (not yet chained): every text put in its stored form, so the hash covers what is kept. */
function recordOf(seq: number, ctx: RequestContext, e: AuditEntry) {
  const a = ctx.actor;
  const text = (s: string | null | undefined) =>
    s === null || s === undefined ? null : storableText(s, AUDIT_FIELD_MAX);
  return {
    seq,
    occurred_at: new Date(),
    actor_user_id: a?.kind === 'user' ? a.userId : null,
    actor_name: text(actorName(a)),
    org_id: e.orgId !== undefined ? e.orgId : (a?.orgId ?? null),
    credential_id: a?.kind === 'credential' ? a.credentialId : null,
    action: text(e.action)!,
    object_type: text(e.objectType),
    object_id: text(e.objectId),
    outcome: e.outcome ?? 'success',
    client_ip: text(ctx.ip),
    request_id: text(ctx.requestId),
    diff: e.diff === undefined ? null : storableJson(e.diff, AUDIT_DIFF_TEXT_MAX),
  } as const;
}

/** Append one record. Call it inside the same transaction as the change it records. */
export async function writeAudit(trx: DbOrTrx, ctx: RequestContext, e: AuditEntry): Promise<number> {
  return (await writeAuditBatch(trx, [{ ctx, entry: e }]))[0]!;
}

/** The records of `list` chained after `head`, numbered on from it. */
function chained(head: { seq: number; hash: string } | null, list: { ctx: RequestContext; entry: AuditEntry }[]) {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  return list.map(({ ctx, entry }) => {
    const rec = recordOf(++seq, ctx, entry);
    const hash = recordHash(prev, rec);
    const row = { ...rec, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
}

/** Append records in order, under one hold of the chain's lock and in one statement; returns their numbers. */
export async function writeAuditBatch(trx: DbOrTrx, list: { ctx: RequestContext; entry: AuditEntry }[]) {
  if (!list.length) return [];
  const rows = chained(await repo.lockChainAndGetHead(trx), list);
  await repo.appendRecords(trx, rows);
  return rows.map((r) => r.seq);
}

/** What the owner of a batcher writes with a group's records, in the same statement. */
export interface GroupWrite {
  /** data-modifying statements (INSERT … RETURNING), by a name of their own; built in the owner's repository */
  also: Record<string, RawBuilder<unknown>>;
  /** once committed: each statement's returned rows */
  committed?: (returned: Record<string, unknown[]>) => void;
}

/** After a lost race for the chain's next number, how long groups take the lock and read the head first. */
const LOCKED_AFTER_CONFLICT_MS = 1_000;

/**
 * Access records at the rate data is served (group commit, ADR 0010): a call's record joins the records waiting
 * when it arrives, and they are written together — with whatever the owner of the batcher writes for the whole
 * group (`group`: usage counters, summed) — while the next group gathers. `append` resolves only once its record
 * is committed, so no data leaves before its record exists; a failed write rejects every call of its group.
 *
 * A group is one statement, one round trip (`appendRecords`): it chains from the head this batcher last wrote,
 * takes the chain's lock and appends. When another writer (another node, or any other audited change) appended
 * in between, the statement loses the race for the next number and writes nothing; the group is then written the
 * careful way — a transaction that takes the lock, reads the head and appends — and for a second after that
 * every group is, so that two busy nodes do not keep losing races to each other.
 */
export class AuditBatcher<D = undefined> {
  private queue: { ctx: RequestContext; entry: AuditEntry; data: D; done: (e?: unknown) => void }[] = [];
  private writing = false;
  /** the chain's head as this batcher last wrote it (null: read it under the lock) */
  private head: { seq: number; hash: string } | null = null;
  private lockedUntil = 0;
  /** groups written in one statement, and groups that lost the race and were written under the lock */
  readonly stats = { fast: 0, raced: 0, locked: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: {
      maxGroup?: number;
      /** what the owner writes with the group, in the same statement */
      group?: (data: D[]) => GroupWrite;
    } = {},
  ) {}

  /** Writes the record (and the group's own writes, in the same statement); resolves once it is committed. */
  append(ctx: RequestContext, entry: AuditEntry, data: D) {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ctx, entry, data, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain() {
    this.writing = true;
    try {
      while (this.queue.length) {
        // one turn of the event loop first: the calls whose replies are being read join this group
        await new Promise((resolve) => setImmediate(resolve));
        const group = this.queue.splice(0, this.opts.maxGroup ?? 500);
        try {
          await this.write(group);
          for (const g of group) g.done();
        } catch (e) {
          this.head = null;
          for (const g of group) g.done(e ?? new Error('audit write failed'));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(group: { ctx: RequestContext; entry: AuditEntry; data: D }[]) {
    const extra = this.opts.group?.(group.map((g) => g.data));
    const also = extra?.also ?? {};
    let returned: Record<string, unknown[]> | null = null;
    let rows: ReturnType<typeof chained> = [];
    if (this.head && Date.now() >= this.lockedUntil) {
      rows = chained(this.head, group);
      try {
        returned = await repo.appendRecords(this.db, rows, also);
        this.stats.fast++;
      } catch (e) {
        this.head = null;
        if (!repo.isChainConflict(e)) throw e;
        this.stats.raced++;
        this.lockedUntil = Date.now() + LOCKED_AFTER_CONFLICT_MS;
      }
    }
    if (!returned) {
      returned = await this.db.transaction().execute(async (trx) => {
        rows = chained(await repo.lockChainAndGetHead(trx), group);
        return repo.appendRecords(trx, rows, also);
      });
      this.stats.locked++;
    }
    const last = rows[rows.length - 1]!;
    this.head = { seq: last.seq, hash: last.hash };
    extra?.committed?.(returned);
  }
}

/** Compact diff of two flat objects: { field: [before, after] } for fields that changed. Secrets are redacted. */
export function diffOf(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  redact: string[] = [],
) {
  const out: Record<string, [unknown, unknown]> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (k === 'updated_at' || k === 'created_at') continue;
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) out[k] = redact.includes(k) ? ['[redacted]', '[redacted]'] : [b, a];
  }
  return out;
}

/** At most this many problems are listed; `problemCount` counts them all. */
export const VERIFY_PROBLEMS_LISTED = 1000;

export interface ChainReport {
  ok: boolean;
  /** records read */
  count: number;
  /** records that verified */
  intact: number;
  head: { seq: number; hash: string } | null;
  /** the first problem (kept for callers that read one) */
  problem: ChainProblem | null;
  /** every problem, in seq order, at most VERIFY_PROBLEMS_LISTED */
  problems: ChainProblem[];
  problemCount: number;
}

/** Walks the whole chain and reports every altered, removed or reordered record. */
export async function verifyChain(db: Db): Promise<ChainReport> {
  const v = new ChainVerifier();
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  for await (const r of repo.streamRecords(db, {}, 'asc')) {
    for (const p of v.check(r)) {
      problemCount++;
      if (problems.length < VERIFY_PROBLEMS_LISTED) problems.push(p);
    }
  }
  return {
    ok: problemCount === 0,
    count: v.count,
    intact: v.intact,
    head: v.head,
    problem: problems[0] ?? null,
    problems,
    problemCount,
  };
}

export { listRecords, streamRecords, type AuditFilter } from './audit.repository.ts';

const CSV_HEADER = [
  '序号 seq',
  '时间（北京时间） time (Asia/Shanghai)',
  '操作人 actor',
  '单位 unit',
  '操作 action',
  '对象类型 object type',
  '对象 object',
  '结果 outcome',
  '详情 details',
  '地址 client ip',
  '请求 request id',
  '操作代码 action code',
  '对象编号 object id',
  '哈希 hash',
];

/** Details as one line of text: 字段：前 → 后；字段：值 */
function detailsLine(r: PresentedRecord): string {
  return r.details
    .map((d) => (d.value ? `${d.label.zh}：${d.value.zh}` : `${d.label.zh}：${d.before?.zh} → ${d.after?.zh}`))
    .join('；');
}

/** Reading the trail: each read is itself on the trail, with the filter the caller was held to. */
export class AuditService {
  constructor(
    private readonly db: Db,
    /** how to name the objects records point at (the app gathers them from every domain) */
    private readonly labels: AuditLabels = {},
  ) {}

  private record(ctx: RequestContext, e: AuditEntry) {
    return this.db.transaction().execute((trx) => writeAudit(trx, ctx, e));
  }

  /** The Center sees every record; a unit's admin and security officer see their own unit's. */
  private scoped(ctx: RequestContext, f: repo.AuditFilter): repo.AuditFilter {
    const orgId = readAuditScope(ctx.actor, f.orgId);
    return orgId === undefined ? f : { ...f, orgId };
  }

  async browse(ctx: RequestContext, filter: repo.AuditFilter, page: { limit: number; offset: number }) {
    const f = this.scoped(ctx, filter);
    const { rows, total } = await repo.listRecords(this.db, f, page);
    await this.record(ctx, {
      action: 'audit.read',
      objectType: 'audit',
      diff: { filter: f, offset: page.offset, returned: rows.length },
    });
    return { items: await presentRecords(rows, this.labels), total };
  }

  /**
   * The records as CSV lines (UTF-8 with BOM, for Excel), newest first, in the words the console shows (times in
   * Asia/Shanghai), with the raw codes at the end for machines; the export is audited before any line.
   */
  async exportCsv(ctx: RequestContext, filter: repo.AuditFilter): Promise<AsyncGenerator<string>> {
    const f = this.scoped(ctx, filter);
    await this.record(ctx, { action: 'audit.export', objectType: 'audit', diff: { filter: f } });
    const db = this.db;
    const labels = this.labels;
    const lines = (rows: PresentedRecord[]) =>
      rows
        .map(
          (r) =>
            [
              r.seq,
              shanghaiDateTime(new Date(r.occurredAt)),
              r.actorName,
              r.orgName ?? r.orgId,
              r.actionWords.zh,
              r.objectTypeWords?.zh ?? '',
              r.object ? `${r.object.name}${r.object.code ? `（${r.object.code}）` : ''}` : (r.objectId ?? ''),
              r.outcomeWords.zh,
              detailsLine(r),
              r.clientIp,
              r.requestId,
              r.action,
              r.objectId,
              r.hash,
            ]
              .map(csvCell)
              .join(',') + '\r\n',
        )
        .join('');
    async function* out() {
      yield '\uFEFF' + CSV_HEADER.map(csvCell).join(',') + '\r\n';
      let chunk: AuditRecordTable[] = [];
      for await (const r of repo.streamRecords(db, f, 'desc')) {
        chunk.push(r);
        if (chunk.length >= 500) {
          yield lines(await presentRecords(chunk, labels));
          chunk = [];
        }
      }
      if (chunk.length) yield lines(await presentRecords(chunk, labels));
    }
    return out();
  }

  async verify(ctx: RequestContext): Promise<ChainReport> {
    const result = await verifyChain(this.db);
    await this.record(ctx, {
      action: 'audit.verify',
      objectType: 'audit',
      outcome: result.ok ? 'success' : 'failure',
      diff: { count: result.count, problemCount: result.problemCount, problems: result.problems.slice(0, 20) },
    });
    return result;
  }
}
