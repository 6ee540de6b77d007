// Database sync (库表交换): the consumer unit's data admin names a table in its own PostgreSQL or MySQL database;
// the platform writes the grant's data there — masked as the grant says, incrementally from the change feed — on a
// schedule and on demand. The password is sealed with SM4; every connection goes to the address the outbound guard
// checked (a refused address is audited); every run is recorded for both units and audited with what it wrote.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import type { DbTargetSettings, Msg } from '../../../db/schema.ts';
import { systemContext, type RequestContext } from '../../../platform/context.ts';
import type { Sm4Box } from '../../../platform/crypto.ts';
import { AppError, errors, type FieldError } from '../../../platform/errors.ts';
import type { OutboundGuard } from '../../../platform/outbound.ts';
import { writeAudit } from '../../audit/index.ts';
import type { ChangeEnd } from '../../ingest/index.ts';
import * as grants from '../grant/grant.repository.ts';
import type { ShareServer } from '../serve/share.service.ts';
import { authorize, can } from '../sharing.policy.ts';
import * as repo from './dbsync.repository.ts';
import { openTarget, type TargetColumn } from './dbsync.target.ts';

/** Changes written per target transaction, and at most this many pages per run (the next run goes on). */
const PAGE = 1000;
const MAX_PAGES = 200;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface DbTargetInput {
  kind: 'postgres' | 'mysql';
  host: string;
  port?: number;
  database: string;
  user: string;
  /** left out: keep the stored one; null: none */
  password?: string | null;
  table: string;
  intervalMinutes: number;
  active?: boolean;
}

export class DbSyncService {
  constructor(
    private readonly db: Db,
    private readonly share: ShareServer,
    private readonly sm4: Sm4Box,
    private readonly guard: OutboundGuard,
  ) {}

  private async grantOf(id: string) {
    const g = await grants.findGrant(this.db, id);
    if (!g) throw errors.notFound('share_grant', id);
    return g;
  }

  /** The target (never its password) and the recent runs: both units and the Center. */
  async get(ctx: RequestContext, grantId: string) {
    const g = await this.grantOf(grantId);
    authorize(ctx.actor, 'grant.read', { consumerOrgId: g.consumer_org_id, ownerOrgId: g.owner_org_id });
    const t = await repo.findTarget(this.db, grantId);
    const runs = await repo.recentRuns(this.db, grantId, 50);
    return {
      target: t
        ? {
            kind: t.kind,
            host: t.settings.host,
            port: t.settings.port ?? (t.kind === 'mysql' ? 3306 : 5432),
            database: t.settings.database,
            user: t.settings.user,
            table: t.settings.table,
            hasPassword: !!t.secret_enc,
            intervalMinutes: t.interval_minutes,
            active: t.active,
            nextRunAt: t.next_run_at.toISOString(),
          }
        : null,
      runs: runs.map(presentRun),
      may: {
        configure: can(ctx.actor, 'grant.bind', { consumerOrgId: g.consumer_org_id, ownerOrgId: g.owner_org_id }),
      },
    };
  }

  /** The consumer unit's data admin sets the target; the address is checked now and before every run. */
  async configure(ctx: RequestContext, grantId: string, input: DbTargetInput) {
    const g = await this.grantOf(grantId);
    authorize(ctx.actor, 'grant.bind', { consumerOrgId: g.consumer_org_id, ownerOrgId: g.owner_org_id });
    if (!g.methods.includes('db_sync'))
      throw new AppError(
        409,
        'sharing.method_not_granted',
        '本授权不包含库表交换方式',
        'This grant does not allow database sync',
      );
    const problems: FieldError[] = [];
    if (!IDENT.test(input.table))
      problems.push({
        field: 'table',
        message: {
          zh: '表名只能用字母、数字和下划线，以字母开头',
          en: 'letters, digits and _, starting with a letter',
        },
      });
    if (problems.length) throw errors.validation(problems);
    await this.checkAddress(ctx, g, input.kind, input.host, input.port, input.database);
    const settings: DbTargetSettings = {
      host: input.host,
      ...(input.port ? { port: input.port } : {}),
      database: input.database,
      user: input.user,
      table: input.table,
    };
    const old = await repo.findTarget(this.db, grantId);
    // a new table or database starts the copy again from the first change
    const restart =
      !old ||
      old.kind !== input.kind ||
      old.settings.host !== input.host ||
      old.settings.database !== input.database ||
      old.settings.table !== input.table;
    const secret =
      input.password === undefined ? (old?.secret_enc ?? null) : input.password ? this.sm4.seal(input.password) : null;
    await this.db.transaction().execute(async (trx) => {
      const by = ctx.actor?.kind === 'user' ? ctx.actor.userId : null;
      await repo.saveTarget(
        trx,
        {
          grant_id: grantId,
          kind: input.kind,
          settings: JSON.stringify(settings),
          secret_enc: secret,
          interval_minutes: input.intervalMinutes,
          cursor: null,
          next_run_at: new Date(),
          active: input.active ?? true,
          updated_by: by,
        },
        {
          kind: input.kind,
          settings: JSON.stringify(settings),
          secret_enc: secret,
          interval_minutes: input.intervalMinutes,
          active: input.active ?? true,
          updated_by: by,
          updated_at: new Date(),
          ...(restart ? { cursor: null, next_run_at: new Date() } : {}),
        },
      );
      await writeAudit(trx, ctx, {
        action: 'share.db_sync.configure',
        objectType: 'share_grant',
        objectId: grantId,
        orgId: g.consumer_org_id,
        diff: { ...settings, kind: input.kind, password: input.password === undefined ? 'kept' : 'set', restart },
      });
    });
    return this.get(ctx, grantId);
  }

  private async checkAddress(
    ctx: RequestContext,
    g: grants.GrantRow,
    kind: 'postgres' | 'mysql',
    host: string,
    port: number | undefined,
    database: string,
  ) {
    const p = port ?? (kind === 'mysql' ? 3306 : 5432);
    const r = await this.guard.target(host, p, kind === 'postgres' ? database : undefined);
    if (!('refused' in r)) return r;
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'share.db_sync.refused',
        objectType: 'share_grant',
        objectId: g.id,
        orgId: g.consumer_org_id,
        outcome: 'denied',
        diff: { kind, host, port: p, reason: r.refused },
      }),
    );
    throw new AppError(400, 'sharing.db_sync_refused', r.refused.zh, r.refused.en, [
      { field: 'host', message: r.refused },
    ]);
  }

  /** Runs now, for the consumer's data admin (or the Center): the run's record. */
  async runNow(ctx: RequestContext, grantId: string) {
    const g = await this.grantOf(grantId);
    authorize(ctx.actor, 'grant.bind', { consumerOrgId: g.consumer_org_id, ownerOrgId: g.owner_org_id });
    return this.run(ctx, grantId, 'manual');
  }

  /** Targets whose time has come, each claimed by one node (its next time moved on first): for the job. */
  async runDue(): Promise<number> {
    const due = await repo.claimDue(this.db);
    for (const grantId of due) await this.run(systemContext('job sharing.db_sync'), grantId, 'schedule');
    return due.length;
  }

  private async run(ctx: RequestContext, grantId: string, trigger: 'schedule' | 'manual') {
    const t = await repo.findTarget(this.db, grantId);
    if (!t)
      throw new AppError(409, 'sharing.db_sync_unset', '尚未设置库表交换的目标', 'No database sync target is set');
    const g = await this.grantOf(grantId);
    const id = randomUUID();
    await repo.insertRun(this.db, { id, grant_id: grantId, trigger, status: 'running' });
    let upserts = 0;
    let deletes = 0;
    let error: Msg | null = null;
    let cursor = (t.cursor as ChangeEnd | null) ?? null;
    try {
      const target = await this.checkAddress(ctx, g, t.kind, t.settings.host, t.settings.port, t.settings.database);
      const writer = await openTarget(t.kind, t.settings, t.secret_enc ? this.sm4.open(t.secret_enc) : null, target);
      try {
        let columns: TargetColumn[] | null = null;
        for (let n = 0; n < MAX_PAGES; n++) {
          const got = await this.share.dbSyncChanges(ctx, grantId, cursor, PAGE);
          if (!columns) {
            columns = got.page.items.map((i) => ({
              code: i.code,
              dataType: i.dataType,
              masked: i.masked,
              key: got.page.key.includes(i.code),
            }));
            await writer.ensureTable(columns);
          }
          if (got.page.changes.length) await writer.apply(columns, got.page.changes);
          for (const c of got.page.changes) {
            if (c.op === 'upsert') upserts++;
            else deletes++;
          }
          // the target has committed this page: the platform goes on from here next time
          cursor = got.end;
          await repo.setCursor(this.db, grantId, cursor);
          if (!got.page.more) break;
        }
      } finally {
        await writer.close();
      }
    } catch (e) {
      error =
        e instanceof AppError
          ? { zh: e.zh, en: e.en }
          : { zh: `运行失败：${(e as Error).message}`, en: `The run failed: ${(e as Error).message}` };
    }
    await this.db.transaction().execute(async (trx) => {
      await repo.finishRun(trx, id, {
        status: error ? 'failed' : 'succeeded',
        upserts,
        deletes,
        error: error ? JSON.stringify(error) : null,
        finished_at: new Date(),
      });
      await writeAudit(trx, ctx, {
        action: 'share.db_sync.run',
        objectType: 'share_grant',
        objectId: grantId,
        orgId: g.consumer_org_id,
        outcome: error ? 'failure' : 'success',
        diff: { run: id, trigger, upserts, deletes, table: t.settings.table, ...(error ? { error: error.en } : {}) },
      });
    });
    return presentRun(await repo.findRun(this.db, id));
  }
}

function presentRun(r: Awaited<ReturnType<typeof repo.findRun>>) {
  return {
    id: r.id,
    trigger: r.trigger,
    status: r.status,
    upserts: r.upserts,
    deletes: r.deletes,
    error: r.error,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}
