// The working-day service other domains use (deadlines, due status) and the versioned policy.
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import * as repo from './calendar.repository.ts';
import { authorize } from './calendar.policy.ts';
import { WorkingCalendar, packageCoversYear, todayInShanghai, type DueStatus } from './working-days.ts';
import { POLICY_PARAMS, defaultPolicy, policyProblems, type PolicyParams } from './policy.ts';

export interface PolicySnapshot {
  version: number;
  params: PolicyParams;
  note: string;
  createdAt: string;
  createdBy: string | null;
}

function presentPolicy(r: {
  version: number;
  params: unknown;
  note: string;
  created_at: Date;
  created_by: string | null;
}): PolicySnapshot {
  return {
    version: r.version,
    params: { ...defaultPolicy(), ...(r.params as PolicyParams) },
    note: r.note,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
  };
}

export class CalendarService {
  constructor(private readonly db: Db) {}

  /** The calendar with the Center's overrides, read fresh so every app node agrees. */
  async calendar(db: DbOrTrx = this.db): Promise<WorkingCalendar> {
    const rows = await repo.listOverrides(db);
    return new WorkingCalendar(new Map(rows.map((r) => [r.day, { kind: r.kind, note: r.note }])));
  }

  async addWorkingDays(date: string, n: number): Promise<string> {
    return (await this.calendar()).addWorkingDays(date, n);
  }
  async workingDaysBetween(a: string, b: string): Promise<number> {
    return (await this.calendar()).workingDaysBetween(a, b);
  }
  async dueStatus(due: string, today = todayInShanghai()): Promise<DueStatus> {
    return (await this.calendar()).dueStatus(due, today);
  }

  async year(year: number) {
    const cal = await this.calendar();
    const overrides = await repo.listOverrides(this.db, year);
    const source = packageCoversYear(year) ? 'state_council' : overrides.length ? 'center_overrides' : 'weekends_only';
    return { year, source, days: cal.year(year) };
  }

  async listOverrides(year?: number) {
    return (await repo.listOverrides(this.db, year)).map((r) => ({
      date: r.day,
      kind: r.kind,
      note: r.note,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async setOverride(ctx: RequestContext, date: string, kind: 'workday' | 'restday', note: string) {
    authorize(ctx.actor, 'calendar.override');
    await this.db.transaction().execute(async (trx) => {
      const before = await repo.findOverride(trx, date);
      await repo.upsertOverride(trx, {
        day: date,
        kind,
        note,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await writeAudit(trx, ctx, {
        action: 'calendar.override.set',
        objectType: 'calendar_day',
        objectId: date,
        diff: { kind: [before?.kind ?? null, kind], note: [before?.note ?? null, note] },
      });
    });
    return { date, kind, note };
  }

  async removeOverride(ctx: RequestContext, date: string) {
    authorize(ctx.actor, 'calendar.override');
    await this.db.transaction().execute(async (trx) => {
      const before = await repo.findOverride(trx, date);
      if (!before)
        throw new AppError(404, 'calendar.override_not_found', `${date} 没有调整记录`, `No override for ${date}`);
      await repo.deleteOverride(trx, date);
      await writeAudit(trx, ctx, {
        action: 'calendar.override.remove',
        objectType: 'calendar_day',
        objectId: date,
        diff: { kind: [before.kind, null], note: [before.note, null] },
      });
    });
  }

  // ------------------------------------------------------------------ policy

  /** Ensures version 1 (the regulation's defaults) exists. Idempotent. */
  async ensurePolicy(db: DbOrTrx = this.db): Promise<void> {
    if (await repo.latestPolicy(db)) return;
    await repo.insertPolicy(db, {
      version: 1,
      params: defaultPolicy(),
      note: '默认值：金凤区公共数据资源管理办法(试行) / defaults from the regulation',
      created_by: null,
    });
  }

  /** The policy in force now. Cases store `version` and later read it back with policyVersion(). */
  async currentPolicy(db: DbOrTrx = this.db): Promise<PolicySnapshot> {
    const r = await repo.latestPolicy(db);
    if (!r)
      return {
        version: 0,
        params: defaultPolicy(),
        note: 'not initialised',
        createdAt: new Date(0).toISOString(),
        createdBy: null,
      };
    return presentPolicy(r);
  }

  async policyVersion(version: number): Promise<PolicySnapshot> {
    const r = await repo.findPolicy(this.db, version);
    if (!r) throw errors.notFound('policy', String(version));
    return presentPolicy(r);
  }

  async listPolicies(): Promise<PolicySnapshot[]> {
    return (await repo.listPolicies(this.db)).map(presentPolicy);
  }

  async updatePolicy(ctx: RequestContext, changes: Record<string, unknown>, note: string): Promise<PolicySnapshot> {
    authorize(ctx.actor, 'policy.update');
    const problems = policyProblems(changes);
    if (problems.length) throw errors.validation(problems);
    return this.db.transaction().execute(async (trx) => {
      // Serialise concurrent edits so version numbers never collide.
      await repo.lockPolicyEdits(trx);
      const cur = await this.currentPolicy(trx);
      const next = { ...cur.params, ...(changes as PolicyParams) };
      const changed = Object.keys(changes).filter((k) => cur.params[k] !== next[k]);
      if (!changed.length) throw new AppError(409, 'policy.unchanged', '参数没有变化', 'Nothing changed');
      const version = cur.version + 1;
      await repo.insertPolicy(trx, {
        version,
        params: next,
        note,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await writeAudit(trx, ctx, {
        action: 'policy.update',
        objectType: 'policy',
        objectId: String(version),
        diff: Object.fromEntries(changed.map((k) => [k, [cur.params[k], next[k]]])),
      });
      return presentPolicy((await repo.findPolicy(trx, version))!);
    });
  }
}

export { POLICY_PARAMS };
