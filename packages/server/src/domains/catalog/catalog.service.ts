// Use cases of the catalog: compile, submit, review, change (versions), read, search, code tables, systems.
import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../db/database.ts';
import { actorName, type RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import { todayInShanghai, type CalendarService, type DueStatus } from '../calendar/index.ts';
import * as repo from './catalog.repository.ts';
import { authorize, can } from './catalog.policy.ts';
import { CODE_TABLES } from './catalog.codes.ts';
import { validateResource, type CodeLookup } from './catalog.validation.ts';
import type { ItemInput, ResourceInput, SearchQuery } from './catalog.schemas.ts';
import { catalogToXlsx, xlsxToCatalog, type CodeNames } from './catalog.xlsx.ts';

const ENUM_NAMES: Record<string, Record<string, string>> = {
  share_type: { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' },
  open_attribute: { closed: '不开放', conditional: '有条件开放', open: '无条件开放' },
};

const NATIONAL_DATA_TYPES: Record<string, string> = {
  c: 'string',
  m: 'string',
  g: 'string',
  n: 'decimal',
  y: 'decimal',
  b: 'decimal',
  f: 'decimal',
  i: 'integer',
  d: 'date',
  t: 'datetime',
  l: 'boolean',
};

export interface ImportReport {
  accepted: { rows: [number, number]; code: string; name: string; action: 'created' | 'updated' }[];
  rejected: {
    rows: [number, number];
    name: string;
    errors: { row: number | null; field: string; message: { zh: string; en: string } }[];
  }[];
}

export interface CodeFormat {
  itemLength: number;
  subItemLength: number;
  sequenceLength: number;
}
const DEFAULT_FORMAT: CodeFormat = { itemLength: 2, subItemLength: 3, sequenceLength: 6 };
const CLASS_DIGIT: Record<string, string> = { base: '1', topic: '2', department: '3' };

/** Fields compared in a version diff, in display order. */
export const VERSION_FIELDS = [
  'name',
  'category',
  'baseLibrary',
  'systemId',
  'summary',
  'keywords',
  'format',
  'updateCycle',
  'shareType',
  'shareCondition',
  'shareBasis',
  'shareMethods',
  'openAttribute',
  'openCondition',
  'securityGrade',
  'publishDate',
  'relatedCodes',
  'responsiblePerson',
  'responsiblePhone',
] as const;
export const ITEM_FIELDS = [
  'name',
  'dataType',
  'length',
  'precision',
  'required',
  'primaryKey',
  'description',
  'sensitivity',
  'piiKind',
  'maskingRule',
  'shareType',
  'shareCondition',
  'shareBasis',
  'sourceResourceCode',
  'sourceItemCode',
  'valueSet',
  'position',
] as const;

function presentItem(i: repo.ItemRow) {
  return {
    position: i.position,
    code: i.code,
    name: i.name,
    dataType: i.data_type,
    length: i.length,
    precision: i.precision,
    required: i.required,
    primaryKey: i.primary_key,
    description: i.description,
    sensitivity: i.sensitivity,
    piiKind: i.pii_kind,
    maskingRule: i.masking_rule,
    // checked against the share types when stored
    shareType: i.share_type as 'unconditional' | 'conditional' | 'none' | null,
    shareCondition: i.share_condition,
    shareBasis: i.share_basis,
    sourceResourceCode: i.source_resource_code,
    sourceItemCode: i.source_item_code,
    valueSet: i.value_set ?? [],
  };
}
export type PresentedItem = ReturnType<typeof presentItem>;

function presentVersion(
  res: { id: string; code: string; org_id: string },
  v: repo.VersionRow,
  items: repo.ItemRow[],
  due: DueStatus | null,
) {
  return {
    resourceId: res.id,
    code: res.code,
    orgId: res.org_id,
    version: v.version,
    kind: v.kind,
    status: v.status,
    name: v.name,
    category: v.category,
    baseLibrary: v.base_library,
    systemId: v.system_id,
    summary: v.summary,
    keywords: v.keywords,
    format: v.format,
    updateCycle: v.update_cycle,
    shareType: v.share_type,
    shareCondition: v.share_condition,
    shareBasis: v.share_basis,
    shareMethods: v.share_methods,
    openAttribute: v.open_attribute,
    openCondition: v.open_condition,
    securityGrade: v.security_grade,
    publishDate: v.publish_date,
    relatedCodes: v.related_codes,
    responsiblePerson: v.responsible_person,
    responsiblePhone: v.responsible_phone,
    changeDate: v.change_date,
    changeReason: v.change_reason,
    policyVersion: v.policy_version,
    filingDue: v.filing_due,
    submittedAt: v.submitted_at?.toISOString() ?? null,
    reviewDue: v.review_due,
    reviewedAt: v.reviewed_at?.toISOString() ?? null,
    reviewComment: v.review_comment,
    itemComments: (v.item_comments ?? {}) as Record<string, string>,
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
    due,
    items: items.map(presentItem),
  };
}
export type PresentedVersion = ReturnType<typeof presentVersion>;

function versionColumns(input: ResourceInput) {
  return {
    name: input.name.trim(),
    category: input.category,
    base_library: input.baseLibrary,
    system_id: input.systemId ?? null,
    summary: input.summary ?? '',
    keywords: input.keywords ?? [],
    format: input.format,
    update_cycle: input.updateCycle,
    share_type: input.shareType,
    share_condition: input.shareCondition ?? null,
    share_basis: input.shareBasis ?? null,
    share_methods: input.shareMethods ?? [],
    open_attribute: input.openAttribute,
    open_condition: input.openCondition ?? null,
    security_grade: input.securityGrade,
    publish_date: input.publishDate ?? null,
    related_codes: input.relatedCodes ?? [],
    responsible_person: input.responsiblePerson ?? null,
    responsible_phone: input.responsiblePhone ?? null,
  };
}

function itemRows(id: string, version: number, items: ItemInput[]) {
  return items.map((it, position) => ({
    resource_id: id,
    version,
    position,
    code: it.code,
    name: it.name.trim(),
    data_type: it.dataType,
    length: it.length ?? null,
    precision: it.precision ?? null,
    required: it.required ?? false,
    primary_key: it.primaryKey ?? false,
    description: it.description ?? null,
    sensitivity: it.sensitivity ?? 'none',
    pii_kind: it.piiKind ?? null,
    masking_rule: it.maskingRule ?? null,
    share_type: it.shareType ?? null,
    share_condition: it.shareCondition ?? null,
    share_basis: it.shareBasis ?? null,
    source_resource_code: it.sourceResourceCode ?? null,
    source_item_code: it.sourceItemCode ?? null,
    value_set: it.valueSet?.length ? it.valueSet.map((x) => x.trim()) : null,
  }));
}

/** The stored version as an input again (to re-validate on submit, or to copy into a change). */
function asInput(p: PresentedVersion): ResourceInput {
  const { items, ...v } = p;
  return {
    name: v.name,
    category: v.category,
    baseLibrary: v.baseLibrary,
    systemId: v.systemId,
    summary: v.summary,
    keywords: v.keywords,
    format: v.format,
    updateCycle: v.updateCycle,
    shareType: v.shareType,
    shareCondition: v.shareCondition,
    shareBasis: v.shareBasis,
    shareMethods: v.shareMethods,
    openAttribute: v.openAttribute,
    openCondition: v.openCondition,
    securityGrade: v.securityGrade,
    publishDate: v.publishDate,
    relatedCodes: v.relatedCodes,
    responsiblePerson: v.responsiblePerson,
    responsiblePhone: v.responsiblePhone,
    items: items.map(({ position: _p, ...i }) => ({ ...i, shareType: i.shareType as ItemInput['shareType'] })),
  };
}

const stateError = (zh: string, en: string) => new AppError(409, 'catalog.wrong_state', zh, en);

export class CatalogService {
  /** Today in Asia/Shanghai; replaceable so tests can stand on a given date. */
  today: () => string = () => todayInShanghai();

  /** Called inside the approving transaction (the ingest domain creates or migrates the data table there). */
  private readonly approvedHooks: ((trx: Trx, resourceId: string, version: number) => Promise<unknown>)[] = [];

  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
  ) {}

  onApproved(hook: (trx: Trx, resourceId: string, version: number) => Promise<unknown>) {
    this.approvedHooks.push(hook);
  }

  // ---------------------------------------------------------------- code tables and settings

  /** Inserts the built-in codes that are missing. Idempotent; Center edits are kept. */
  async ensureCodes() {
    const rows = Object.entries(CODE_TABLES).flatMap(([table, t]) =>
      t.codes.map((c, i) => ({ table_key: table, code: c.code, zh: c.zh, en: c.en, sort: i * 10, builtin: true })),
    );
    await repo.insertCodesIfMissing(this.db, rows);
  }

  async codeLookup(): Promise<CodeLookup> {
    const rows = await repo.listCodes(this.db);
    const set = new Set(rows.filter((r) => r.active).map((r) => `${r.table_key}\u0000${r.code}`));
    return (table, code) => set.has(`${table}\u0000${code}`);
  }

  async codeTables() {
    const rows = await repo.listCodes(this.db);
    return Object.entries(CODE_TABLES).map(([key, t]) => ({
      key,
      zh: t.zh,
      en: t.en,
      extendable: t.extendable,
      codes: rows
        .filter((r) => r.table_key === key)
        .map((r) => ({ code: r.code, zh: r.zh, en: r.en, sort: r.sort, active: r.active, builtin: r.builtin })),
    }));
  }

  async putCode(
    ctx: RequestContext,
    table: string,
    code: string,
    body: { zh: string; en: string; sort?: number; active?: boolean },
  ) {
    authorize(ctx.actor, 'catalog.configure');
    const def = CODE_TABLES[table];
    if (!def) throw errors.field('table', `没有代码表 ${table}`, `no code table ${table}`);
    const before = await repo.findCode(this.db, table, code);
    if (!before && !def.extendable)
      throw errors.field(
        'code',
        `代码表“${def.zh}”由国家标准规定，不能新增代码`,
        `the ${def.en} table is fixed by the national standard`,
      );
    await this.db.transaction().execute(async (trx) => {
      await repo.upsertCode(trx, {
        table_key: table,
        code,
        zh: body.zh,
        en: body.en,
        sort: body.sort ?? before?.sort ?? 1000,
        active: body.active ?? before?.active ?? true,
      });
      await writeAudit(trx, ctx, {
        action: before ? 'catalog.code.update' : 'catalog.code.create',
        objectType: 'catalog_code',
        objectId: `${table}/${code}`,
        diff: {
          zh: [before?.zh ?? null, body.zh],
          en: [before?.en ?? null, body.en],
          active: [before?.active ?? null, body.active ?? true],
        },
      });
    });
    return (await this.codeTables()).find((t) => t.key === table)!;
  }

  async codeFormat(): Promise<CodeFormat> {
    const raw = await repo.getMeta(this.db, 'catalog.code_format');
    return raw ? { ...DEFAULT_FORMAT, ...(JSON.parse(raw) as Partial<CodeFormat>) } : DEFAULT_FORMAT;
  }

  async setCodeFormat(ctx: RequestContext, f: CodeFormat) {
    authorize(ctx.actor, 'catalog.configure');
    const before = await this.codeFormat();
    await this.db.transaction().execute(async (trx) => {
      await repo.setMeta(trx, 'catalog.code_format', JSON.stringify(f));
      await writeAudit(trx, ctx, {
        action: 'catalog.settings.update',
        objectType: 'catalog_settings',
        objectId: 'code_format',
        diff: { before, after: f },
      });
    });
    return f;
  }

  // ---------------------------------------------------------------- compiling

  private async validate(input: ResourceInput, mode: 'save' | 'submit', orgId: string) {
    const errs = validateResource(input, mode, await this.codeLookup());
    if (input.systemId) {
      const s = await repo.findSystem(this.db, input.systemId);
      if (!s || s.org_id !== orgId)
        errs.push({
          field: 'systemId',
          message: { zh: '不是本单位登记的信息系统', en: 'is not an information system of this unit' },
        });
    }
    for (const [i, it] of input.items.entries()) {
      if (mode === 'submit' && it.sourceResourceCode) {
        const src = await repo.findResourceByCode(this.db, it.sourceResourceCode);
        if (!src?.current_version)
          errs.push({
            field: `items.${i}.sourceResourceCode`,
            message: { zh: '权威来源资源不在目录中', en: 'the authoritative source is not in the catalog' },
          });
      }
    }
    if (errs.length) throw errors.validation(errs);
  }

  private event(
    trx: Trx,
    ctx: RequestContext,
    id: string,
    version: number,
    action: string,
    comment?: string | null,
    details?: unknown,
  ) {
    return repo.addEvent(trx, {
      resource_id: id,
      version,
      actor_user_id: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      actor_name: actorName(ctx.actor),
      action,
      comment: comment ?? null,
      details,
    });
  }

  async create(
    ctx: RequestContext,
    input: ResourceInput & { classItem?: string; classSubItem?: string },
    opts: { isDemo?: boolean; orgId?: string } = {},
  ) {
    const orgId = opts.orgId ?? ctx.actor?.orgId;
    if (!opts.orgId) authorize(ctx.actor, 'catalog.compile', orgId);
    if (!orgId) throw errors.unauthenticated();
    const { classItem, classSubItem, ...rest } = input;
    await this.validate(rest, 'save', orgId);
    const fmt = await this.codeFormat();
    const item = (classItem ?? '1').padStart(fmt.itemLength, '0');
    const sub = (classSubItem ?? '1').padStart(fmt.subItemLength, '0');
    if (item.length !== fmt.itemLength)
      throw errors.field('classItem', `应为 ${fmt.itemLength} 位数字`, `must have ${fmt.itemLength} digits`);
    if (sub.length !== fmt.subItemLength)
      throw errors.field('classSubItem', `应为 ${fmt.subItemLength} 位数字`, `must have ${fmt.subItemLength} digits`);
    const policy = await this.calendar.currentPolicy();
    return this.db.transaction().execute(async (trx) => {
      const prefix = (CLASS_DIGIT[rest.category] ?? '3') + item + sub;
      const seq = await repo.nextSequence(trx, prefix);
      const code = `${prefix}/${String(seq).padStart(fmt.sequenceLength, '0')}`;
      const id = randomUUID();
      await repo.insertResource(trx, { id, code, org_id: orgId, working_version: 1, is_demo: opts.isDemo ?? false });
      await repo.insertVersion(trx, {
        resource_id: id,
        version: 1,
        kind: 'new',
        status: 'draft',
        ...versionColumns(rest),
        policy_version: policy.version,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await repo.replaceItems(trx, id, 1, itemRows(id, 1, rest.items));
      await repo.refreshSearch(trx, id, 1);
      await this.event(trx, ctx, id, 1, 'created');
      await writeAudit(trx, ctx, {
        action: 'catalog.resource.create',
        objectType: 'resource',
        objectId: id,
        orgId,
        diff: { code: [null, code], name: [null, rest.name], items: [0, rest.items.length] },
      });
      return { id, code };
    });
  }

  private async loadWorking(ctx: RequestContext, id: string) {
    const res = await repo.findResource(this.db, id);
    if (!res) {
      authorize(ctx.actor, 'catalog.compile', '__missing__');
      throw errors.notFound('resource', id);
    }
    authorize(ctx.actor, 'catalog.compile', res.org_id);
    if (res.working_version === null)
      throw stateError(
        '该资源没有待编辑的版本；已发布的资源须通过变更申请修改',
        'This resource has no working version; change an approved resource through a change request',
      );
    const v = (await repo.findVersion(this.db, id, res.working_version))!;
    return { res, v };
  }

  async saveDraft(ctx: RequestContext, id: string, input: ResourceInput) {
    const { res, v } = await this.loadWorking(ctx, id);
    if (v.status !== 'draft' && v.status !== 'returned')
      throw stateError('已提交审核的版本不能修改', 'A submitted version cannot be edited');
    await this.validate(input, 'save', res.org_id);
    const before = await this.version(id, v.version);
    await this.db.transaction().execute(async (trx) => {
      await repo.updateVersion(trx, id, v.version, versionColumns(input));
      await repo.replaceItems(trx, id, v.version, itemRows(id, v.version, input.items));
      await repo.refreshSearch(trx, id, v.version);
      const after = await this.version(id, v.version, trx);
      const d = diffVersions(before, after);
      await this.event(trx, ctx, id, v.version, 'edited', null, {
        changed: d.fields.map((f) => f.field),
        items: d.items.map((i) => `${i.change}:${i.code}`),
      });
      await writeAudit(trx, ctx, {
        action: 'catalog.resource.edit',
        objectType: 'resource',
        objectId: id,
        orgId: res.org_id,
        diff: compactDiff(d),
      });
    });
    return this.version(id, v.version);
  }

  async submit(ctx: RequestContext, id: string) {
    const { res, v } = await this.loadWorking(ctx, id);
    if (v.status !== 'draft' && v.status !== 'returned')
      throw stateError('只有草稿或退回修改的版本可以提交', 'Only a draft or a returned version can be submitted');
    const current = await this.version(id, v.version);
    await this.validate(asInput(current), 'submit', res.org_id);
    const policy = await this.calendar.policyVersion(v.policy_version);
    const today = this.today();
    const reviewDue = await this.calendar.addWorkingDays(today, policy.params.catalog_review_days!);
    const late = v.filing_due !== null && today > v.filing_due;
    await this.db.transaction().execute(async (trx) => {
      await repo.updateVersion(trx, id, v.version, {
        status: 'submitted',
        submitted_at: new Date(),
        review_due: reviewDue,
      });
      await this.event(trx, ctx, id, v.version, v.status === 'returned' ? 'resubmitted' : 'submitted', null, {
        reviewDue,
        ...(late ? { filedLate: true, filingDue: v.filing_due } : {}),
      });
      await writeAudit(trx, ctx, {
        action: 'catalog.resource.submit',
        objectType: 'resource',
        objectId: id,
        orgId: res.org_id,
        diff: { status: [v.status, 'submitted'], review_due: [null, reviewDue] },
      });
    });
    return this.version(id, v.version);
  }

  async review(
    ctx: RequestContext,
    id: string,
    body: { decision: 'approve' | 'return'; comment?: string; itemComments?: Record<string, string> },
  ) {
    authorize(ctx.actor, 'catalog.review');
    const res = await repo.findResource(this.db, id);
    if (!res) throw errors.notFound('resource', id);
    const v = res.working_version !== null ? await repo.findVersion(this.db, id, res.working_version) : undefined;
    if (!v || v.status !== 'submitted')
      throw stateError('该资源没有待审核的版本', 'This resource has no version waiting for review');
    const comment = body.comment?.trim() || null;
    const itemComments = Object.fromEntries(Object.entries(body.itemComments ?? {}).filter(([, c]) => c.trim()));
    if (body.decision === 'return' && !comment && !Object.keys(itemComments).length)
      throw errors.field('comment', '退回修改须填写审核意见', 'a return needs a comment (on the resource or on items)');
    const items = await repo.listItems(this.db, id, v.version);
    const unknown = Object.keys(itemComments).filter((c) => !items.some((i) => i.code === c));
    if (unknown.length)
      throw errors.field(
        'itemComments',
        `没有这些信息项：${unknown.join('、')}`,
        `no such items: ${unknown.join(', ')}`,
      );
    const reviewer = ctx.actor?.kind === 'user' ? ctx.actor.userId : null;
    await this.db.transaction().execute(async (trx) => {
      if (body.decision === 'approve') {
        if (res.current_version !== null)
          await repo.updateVersion(trx, id, res.current_version, { status: 'superseded' });
        await repo.updateVersion(trx, id, v.version, {
          status: 'approved',
          reviewed_at: new Date(),
          reviewed_by: reviewer,
          review_comment: comment,
          item_comments: JSON.stringify({}),
        });
        await repo.setResourcePointers(trx, id, { current_version: v.version, working_version: null });
        for (const hook of this.approvedHooks) await hook(trx, id, v.version);
      } else {
        await repo.updateVersion(trx, id, v.version, {
          status: 'returned',
          reviewed_at: new Date(),
          reviewed_by: reviewer,
          review_comment: comment,
          item_comments: JSON.stringify(itemComments),
        });
      }
      await this.event(
        trx,
        ctx,
        id,
        v.version,
        body.decision === 'approve' ? 'approved' : 'returned',
        comment,
        Object.keys(itemComments).length ? { itemComments } : undefined,
      );
      await writeAudit(trx, ctx, {
        action: `catalog.resource.${body.decision}`,
        objectType: 'resource',
        objectId: id,
        orgId: res.org_id,
        diff: { status: ['submitted', body.decision === 'approve' ? 'approved' : 'returned'], version: v.version },
      });
    });
    return this.version(id, v.version);
  }

  /** A change request: a new working version copied from the approved one, with the date the change happened. */
  async startChange(ctx: RequestContext, id: string, body: { changeDate: string; reason: string }) {
    const res = await repo.findResource(this.db, id);
    authorize(ctx.actor, 'catalog.compile', res?.org_id ?? '__missing__');
    if (!res) throw errors.notFound('resource', id);
    if (res.current_version === null)
      throw stateError('资源尚未发布，请直接修改草稿', 'The resource is not approved yet; edit its draft');
    if (res.working_version !== null)
      throw stateError(
        '已有进行中的变更，请先完成或撤回',
        'A change is already in progress; finish or withdraw it first',
      );
    const today = this.today();
    if (body.changeDate > today)
      throw errors.field('changeDate', '变更发生日期不能晚于今天', 'cannot be in the future');
    const policy = await this.calendar.currentPolicy();
    const filingDue = await this.calendar.addWorkingDays(body.changeDate, policy.params.catalog_change_filing_days!);
    const cur = await this.version(id, res.current_version);
    const next = (await repo.listVersions(this.db, id))[0]!.version + 1;
    await this.db.transaction().execute(async (trx) => {
      await repo.insertVersion(trx, {
        resource_id: id,
        version: next,
        kind: 'change',
        status: 'draft',
        ...versionColumns(asInput(cur)),
        change_date: body.changeDate,
        change_reason: body.reason,
        filing_due: filingDue,
        policy_version: policy.version,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await repo.replaceItems(trx, id, next, itemRows(id, next, asInput(cur).items));
      await repo.refreshSearch(trx, id, next);
      await repo.setResourcePointers(trx, id, { working_version: next });
      await this.event(trx, ctx, id, next, 'change_started', body.reason, { changeDate: body.changeDate, filingDue });
      await writeAudit(trx, ctx, {
        action: 'catalog.resource.change',
        objectType: 'resource',
        objectId: id,
        orgId: res.org_id,
        diff: {
          version: [res.current_version, next],
          change_date: [null, body.changeDate],
          filing_due: [null, filingDue],
        },
      });
    });
    return this.version(id, next);
  }

  /** Withdraws the working version (a draft or a returned one). An approved version stays in force. */
  async withdraw(ctx: RequestContext, id: string) {
    const { res, v } = await this.loadWorking(ctx, id);
    if (v.status === 'submitted')
      throw stateError('审核中的版本不能撤回', 'A version under review cannot be withdrawn');
    await this.db.transaction().execute(async (trx) => {
      await repo.updateVersion(trx, id, v.version, { status: 'withdrawn' });
      await repo.setResourcePointers(trx, id, { working_version: null });
      await this.event(trx, ctx, id, v.version, 'withdrawn');
      await writeAudit(trx, ctx, {
        action: 'catalog.resource.withdraw',
        objectType: 'resource',
        objectId: id,
        orgId: res.org_id,
        diff: { status: [v.status, 'withdrawn'] },
      });
    });
  }

  // ---------------------------------------------------------------- reading

  /** Inside a transaction pass the trx: PGlite has one connection, so a query on this.db would wait forever. */
  private async version(id: string, version: number, db: Db | Trx = this.db): Promise<PresentedVersion> {
    const res = (await repo.findResource(db, id))!;
    const v = await repo.findVersion(db, id, version);
    if (!v) throw errors.notFound('version', `${id}@${version}`);
    const items = await repo.listItems(db, id, version);
    let due: DueStatus | null = null;
    const dueDate =
      v.status === 'submitted' ? v.review_due : v.status === 'draft' || v.status === 'returned' ? v.filing_due : null;
    if (dueDate) due = (await this.calendar.calendar(db)).dueStatus(dueDate, this.today());
    return presentVersion(res, v, items, due);
  }

  private mayReadVersion(ctx: RequestContext, orgId: string, status: string) {
    return status === 'approved' || status === 'superseded'
      ? can(ctx.actor, 'catalog.read_district')
      : can(ctx.actor, 'catalog.read_working', orgId);
  }

  async get(ctx: RequestContext, id: string) {
    const res = await repo.findResource(this.db, id);
    if (!res) throw errors.notFound('resource', id);
    const working = can(ctx.actor, 'catalog.read_working', res.org_id);
    if (res.current_version === null && !working) throw errors.forbidden('catalog.read_working');
    return {
      id: res.id,
      code: res.code,
      orgId: res.org_id,
      current: res.current_version !== null ? await this.version(id, res.current_version) : null,
      working: working && res.working_version !== null ? await this.version(id, res.working_version) : null,
    };
  }

  async getVersion(ctx: RequestContext, id: string, version: number) {
    const res = await repo.findResource(this.db, id);
    if (!res) throw errors.notFound('resource', id);
    const v = await this.version(id, version);
    if (!this.mayReadVersion(ctx, res.org_id, v.status)) throw errors.forbidden('catalog.read_working');
    return v;
  }

  async versions(ctx: RequestContext, id: string) {
    const res = await repo.findResource(this.db, id);
    if (!res) throw errors.notFound('resource', id);
    const rows = await repo.listVersions(this.db, id);
    return rows
      .filter((r) => this.mayReadVersion(ctx, res.org_id, r.status))
      .map((r) => ({
        version: r.version,
        kind: r.kind,
        status: r.status,
        name: r.name,
        changeDate: r.change_date,
        changeReason: r.change_reason,
        submittedAt: r.submitted_at?.toISOString() ?? null,
        reviewedAt: r.reviewed_at?.toISOString() ?? null,
        createdAt: r.created_at.toISOString(),
        policyVersion: r.policy_version,
      }));
  }

  async diff(ctx: RequestContext, id: string, from: number, to: number) {
    const a = await this.getVersion(ctx, id, from);
    const b = await this.getVersion(ctx, id, to);
    return { from, to, ...diffVersions(a, b) };
  }

  async timeline(ctx: RequestContext, id: string) {
    const res = await repo.findResource(this.db, id);
    if (!res) throw errors.notFound('resource', id);
    authorize(ctx.actor, 'catalog.read_working', res.org_id);
    return (await repo.listEvents(this.db, id)).map((e) => ({
      at: e.at.toISOString(),
      version: e.version,
      actor: e.actor_name,
      action: e.action,
      comment: e.comment,
      details: e.details,
    }));
  }

  async search(ctx: RequestContext, q: SearchQuery) {
    authorize(ctx.actor, 'catalog.read_district');
    const { limit = 20, offset = 0, ...f } = q;
    const [{ rows, total }, facets] = await Promise.all([
      repo.search(this.db, f, { limit, offset }),
      repo.facets(this.db, f),
    ]);
    return {
      total,
      items: rows.map((r) => ({
        id: r.resource_id,
        code: r.code,
        orgId: r.org_id,
        orgName: r.org_name,
        version: r.version,
        name: r.name,
        summary: r.summary,
        category: r.category,
        baseLibrary: r.base_library,
        shareType: r.share_type,
        openAttribute: r.open_attribute,
        updateCycle: r.update_cycle,
        securityGrade: r.security_grade,
        format: r.format,
        itemCount: r.item_count,
      })),
      facets: {
        orgId: facets.org_id!,
        category: facets.category!,
        baseLibrary: facets.base_library!,
        shareType: facets.share_type!,
        openAttribute: facets.open_attribute!,
        updateCycle: facets.update_cycle!,
        securityGrade: facets.security_grade!,
      },
    };
  }

  /** A unit's own catalog with both the approved version and any case in progress. */
  async mine(ctx: RequestContext, f: { status?: string; orgId?: string }) {
    const orgId = f.orgId ?? ctx.actor?.orgId;
    authorize(ctx.actor, 'catalog.read_working', orgId ?? '__none__');
    const rows = await repo.listOrgResources(this.db, orgId!);
    const today = this.today();
    const cal = await this.calendar.calendar();
    const out = rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.working_name ?? r.current_name ?? '',
      currentVersion: r.current_version,
      workingVersion: r.working_version,
      workingStatus: r.working_status,
      workingKind: r.working_kind,
      status: (r.working_status ?? 'approved') as string,
      reviewDue: r.review_due,
      filingDue: r.filing_due,
      due:
        r.working_status === 'submitted' && r.review_due
          ? cal.dueStatus(r.review_due, today)
          : (r.working_status === 'draft' || r.working_status === 'returned') && r.filing_due
            ? cal.dueStatus(r.filing_due, today)
            : null,
      updatedAt: r.working_updated_at?.toISOString() ?? r.current_approved_at?.toISOString() ?? null,
    }));
    return f.status ? out.filter((r) => r.status === f.status) : out;
  }

  /** The Center's queue: submitted versions, oldest due first, with days left or overdue. */
  async reviewQueue(ctx: RequestContext) {
    authorize(ctx.actor, 'catalog.review');
    const cal = await this.calendar.calendar();
    const today = this.today();
    return (await repo.listWorking(this.db, ['submitted'])).map((r) => ({
      id: r.id,
      code: r.code,
      orgId: r.org_id,
      orgName: r.org_name,
      version: r.version,
      kind: r.kind,
      name: r.name,
      submittedAt: r.submitted_at?.toISOString() ?? null,
      reviewDue: r.review_due,
      changeDate: r.change_date,
      policyVersion: r.policy_version,
      due: r.review_due ? cal.dueStatus(r.review_due, today) : null,
    }));
  }

  /** Overdue cases across the district: reviews past their due date, and changes not filed in time. */
  async overdue(ctx: RequestContext) {
    authorize(ctx.actor, 'catalog.overdue');
    const cal = await this.calendar.calendar();
    const today = this.today();
    const rows = await repo.listWorking(this.db, ['submitted', 'draft', 'returned']);
    return rows
      .map((r) => {
        const kind = r.status === 'submitted' ? ('review' as const) : ('filing' as const);
        const dueDate = kind === 'review' ? r.review_due : r.filing_due;
        return {
          id: r.id,
          code: r.code,
          orgId: r.org_id,
          orgName: r.org_name,
          name: r.name,
          version: r.version,
          status: r.status,
          kind,
          dueDate,
          due: dueDate ? cal.dueStatus(dueDate, today) : null,
        };
      })
      .filter((r) => r.due?.state === 'overdue');
  }

  // ---------------------------------------------------------------- spreadsheets

  async codeNames(): Promise<CodeNames> {
    const rows = await repo.listCodes(this.db);
    const byCode = new Map<string, string>();
    const byText = new Map<string, string>();
    const put = (table: string, code: string, zh: string, en: string) => {
      byCode.set(`${table}\u0000${code}`, zh);
      for (const k of [code, zh, en]) byText.set(`${table}\u0000${k.toLowerCase()}`, code);
    };
    for (const r of rows) put(r.table_key, r.code, r.zh, r.en);
    for (const [table, m] of Object.entries(ENUM_NAMES))
      for (const [code, zh] of Object.entries(m)) put(table, code, zh, code);
    // the national template's data-type letters (C string, N number, D date, …)
    for (const [letter, code] of Object.entries(NATIONAL_DATA_TYPES)) byText.set(`data_type\u0000${letter}`, code);
    return {
      name: (table, code) => byCode.get(`${table}\u0000${code}`) ?? code,
      code: (table, text) => byText.get(`${table}\u0000${text.toLowerCase()}`) ?? null,
    };
  }

  /** Versions for export: the district catalog (approved), or one unit's catalog (its working versions where there are any). */
  async exportVersions(ctx: RequestContext, scope: 'district' | 'unit', orgId?: string) {
    const unit = scope === 'unit' ? (orgId ?? ctx.actor?.orgId) : undefined;
    if (unit) authorize(ctx.actor, 'catalog.read_working', unit);
    else authorize(ctx.actor, 'catalog.read_district');
    const refs = await repo.listExportRefs(this.db, unit);
    const out: (PresentedVersion & { orgName: string; systemName: string | null })[] = [];
    for (const r of refs) {
      const v = unit && r.working_version !== null ? r.working_version : r.current_version;
      if (v === null) continue;
      out.push({ ...(await this.version(r.id, v)), orgName: r.org_name, systemName: r.system_name });
    }
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.export',
        objectType: 'catalog',
        objectId: unit ?? 'district',
        diff: { scope, resources: out.length },
      }),
    );
    return out;
  }

  async exportXlsx(ctx: RequestContext, scope: 'district' | 'unit', orgId?: string) {
    return catalogToXlsx(await this.exportVersions(ctx, scope, orgId), await this.codeNames());
  }

  /** Imports a unit's catalog from the template: new drafts, or updates to its drafts; a report row by row. */
  async importXlsx(ctx: RequestContext, buf: Buffer): Promise<ImportReport> {
    authorize(ctx.actor, 'catalog.compile', ctx.actor?.orgId);
    const orgId = ctx.actor!.orgId;
    let parsed;
    try {
      parsed = await xlsxToCatalog(buf, await this.codeNames());
    } catch (e) {
      throw new AppError(
        400,
        'catalog.import_unreadable',
        `无法读取文件：${(e as Error).message}`,
        `Cannot read the file: ${(e as Error).message}`,
      );
    }
    const report: ImportReport = { accepted: [], rejected: [] };
    for (const p of parsed.problems) report.rejected.push({ rows: p.rows, name: p.name, errors: p.errors });
    const systems = await repo.listSystems(this.db, orgId);
    for (const g of parsed.groups) {
      const rowOf = (field: string) => {
        const m = /^items\.(\d+)\./.exec(field);
        return m ? (g.itemRows[Number(m[1])] ?? null) : g.rows[0];
      };
      const reject = (errs: { field: string; message: { zh: string; en: string } }[]) =>
        report.rejected.push({
          rows: g.rows,
          name: g.input.name,
          errors: errs.map((e) => ({ row: rowOf(e.field), ...e })),
        });
      const input = { ...g.input };
      if (g.systemName) {
        const sys = systems.find((x) => x.name === g.systemName);
        if (!sys) {
          reject([
            {
              field: 'systemName',
              message: {
                zh: `本单位没有登记信息系统“${g.systemName}”`,
                en: `no information system "${g.systemName}" is registered for this unit`,
              },
            },
          ]);
          continue;
        }
        input.systemId = sys.id;
      }
      try {
        if (!g.code) {
          const r = await this.create(ctx, input);
          report.accepted.push({ rows: g.rows, code: r.code, name: input.name, action: 'created' });
          continue;
        }
        const res = await repo.findResourceByCode(this.db, g.code);
        if (!res || res.org_id !== orgId) {
          reject([
            {
              field: 'code',
              message: { zh: `资源代码 ${g.code} 不属于本单位`, en: `resource ${g.code} is not this unit's` },
            },
          ]);
          continue;
        }
        const w =
          res.working_version !== null ? await repo.findVersion(this.db, res.id, res.working_version) : undefined;
        if (!w || (w.status !== 'draft' && w.status !== 'returned')) {
          reject([
            {
              field: 'code',
              message: {
                zh: `资源 ${g.code} 没有可修改的草稿（已发布的资源请先申请目录变更）`,
                en: `resource ${g.code} has no draft to update (start a change request for an approved resource)`,
              },
            },
          ]);
          continue;
        }
        await this.saveDraft(ctx, res.id, input);
        report.accepted.push({ rows: g.rows, code: g.code, name: input.name, action: 'updated' });
      } catch (e) {
        if (e instanceof AppError)
          reject(e.fields.length ? e.fields : [{ field: '', message: { zh: e.zh, en: e.en } }]);
        else throw e;
      }
    }
    report.rejected.sort((a, b) => a.rows[0] - b.rows[0]);
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.import',
        objectType: 'catalog',
        objectId: orgId,
        diff: { accepted: report.accepted.length, rejected: report.rejected.length },
      }),
    );
    return report;
  }

  // ---------------------------------------------------------------- information systems

  async listSystems(ctx: RequestContext, orgId?: string) {
    const scope = orgId ?? (ctx.actor && can(ctx.actor, 'system.read', '__any__') ? undefined : ctx.actor?.orgId);
    authorize(ctx.actor, 'system.read', scope ?? '__any__');
    return (await repo.listSystems(this.db, scope)).map((s) => ({
      id: s.id,
      orgId: s.org_id,
      orgName: s.org_name,
      name: s.name,
      description: s.description,
      active: s.active,
    }));
  }

  async createSystem(ctx: RequestContext, body: { name: string; description?: string | null; orgId?: string }) {
    const orgId = body.orgId ?? ctx.actor?.orgId;
    authorize(ctx.actor, 'system.manage', orgId);
    if (await repo.systemNameTaken(this.db, orgId!, body.name))
      throw errors.field('name', '本单位已登记同名系统', 'is already registered for this unit');
    return this.db.transaction().execute(async (trx) => {
      const s = await repo.insertSystem(trx, {
        id: randomUUID(),
        org_id: orgId!,
        name: body.name,
        description: body.description ?? null,
      });
      await writeAudit(trx, ctx, {
        action: 'catalog.system.create',
        objectType: 'info_system',
        objectId: s.id,
        orgId: orgId!,
        diff: { name: [null, s.name] },
      });
      return { id: s.id, orgId: s.org_id, orgName: null, name: s.name, description: s.description, active: s.active };
    });
  }

  async updateSystem(
    ctx: RequestContext,
    id: string,
    patch: { name?: string; description?: string | null; active?: boolean },
  ) {
    const s = await repo.findSystem(this.db, id);
    authorize(ctx.actor, 'system.manage', s?.org_id ?? '__missing__');
    if (!s) throw errors.notFound('info_system', id);
    if (patch.name && (await repo.systemNameTaken(this.db, s.org_id, patch.name, id)))
      throw errors.field('name', '本单位已登记同名系统', 'is already registered for this unit');
    return this.db.transaction().execute(async (trx) => {
      const n = await repo.updateSystem(trx, id, patch);
      await writeAudit(trx, ctx, {
        action: 'catalog.system.update',
        objectType: 'info_system',
        objectId: id,
        orgId: s.org_id,
        diff: { name: [s.name, n.name], active: [s.active, n.active] },
      });
      return { id: n.id, orgId: n.org_id, orgName: null, name: n.name, description: n.description, active: n.active };
    });
  }
}

// ---------------------------------------------------------------- diffs

export interface VersionDiff {
  fields: { field: string; before: unknown; after: unknown }[];
  items: {
    code: string;
    change: 'added' | 'removed' | 'changed';
    fields: { field: string; before: unknown; after: unknown }[];
  }[];
}

export function diffVersions(a: PresentedVersion, b: PresentedVersion): VersionDiff {
  const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  const fields = VERSION_FIELDS.filter((f) => !same(a[f], b[f])).map((f) => ({ field: f, before: a[f], after: b[f] }));
  const ai = new Map(a.items.map((i) => [i.code, i]));
  const bi = new Map(b.items.map((i) => [i.code, i]));
  const items: VersionDiff['items'] = [];
  for (const [code, x] of ai) {
    const y = bi.get(code);
    if (!y) items.push({ code, change: 'removed', fields: [] });
    else {
      const changed = ITEM_FIELDS.filter((f) => !same(x[f], y[f])).map((f) => ({
        field: f,
        before: x[f],
        after: y[f],
      }));
      if (changed.length) items.push({ code, change: 'changed', fields: changed });
    }
  }
  for (const code of bi.keys()) if (!ai.has(code)) items.push({ code, change: 'added', fields: [] });
  return { fields, items };
}

function compactDiff(d: VersionDiff) {
  return {
    ...Object.fromEntries(d.fields.map((f) => [f.field, [f.before, f.after]])),
    ...(d.items.length
      ? {
          items: d.items.map(
            (i) => `${i.change}:${i.code}${i.fields.length ? '(' + i.fields.map((f) => f.field).join(',') + ')' : ''}`,
          ),
        }
      : {}),
  };
}
