// Share applications (§25, SPEC §4.4): a consumer unit applies for a resource or some of its items; the path
// follows the strictest share type it touches — unconditional (the Center confirms the supply), conditional (the
// Center reviews, the owner consents or refuses with a legal basis, the Center reviews a refusal), or, for data
// not shared, a desensitised supply by the conditional path with a masking profile the owner and the Center agree
// on. Every step is timed in working days by the policy version the case started under, kept on the case's
// timeline and audited in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTrx } from '../../../db/database.ts';
import type { LegalBasis, ShareMethod, SharePath, ShareStatus } from '../../../db/schema.ts';
import { actorName, type RequestContext } from '../../../platform/context.ts';
import { AppError, errors, type FieldError } from '../../../platform/errors.ts';
import { sm3Hex } from '../../../platform/crypto.ts';
import { writeAudit, type AuditAction } from '../../audit/index.ts';
import { authLabels } from '../../auth/index.ts';
import { todayInShanghai, type CalendarService } from '../../calendar/index.ts';
import {
  codeWords,
  findDemand,
  findPublished,
  type CatalogService,
  type PublishedResource,
} from '../../catalog/index.ts';
import { compileItem } from '../../ingest/index.ts';
import type { MaskingService } from '../../masking/index.ts';
import { filterProblem, FilterError, parseFilter, type FilterItem } from '../filter/filter.parse.ts';
import { currentCommitment } from '../sharing.commitment.ts';
import { authorize, can, listScope, type Parties } from '../sharing.policy.ts';
import type { GrantService } from '../grant/grant.service.ts';
import * as repo from './application.repository.ts';
import { notify } from '../../notify/index.ts';

/** The steps that wait for someone, and who: the consumer, the owner or the Center. */
export const WAITING: Record<ShareStatus, 'consumer' | 'owner' | 'center' | null> = {
  center_confirm: 'center',
  center_review: 'center',
  returned: 'consumer',
  owner_consent: 'owner',
  profile_confirm: 'center',
  refusal_review: 'center',
  granted: null,
  denied: null,
  withdrawn: null,
};
const OPEN = (s: ShareStatus) => WAITING[s] !== null;

/** What happened on a case's timeline. */
export type ShareEventKind =
  | 'submit'
  | 'confirm'
  | 'approve'
  | 'return'
  | 'deny'
  | 'resubmit'
  | 'consent'
  | 'refuse'
  | 'profile_accept'
  | 'profile_return'
  | 'uphold'
  | 'overrule'
  | 'withdraw'
  | 'attach';

/** The policy parameter that times each step (working days). */
const STEP_DAYS: Partial<Record<ShareStatus, string>> = {
  center_confirm: 'share_center_confirm_days',
  center_review: 'share_center_review_days',
  owner_consent: 'share_owner_consent_days',
  profile_confirm: 'share_center_review_days',
  refusal_review: 'share_refusal_review_days',
};

export interface ApplicationInput {
  resource: string;
  items?: string[] | undefined;
  purpose: string;
  businessProcess: string;
  scenario: string;
  legalBasis?: string | null | undefined;
  methods: ShareMethod[];
  validUntil: string;
  systemId?: string | null | undefined;
  demandId?: string | null | undefined;
  commitmentVersion: number;
}

const wrongState = (status: ShareStatus) =>
  new AppError(
    409,
    'sharing.wrong_state',
    '该申请当前不在可办理此操作的环节',
    `The application is not at a step that allows this (it is ${status})`,
  );

/** The path an application takes: the strictest share type among the resource and the items asked for (§24-25). */
export function pathOf(r: PublishedResource, items: string[]): SharePath {
  const asked = r.items.filter((i) => items.includes(i.code));
  const types = [r.shareType, ...asked.map((i) => i.shareType).filter((t): t is NonNullable<typeof t> => !!t)];
  if (types.includes('none')) return 'desensitized';
  if (types.includes('conditional')) return 'conditional';
  return 'unconditional';
}

/** The items of a resource as a filter may name them, each with its own value check. */
export function filterItems(r: PublishedResource, codes: string[]): FilterItem[] {
  return r.items
    .filter((i) => codes.includes(i.code))
    .map((i) => {
      const check = compileItem(i);
      return {
        code: i.code,
        name: i.name,
        check: (v: string) => {
          const out = check(v);
          return typeof out === 'string'
            ? out.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c))
            : out;
        },
      };
    });
}

export class ApplicationService {
  grants!: GrantService;

  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    private readonly catalog: CatalogService,
    private readonly masking: MaskingService,
  ) {}

  today: () => string = () => todayInShanghai();

  private parties(a: { consumer_org_id: string; owner_org_id: string }): Parties {
    return { consumerOrgId: a.consumer_org_id, ownerOrgId: a.owner_org_id };
  }

  private async load(id: string, db: DbOrTrx = this.db, forUpdate = false) {
    const a = await repo.findApplication(db, id, { forUpdate });
    if (!a) throw errors.notFound('share_application', id);
    return a;
  }

  private async published(ref: string) {
    const r = await findPublished(this.db, ref);
    if (!r) throw errors.field('resource', '没有这个已编入目录的数据资源', 'is not a resource of the district catalog');
    return r;
  }

  /** The due date of a step started today, under the case's policy version. */
  private async dueOf(status: ShareStatus, policyVersion: number): Promise<string | null> {
    const key = STEP_DAYS[status];
    if (!key) return null;
    const policy = await this.calendar.policyVersion(policyVersion);
    return this.calendar.addWorkingDays(this.today(), policy.params[key]!);
  }

  /** Checks the fields an applicant sends (on applying and on resubmitting); every problem at once. */
  private async checked(ctx: RequestContext, input: ApplicationInput, r: PublishedResource) {
    const problems: FieldError[] = [];
    const items = [...new Set(input.items?.length ? input.items : r.items.map((i) => i.code))];
    const unknown = items.filter((c) => !r.items.some((i) => i.code === c));
    if (unknown.length)
      problems.push({
        field: 'items',
        message: {
          zh: `资源中没有这些信息项：${unknown.join('、')}`,
          en: `not items of the resource: ${unknown.join(', ')}`,
        },
      });
    const path = pathOf(r, items);
    const offered = r.shareMethods.length ? r.shareMethods : ['api', 'file', 'db_sync'];
    const methods = [...new Set(input.methods)];
    const notOffered = methods.filter((m) => !offered.includes(m));
    if (!methods.length)
      problems.push({ field: 'methods', message: { zh: '请至少选择一种共享方式', en: 'choose at least one method' } });
    if (notOffered.length)
      problems.push({
        field: 'methods',
        message: {
          zh: `目录中该资源不提供这些共享方式：${notOffered.map((m) => codeWords('share_method', m).zh).join('、')}`,
          en: `the catalog does not offer these methods for the resource: ${notOffered.map((m) => codeWords('share_method', m).en).join(', ')}`,
        },
      });
    if (path !== 'unconditional' && !input.legalBasis?.trim())
      problems.push({
        field: 'legalBasis',
        message: {
          zh: '有条件共享和脱敏供给须说明使用依据（法律、法规、规章或职责文件）',
          en: 'conditional and desensitised supplies need the basis of the use (law, regulation, rule or duty)',
        },
      });
    const today = this.today();
    const policy = await this.calendar.currentPolicy();
    const maxMonths = policy.params.share_grant_max_months!;
    const latest = new Date(`${today}T00:00:00Z`);
    latest.setUTCMonth(latest.getUTCMonth() + maxMonths);
    const latestDay = latest.toISOString().slice(0, 10);
    if (input.validUntil <= today || input.validUntil > latestDay)
      problems.push({
        field: 'validUntil',
        message: {
          zh: `有效期应晚于今天，且不超过 ${maxMonths} 个月（至 ${latestDay}）`,
          en: `must be after today and at most ${maxMonths} months ahead (until ${latestDay})`,
        },
      });
    if (input.systemId) {
      const systems = await this.catalog.systems.list(ctx, ctx.actor!.orgId);
      if (!systems.some((s) => s.id === input.systemId && s.active))
        problems.push({
          field: 'systemId',
          message: { zh: '不是本单位已登记且在用的信息系统', en: 'is not an active information system of your unit' },
        });
    }
    if (input.demandId) {
      // one step from an approved demand (§11-12): the unit's own demand, matched by the Center to this resource
      const d = await findDemand(this.db, input.demandId);
      if (!d || d.org_id !== ctx.actor!.orgId)
        problems.push({
          field: 'demandId',
          message: { zh: '不是本单位提出的数据需求', en: 'is not a data demand of your unit' },
        });
      else if (d.status !== 'matched' || !d.matched_resource_ids.includes(r.id))
        problems.push({
          field: 'demandId',
          message: {
            zh: '该需求未经运营中心匹配到此数据资源',
            en: 'the Center has not matched this demand to this resource',
          },
        });
    }
    if (input.commitmentVersion !== currentCommitment().version)
      problems.push({
        field: 'commitmentVersion',
        message: {
          zh: `须接受当前版本（第 ${currentCommitment().version} 版）的使用承诺`,
          en: `accept the current commitment (version ${currentCommitment().version})`,
        },
      });
    if (problems.length) throw errors.validation(problems);
    return { items, path, methods, policy };
  }

  private async event(
    trx: DbOrTrx,
    ctx: RequestContext,
    a: { id: string },
    action: ShareEventKind,
    from: ShareStatus | null,
    to: ShareStatus,
    comment: string | null,
    due: string | null,
  ) {
    await repo.insertEvent(trx, {
      application_id: a.id,
      actor_user_id: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      actor_name: actorName(ctx.actor),
      org_id: ctx.actor?.orgId ?? null,
      action,
      from_status: from,
      to_status: to,
      comment,
      due_date: due,
    });
  }

  /** A consumer unit applies: the case starts on its path, under today's policy and commitment. */
  async apply(ctx: RequestContext, input: ApplicationInput) {
    authorize(ctx.actor, 'application.apply');
    const actor = ctx.actor!;
    if (actor.kind !== 'user') throw errors.forbidden('application.apply');
    const r = await this.published(input.resource);
    if (r.orgId === actor.orgId)
      throw errors.field('resource', '不能申请本单位自己的数据资源', 'is your own unit\u2019s resource');
    const { items, path, methods, policy } = await this.checked(ctx, input, r);
    const status: ShareStatus = path === 'unconditional' ? 'center_confirm' : 'center_review';
    const due = await this.calendar.addWorkingDays(this.today(), policy.params[STEP_DAYS[status]!]!);
    const id = randomUUID();
    const commitment = currentCommitment();
    const no = await this.db.transaction().execute(async (trx) => {
      const no = await repo.nextNumber(trx, this.today().slice(0, 4));
      await repo.insertApplication(trx, {
        id,
        no,
        consumer_org_id: actor.orgId,
        resource_id: r.id,
        owner_org_id: r.orgId,
        resource_version: r.version,
        items,
        path,
        purpose: input.purpose,
        business_process: input.businessProcess,
        scenario: input.scenario,
        legal_basis: input.legalBasis?.trim() || null,
        methods,
        valid_until: input.validUntil,
        system_id: input.systemId ?? null,
        demand_id: input.demandId ?? null,
        status,
        due_date: due,
        policy_version: policy.version,
        commitment_version: commitment.version,
        commitment_text: `${commitment.zh}\n\n${commitment.en}`,
        committed_by: actor.userId,
        committed_at: new Date(),
        created_by: actor.userId,
      });
      await this.event(trx, ctx, { id }, 'submit', null, status, null, due);
      await writeAudit(trx, ctx, {
        action: 'share.application.submit',
        objectType: 'share_application',
        objectId: id,
        orgId: actor.orgId,
        diff: { no, resource: r.id, items, path, methods, commitment: commitment.version, policy: policy.version },
      });
      await this.tell(trx, { id, no, consumer_org_id: actor.orgId, owner_org_id: r.orgId }, status, due);
      return no;
    });
    return { id, no, status, path };
  }

  /**
   * Moves a case from one of `from` to `to`, timing the new step, with the event and the audit record. What needs
   * reading (the step's checks, the due date, the case's policy) is read first; the transaction then takes the case
   * with a lock, checks its step again and writes (PGlite has one connection: nothing inside may use another).
   */
  private async move(
    ctx: RequestContext,
    id: string,
    step: {
      from: ShareStatus[];
      to: ShareStatus;
      may: 'application.center' | 'application.owner' | 'application.act_for_consumer';
      event: ShareEventKind;
      action: AuditAction;
      comment?: string | null;
      set?: (a: repo.ApplicationRow) => Promise<Parameters<typeof repo.updateApplication>[2]>;
      diff?: Record<string, unknown>;
    },
  ) {
    const seen = await this.load(id);
    authorize(ctx.actor, step.may, this.parties(seen));
    if (!step.from.includes(seen.status)) throw wrongState(seen.status);
    const extra = step.set ? await step.set(seen) : {};
    const due = await this.dueOf(step.to, seen.policy_version);
    const policy = step.to === 'granted' ? await this.calendar.policyVersion(seen.policy_version) : null;
    return this.db.transaction().execute(async (trx) => {
      const a = await this.load(id, trx, true);
      // another step may have moved the case since it was read
      if (a.status !== seen.status) throw wrongState(a.status);
      await repo.updateApplication(trx, id, { ...extra, status: step.to, due_date: due, step_started_at: new Date() });
      await this.event(trx, ctx, a, step.event, a.status, step.to, step.comment ?? null, due);
      await writeAudit(trx, ctx, {
        action: step.action,
        objectType: 'share_application',
        objectId: id,
        orgId: a.consumer_org_id,
        diff: {
          no: a.no,
          status: [a.status, step.to],
          ...(step.comment ? { comment: step.comment } : {}),
          ...step.diff,
        },
      });
      if (policy) await this.grants.issue(trx, ctx, { ...a, ...(extra as Partial<repo.ApplicationRow>) }, policy);
      await this.tell(trx, a, step.to, due);
      return { status: step.to, due };
    });
  }

  /** Each open case whose step is past its due date tells the party it waits for, once per step (job). */
  async remindOverdue(today = this.today()) {
    const late = (await repo.listOpenDue(this.db, today)).filter((a) => a.due_date && a.due_date < today);
    await notify(
      this.db,
      late.map((a) => {
        const waiting = WAITING[a.status];
        return {
          orgId: waiting === 'consumer' ? a.consumer_org_id : waiting === 'owner' ? a.owner_org_id : 'center',
          kind: 'share.overdue' as const,
          objectType: 'share_application',
          objectId: a.id,
          params: { no: a.no, status: a.status, due: a.due_date },
          dedupKey: `overdue|${a.id}|${a.status}|${a.due_date}`,
        };
      }),
    );
    return late.length;
  }

  /** The bell: the party the case now waits for is told, and the applicant of the outcome. */
  private async tell(
    trx: DbOrTrx,
    a: { id: string; no: string; consumer_org_id: string; owner_org_id: string },
    to: ShareStatus,
    due: string | null,
  ) {
    const waiting = WAITING[to];
    const params = { no: a.no, status: to, due };
    if (waiting)
      await notify(trx, [
        {
          orgId: waiting === 'consumer' ? a.consumer_org_id : waiting === 'owner' ? a.owner_org_id : 'center',
          kind: 'share.waiting',
          objectType: 'share_application',
          objectId: a.id,
          params,
        },
      ]);
    else if (to === 'granted' || to === 'denied')
      await notify(trx, [
        { orgId: a.consumer_org_id, kind: 'share.decided', objectType: 'share_application', objectId: a.id, params },
      ]);
  }

  private needComment(comment: string | undefined, zh: string, en: string) {
    if (!comment?.trim()) throw errors.field('comment', zh, en);
    return comment.trim();
  }

  /** A row filter as the owner or the Center sets it: parsed against the items asked for, or refused with its place. */
  private async checkedFilter(a: repo.ApplicationRow, text: string | null | undefined) {
    if (!text?.trim()) return null;
    const r = await this.published(a.resource_id);
    try {
      parseFilter(text, filterItems(r, a.items));
    } catch (e) {
      if (e instanceof FilterError) throw errors.validation([filterProblem('rowFilter', e)]);
      throw e;
    }
    return text.trim();
  }

  /** The Center confirms an unconditional supply (the methods it allows, a row filter if any): a grant issues. */
  confirm(
    ctx: RequestContext,
    id: string,
    body: { methods?: ShareMethod[]; rowFilter?: string | null; comment?: string },
  ) {
    return this.move(ctx, id, {
      from: ['center_confirm'],
      to: 'granted',
      may: 'application.center',
      event: 'confirm',
      action: 'share.application.confirm',
      comment: body.comment?.trim() || null,
      set: async (a) => {
        const methods = body.methods?.length ? body.methods.filter((m) => a.methods.includes(m)) : a.methods;
        if (!methods.length)
          throw errors.field('methods', '应为申请中的共享方式之一', 'must be among the methods applied for');
        return { methods, row_filter: await this.checkedFilter(a, body.rowFilter) };
      },
    });
  }

  /** The Center's review of a conditional (or desensitised) case: to the owner, back to the applicant, or denied. */
  review(ctx: RequestContext, id: string, body: { decision: 'approve' | 'return' | 'deny'; comment?: string }) {
    if (body.decision === 'approve')
      return this.move(ctx, id, {
        from: ['center_review'],
        to: 'owner_consent',
        may: 'application.center',
        event: 'approve',
        action: 'share.application.approve',
        comment: body.comment?.trim() || null,
      });
    const comment = this.needComment(
      body.comment,
      body.decision === 'return' ? '退回补充材料须说明需要补充什么' : '不予通过须说明理由',
      body.decision === 'return' ? 'say what material is missing' : 'a denial needs its reason',
    );
    return this.move(ctx, id, {
      from: ['center_review'],
      to: body.decision === 'return' ? 'returned' : 'denied',
      may: 'application.center',
      event: body.decision,
      action: body.decision === 'return' ? 'share.application.return' : 'share.application.deny',
      comment,
    });
  }

  /** The applicant sends a returned case again, with what was asked for. */
  async resubmit(ctx: RequestContext, id: string, input: Omit<ApplicationInput, 'resource' | 'demandId'>) {
    const a = await this.load(id);
    authorize(ctx.actor, 'application.act_for_consumer', this.parties(a));
    const r = await this.published(a.resource_id);
    const { items, path, methods } = await this.checked(ctx, { ...input, resource: a.resource_id }, r);
    return this.move(ctx, id, {
      from: ['returned'],
      to: 'center_review',
      may: 'application.act_for_consumer',
      event: 'resubmit',
      action: 'share.application.resubmit',
      set: async () => ({
        items,
        path,
        methods,
        purpose: input.purpose,
        business_process: input.businessProcess,
        scenario: input.scenario,
        legal_basis: input.legalBasis?.trim() || null,
        valid_until: input.validUntil,
        system_id: input.systemId ?? null,
      }),
    });
  }

  /**
   * The owner unit consents (optionally with a row filter and a stricter masking profile; a desensitised supply
   * must name its profile, which the Center then confirms) or refuses, citing the legal basis (§23: no basis, no
   * refusal), which the Center reviews.
   */
  async answer(
    ctx: RequestContext,
    id: string,
    body: {
      decision: 'consent' | 'refuse';
      rowFilter?: string | null;
      maskingProfileId?: string | null;
      comment?: string;
      basis?: LegalBasis;
    },
  ) {
    if (body.decision === 'refuse') {
      const b = body.basis;
      const missing = (['name', 'article', 'reason'] as const).filter((k) => !String(b?.[k] ?? '').trim());
      if (!b || missing.length)
        throw errors.validation(
          (b ? missing : (['basis'] as const)).map((k) => ({
            field: k === 'basis' ? 'basis' : `basis.${k}`,
            message: {
              zh: '不同意共享须写明法律、法规或规章的名称、条款和理由',
              en: 'a refusal names the law, regulation or rule, its article and the reason',
            },
          })),
        );
      return this.move(ctx, id, {
        from: ['owner_consent'],
        to: 'refusal_review',
        may: 'application.owner',
        event: 'refuse',
        action: 'share.application.refuse',
        comment: b.reason.trim(),
        set: async () => ({
          refusal: JSON.stringify({ ...b, name: b.name.trim(), article: b.article.trim(), reason: b.reason.trim() }),
        }),
        diff: { basis: `${b.name.trim()} ${b.article.trim()}` },
      });
    }
    const a = await this.load(id);
    const profile = body.maskingProfileId?.trim() || null;
    if (a.path === 'desensitized' && !profile)
      throw errors.field(
        'maskingProfileId',
        '不予共享的数据只能脱敏供给：请选择与运营中心商定的脱敏方案',
        'data not shared is supplied only desensitised: choose the masking profile agreed with the Center',
      );
    if (profile) await this.masking.rulesOf(a.resource_id, profile);
    return this.move(ctx, id, {
      from: ['owner_consent'],
      to: a.path === 'desensitized' ? 'profile_confirm' : 'granted',
      may: 'application.owner',
      event: 'consent',
      action: 'share.application.consent',
      comment: body.comment?.trim() || null,
      set: async (cur) => ({
        masking_profile_id: profile,
        row_filter: await this.checkedFilter(cur, body.rowFilter),
      }),
      diff: { ...(profile ? { profile } : {}) },
    });
  }

  /** The Center agrees to the owner's masking profile (a grant issues) or sends the case back to the owner. */
  confirmProfile(ctx: RequestContext, id: string, body: { decision: 'accept' | 'return'; comment?: string }) {
    if (body.decision === 'accept')
      return this.move(ctx, id, {
        from: ['profile_confirm'],
        to: 'granted',
        may: 'application.center',
        event: 'profile_accept',
        action: 'share.application.profile_accept',
        comment: body.comment?.trim() || null,
      });
    return this.move(ctx, id, {
      from: ['profile_confirm'],
      to: 'owner_consent',
      may: 'application.center',
      event: 'profile_return',
      action: 'share.application.profile_return',
      comment: this.needComment(body.comment, '退回须说明脱敏方案需要怎样调整', 'say how the profile should change'),
    });
  }

  /** The Center's review of a refusal: upheld (denied), or overruled (granted: §23, no basis, no refusal). */
  reviewRefusal(ctx: RequestContext, id: string, body: { decision: 'uphold' | 'overrule'; comment?: string }) {
    const comment = this.needComment(body.comment, '请写明审核意见', 'give the reasons of the decision');
    return this.move(ctx, id, {
      from: ['refusal_review'],
      to: body.decision === 'uphold' ? 'denied' : 'granted',
      may: 'application.center',
      event: body.decision,
      action: body.decision === 'uphold' ? 'share.application.uphold' : 'share.application.overrule',
      comment,
    });
  }

  /** The applicant withdraws an open case. */
  withdraw(ctx: RequestContext, id: string, body: { comment?: string }) {
    return this.move(ctx, id, {
      from: ['center_confirm', 'center_review', 'returned', 'owner_consent', 'profile_confirm', 'refusal_review'],
      to: 'withdrawn',
      may: 'application.act_for_consumer',
      event: 'withdraw',
      action: 'share.application.withdraw',
      comment: body.comment?.trim() || null,
    });
  }

  // ---------------------------------------------------------------- attachments
  static readonly ATTACHMENT_MAX = 20 * 1024 * 1024;

  /** The stamped request letter and other material: PDF or an image, checked by its first bytes, at most 20 MB. */
  async attach(ctx: RequestContext, id: string, fileName: string, body: Buffer) {
    const a = await this.load(id);
    authorize(ctx.actor, 'application.act_for_consumer', this.parties(a));
    if (!OPEN(a.status)) throw wrongState(a.status);
    const type =
      body.subarray(0, 5).toString('latin1') === '%PDF-'
        ? 'application/pdf'
        : body[0] === 0x89 && body.subarray(1, 4).toString('latin1') === 'PNG'
          ? 'image/png'
          : body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff
            ? 'image/jpeg'
            : null;
    if (!type)
      throw errors.field(
        'file',
        '附件应为 PDF、PNG 或 JPEG 文件（如盖章的申请函扫描件）',
        'an attachment is a PDF, PNG or JPEG file (a scan of the stamped letter)',
      );
    if (body.length > ApplicationService.ATTACHMENT_MAX)
      throw errors.field('file', '附件不能超过 20 MB', 'an attachment is at most 20 MB');
    const attachmentId = randomUUID();
    const sm3 = sm3Hex(body);
    await this.db.transaction().execute(async (trx) => {
      await repo.insertAttachment(trx, {
        id: attachmentId,
        application_id: id,
        file_name: fileName,
        content_type: type,
        size: body.length,
        sm3,
        content: body,
        uploaded_by: (ctx.actor as { userId: string }).userId,
      });
      await this.event(trx, ctx, a, 'attach', a.status, a.status, fileName, a.due_date);
      await writeAudit(trx, ctx, {
        action: 'share.attachment.upload',
        objectType: 'share_application',
        objectId: id,
        orgId: a.consumer_org_id,
        diff: { file: fileName, bytes: body.length, sm3 },
      });
    });
    return { id: attachmentId, fileName, contentType: type, size: body.length, sm3 };
  }

  /** An attachment for the parties and the Center; the download is audited. */
  async attachment(ctx: RequestContext, id: string, attachmentId: string) {
    const a = await this.load(id);
    authorize(ctx.actor, 'application.read', this.parties(a));
    const f = await repo.findAttachment(this.db, id, attachmentId);
    if (!f) throw errors.notFound('share_attachment', attachmentId);
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'share.attachment.download',
        objectType: 'share_application',
        objectId: id,
        orgId: a.consumer_org_id,
        diff: { file: f.file_name, bytes: f.size },
      }),
    );
    return f;
  }

  // ---------------------------------------------------------------- reading
  private async names(rows: repo.ApplicationRow[], more: (string | null)[] = []) {
    const labels = authLabels(this.db);
    const ids = [...rows.flatMap((a) => [a.consumer_org_id, a.owner_org_id]), ...more.filter((x) => x !== null)];
    const orgs = await labels.organisation([...new Set(ids)]);
    return (id: string) => orgs.get(id)?.name ?? id;
  }

  private async present(
    ctx: RequestContext,
    a: repo.ApplicationRow,
    orgName: (id: string) => string,
    r?: PublishedResource | null,
  ) {
    const p = this.parties(a);
    const resource = r === undefined ? await findPublished(this.db, a.resource_id) : r;
    const due = a.due_date && OPEN(a.status) ? await this.calendar.dueStatus(a.due_date, this.today()) : null;
    const waiting = WAITING[a.status];
    return {
      id: a.id,
      no: a.no,
      resource: {
        id: a.resource_id,
        code: resource?.code ?? null,
        name: resource?.name ?? a.resource_id,
        version: a.resource_version,
      },
      consumer: { id: a.consumer_org_id, name: orgName(a.consumer_org_id) },
      owner: { id: a.owner_org_id, name: orgName(a.owner_org_id) },
      items: a.items.map((code) => ({ code, name: resource?.items.find((i) => i.code === code)?.name ?? code })),
      path: a.path,
      purpose: a.purpose,
      businessProcess: a.business_process,
      scenario: a.scenario,
      legalBasis: a.legal_basis,
      methods: a.methods,
      validUntil: a.valid_until,
      systemId: a.system_id,
      demandId: a.demand_id,
      status: a.status,
      waitingFor: waiting,
      due: due && { date: due.due, state: due.state, daysLeft: due.daysLeft, daysOverdue: due.daysOverdue },
      policyVersion: a.policy_version,
      commitment: { version: a.commitment_version, text: a.commitment_text, acceptedAt: a.committed_at.toISOString() },
      maskingProfileId: a.masking_profile_id,
      rowFilter: a.row_filter,
      refusal: a.refusal,
      createdAt: a.created_at.toISOString(),
      // what the caller may do with this case now (the server checks again on every request)
      may: {
        resubmit: a.status === 'returned' && can(ctx.actor, 'application.act_for_consumer', p),
        withdraw: OPEN(a.status) && can(ctx.actor, 'application.act_for_consumer', p),
        attach: OPEN(a.status) && can(ctx.actor, 'application.act_for_consumer', p),
        answer: a.status === 'owner_consent' && can(ctx.actor, 'application.owner', p),
        center: waiting === 'center' && can(ctx.actor, 'application.center'),
      },
    };
  }

  async list(
    ctx: RequestContext,
    f: {
      side?: 'consumer' | 'owner';
      status?: ShareStatus;
      waiting?: boolean;
      q?: string;
      limit: number;
      offset: number;
    },
  ) {
    if (!ctx.actor) throw errors.unauthenticated();
    const scope = listScope(ctx.actor);
    const statuses = f.status
      ? [f.status]
      : f.waiting
        ? (Object.keys(WAITING) as ShareStatus[]).filter((s) =>
            scope === undefined ? WAITING[s] === 'center' : WAITING[s] === (f.side ?? 'consumer'),
          )
        : undefined;
    const { rows, total } = await repo.listApplications(this.db, {
      orgId: scope,
      side: scope === undefined ? undefined : f.side,
      statuses,
      q: f.q,
      limit: f.limit,
      offset: f.offset,
    });
    const name = await this.names(rows);
    return { total, items: await Promise.all(rows.map((a) => this.present(ctx, a, name))) };
  }

  /** What waits for the caller: as consumer (returned cases), as owner (to answer), as the Center (to review). */
  async inbox(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    const scope = listScope(ctx.actor);
    if (scope === undefined) {
      const c = await repo.countByStatus(this.db, {});
      return {
        consumer: 0,
        owner: 0,
        center: (['center_confirm', 'center_review', 'profile_confirm', 'refusal_review'] as const).reduce(
          (n, s) => n + (c[s] ?? 0),
          0,
        ),
      };
    }
    const mine = await repo.countByStatus(this.db, { orgId: scope, side: 'consumer' });
    const theirs = await repo.countByStatus(this.db, { orgId: scope, side: 'owner' });
    return { consumer: mine.returned ?? 0, owner: theirs.owner_consent ?? 0, center: 0 };
  }

  async get(ctx: RequestContext, id: string) {
    const a = await this.load(id);
    authorize(ctx.actor, 'application.read', this.parties(a));
    const [events, attachments, grant] = await Promise.all([
      repo.listEvents(this.db, id),
      repo.listAttachments(this.db, id),
      this.grants.ofApplication(id),
    ]);
    // the timeline names the Center too, not only the two parties
    const name = await this.names(
      [a],
      events.map((e) => e.org_id),
    );
    return {
      ...(await this.present(ctx, a, name)),
      grantId: grant?.id ?? null,
      timeline: events.map((e) => ({
        at: e.at.toISOString(),
        actor: e.actor_name,
        org: e.org_id ? name(e.org_id) : null,
        action: e.action as ShareEventKind,
        from: e.from_status,
        to: e.to_status,
        comment: e.comment,
        due: e.due_date,
      })),
      attachments: attachments.map((f) => ({
        id: f.id,
        fileName: f.file_name,
        contentType: f.content_type,
        size: f.size,
        sm3: f.sm3,
        uploadedAt: f.uploaded_at.toISOString(),
      })),
    };
  }

  /** What an applicant sees before applying: the resource's items with their share types and the commitment. */
  async draft(ctx: RequestContext, ref: string) {
    authorize(ctx.actor, 'application.apply');
    const r = await this.published(ref);
    const systems = await this.catalog.systems.list(ctx, ctx.actor!.orgId);
    return {
      resource: {
        id: r.id,
        code: r.code,
        name: r.name,
        orgId: r.orgId,
        shareType: r.shareType,
        shareCondition: r.shareCondition,
        shareBasis: r.shareBasis,
        shareMethods: r.shareMethods,
      },
      items: r.items.map((i) => ({
        code: i.code,
        name: i.name,
        dataType: i.dataType,
        shareType: i.shareType ?? r.shareType,
        shareBasis: i.shareBasis,
        sensitivity: i.sensitivity,
      })),
      systems: systems.filter((s) => s.active).map((s) => ({ id: s.id, name: s.name })),
      commitment: currentCommitment(),
      ownResource: r.orgId === ctx.actor!.orgId,
    };
  }
}
