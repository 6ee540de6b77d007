// Quality rules (§20): what a resource's data must satisfy, by dimension, run inside the database after each batch,
// on a schedule and on demand. Every run is kept — rows checked, rows failing, the score, how long it took and the
// first failing keys — and a rule that cannot run (an item was removed, the table is missing) says why: it is not a
// pass. Scores per dimension and overall (the Center's weights, from the policy version in force) are kept per day.
import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db, DbOrTrx } from '../../../db/database.ts';
import type {
  Msg,
  QualityDimension,
  QualityKind,
  QualityRuleParams,
  QualityRunTable,
  QualityTrigger,
} from '../../../db/schema.ts';
import { actorName, type RequestContext } from '../../../platform/context.ts';
import { errors, type FieldError } from '../../../platform/errors.ts';
import { shanghaiDateTime } from '../../../platform/time.ts';
import { writeAudit } from '../../audit/index.ts';
import { todayInShanghai, type CalendarService } from '../../calendar/index.ts';
import {
  findPublished,
  itemChecksByVersion,
  listSourceReferences,
  resourceLabels,
  type PublishedResource,
} from '../../catalog/index.ts';
import { CYCLE_DAYS, type DataServer, type IngestService, type OneSourceService } from '../../ingest/index.ts';
import { maskValue, type MaskingService } from '../../masking/index.ts';
import { authorize, can, listScope } from '../quality.policy.ts';
import * as repo from './rule.repository.ts';
import * as runs from './run.repository.ts';

export const VALIDATORS = ['id_card', 'uscc', 'mobile', 'email'] as const;
const CHECKS: Record<QualityKind, NonNullable<QualityRuleParams['check']>[]> = {
  completeness: ['not_null', 'row_count'],
  validity: ['validator', 'value_set', 'range', 'pattern', 'not_future'],
  uniqueness: [],
  consistency: [],
  timeliness: [],
  single_source: [],
};

export const dimensionOf = (k: QualityKind): QualityDimension => (k === 'single_source' ? 'consistency' : k);

export interface RuleInput {
  resourceId: string;
  kind: QualityKind;
  name?: string | undefined;
  items?: string[] | undefined;
  params?: QualityRuleParams | undefined;
  active?: boolean | undefined;
}

type Shape = NonNullable<Awaited<ReturnType<DataServer['shape']>>>;
/**
 * A row check's run: its basis, the last batch it will have judged (`through`, a change_seq), and when it carries
 * (`from`) the batches it judges now and whether their rows are looked up in the other resource's key (`probe`).
 */
type Carrying = { basis: string; through: number | null; judge: string[]; from: repo.Carry | null; probe: boolean };

/** What one rule does when run: a check in the table's scan, a grouping, or a figure read elsewhere. */
type Plan =
  | { how: 'scan'; check: runs.RowCheck }
  | { how: 'duplicates'; items: string[] }
  | { how: 'key' }
  | { how: 'row_count'; minRows: number }
  | { how: 'timeliness' }
  | { how: 'single_source' }
  | { how: 'not_run'; reason: Msg };

export interface RunResult {
  id: string;
  ruleId: string;
  resourceId: string;
  orgId: string;
  kind: QualityKind;
  outcome: 'passed' | 'failed' | 'not_run';
  checked: number;
  failing: number;
  score: number | null;
  sample: string[];
  reason: Msg | null;
}

const msg = (zh: string, en: string): Msg => ({ zh, en });
const missingItems = (codes: string[]) =>
  msg(
    `信息项 ${codes.join('、')} 已不在资源的数据表中，规则无法运行`,
    `item(s) ${codes.join(', ')} are no longer in the resource's table: the rule cannot run`,
  );

/** The share of rows that pass, as a score out of 100 (two decimals). */
export const scoreOf = (checked: number, failing: number) =>
  checked <= 0 ? 100 : Math.round(Math.max(0, 1 - failing / checked) * 10000) / 100;

export class RuleService {
  /** Told of every run (the tickets: a failing rule reports, a passing rule closes a verification). */
  onRuns: (runs: RunResult[]) => Promise<void> = async () => {};

  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    private readonly ingest: IngestService,
    private readonly data: DataServer,
    private readonly oneSource: OneSourceService,
    private readonly masking: MaskingService,
  ) {}

  today: () => string = () => todayInShanghai();

  private async published(ref: string, field = 'resourceId') {
    const r = await findPublished(this.db, ref);
    if (!r) throw errors.field(field, '不是已编入目录的数据资源', 'is not a resource of the district catalog');
    return r;
  }

  private async load(id: string) {
    const r = await repo.findRule(this.db, id);
    if (!r) throw errors.notFound('quality_rule', id);
    return r;
  }

  // ------------------------------------------------------------------ defining rules
  /** Every problem of a rule at once; the rule as stored when there is none. */
  private async checked(ctx: RequestContext, input: RuleInput, r: PublishedResource) {
    const problems: FieldError[] = [];
    const add = (field: string, zh: string, en: string) => problems.push({ field, message: { zh, en } });
    const items = [...new Set(input.items ?? [])];
    const params: QualityRuleParams = { ...(input.params ?? {}) };
    const itemOf = (code: string) => r.items.find((i) => i.code === code);
    const unknown = items.filter((c) => !itemOf(c));
    if (unknown.length)
      add('items', `资源中没有这些信息项：${unknown.join('、')}`, `not items of the resource: ${unknown.join(', ')}`);
    const checks = CHECKS[input.kind];
    if (checks.length && !params.check) params.check = checks[0];
    if (params.check && !checks.includes(params.check))
      add(
        'params.check',
        `该类规则的检查方式应为：${checks.join('、') || '（无）'}`,
        `must be one of: ${checks.join(', ') || '(none for this kind)'}`,
      );
    const one = () => {
      if (items.length !== 1) add('items', '此检查只针对一个信息项', 'this check takes exactly one item');
      return itemOf(items[0] ?? '');
    };
    switch (input.kind) {
      case 'completeness':
        if (params.check === 'row_count') {
          if (!Number.isInteger(params.minRows) || params.minRows! < 1)
            add('params.minRows', '应为不小于 1 的整数（应有的最少行数）', 'must be a whole number of at least 1');
          if (items.length) add('items', '行数检查不针对信息项', 'a row-count check takes no items');
        } else if (!items.length) add('items', '请至少选择一个必填信息项', 'choose at least one required item');
        break;
      case 'validity': {
        const it = one();
        if (!it) break;
        if (params.check === 'validator' && !VALIDATORS.includes(params.validator as never))
          add('params.validator', `应为 ${VALIDATORS.join('、')} 之一`, `must be one of ${VALIDATORS.join(', ')}`);
        if (params.check === 'value_set') {
          const values = [...new Set((params.values ?? []).map((v) => v.trim()).filter(Boolean))];
          if (!values.length) add('params.values', '请列出可选值', 'list the allowed values');
          params.values = values;
        }
        if (params.check === 'range') {
          const numeric = it.dataType === 'integer' || it.dataType === 'decimal';
          const dated = it.dataType === 'date' || it.dataType === 'datetime';
          if (!numeric && !dated)
            add('params', '取值范围只适用于数值和日期信息项', 'a range applies to numbers and dates only');
          const ok = (v: string | null | undefined) =>
            v === null ||
            v === undefined ||
            (numeric ? /^-?\d+(\.\d+)?$/.test(v) : /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/.test(v));
          if (!ok(params.min))
            add(
              'params.min',
              numeric ? '应为数字' : '应为日期（YYYY-MM-DD）',
              numeric ? 'must be a number' : 'must be a date (YYYY-MM-DD)',
            );
          if (!ok(params.max))
            add(
              'params.max',
              numeric ? '应为数字' : '应为日期（YYYY-MM-DD）',
              numeric ? 'must be a number' : 'must be a date (YYYY-MM-DD)',
            );
          if ((params.min ?? null) === null && (params.max ?? null) === null)
            add('params', '请给出下限或上限', 'give a minimum or a maximum');
        }
        if (params.check === 'pattern') {
          const problem = params.pattern ? await runs.patternProblem(this.db, params.pattern) : '请填写正则表达式';
          if (problem)
            add('params.pattern', `不是有效的正则表达式：${problem}`, `is not a valid regular expression: ${problem}`);
        }
        if (params.check === 'not_future' && it.dataType !== 'date' && it.dataType !== 'datetime')
          add('items', '“不晚于今天”只适用于日期信息项', '"not in the future" applies to date items only');
        break;
      }
      case 'uniqueness':
        if (!items.length) add('items', '请选择应唯一的信息项', 'choose the items that must be unique');
        break;
      case 'consistency': {
        if (!items.length) add('items', '请选择要比对的信息项', 'choose the items to compare');
        const ref = params.refResourceId ? await findPublished(this.db, params.refResourceId) : null;
        if (!ref) {
          add(
            'params.refResourceId',
            '请选择作为比对基准的已编目数据资源',
            'choose the catalogued resource to compare with',
          );
          break;
        }
        params.refResourceId = ref.id;
        if (ref.id === r.id) add('params.refResourceId', '不能与资源自身比对', 'cannot compare a resource with itself');
        // a unit's rule never reads another unit's data (§28): only the Center compares across units
        if (ref.orgId !== r.orgId && !can(ctx.actor, 'rule.district'))
          add(
            'params.refResourceId',
            '单位规则只能与本单位的资源比对；跨单位比对由运营中心设置',
            "a unit's rule compares with its own resources only; the Center sets comparisons across units",
          );
        const refItems = params.refItems ?? [];
        if (refItems.length !== items.length)
          add(
            'params.refItems',
            '比对基准的信息项应与所选信息项一一对应',
            'name one item of the other resource for each item',
          );
        const unknownRef = refItems.filter((c) => !ref.items.some((i) => i.code === c));
        if (unknownRef.length)
          add(
            'params.refItems',
            `比对资源中没有这些信息项：${unknownRef.join('、')}`,
            `not items of that resource: ${unknownRef.join(', ')}`,
          );
        break;
      }
      case 'timeliness':
      case 'single_source':
        if (items.length) add('items', '此类规则不针对信息项', 'this kind of rule takes no items');
        break;
    }
    for (const k of Object.keys(params) as (keyof QualityRuleParams)[]) if (params[k] === undefined) delete params[k];
    if (problems.length) throw errors.validation(problems);
    return { items, params };
  }

  /** A generated name for a rule, from its kind, check and items (the caller may give its own). */
  private nameOf(kind: QualityKind, items: string[], params: QualityRuleParams, r: PublishedResource): string {
    const names = items.map((c) => r.items.find((i) => i.code === c)?.name ?? c).join('、');
    switch (kind) {
      case 'completeness':
        return params.check === 'row_count' ? `数据量不少于 ${params.minRows} 行` : `必填项不为空：${names}`;
      case 'validity':
        return (
          (
            {
              validator: `格式校验：${names}`,
              value_set: `取值在值域内：${names}`,
              range: `取值范围：${names}`,
              pattern: `格式符合规则：${names}`,
              not_future: `日期不晚于今天：${names}`,
            } as Record<string, string>
          )[params.check ?? 'validator'] ?? `有效性：${names}`
        );
      case 'uniqueness':
        return `不重复：${names}`;
      case 'consistency':
        return `存在于比对资源：${names}`;
      case 'timeliness':
        return '按更新周期及时更新';
      case 'single_source':
        return '与权威来源一致（一数一源）';
    }
  }

  async create(ctx: RequestContext, input: RuleInput, opts: { suggested?: boolean } = {}) {
    const r = await this.published(input.resourceId);
    authorize(ctx.actor, 'rule.manage', { ownerOrgId: r.orgId });
    const { items, params } = await this.checked(ctx, input, r);
    const id = randomUUID();
    const scope = can(ctx.actor, 'rule.district') ? 'district' : 'unit';
    const name = input.name?.trim() || this.nameOf(input.kind, items, params, r);
    await this.db.transaction().execute(async (trx) => {
      await repo.insertRule(trx, {
        id,
        resource_id: r.id,
        org_id: r.orgId,
        scope,
        kind: input.kind,
        name,
        items,
        params: JSON.stringify(params),
        active: input.active ?? true,
        suggested: !!opts.suggested,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await writeAudit(trx, ctx, {
        action: 'quality.rule.create',
        objectType: 'quality_rule',
        objectId: id,
        orgId: r.orgId,
        diff: { resource: r.id, kind: input.kind, name, items, params, scope },
      });
    });
    return this.get(ctx, id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    body: { name?: string; items?: string[]; params?: QualityRuleParams; active?: boolean },
  ) {
    const rule = await this.load(id);
    authorize(ctx.actor, 'rule.manage', { ownerOrgId: rule.org_id });
    // a district rule is the Center's: a unit sees it and its runs, and cannot change it
    if (rule.scope === 'district') authorize(ctx.actor, 'rule.district');
    const r = await this.published(rule.resource_id);
    const { items, params } = await this.checked(
      ctx,
      { resourceId: r.id, kind: rule.kind, items: body.items ?? rule.items, params: body.params ?? rule.params },
      r,
    );
    const set = {
      name: body.name?.trim() || rule.name,
      items,
      params: JSON.stringify(params),
      active: body.active ?? rule.active,
    };
    await this.db.transaction().execute(async (trx) => {
      await repo.updateRule(trx, id, set);
      await writeAudit(trx, ctx, {
        action: 'quality.rule.update',
        objectType: 'quality_rule',
        objectId: id,
        orgId: rule.org_id,
        diff: {
          ...(set.name !== rule.name ? { name: [rule.name, set.name] } : {}),
          ...(JSON.stringify(items) !== JSON.stringify(rule.items) ? { items: [rule.items, items] } : {}),
          ...(JSON.stringify(params) !== JSON.stringify(rule.params) ? { params: [rule.params, params] } : {}),
          ...(set.active !== rule.active ? { active: [rule.active, set.active] } : {}),
        },
      });
    });
    return this.get(ctx, id);
  }

  private present(
    rule: repo.RuleRow,
    last: Awaited<ReturnType<typeof repo.latestRuns>>[number] | undefined,
    labels: Awaited<ReturnType<typeof resourceLabels>>,
  ) {
    return {
      id: rule.id,
      resourceId: rule.resource_id,
      resourceName: labels.get(rule.resource_id)?.name ?? null,
      orgName: labels.get(rule.resource_id)?.orgName ?? null,
      orgId: rule.org_id,
      scope: rule.scope,
      kind: rule.kind,
      dimension: dimensionOf(rule.kind),
      name: rule.name,
      items: rule.items,
      params: rule.params,
      active: rule.active,
      suggested: rule.suggested,
      createdAt: rule.created_at.toISOString(),
      lastRun: last
        ? {
            id: last.id,
            outcome: last.outcome,
            checked: Number(last.checked),
            failing: Number(last.failing),
            score: last.score === null ? null : Number(last.score),
            reason: last.reason,
            at: last.started_at.toISOString(),
          }
        : null,
    };
  }

  async get(ctx: RequestContext, id: string) {
    const rule = await this.load(id);
    authorize(ctx.actor, 'rule.read', { ownerOrgId: rule.org_id });
    const [last] = await repo.latestRuns(this.db, [id]);
    return {
      ...this.present(rule, last, await resourceLabels(this.db, [rule.resource_id])),
      mayManage:
        can(ctx.actor, 'rule.manage', { ownerOrgId: rule.org_id }) &&
        (rule.scope === 'unit' || can(ctx.actor, 'rule.district')),
    };
  }

  async list(
    ctx: RequestContext,
    f: { resourceId?: string | undefined; orgId?: string | undefined; kind?: QualityKind | undefined },
  ) {
    if (!ctx.actor) throw errors.unauthenticated();
    const scope = listScope(ctx.actor);
    if (f.resourceId) {
      const r = await this.published(f.resourceId);
      authorize(ctx.actor, 'rule.read', { ownerOrgId: r.orgId });
    }
    const rules = await repo.listRules(this.db, { ...f, orgId: scope ?? f.orgId });
    const last = new Map(
      (
        await repo.latestRuns(
          this.db,
          rules.map((r) => r.id),
        )
      ).map((x) => [x.rule_id, x]),
    );
    const labels = await resourceLabels(this.db, [...new Set(rules.map((r) => r.resource_id))]);
    return rules.map((r) => this.present(r, last.get(r.id), labels));
  }

  // ------------------------------------------------------------------ suggestions
  /** Rules the items call for (required flags, value sets, formats, birth dates, the key, the update cycle, sources) that the resource does not have yet. */
  async suggestions(ctx: RequestContext, resourceId: string): Promise<Omit<RuleInput, 'active'>[]> {
    const r = await this.published(resourceId);
    authorize(ctx.actor, 'rule.manage', { ownerOrgId: r.orgId });
    const existing = await repo.listRules(this.db, { resourceId: r.id });
    const out: (RuleInput & { name: string })[] = [];
    const add = (kind: QualityKind, items: string[], params: QualityRuleParams) =>
      out.push({ resourceId: r.id, kind, items, params, name: this.nameOf(kind, items, params, r) });
    const required = r.items.filter((i) => i.required && !i.primaryKey).map((i) => i.code);
    if (required.length) add('completeness', required, { check: 'not_null' });
    for (const i of r.items) {
      if (i.piiKind && (VALIDATORS as readonly string[]).includes(i.piiKind))
        add('validity', [i.code], { check: 'validator', validator: i.piiKind as (typeof VALIDATORS)[number] });
      if (i.valueSet.length) add('validity', [i.code], { check: 'value_set', values: i.valueSet });
      if (i.piiKind === 'birth_date' && (i.dataType === 'date' || i.dataType === 'datetime'))
        add('validity', [i.code], { check: 'not_future' });
    }
    const keys = r.items.filter((i) => i.primaryKey).map((i) => i.code);
    if (keys.length) add('uniqueness', keys, {});
    if (CYCLE_DAYS[r.updateCycle] !== null) add('timeliness', [], {});
    const sources = (await listSourceReferences(this.db)).filter((s) => s.holderId === r.id);
    if (sources.length) add('single_source', [], {});
    for (const s of sources)
      if (
        s.sourceItem &&
        s.sourceId !== r.id &&
        (r.orgId === (await findPublished(this.db, s.sourceId))?.orgId || can(ctx.actor, 'rule.district'))
      )
        add('consistency', [s.item], { refResourceId: s.sourceId, refItems: [s.sourceItem] });
    const same = (a: RuleInput, b: repo.RuleRow) =>
      a.kind === b.kind &&
      JSON.stringify([...(a.items ?? [])].sort()) === JSON.stringify([...b.items].sort()) &&
      (a.params?.check ?? null) === (b.params.check ?? null) &&
      (a.params?.refResourceId ?? null) === (b.params.refResourceId ?? null);
    return out.filter((s) => !existing.some((e) => same(s, e)));
  }

  /** Creates every suggested rule the resource does not have yet. */
  async acceptSuggestions(ctx: RequestContext, resourceId: string) {
    const list = await this.suggestions(ctx, resourceId);
    const created = [];
    for (const s of list) created.push(await this.create(ctx, s, { suggested: true }));
    return created;
  }

  // ------------------------------------------------------------------ running
  private plan(
    rule: repo.RuleRow,
    r: PublishedResource,
    shape: Shape | null,
    refShapes: Map<string, Shape | null>,
  ): Plan {
    const p = rule.params;
    if (rule.kind === 'timeliness') return { how: 'timeliness' };
    if (rule.kind === 'single_source') return { how: 'single_source' };
    if (!shape) return { how: 'not_run', reason: msg('资源还没有数据表', 'the resource has no data table yet') };
    // an item the catalog removed is gone from the rule's point of view, even while its column is kept
    const missing = rule.items.filter((c) => !shape.columns.has(c) || !r.items.some((i) => i.code === c));
    if (missing.length) return { how: 'not_run', reason: missingItems(missing) };
    const ref = (c: string) => ({ code: c, dataType: shape.columns.get(c)!.dataType });
    switch (rule.kind) {
      case 'completeness':
        return p.check === 'row_count'
          ? { how: 'row_count', minRows: p.minRows ?? 1 }
          : { how: 'scan', check: { kind: 'not_null', items: rule.items.map(ref) } };
      case 'validity': {
        const item = ref(rule.items[0]!);
        switch (p.check) {
          case 'validator':
            return { how: 'scan', check: { kind: 'validator', item, validator: p.validator! } };
          case 'value_set':
            return { how: 'scan', check: { kind: 'value_set', item, values: p.values ?? [] } };
          case 'range':
            return { how: 'scan', check: { kind: 'range', item, min: p.min ?? null, max: p.max ?? null } };
          case 'pattern':
            return { how: 'scan', check: { kind: 'pattern', item, pattern: p.pattern ?? '' } };
          case 'not_future': {
            return {
              how: 'scan',
              check: { kind: 'not_future', item, today: this.today(), now: shanghaiDateTime(new Date()) },
            };
          }
        }
        return { how: 'not_run', reason: msg('规则的检查方式无效', 'the rule has no valid check') };
      }
      case 'uniqueness': {
        const keys = shape.keys.map((k) => k.code);
        const isKey = keys.length === rule.items.length && keys.every((k) => rule.items.includes(k));
        return isKey ? { how: 'key' } : { how: 'duplicates', items: rule.items };
      }
      case 'consistency': {
        const other = refShapes.get(p.refResourceId ?? '') ?? null;
        if (!other)
          return {
            how: 'not_run',
            reason: msg('比对资源还没有数据表', 'the resource compared with has no data table'),
          };
        const gone = (p.refItems ?? []).filter((c) => !other.columns.has(c));
        if (gone.length) return { how: 'not_run', reason: missingItems(gone) };
        return {
          how: 'scan',
          check: { kind: 'exists_in', items: rule.items.map(ref), refTable: other.table, refItems: p.refItems ?? [] },
        };
      }
    }
    return { how: 'not_run', reason: msg('未知的规则类型', 'unknown kind of rule') };
  }

  /**
   * Runs the active rules of a resource (or the given ones): the row checks in one scan of its table, the rest each
   * in its own statement or from what ingest knows. Keeps every run, the day's scores, and an audit record.
   */
  async runResource(
    ctx: RequestContext,
    resourceId: string,
    trigger: QualityTrigger,
    opts: { ruleIds?: string[]; batchId?: string | null } = {},
  ): Promise<RunResult[]> {
    const r = await findPublished(this.db, resourceId);
    if (!r) return [];
    if (ctx.actor) authorize(ctx.actor, 'rule.manage', { ownerOrgId: r.orgId });
    const all = await repo.listRules(this.db, { resourceId: r.id });
    const rules = opts.ruleIds ? all.filter((x) => opts.ruleIds!.includes(x.id)) : all.filter((x) => x.active);
    if (!rules.length) return [];
    const shape = await this.data.shape(r.id);
    const refShapes = new Map<string, Shape | null>();
    for (const x of rules)
      if (x.kind === 'consistency' && x.params.refResourceId && !refShapes.has(x.params.refResourceId))
        refShapes.set(x.params.refResourceId, await this.data.shape(x.params.refResourceId));
    const plans = rules.map((rule) => ({ rule, plan: this.plan(rule, r, shape, refShapes) }));
    const previous = new Map(
      (
        await repo.latestRuns(
          this.db,
          rules.map((x) => x.id),
        )
      ).map((x) => [x.rule_id, x]),
    );

    type Figures = { checked: number; failing: number; sample: string[]; ms: number; score?: number; reason?: Msg };
    const figures = new Map<string, Figures>();
    const scanned = plans
      .filter((p) => p.plan.how === 'scan')
      .map((p) => ({ rule: p.rule, check: (p.plan as { check: runs.RowCheck }).check }));
    const versions = scanned.length ? await itemChecksByVersion(this.db, r.id) : null;
    // the batches, what each check carries and the scans are read in one snapshot: the scans judge exactly the rows
    // of the batches listed, against the other resources' data as their batches say it is
    const carry = new Map<string, Carrying>();
    let rows: number | null = null;
    await this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const batches = scanned.length ? await this.ingest.succeededBatches(r.id, trx) : [];
        const atLoad = versions ? this.checkedAtLoad(versions, batches) : () => undefined;
        if (shape) for (const [k, v] of await this.carry(trx, scanned, shape, refShapes, batches)) carry.set(k, v);
        // what a run finds is added to what its rule carries
        const add = (ruleId: string, now: { checked: number; failing: number; sample: string[] }, ms: number) => {
          const c = carry.get(ruleId)?.from;
          figures.set(
            ruleId,
            c
              ? {
                  checked: c.checked + now.checked,
                  failing: c.failing + now.failing,
                  sample: [...c.sample, ...now.sample].slice(0, 20),
                  ms,
                }
              : { ...now, ms },
          );
        };
        const check = (p: (typeof scanned)[number]): runs.ScanCheck => ({
          check: p.check,
          checkedAtLoad: atLoad(p.check),
          ...(carry.get(p.rule.id)?.probe ? { lookUp: true } : {}),
          sample: this.sampling(carry.get(p.rule.id), Number(previous.get(p.rule.id)?.failing ?? 0)),
        });
        // the checks that carry judge the new batches' rows, in a scan that reads only those (for each set of batches:
        // rules run together share one); the others judge every row of the listed batches, in the table's scan
        const fresh = new Map<string, (typeof scanned)[number][]>();
        for (const p of scanned) {
          const c = carry.get(p.rule.id);
          if (!c?.from) continue;
          const k = c.judge.join(',');
          fresh.set(k, [...(fresh.get(k) ?? []), p]);
        }
        const whole = scanned.filter((p) => !carry.get(p.rule.id)?.from);
        if (shape && (whole.length || plans.some((p) => ['key', 'row_count', 'single_source'].includes(p.plan.how)))) {
          const t0 = performance.now();
          const res = await runs.scan(
            trx,
            shape.table,
            shape.keys.map((k) => k.code),
            whole.map(check),
          );
          const ms = performance.now() - t0;
          rows = res.rows;
          whole.forEach((p, i) => add(p.rule.id, res.checks[i]!, ms));
        }
        for (const [k, group] of fresh) {
          const t0 = performance.now();
          const res = k
            ? await runs.scan(
                trx,
                shape!.table,
                shape!.keys.map((x) => x.code),
                group.map(check),
                { within: k.split(',') },
              )
            : null;
          const ms = performance.now() - t0;
          group.forEach((p, i) => add(p.rule.id, res?.checks[i] ?? { checked: 0, failing: 0, sample: [] }, ms));
        }
      });
    for (const { rule, plan } of plans) {
      const t0 = performance.now();
      switch (plan.how) {
        case 'duplicates': {
          const d = await runs.duplicates(
            this.db,
            shape!.table,
            shape!.keys.map((k) => k.code),
            plan.items,
          );
          figures.set(rule.id, { ...d, ms: performance.now() - t0 });
          break;
        }
        case 'key':
          // the table's primary key refuses a repeated key: every row is unique by construction
          figures.set(rule.id, { checked: rows ?? 0, failing: 0, sample: [], ms: 0 });
          break;
        case 'row_count': {
          const n = rows ?? 0;
          figures.set(rule.id, {
            checked: n,
            failing: Math.max(0, plan.minRows - n),
            sample: [],
            ms: 0,
            score: Math.round(Math.min(1, n / plan.minRows) * 10000) / 100,
          });
          break;
        }
        case 'timeliness': {
          const f = await this.ingest.freshnessFor(r.id);
          const late = !f || f.freshness === 'overdue' || f.freshness === 'never' || f.freshness === 'no_table';
          figures.set(rule.id, {
            checked: 1,
            failing: late ? 1 : 0,
            sample: [],
            ms: performance.now() - t0,
            ...(late
              ? {
                  reason:
                    f?.freshness === 'overdue'
                      ? msg(`已超过更新周期（应于 ${f.dueDate} 前更新）`, `past its update cycle (due ${f.dueDate})`)
                      : msg('还没有归集过数据', 'no data has been loaded yet'),
                }
              : {}),
          });
          break;
        }
        case 'single_source': {
          const c = await this.oneSource.conflictsOf(r.id);
          if (!c) {
            figures.set(rule.id, {
              checked: 0,
              failing: 0,
              sample: [],
              ms: 0,
              reason: msg('一数一源比对还没有运行过', 'the one-source comparison has not run yet'),
            });
            break;
          }
          figures.set(rule.id, { checked: rows ?? 0, failing: c.keys, sample: c.sample, ms: performance.now() - t0 });
          break;
        }
        default:
          break;
      }
    }
    const out: (RunResult & { ms: number })[] = plans.map(({ rule, plan }) => {
      const f = figures.get(rule.id);
      const notRun =
        plan.how === 'not_run'
          ? plan.reason
          : !f || (rule.kind === 'single_source' && f.reason)
            ? (f?.reason ?? msg('未运行', 'not run'))
            : null;
      return {
        id: randomUUID(),
        ruleId: rule.id,
        resourceId: r.id,
        orgId: r.orgId,
        kind: rule.kind,
        outcome: notRun ? 'not_run' : f!.failing > 0 ? 'failed' : 'passed',
        checked: notRun ? 0 : f!.checked,
        failing: notRun ? 0 : f!.failing,
        score: notRun ? null : (f!.score ?? scoreOf(f!.checked, f!.failing)),
        sample: notRun ? [] : f!.sample,
        reason: notRun ?? f?.reason ?? null,
        ms: notRun ? 0 : Math.round(f!.ms),
      };
    });
    const policy = await this.calendar.currentPolicy();
    await this.db.transaction().execute(async (trx) => {
      const rows: Insertable<QualityRunTable>[] = out.map((x) => ({
        id: x.id,
        rule_id: x.ruleId,
        resource_id: x.resourceId,
        org_id: x.orgId,
        kind: x.kind,
        trigger,
        batch_id: opts.batchId ?? null,
        outcome: x.outcome,
        checked: x.checked,
        failing: x.failing,
        score: x.score,
        sample: x.sample,
        reason: x.reason ? JSON.stringify(x.reason) : null,
        duration_ms: x.ms,
        actor_name: ctx.actor ? actorName(ctx.actor) : null,
      }));
      await repo.insertRuns(trx, rows);
      await repo.saveCarries(
        trx,
        [...carry].map(([ruleId, c]) => {
          const f = figures.get(ruleId)!;
          return {
            ruleId,
            basis: c.basis,
            through: c.through,
            checked: f.checked,
            failing: f.failing,
            sample: f.sample,
          };
        }),
      );
      await this.score(trx, r, policy);
      await writeAudit(trx, ctx, {
        action: 'quality.rule.run',
        objectType: 'resource',
        objectId: r.id,
        orgId: r.orgId,
        diff: {
          trigger,
          rules: out.length,
          failing: out.filter((x) => x.outcome === 'failed').length,
          result: out.some((x) => x.outcome === 'not_run')
            ? 'not_run'
            : out.some((x) => x.outcome === 'failed')
              ? 'failed'
              : 'passed',
          ...(opts.batchId ? { batch: opts.batchId } : {}),
        },
      });
    });
    const results: RunResult[] = out.map(({ ms: _ms, ...x }) => x);
    await this.onRuns(results);
    return results;
  }

  /**
   * A rule's check on some rows only (a report's rows, by key), to verify a fix: how many of them still fail. Not a
   * run of the rule (it scores nothing); null when the rule cannot judge single rows (its kind, or it cannot run).
   */
  async checkRows(ruleId: string, keys: string[]): Promise<{ checked: number; failing: number } | null> {
    const rule = await this.load(ruleId);
    const r = await findPublished(this.db, rule.resource_id);
    const shape = await this.data.shape(rule.resource_id);
    if (!r || !shape || !shape.keys.length || !keys.length) return null;
    const refShapes = new Map<string, Shape | null>();
    if (rule.kind === 'consistency' && rule.params.refResourceId)
      refShapes.set(rule.params.refResourceId, await this.data.shape(rule.params.refResourceId));
    const plan = this.plan(rule, r, shape, refShapes);
    if (plan.how !== 'scan') return null;
    const res = await runs.scan(
      this.db,
      shape.table,
      shape.keys.map((k) => k.code),
      [{ check: plan.check, sample: 'scan' }],
      { only: keys },
    );
    return { checked: res.rows, failing: res.checks[0]!.failing };
  }

  /** The rules a report can be verified by: the active rules of its resource that judge single rows. */
  async rowRules(resourceId: string) {
    return (await repo.listRules(this.db, { resourceId, active: true })).filter((x) =>
      x.kind === 'completeness' ? x.params.check !== 'row_count' : x.kind === 'validity' || x.kind === 'consistency',
    );
  }

  /**
   * How a check finds its first failing keys: in the scan when the rule failed a few rows last time; else (none,
   * many, never ran) by a short query after it, made only if rows fail. A carried check needs none when it carries
   * twenty, and else looks in the scan, which judges only the new batches' rows (the query after it would read the
   * table until it met them).
   */
  private sampling(carry: Carrying | undefined, failedLastTime: number): runs.ScanCheck['sample'] {
    if (carry?.from) return carry.from.sample.length >= 20 ? 'none' : 'scan';
    return failedLastTime > 0 && failedLastTime <= 20_000 ? 'scan' : 'after';
  }

  /**
   * What each row check judges this time (ADR 0012). A row's verdict depends only on the row, the rule and the
   * items' types, and for an existence check on the other resource's data; rows only change with batches. So when
   * none of these changed since the rule's last run and every batch loaded since only added rows, the last run's
   * figures are carried and only the rows of those batches are judged (looked up one by one in the other table's
   * key when they are few); otherwise every row is. A date in the future is judged afresh each time (the day moves).
   * The batches are listed and the rows scanned in one snapshot, so a batch that commits meanwhile is judged next
   * time, not twice nor half.
   */
  private async carry(
    trx: DbOrTrx,
    scanned: { rule: repo.RuleRow; check: runs.RowCheck }[],
    shape: Shape,
    refShapes: Map<string, Shape | null>,
    batches: { id: string; changeSeq: number | null; insertOnly: boolean; accepted: number }[],
  ): Promise<Map<string, Carrying>> {
    const carried = scanned.filter((p) => p.check.kind !== 'not_future');
    const out = new Map<string, Carrying>();
    if (!carried.length) return out;
    const last = await repo.carries(
      trx,
      carried.map((p) => p.rule.id),
    );
    // a resource's batches commit in change_seq order (under its lock): the last one names all before it
    const lastSeq = (bs: { changeSeq: number | null }[]) =>
      bs.reduce<number | null>(
        (m, b) => (b.changeSeq !== null && (m === null || b.changeSeq > m) ? b.changeSeq : m),
        null,
      );
    const through = lastSeq(batches);
    const refs = new Map<string, { seq: number | null; rows: number }>();
    for (const { rule, check } of carried) {
      let basis = { rule: rule.updated_at.toISOString(), table: shape.table, check } as Record<string, unknown>;
      let probe = (_fresh: number) => false;
      if (check.kind === 'exists_in') {
        const refId = rule.params.refResourceId!;
        if (!refs.has(refId)) {
          const theirs = await this.ingest.succeededBatches(refId, trx);
          refs.set(refId, { seq: lastSeq(theirs), rows: theirs.reduce((n, b) => n + b.accepted, 0) });
        }
        const ref = refs.get(refId)!;
        const other = refShapes.get(refId)!;
        basis = { ...basis, ref: ref.seq, refTypes: check.refItems.map((c) => other.columns.get(c)?.dataType ?? null) };
        // few new rows against the other table's text key: each is looked up in its index, which costs less than
        // hashing all of the other table (at most about as many rows as half of it)
        const keyed =
          other.keys.length === check.refItems.length &&
          other.keys.every((k) => check.refItems.includes(k.code) && /^(text|character varying)/.test(k.sqlType));
        probe = (fresh) => keyed && fresh * 2 <= ref.rows;
      }
      const b = JSON.stringify(basis);
      const prev = last.get(rule.id);
      // the batches after the last one it judged (those from before change_seq came first of all)
      const since = batches.filter(
        (x) =>
          x.changeSeq !== null && (prev?.through === null || prev?.through === undefined || x.changeSeq > prev.through),
      );
      out.set(
        rule.id,
        prev && prev.basis === b && since.every((x) => x.insertOnly)
          ? {
              basis: b,
              through,
              judge: since.map((x) => x.id),
              from: prev,
              probe: probe(since.reduce((n, x) => n + x.accepted, 0)),
            }
          : { basis: b, through, judge: [], from: null, probe: false },
      );
    }
    return out;
  }

  /**
   * Which batches' rows ingest already checked as a row check asks (ADR 0012): the item's format when its version
   * named that kind, its value set when within the rule's, required items. Rows loaded under a version that did not
   * (or copied from before it) are judged again; so is everything else.
   */
  private checkedAtLoad(
    versions: Awaited<ReturnType<typeof itemChecksByVersion>>,
    batches: { id: string; version: number }[],
  ) {
    return (check: runs.RowCheck): string[] | undefined => {
      const doorChecked = (v: number) => {
        const items = versions.get(v);
        if (!items) return false;
        switch (check.kind) {
          case 'validator':
            return items.get(check.item.code)?.piiKind === check.validator;
          case 'value_set': {
            const set = items.get(check.item.code)?.valueSet ?? [];
            return set.length > 0 && set.every((x) => check.values.includes(x));
          }
          case 'not_null':
            return check.items.every((i) => items.get(i.code)?.required);
          default:
            return false;
        }
      };
      const ids = batches.filter((b) => doorChecked(b.version)).map((b) => b.id);
      return ids.length ? ids : undefined;
    };
  }

  /** Runs one rule now (the console's "run now"). */
  async runRule(ctx: RequestContext, id: string) {
    const rule = await this.load(id);
    authorize(ctx.actor, 'rule.manage', { ownerOrgId: rule.org_id });
    const [run] = await this.runResource(ctx, rule.resource_id, 'manual', { ruleIds: [id] });
    return run!;
  }

  /** Runs every active rule of a resource now. */
  async runNow(ctx: RequestContext, resourceId: string) {
    const r = await this.published(resourceId);
    authorize(ctx.actor, 'rule.manage', { ownerOrgId: r.orgId });
    return this.runResource(ctx, r.id, 'manual');
  }

  /** The scheduled run (job): every resource with an active rule, one after another. */
  async runScheduled() {
    const ctx: RequestContext = { actor: null, requestId: 'quality.schedule', ip: null };
    let n = 0;
    for (const id of await repo.resourcesWithRules(this.db)) n += (await this.runResource(ctx, id, 'schedule')).length;
    return n;
  }

  // ------------------------------------------------------------------ scores
  /** A resource's scores from the latest run of each active rule, written for today. */
  private async score(
    trx: Parameters<typeof repo.putScores>[0],
    r: { id: string; orgId: string },
    policy: { version: number; params: Record<string, number> },
  ) {
    const active = await repo.listRules(trx, { resourceId: r.id, active: true });
    const latest = await repo.latestRuns(
      trx,
      active.map((x) => x.id),
    );
    const by = new Map<QualityDimension, number[]>();
    for (const run of latest) {
      if (run.outcome === 'not_run' || run.score === null) continue;
      const d = dimensionOf(run.kind);
      by.set(d, [...(by.get(d) ?? []), Number(run.score)]);
    }
    const dims = [...by.entries()].map(([dimension, s]) => ({
      dimension,
      score: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 100) / 100,
    }));
    let weight = 0;
    let sum = 0;
    for (const d of dims) {
      const w = policy.params[`quality_weight_${d.dimension}`] ?? 0;
      weight += w;
      sum += w * d.score;
    }
    const scores: { dimension: QualityDimension | 'overall'; score: number }[] = [...dims];
    if (weight > 0) scores.push({ dimension: 'overall', score: Math.round((sum / weight) * 100) / 100 });
    await repo.putScores(
      trx,
      { day: this.today(), resourceId: r.id, orgId: r.orgId, policyVersion: policy.version },
      scores,
    );
  }

  // ------------------------------------------------------------------ reading runs
  /** A rule's or a resource's runs, newest first; failing keys masked unless the caller may read them raw. */
  async runs(
    ctx: RequestContext,
    f: { ruleId?: string | undefined; resourceId?: string | undefined; limit: number; offset: number },
  ) {
    if (!f.ruleId && !f.resourceId) throw errors.field('ruleId', '请指定规则或数据资源', 'name a rule or a resource');
    const resourceId = f.ruleId ? (await this.load(f.ruleId)).resource_id : f.resourceId!;
    const r = await this.published(resourceId);
    authorize(ctx.actor, 'rule.read', { ownerOrgId: r.orgId });
    const q = { ruleId: f.ruleId, resourceId: f.ruleId ? undefined : r.id };
    const [list, total] = await Promise.all([
      repo.listRuns(this.db, { ...q, limit: f.limit, offset: f.offset }),
      repo.countRuns(this.db, q),
    ]);
    const raw = can(ctx.actor, 'rule.raw_sample', { ownerOrgId: r.orgId });
    const mask = raw ? (k: string) => k : await this.keyMask(r);
    return {
      total,
      rawSamples: raw,
      runs: list.map((x) => ({
        id: x.id,
        ruleId: x.rule_id,
        kind: x.kind,
        trigger: x.trigger,
        batchId: x.batch_id,
        outcome: x.outcome,
        checked: Number(x.checked),
        failing: Number(x.failing),
        score: x.score === null ? null : Number(x.score),
        sample: x.sample.map(mask),
        reason: x.reason,
        durationMs: x.duration_ms,
        actorName: x.actor_name,
        at: x.started_at.toISOString(),
      })),
    };
  }

  /** Keys of a resource's rows as the caller may read them: raw for the owner's officers, else masked. */
  async keysFor(ctx: RequestContext, resourceId: string, keys: string[]) {
    const r = await findPublished(this.db, resourceId);
    if (!r || !keys.length) return keys;
    if (can(ctx.actor, 'rule.raw_sample', { ownerOrgId: r.orgId })) return keys;
    const mask = await this.keyMask(r);
    return keys.map(mask);
  }

  /** Masks a key as the resource's default profile masks its key items ('|' between the items of a composite key). */
  private async keyMask(r: PublishedResource) {
    const rules = await this.masking.rulesOf(r.id, 'default');
    const keys = this.masking.keys(`quality:${r.id}`);
    const keyItems = r.items.filter((i) => i.primaryKey);
    return (k: string) => {
      const parts = keyItems.length > 1 ? k.split('|') : [k];
      return parts
        .map((v, i) => {
          const it = keyItems[i];
          if (!it || !rules[it.code]) return v;
          return String(
            maskValue(
              v,
              { code: it.code, dataType: it.dataType, length: it.length, piiKind: it.piiKind },
              rules[it.code],
              keys,
            ),
          );
        })
        .join('|');
    };
  }

  // ------------------------------------------------------------------ dashboard
  /** Scores: each resource's latest by dimension, units ranked, and the trend over the last `days` days. */
  async dashboard(ctx: RequestContext, f: { orgId?: string | undefined; days: number }) {
    if (!ctx.actor) throw errors.unauthenticated();
    const scope = can(ctx.actor, 'score.all') ? f.orgId : ctx.actor.orgId;
    const latest = await repo.latestScores(this.db, { orgId: scope });
    const today = this.today();
    const since = new Date(Date.parse(`${today}T00:00:00Z`) - (f.days - 1) * 86400_000).toISOString().slice(0, 10);
    const trend = await repo.trend(this.db, { since, until: today, orgId: scope });
    const byResource = new Map<
      string,
      { resourceId: string; orgId: string; day: string; scores: Record<string, number> }
    >();
    for (const s of latest) {
      const e = byResource.get(s.resource_id) ?? { resourceId: s.resource_id, orgId: s.org_id, day: s.day, scores: {} };
      e.scores[s.dimension] = Number(s.score);
      byResource.set(s.resource_id, e);
    }
    const units = new Map<string, number[]>();
    for (const e of byResource.values())
      if (e.scores.overall !== undefined) units.set(e.orgId, [...(units.get(e.orgId) ?? []), e.scores.overall]);
    const policy = await this.calendar.currentPolicy();
    const labels = await resourceLabels(this.db, [...byResource.keys()]);
    const orgNames = new Map([...labels.values()].map((l) => [l.orgId, l.orgName]));
    return {
      weights: Object.fromEntries(
        (['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const).map((d) => [
          d,
          policy.params[`quality_weight_${d}`] ?? 0,
        ]),
      ),
      policyVersion: policy.version,
      resources: [...byResource.values()].map((e) => ({
        ...e,
        code: labels.get(e.resourceId)?.code ?? null,
        name: labels.get(e.resourceId)?.name ?? null,
        orgName: labels.get(e.resourceId)?.orgName ?? null,
      })),
      units: [...units.entries()]
        .map(([orgId, s]) => ({
          orgId,
          orgName: orgNames.get(orgId) ?? null,
          resources: s.length,
          score: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 100) / 100,
        }))
        .sort((a, b) => b.score - a.score),
      trend,
    };
  }

  /** One resource's scores with the trend and, per dimension, the rules behind it and their latest runs. */
  async resourceScores(ctx: RequestContext, resourceId: string, days: number) {
    const r = await this.published(resourceId);
    authorize(ctx.actor, 'rule.read', { ownerOrgId: r.orgId });
    const latest = await repo.latestScores(this.db, { resourceId: r.id });
    const today = this.today();
    const since = new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86400_000).toISOString().slice(0, 10);
    const rules = await this.list(ctx, { resourceId: r.id });
    return {
      resourceId: r.id,
      code: r.code,
      name: r.name,
      orgId: r.orgId,
      scores: Object.fromEntries(latest.map((s) => [s.dimension, Number(s.score)])),
      day: latest[0]?.day ?? null,
      policyVersion: latest[0]?.policy_version ?? null,
      trend: await repo.trend(this.db, { since, until: today, resourceId: r.id }),
      rules,
    };
  }
}
