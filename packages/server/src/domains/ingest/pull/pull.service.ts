// Scheduled pull (SPEC §15): a unit's source database (PostgreSQL or MySQL: a query plus an incremental
// column) or HTTP JSON API (paged), on a schedule from the update cycle or set explicitly. Each run is a
// batch through the same pipeline; connection secrets are sealed with SM4; failures retry with back-off.
// The connectors are pull.sources.ts's; what a source's settings may be, pull.settings.ts's.
import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../../db/database.ts';
import type { RequestContext } from '../../../platform/context.ts';
import type { Sm4Box } from '../../../platform/crypto.ts';
import { AppError, errors, type FieldError } from '../../../platform/errors.ts';
import type { OutboundGuard, Refusal, Target } from '../../../platform/outbound.ts';
import { writeAudit } from '../../audit/index.ts';
import { authorize } from '../ingest.policy.ts';
import type { IngestService } from '../ingest.service.ts';
import * as repo from './pull.repository.ts';
import { CYCLE_INTERVAL_MINUTES, settingsProblems, targetOf, type PullInput, type PullKind } from './pull.settings.ts';
import { objectSource, readSource, sourceError } from './pull.sources.ts';

export {
  CYCLE_INTERVAL_MINUTES,
  type DbSettings,
  type HttpSettings,
  type PullInput,
  type PullKind,
} from './pull.settings.ts';

type PullRow = repo.PullRow;
const MAX_BACKOFF_MINUTES = 24 * 60;

export class PullService {
  constructor(
    private readonly db: Db,
    private readonly ingest: IngestService,
    private readonly sm4: Sm4Box,
    private readonly guard: OutboundGuard,
  ) {}

  /** The guard's answer for a source's address: the address to connect to, or why not (a security refusal, audited). */
  private async guardTarget(
    ctx: RequestContext,
    kind: PullKind,
    settings: Record<string, unknown>,
    orgId: string | null,
    sourceId: string | null,
  ): Promise<{ target: Target | null; refused: Refusal | null }> {
    const t = targetOf(kind, settings);
    if (!t) return { target: null, refused: null };
    const r = await this.guard.target(t.host, t.port, t.database);
    if (!('refused' in r)) return { target: r, refused: null };
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'ingest.pull_source.refused',
        objectType: 'pull_source',
        objectId: sourceId,
        orgId,
        outcome: 'denied',
        diff: { kind, host: t.host, port: t.port, reason: r.refused },
      }),
    );
    return { target: null, refused: r.refused };
  }

  private async targetProblems(
    ctx: RequestContext,
    kind: PullKind,
    settings: Record<string, unknown>,
    orgId: string | null,
    sourceId: string | null,
  ): Promise<FieldError[]> {
    const { refused } = await this.guardTarget(ctx, kind, settings, orgId, sourceId);
    return refused ? [{ field: kind === 'http' ? 'settings.url' : 'settings.host', message: refused }] : [];
  }

  private present(p: PullRow) {
    return {
      id: p.id,
      resourceId: p.resource_id,
      name: p.name,
      kind: p.kind,
      settings: p.settings,
      hasSecret: !!p.secret_enc,
      mode: p.mode,
      intervalMinutes: p.interval_minutes,
      active: p.active,
      cursor: p.cursor,
      nextRunAt: p.next_run_at?.toISOString() ?? null,
      lastRunAt: p.last_run_at?.toISOString() ?? null,
      lastStatus: p.last_status,
      lastError: p.last_error,
      failures: p.failures,
    };
  }

  /** The resource a source belongs to, for a caller who may manage its pulls. */
  private async owned(ctx: RequestContext, ref: string) {
    const info = await this.ingest.resource(ctx, ref);
    authorize(ctx.actor, 'ingest.pull_source', info.orgId);
    return info;
  }

  async list(ctx: RequestContext, ref: string) {
    const info = await this.owned(ctx, ref);
    return (await repo.listSources(this.db, info.id)).map((r) => this.present(r));
  }

  private defaultInterval(updateCycle: string) {
    return CYCLE_INTERVAL_MINUTES[updateCycle] ?? null;
  }

  async create(ctx: RequestContext, ref: string, input: PullInput) {
    const info = await this.owned(ctx, ref);
    const problems = settingsProblems(input.kind, input.settings);
    if (!problems.length)
      problems.push(...(await this.targetProblems(ctx, input.kind, input.settings, info.orgId, null)));
    if ((input.mode ?? 'upsert') === 'upsert' && !info.keyColumns.length)
      problems.push({
        field: 'mode',
        message: { zh: '资源没有主键，只能追加或全量替换', en: 'the resource has no key; use append or replace' },
      });
    if (problems.length) throw errors.validation(problems);
    if (await repo.sourceNameTaken(this.db, info.id, input.name))
      throw errors.field('name', '已有同名的数据源', 'a source with this name exists');
    const id = randomUUID();
    const interval = input.intervalMinutes ?? this.defaultInterval(info.updateCycle);
    await this.db.transaction().execute(async (trx) => {
      await repo.insertSource(trx, {
        id,
        resource_id: info.id,
        name: input.name,
        kind: input.kind,
        settings: JSON.stringify(input.settings),
        secret_enc: input.secret ? this.sm4.seal(input.secret) : null,
        mode: input.mode ?? 'upsert',
        interval_minutes: interval,
        active: input.active ?? true,
        next_run_at: interval ? new Date(Date.now() + 60_000) : null,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await writeAudit(trx, ctx, {
        action: 'ingest.pull_source.create',
        objectType: 'pull_source',
        objectId: id,
        orgId: info.orgId,
        diff: {
          resource: info.id,
          kind: input.kind,
          settings: input.settings,
          secret: input.secret ? '(sealed)' : null,
        },
      });
    });
    return this.get(id);
  }

  async get(id: string) {
    const r = await repo.findSource(this.db, id);
    if (!r) throw errors.notFound('pull_source', id);
    return this.present(r);
  }

  async update(ctx: RequestContext, id: string, patch: Partial<PullInput>) {
    const cur = await repo.findSource(this.db, id);
    if (!cur) throw errors.notFound('pull_source', id);
    const info = await this.owned(ctx, cur.resource_id);
    const settings = patch.settings ?? cur.settings;
    const problems = settingsProblems(cur.kind, settings);
    if (!problems.length) problems.push(...(await this.targetProblems(ctx, cur.kind, settings, info.orgId, id)));
    if (problems.length) throw errors.validation(problems);
    await this.db.transaction().execute(async (trx) => {
      await repo.updateSource(trx, id, {
        settings: JSON.stringify(settings),
        ...(patch.secret !== undefined ? { secret_enc: patch.secret ? this.sm4.seal(patch.secret) : null } : {}),
        ...(patch.mode ? { mode: patch.mode } : {}),
        ...(patch.intervalMinutes !== undefined ? { interval_minutes: patch.intervalMinutes } : {}),
        ...(patch.active !== undefined
          ? {
              active: patch.active,
              ...(patch.active ? { failures: 0, next_run_at: new Date(Date.now() + 60_000) } : {}),
            }
          : {}),
      });
      await writeAudit(trx, ctx, {
        action: 'ingest.pull_source.update',
        objectType: 'pull_source',
        objectId: id,
        orgId: info.orgId,
        diff: { ...patch, secret: patch.secret !== undefined ? '(changed)' : undefined },
      });
    });
    return this.get(id);
  }

  /** One run now: a batch (returned), the cursor advanced on success, back-off on failure. */
  async run(ctx: RequestContext, id: string) {
    const src = await repo.findSource(this.db, id);
    if (!src) throw errors.notFound('pull_source', id);
    if (ctx.actor) await this.owned(ctx, src.resource_id);
    return this.execute(src, ctx);
  }

  private async execute(src: PullRow, ctx: RequestContext) {
    const info = await this.ingest.meta(this.db, src.resource_id);
    if (!info) throw errors.notFound('resource', src.resource_id);
    const settings = src.settings as Record<string, unknown>;
    const inc = settings.incrementalColumn as string | undefined;
    let maxCursor: string | null = src.cursor;
    const track = (r: Record<string, unknown>) => {
      if (!inc) return;
      const v = r[inc];
      if (v === null || v === undefined) return;
      const s = v instanceof Date ? v.toISOString() : String(v);
      if (maxCursor === null || compareCursor(s, maxCursor) > 0) maxCursor = s;
    };
    const secret = src.secret_enc ? this.sm4.open(src.secret_enc) : null;
    let failure: { zh: string; en: string } | null = null;
    let batch: Awaited<ReturnType<IngestService['ingest']>>['batch'] | null = null;
    try {
      // checked once before the run; the connection goes to the address that was checked
      const { target, refused } = await this.guardTarget(ctx, src.kind, settings, info.orgId, src.id);
      if (refused) throw sourceError(refused.zh, refused.en);
      const res = await this.ingest.ingest(
        ctx,
        src.resource_id,
        {
          source: 'pull',
          mode: src.mode,
          pullSourceId: src.id,
          fileName: src.name,
          fileFormat: src.kind,
          strictWidth: false,
        },
        async () =>
          objectSource(readSource(this.guard, src.kind, settings, secret, src.cursor, target), info.items, track),
      );
      batch = res.batch;
      if (batch.status !== 'succeeded') failure = batch.error ?? { zh: '批次失败', en: 'the batch failed' };
    } catch (e) {
      if (!(e instanceof AppError))
        process.stderr.write(`pull ${src.id} failed: ${(e as Error)?.stack ?? String(e)}\n`);
      failure =
        e instanceof AppError
          ? { zh: e.zh, en: e.en }
          : {
              zh: '抽取失败：服务器内部错误（原因已记入服务器日志）',
              en: 'Pull failed: an internal error (the cause is in the server log)',
            };
    }
    const now = new Date();
    const failures = failure ? src.failures + 1 : 0;
    const interval = src.interval_minutes;
    const next = failure
      ? new Date(
          now.getTime() + Math.min(2 ** (failures - 1), interval ?? MAX_BACKOFF_MINUTES, MAX_BACKOFF_MINUTES) * 60_000,
        )
      : interval
        ? new Date(now.getTime() + interval * 60_000)
        : null;
    await repo.updateSource(this.db, src.id, {
      last_run_at: now,
      last_status: failure ? 'failed' : 'succeeded',
      last_error: failure ? JSON.stringify(failure) : null,
      failures,
      next_run_at: src.active ? next : null,
      ...(failure ? {} : { cursor: maxCursor }),
    });
    return { source: await this.get(src.id), batch, error: failure };
  }

  /** Runs every due source here, now, one at a time (the CLI and tests; the app nodes use the job queue). */
  async tick(): Promise<number> {
    const due = await repo.claimDue(this.db);
    for (const src of due)
      await this.execute(src, SCHEDULER).catch((e) =>
        process.stderr.write(`pull ${src.id}: ${(e as Error).message}\n`),
      );
    return due.length;
  }

  /** The scheduled check (job `ingest.pull.check`): each due source becomes one `ingest.pull.run` job, claimed and
   * sent in one transaction, so a source is run once whichever node checks and whichever node runs it. */
  async queueDue(send: (trx: Trx, sourceId: string) => Promise<unknown>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const due = await repo.claimDue(trx);
      for (const src of due) await send(trx, src.id);
      return due.length;
    });
  }

  /** Job `ingest.pull.run`: one claimed source. A source that was removed or switched off meanwhile is skipped. */
  async runQueued(sourceId: string): Promise<void> {
    const src = await repo.findSource(this.db, sourceId);
    if (!src || !src.active) return;
    await this.execute(src, SCHEDULER);
  }
}

const SCHEDULER: RequestContext = { actor: null, requestId: 'scheduler', ip: null };

/** Incremental cursors compare as numbers when both are numeric, else as text (ISO dates sort as text). */
function compareCursor(a: string, b: string): number {
  if (/^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
