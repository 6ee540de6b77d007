// The data browser (SPEC §15-18) and the masking preview on loaded rows: masked unless the caller may read the
// data raw (the owner unit's data and security officers); filters and sorts that would tell what a mask hides
// are refused. Every read is audited.
import type { Db } from '../../../db/database.ts';
import type { DataColumn } from '../../../db/schema.ts';
import type { RequestContext } from '../../../platform/context.ts';
import { AppError, errors } from '../../../platform/errors.ts';
import { writeAudit, type AuditAction } from '../../audit/index.ts';
import { findPublished, type PublishedItem, type PublishedResource } from '../../catalog/index.ts';
import { describeRule, maskValue, type Column, type MaskingService } from '../../masking/index.ts';
import { compileItem, type Problem } from '../check/check.values.ts';
import * as registry from '../ingest.repository.ts';
import { authorize, can } from '../ingest.policy.ts';
import { actualColumns } from '../table/table.repository.ts';
import * as repo from './browse.repository.ts';

export interface BrowseQuery {
  page: number;
  pageSize: number;
  sort?: string;
  order?: 'asc' | 'desc';
  filters: { code: string; op: 'eq' | 'contains' | 'gt' | 'lt'; value: string }[];
  raw?: boolean;
}

type Rules = Awaited<ReturnType<MaskingService['rulesFor']>>['rules'];
type FieldProblem = { field: string; message: Problem };

const maskingColumn = (i: PublishedItem): Column => ({
  code: i.code,
  dataType: i.dataType as Column['dataType'],
  length: i.length,
  piiKind: i.piiKind,
});

const isMasked = (rules: Rules, code: string) => !!rules[code] && rules[code]!.rule !== 'none';

export class BrowseService {
  constructor(
    private readonly db: Db,
    private readonly masking: MaskingService,
  ) {}

  private async published(ref: string): Promise<PublishedResource> {
    const resource = await findPublished(this.db, ref);
    if (!resource) throw errors.notFound('resource', ref);
    return resource;
  }

  /** The items whose columns the table really has (a column added by a migration still running is left out). */
  private async shownItems(resource: PublishedResource, table: string) {
    const present = await actualColumns(this.db, table);
    return resource.items.filter((i) => present.has(i.code));
  }

  private audit(ctx: RequestContext, resource: PublishedResource, action: AuditAction, diff: Record<string, unknown>) {
    return this.db
      .transaction()
      .execute((trx) =>
        writeAudit(trx, ctx, { action, objectType: 'resource', objectId: resource.id, orgId: resource.orgId, diff }),
      );
  }

  /** Filters as the repository takes them; problems name the filter that is wrong. */
  private filtersOf(resource: PublishedResource, columns: DataColumn[], q: BrowseQuery, problems: FieldProblem[]) {
    const byCode = new Map(resource.items.map((i) => [i.code, i]));
    const filters: repo.RowFilter[] = [];
    q.filters.forEach((f, n) => {
      const item = byCode.get(f.code);
      const field = `filter.${n}`;
      if (!item)
        return problems.push({
          field,
          message: { zh: `资源中没有信息项 ${f.code}`, en: `the resource has no item ${f.code}` },
        });
      const sqlType = columns.find((c) => c.code === f.code)?.sqlType ?? 'text';
      if (f.op === 'contains') return filters.push({ ...f, sqlType });
      const checked = compileItem({ ...item, required: true, valueSet: [] })(f.value);
      if (typeof checked !== 'string')
        return problems.push({
          field,
          message: { zh: `${item.name}：${checked.zh}`, en: `${item.code}: ${checked.en}` },
        });
      filters.push({ ...f, value: checked, sqlType });
    });
    return filters;
  }

  /** Filtering or sorting on a masked item would tell what the mask hides (is this ID number here?). */
  private maskedFilterProblems(rules: Rules, q: BrowseQuery): FieldProblem[] {
    const problems: FieldProblem[] = [];
    q.filters.forEach((f, n) => {
      if (isMasked(rules, f.code))
        problems.push({
          field: `filter.${n}`,
          message: {
            zh: `${f.code} 已脱敏显示，不能按它筛选`,
            en: `${f.code} is shown masked and cannot be filtered on`,
          },
        });
    });
    if (q.sort && isMasked(rules, q.sort))
      problems.push({
        field: 'sort',
        message: { zh: `${q.sort} 已脱敏显示，不能按它排序`, en: `${q.sort} is shown masked and cannot be sorted on` },
      });
    return problems;
  }

  async browse(ctx: RequestContext, ref: string, q: BrowseQuery) {
    const resource = await this.published(ref);
    authorize(ctx.actor, 'ingest.browse', resource.orgId);
    const t = await registry.findDataTable(this.db, resource.id);
    if (!t) throw new AppError(409, 'ingest.no_table', '该资源还没有数据表', 'This resource has no data table yet');
    const problems: FieldProblem[] = [];
    if (q.sort && q.sort !== 'loaded_at' && !resource.items.some((i) => i.code === q.sort))
      problems.push({
        field: 'sort',
        message: { zh: `资源中没有信息项 ${q.sort}`, en: `the resource has no item ${q.sort}` },
      });
    const filters = this.filtersOf(resource, t.columns as DataColumn[], q, problems);
    const rawAllowed = can(ctx.actor, 'ingest.browse_raw', resource.orgId);
    const raw = !!q.raw && rawAllowed;
    if (q.raw && !raw) authorize(ctx.actor, 'ingest.browse_raw', resource.orgId);
    const rules: Rules = raw ? {} : (await this.masking.rulesFor(ctx, resource.id)).rules;
    if (!raw) problems.push(...this.maskedFilterProblems(rules, q));
    if (problems.length) throw errors.validation(problems);

    const shown = await this.shownItems(resource, t.table_name);
    const keyMasked = !raw && t.key_columns.some((k) => isMasked(rules, k));
    const rows = await repo.selectPage(this.db, t.table_name, {
      codes: shown.map((i) => i.code),
      filters,
      sort: q.sort,
      descending: q.order === 'desc',
      keyColumns: t.key_columns,
      pseudonymSalt: keyMasked
        ? this.masking.keys(`browse-order:${resource.id}`).hash.digest('order').toString('hex')
        : null,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    const total = filters.length ? await repo.countMatching(this.db, t.table_name, filters) : Number(t.row_count);
    const maskedItems = raw ? [] : shown.filter((i) => isMasked(rules, i.code)).map((i) => i.code);
    const keys = this.masking.keys(`browse:${resource.id}`);
    const out = rows.map((row) => {
      const shownRow: Record<string, unknown> = { ...row };
      for (const i of shown)
        if (i.dataType === 'boolean' && row[i.code] !== null) shownRow[i.code] = row[i.code] === 'true';
      for (const i of shown)
        if (maskedItems.includes(i.code))
          shownRow[i.code] = maskValue(shownRow[i.code] ?? null, maskingColumn(i), rules[i.code], keys);
      return shownRow;
    });
    await this.audit(ctx, resource, 'ingest.data.browse', {
      page: q.page,
      rows: out.length,
      raw,
      filters: q.filters.length,
    });
    return {
      columns: shown.map((i) => ({
        code: i.code,
        name: i.name,
        dataType: i.dataType,
        primaryKey: i.primaryKey,
        masked: maskedItems.includes(i.code),
        // what the mask did, so a reader never takes a masked value (or a suppressed one's blank) for the data
        masking: maskedItems.includes(i.code)
          ? { rule: rules[i.code]?.rule ?? 'unknown', words: describeRule(rules[i.code], maskingColumn(i)) }
          : null,
      })),
      rows: out,
      total,
      page: q.page,
      pageSize: q.pageSize,
      raw,
      rawAllowed,
    };
  }

  /**
   * A masking profile applied to the first rows of the resource's loaded data. The values before masking
   * are shown only to callers who may read the data raw (the owner unit's officers); the Center sees the
   * result alone.
   */
  async maskingPreview(ctx: RequestContext, ref: string, profileId: string | undefined, limit: number) {
    const resource = await this.published(ref);
    authorize(ctx.actor, 'ingest.browse', resource.orgId);
    const t = await registry.findDataTable(this.db, resource.id);
    if (!t || !t.last_load_at)
      throw new AppError(
        409,
        'ingest.no_data',
        '该资源还没有归集数据，请先上传或推送数据，或在上方粘贴样例行',
        'The resource has no loaded data yet; load some first, or paste sample rows',
      );
    const { rules } = await this.masking.rulesFor(ctx, resource.id, profileId);
    const shown = await this.shownItems(resource, t.table_name);
    const rows = await repo.firstRows(
      this.db,
      t.table_name,
      shown.map((i) => i.code),
      t.key_columns,
      limit,
    );
    const before = can(ctx.actor, 'ingest.browse_raw', resource.orgId);
    const keys = this.masking.keys(`preview:${resource.id}`);
    await this.audit(ctx, resource, 'masking.preview', {
      profile: profileId ?? 'default',
      rows: rows.length,
      source: 'loaded data',
      before,
    });
    return {
      items: shown.map((i) => ({ code: i.code, name: i.name, piiKind: i.piiKind, rule: rules[i.code] ?? null })),
      before,
      rows: rows.map((row) =>
        Object.fromEntries(
          shown.map((i) => [
            i.code,
            {
              ...(before ? { before: row[i.code] ?? null } : {}),
              after: maskValue(row[i.code] ?? null, maskingColumn(i), rules[i.code], keys),
            },
          ]),
        ),
      ),
    };
  }
}
