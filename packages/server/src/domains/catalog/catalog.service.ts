// Use cases of the catalog: compile, submit, review, change (versions), and read. Code tables
// (catalog.codes.service.ts), systems (catalog.systems.service.ts), spreadsheets (catalog.spreadsheets.service.ts) and
// search and the queues (catalog.search.service.ts) are their own services, reached through codes, systems, sheets, find.
import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../db/database.ts';
import { actorName, type RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import { todayInShanghai, type CalendarService, type DueStatus } from '../calendar/index.ts';
import * as repo from './catalog.repository.ts';
import { authorize, can } from './catalog.policy.ts';
import { validateResource } from './catalog.validation.ts';
import type { ResourceInput } from './catalog.schemas.ts';
import { CatalogCodes } from './catalog.codes.service.ts';
import { InfoSystems } from './catalog.systems.service.ts';
import { CatalogSpreadsheets } from './catalog.spreadsheets.service.ts';
import { CatalogSearch } from './catalog.search.service.ts';
import {
  asInput,
  compactDiff,
  diffVersions,
  itemRows,
  presentVersion,
  versionColumns,
  type PresentedVersion,
} from './catalog.present.ts';
export { diffVersions, type PresentedVersion, type PresentedItem, type VersionDiff } from './catalog.present.ts';
export type { ImportReport } from './catalog.spreadsheets.service.ts';
export type { CodeFormat } from './catalog.codes.service.ts';

const CLASS_DIGIT: Record<string, string> = { base: '1', topic: '2', department: '3' };

/** Fields compared in a version diff, in display order. */
const stateError = (zh: string, en: string) => new AppError(409, 'catalog.wrong_state', zh, en);

export class CatalogService {
  /** Today in Asia/Shanghai; replaceable so tests can stand on a given date. */
  today: () => string = () => todayInShanghai();

  /** Called inside the approving transaction (the ingest domain creates or migrates the data table there). */
  private readonly approvedHooks: ((trx: Trx, resourceId: string, version: number) => Promise<unknown>)[] = [];

  /** Code tables and the code format; information systems; the catalog as spreadsheets. */
  readonly codes: CatalogCodes;
  readonly systems: InfoSystems;
  readonly sheets: CatalogSpreadsheets;
  /** Search, a unit's own catalog, the review queue and the overdue cases. */
  readonly find: CatalogSearch;

  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
  ) {
    this.codes = new CatalogCodes(db);
    this.systems = new InfoSystems(db);
    this.sheets = new CatalogSpreadsheets(db, this, this.codes);
    this.find = new CatalogSearch(db, calendar, () => this.today());
  }

  onApproved(hook: (trx: Trx, resourceId: string, version: number) => Promise<unknown>) {
    this.approvedHooks.push(hook);
  }

  private async validate(input: ResourceInput, mode: 'save' | 'submit', orgId: string) {
    const errs = validateResource(input, mode, await this.codes.codeLookup());
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
    const fmt = await this.codes.codeFormat();
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
    const before = await this.presented(id, v.version);
    await this.db.transaction().execute(async (trx) => {
      await repo.updateVersion(trx, id, v.version, versionColumns(input));
      await repo.replaceItems(trx, id, v.version, itemRows(id, v.version, input.items));
      await repo.refreshSearch(trx, id, v.version);
      const after = await this.presented(id, v.version, trx);
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
    return this.presented(id, v.version);
  }

  async submit(ctx: RequestContext, id: string) {
    const { res, v } = await this.loadWorking(ctx, id);
    if (v.status !== 'draft' && v.status !== 'returned')
      throw stateError('只有草稿或退回修改的版本可以提交', 'Only a draft or a returned version can be submitted');
    const current = await this.presented(id, v.version);
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
    return this.presented(id, v.version);
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
    return this.presented(id, v.version);
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
    const cur = await this.presented(id, res.current_version);
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
    return this.presented(id, next);
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
  /** One version as the API presents it (no access check: for a caller that made its own). */
  async presented(id: string, version: number, db: Db | Trx = this.db): Promise<PresentedVersion> {
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
      current: res.current_version !== null ? await this.presented(id, res.current_version) : null,
      working: working && res.working_version !== null ? await this.presented(id, res.working_version) : null,
    };
  }

  async getVersion(ctx: RequestContext, id: string, version: number) {
    const res = await repo.findResource(this.db, id);
    if (!res) throw errors.notFound('resource', id);
    const v = await this.presented(id, version);
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

  // ---------------------------------------------------------------- spreadsheets
}
