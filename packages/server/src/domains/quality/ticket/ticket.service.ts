// Problem-data tickets (§19, SPEC §4.5): the closed loop 发现-反馈-修正-校验. A consumer unit (or its system), the
// Center or a failing rule reports; the Center triages (accepts and assigns to the owner, merges a duplicate, or
// rejects with a reason); the owner fixes within ticket_fix_days working days of receipt, may ask for more time
// (the Center approves up to ticket_extension_cap_days in all), and the Center may make a ticket urgent with its
// own deadline; the fix (a note, and the batch that corrected the data or a statement that it was right) is
// verified by re-running the rule or by the reporter: closed, or reopened with the clock started again. Every step
// is timed by the policy version the ticket started under, kept on its timeline, audited and told to whoever it
// now waits for.
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTrx } from '../../../db/database.ts';
import type { QualityKind, TicketCategory, TicketFix, TicketSource, TicketStatus } from '../../../db/schema.ts';
import { actorName, type RequestContext } from '../../../platform/context.ts';
import { AppError, errors } from '../../../platform/errors.ts';
import { writeAudit, type AuditAction } from '../../audit/index.ts';
import { todayInShanghai, type CalendarService, type WorkingCalendar } from '../../calendar/index.ts';
import { shanghaiDateTime } from '../../../platform/time.ts';
import { findPublished, resourceLabels } from '../../catalog/index.ts';
import type { IngestService } from '../../ingest/index.ts';
import { notify } from '../../notify/index.ts';
import type { GrantService, ShareServer } from '../../sharing/index.ts';
import { authorize, can, isPrivate, PRIVATE_CATEGORIES, type TicketParties } from '../quality.policy.ts';
import type { RuleService, RunResult } from '../rule/rule.service.ts';
import * as repo from './ticket.repository.ts';
import { listToXlsx } from '../../../platform/xlsx.ts';
import { TICKET_CATEGORY_WORDS, TICKET_SOURCE_WORDS, TICKET_STATUS_WORDS } from '../quality.labels.ts';

/** Whom each step waits for. */
export const WAITING: Record<TicketStatus, 'center' | 'owner' | 'verifier' | null> = {
  triage: 'center',
  assigned: 'owner',
  extension_requested: 'center',
  verifying: 'verifier',
  closed: null,
  rejected: null,
  merged: null,
};
export const OPEN_STATUSES = (Object.keys(WAITING) as TicketStatus[]).filter((s) => WAITING[s] !== null);

export type TicketEventKind =
  | 'report'
  | 'accept'
  | 'merge'
  | 'reject'
  | 'extension_request'
  | 'extension_approve'
  | 'extension_refuse'
  | 'urgent'
  | 'fix'
  | 'close'
  | 'reopen';

/** What a failing rule reports, by its kind. */
const CATEGORY_OF: Record<QualityKind, TicketCategory> = {
  completeness: 'missing',
  validity: 'wrong',
  uniqueness: 'duplicate',
  consistency: 'wrong',
  timeliness: 'outdated',
  single_source: 'wrong',
};

export interface ReportInput {
  resourceId: string;
  category: TicketCategory;
  description: string;
  keys?: string[] | undefined;
  items?: string[] | undefined;
  /** rows as the consumer saw them in the console: the grant, and the rows' references (see ShareServer.browse) */
  grantId?: string | undefined;
  refs?: string[] | undefined;
}

const wrongState = (status: TicketStatus) =>
  new AppError(
    409,
    'quality.wrong_state',
    '该工单当前不在可办理此操作的环节',
    `The ticket is not at a step that allows this (it is ${status})`,
  );

const parties = (t: repo.TicketRow): TicketParties => ({
  ownerOrgId: t.owner_org_id,
  reporterOrgId: t.reporter_org_id,
  reporterUserId: t.reporter_user_id,
  category: t.category,
  source: t.source,
});

export class TicketService {
  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    private readonly ingest: IngestService,
    private readonly grants: GrantService,
    private readonly share: ShareServer,
    private readonly rules: RuleService,
  ) {}

  today: () => string = () => todayInShanghai();

  private async load(id: string, db: DbOrTrx = this.db, forUpdate = false) {
    const t = await repo.findTicket(db, id, { forUpdate });
    if (!t) throw errors.notFound('quality_ticket', id);
    return t;
  }

  private async params(version: number) {
    return (await this.calendar.policyVersion(version)).params;
  }

  private async event(
    trx: DbOrTrx,
    ctx: RequestContext,
    ticketId: string,
    action: TicketEventKind,
    from: TicketStatus | null,
    to: TicketStatus,
    comment: string | null,
    due: string | null,
  ) {
    await repo.insertEvent(trx, {
      ticket_id: ticketId,
      actor_user_id: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      actor_name: ctx.actor ? actorName(ctx.actor) : null,
      org_id: ctx.actor?.orgId ?? null,
      action,
      from_status: from,
      to_status: to,
      comment,
      due_date: due,
    });
  }

  /** The bell: whom the ticket now waits for, and the reporter of the outcome (never a unit's peers of a private report). */
  private async tell(trx: DbOrTrx, t: repo.TicketRow, to: TicketStatus, due: string | null) {
    const params = { no: t.no, status: to, due };
    const waiting = WAITING[to];
    const verifier = t.source === 'center' || t.source === 'rule' ? 'center' : t.reporter_org_id;
    const reporterOrg = isPrivate(t.category) || !t.reporter_org_id ? null : t.reporter_org_id;
    const orgId =
      waiting === 'center' ? 'center' : waiting === 'owner' ? t.owner_org_id : waiting === 'verifier' ? verifier : null;
    if (orgId && (waiting !== 'verifier' || orgId === 'center' || reporterOrg))
      await notify(trx, [{ orgId, kind: 'ticket.waiting', objectType: 'quality_ticket', objectId: t.id, params }]);
    if (!waiting && reporterOrg)
      await notify(trx, [
        { orgId: reporterOrg, kind: 'ticket.decided', objectType: 'quality_ticket', objectId: t.id, params },
      ]);
  }

  /**
   * Moves a ticket from one of `from` to `to` with its event, audit record and notification. What needs reading is
   * read first; the transaction takes the ticket with a lock and checks its step again (PGlite has one connection).
   */
  private async move(
    ctx: RequestContext,
    id: string,
    step: {
      from: TicketStatus[];
      to: TicketStatus | ((t: repo.TicketRow) => TicketStatus);
      may: 'ticket.center' | 'ticket.owner' | 'ticket.verify';
      event: TicketEventKind;
      action: AuditAction;
      comment?: string | null;
      set?: (t: repo.TicketRow) => Promise<Parameters<typeof repo.updateTicket>[2]>;
      diff?: Record<string, unknown>;
    },
  ) {
    const seen = await this.load(id);
    authorize(ctx.actor, step.may, { ticket: parties(seen) });
    if (!step.from.includes(seen.status)) throw wrongState(seen.status);
    const set = step.set ? await step.set(seen) : {};
    const to = typeof step.to === 'function' ? step.to(seen) : step.to;
    return this.db.transaction().execute(async (trx) => {
      const t = await this.load(id, trx, true);
      if (t.status !== seen.status) throw wrongState(t.status);
      const closing = !WAITING[to];
      await repo.updateTicket(trx, id, { ...set, status: to, ...(closing ? { closed_at: new Date() } : {}) });
      const due = (set.due_date as string | null | undefined) ?? t.due_date;
      await this.event(trx, ctx, id, step.event, t.status, to, step.comment ?? null, WAITING[to] ? due : null);
      await writeAudit(trx, ctx, {
        action: step.action,
        objectType: 'quality_ticket',
        objectId: id,
        orgId: t.owner_org_id,
        diff: { no: t.no, status: [t.status, to], ...(step.comment ? { comment: step.comment } : {}), ...step.diff },
      });
      await this.tell(trx, t, to, WAITING[to] ? due : null);
      return { status: to, due: WAITING[to] ? due : null };
    });
  }

  private needComment(comment: string | undefined, zh: string, en: string) {
    if (!comment?.trim()) throw errors.field('comment', zh, en);
    return comment.trim();
  }

  // ------------------------------------------------------------------ reporting
  /** A consumer unit (its staff or system) or the Center reports problem data of a resource. */
  async report(ctx: RequestContext, input: ReportInput) {
    authorize(ctx.actor, 'ticket.report');
    const actor = ctx.actor!;
    const r = await findPublished(this.db, input.resourceId);
    if (!r) throw errors.field('resourceId', '不是已编入目录的数据资源', 'is not a resource of the district catalog');
    const center = can(actor, 'ticket.center');
    if (!center) {
      if (actor.orgId === r.orgId)
        throw errors.field(
          'resourceId',
          '这是本单位提供的数据：请直接更正，无需反馈',
          'this is your own unit\u2019s data: correct it directly',
        );
      // §19: the units that use the data report on it; a unit that holds no grant of it has none to report on
      if (!(await this.grants.consumes(actor.orgId, r.id)))
        throw errors.forbidden('ticket.report (no grant of this resource in force)');
    }
    if (!input.description.trim()) throw errors.field('description', '请描述发现的问题', 'describe the problem found');
    const unknown = (input.items ?? []).filter((c) => !r.items.some((i) => i.code === c));
    if (unknown.length)
      throw errors.field(
        'items',
        `资源中没有这些信息项：${unknown.join('、')}`,
        `not items of the resource: ${unknown.join(', ')}`,
      );
    const keys = [...(input.keys ?? [])];
    if (input.refs?.length) {
      const g = input.grantId ? await this.grants.partiesOf(input.grantId) : null;
      if (!g || g.resourceId !== r.id || (g.consumerOrgId !== actor.orgId && !center))
        throw errors
          .field('grantId', '不是本单位使用该资源的共享授权', 'is not your unit\u2019s grant of this resource')
          .audited('outside_grant');
      const resolved = this.share.keysOfRefs(input.grantId!, input.refs);
      // a reference the platform did not make for this grant: altered or made up, refused on the record
      if (resolved.some((k) => k === null))
        throw errors
          .field('refs', '所选记录不属于该共享授权', 'the rows are not rows of this grant')
          .audited('tampered_ref');
      keys.push(...(resolved as string[]));
    }
    const source: TicketSource = center ? 'center' : actor.kind === 'credential' ? 'api' : 'consumer';
    return this.open(ctx, {
      resourceId: r.id,
      ownerOrgId: r.orgId,
      reporterOrgId: actor.orgId,
      reporterUserId: actor.kind === 'user' ? actor.userId : null,
      source,
      ruleId: null,
      category: input.category,
      description: input.description.trim(),
      keys: [...new Set(keys.map((k) => k.trim()).filter(Boolean))],
      items: [...new Set(input.items ?? [])],
    });
  }

  private async open(
    ctx: RequestContext,
    x: {
      resourceId: string;
      ownerOrgId: string;
      reporterOrgId: string | null;
      reporterUserId: string | null;
      source: TicketSource;
      ruleId: string | null;
      category: TicketCategory;
      description: string;
      keys: string[];
      items: string[];
    },
  ) {
    const policy = await this.calendar.currentPolicy();
    const due = await this.calendar.addWorkingDays(this.today(), policy.params.ticket_triage_days!);
    const id = randomUUID();
    const created = await this.db.transaction().execute(async (trx) => {
      const no = await repo.nextNumber(trx, this.today().slice(0, 4));
      const inserted = await repo.insertTicket(trx, {
        id,
        no,
        resource_id: x.resourceId,
        owner_org_id: x.ownerOrgId,
        reporter_org_id: x.reporterOrgId,
        reporter_user_id: x.reporterUserId,
        source: x.source,
        rule_id: x.ruleId,
        category: x.category,
        description: x.description,
        keys: x.keys,
        items: x.items,
        status: 'triage',
        due_date: due,
        policy_version: policy.version,
      });
      if (!inserted) return null;
      await this.event(trx, ctx, id, 'report', null, 'triage', null, due);
      await writeAudit(trx, ctx, {
        action: 'quality.ticket.report',
        objectType: 'quality_ticket',
        objectId: id,
        orgId: x.ownerOrgId,
        diff: {
          no,
          resource: x.resourceId,
          category: x.category,
          source: x.source,
          keys: x.keys.length,
          policy: policy.version,
        },
      });
      const t = (await repo.findTicket(trx, id))!;
      await this.tell(trx, t, 'triage', due);
      return { id, no };
    });
    return created ? { ...created, status: 'triage' as const, due } : null;
  }

  /**
   * What rule runs mean for tickets: a failing rule with no open ticket reports one (once: one open ticket per
   * rule); a rule that passes closes its ticket's verification, and a rule that still fails reopens it.
   */
  async onRuns(runs: RunResult[]) {
    const ctx: RequestContext = { actor: null, requestId: 'quality.rule', ip: null };
    for (const run of runs) {
      if (run.outcome === 'not_run') continue;
      const open = await repo.openTicketOfRule(this.db, run.ruleId);
      if (open?.status === 'verifying') {
        if (run.outcome === 'passed')
          await this.settle(
            ctx,
            open,
            'close',
            `规则复核通过（检查 ${run.checked} 行）/ the rule passed again (${run.checked} rows checked)`,
          );
        else
          await this.settle(
            ctx,
            open,
            'reopen',
            `规则复核仍有 ${run.failing} 行不通过 / the rule still fails ${run.failing} rows`,
          );
        continue;
      }
      if (run.outcome === 'failed' && !open) {
        const rule = (await repo.ruleNames(this.db, [run.ruleId]))[0];
        await this.open(ctx, {
          resourceId: run.resourceId,
          ownerOrgId: run.orgId,
          reporterOrgId: null,
          reporterUserId: null,
          source: 'rule',
          ruleId: run.ruleId,
          category: CATEGORY_OF[run.kind],
          description: `质量规则“${rule?.name ?? run.ruleId}”：${run.failing} / ${run.checked} 行不通过（quality rule: ${run.failing} of ${run.checked} rows fail）`,
          keys: run.sample,
          items: [],
        });
      }
    }
  }

  /** Closes or reopens a ticket in verification on a rule's word (no person acts: the rule ran). */
  private async settle(ctx: RequestContext, seen: repo.TicketRow, how: 'close' | 'reopen', comment: string) {
    const p = await this.params(seen.policy_version);
    const due = how === 'reopen' ? await this.calendar.addWorkingDays(this.today(), p.ticket_fix_days!) : null;
    await this.db.transaction().execute(async (trx) => {
      const t = await this.load(seen.id, trx, true);
      if (t.status !== 'verifying') return;
      const to: TicketStatus = how === 'close' ? 'closed' : 'assigned';
      await repo.updateTicket(
        trx,
        t.id,
        how === 'close'
          ? { status: to, closed_at: new Date() }
          : {
              status: to,
              received_on: this.today(),
              due_date: due,
              extension_days: 0,
              urgent: false,
              urgent_due: null,
            },
      );
      await this.event(trx, ctx, t.id, how, t.status, to, comment, due);
      await writeAudit(trx, ctx, {
        action: how === 'close' ? 'quality.ticket.close' : 'quality.ticket.reopen',
        objectType: 'quality_ticket',
        objectId: t.id,
        orgId: t.owner_org_id,
        diff: { no: t.no, status: [t.status, to], comment },
      });
      await this.tell(trx, t, to, due);
    });
  }

  // ------------------------------------------------------------------ the Center's triage
  triage(
    ctx: RequestContext,
    id: string,
    body: { decision: 'accept' | 'merge' | 'reject'; comment?: string; mergeInto?: string; ruleId?: string },
  ) {
    if (body.decision === 'accept')
      return this.move(ctx, id, {
        from: ['triage'],
        to: 'assigned',
        may: 'ticket.center',
        event: 'accept',
        action: 'quality.ticket.accept',
        comment: body.comment?.trim() || null,
        set: async (t) => {
          // the rule the fix will be verified by, on the reported rows: one of the resource's that judges rows
          if (body.ruleId) {
            const ok = (await this.rules.rowRules(t.resource_id)).some((r) => r.id === body.ruleId);
            if (!ok || !t.keys.length)
              throw errors.field(
                'ruleId',
                '应为该资源启用中、可逐行检查的质量规则，且工单须列有具体记录',
                'must be an active rule of the resource that judges single rows, on a report that names its rows',
              );
          }
          const p = await this.params(t.policy_version);
          const today = this.today();
          // §19: within 5 working days of receipt — unless the Center made it urgent with its own deadline
          const due =
            t.urgent && t.urgent_due ? t.urgent_due : await this.calendar.addWorkingDays(today, p.ticket_fix_days!);
          return { received_on: today, due_date: due, verify_rule_id: body.ruleId ?? null };
        },
        diff: body.ruleId ? { rule: body.ruleId } : {},
      });
    if (body.decision === 'merge')
      return this.move(ctx, id, {
        from: ['triage'],
        to: 'merged',
        may: 'ticket.center',
        event: 'merge',
        action: 'quality.ticket.merge',
        comment: body.comment?.trim() || null,
        set: async (t) => {
          if (!body.mergeInto) throw errors.field('mergeInto', '请指定合并到的工单', 'name the ticket it duplicates');
          const into = await repo.findTicket(this.db, body.mergeInto);
          if (!into || into.id === t.id || into.resource_id !== t.resource_id || into.status === 'merged')
            throw errors.field(
              'mergeInto',
              '应为同一数据资源的另一张未被合并的工单',
              'must be another ticket of the same resource that was not merged itself',
            );
          return { merged_into: into.id, due_date: null };
        },
        diff: { mergedInto: body.mergeInto },
      });
    const comment = this.needComment(body.comment, '不予受理须说明理由', 'a rejection needs its reason');
    return this.move(ctx, id, {
      from: ['triage'],
      to: 'rejected',
      may: 'ticket.center',
      event: 'reject',
      action: 'quality.ticket.reject',
      comment,
      set: async () => ({ due_date: null }),
    });
  }

  /** The Center makes a ticket urgent with its own deadline (§19: 业务紧急的问题数据，根据实际情况限时处理). */
  async urgent(ctx: RequestContext, id: string, body: { dueDate: string; comment?: string }) {
    const seen = await this.load(id);
    authorize(ctx.actor, 'ticket.center', { ticket: parties(seen) });
    if (!['triage', 'assigned', 'extension_requested'].includes(seen.status)) throw wrongState(seen.status);
    if (body.dueDate < this.today())
      throw errors.field('dueDate', '期限不能早于今天', 'the deadline cannot be before today');
    const comment = body.comment?.trim() || null;
    return this.db.transaction().execute(async (trx) => {
      const t = await this.load(id, trx, true);
      if (t.status !== seen.status) throw wrongState(t.status);
      const due = t.status === 'triage' ? t.due_date : body.dueDate;
      await repo.updateTicket(trx, id, { urgent: true, urgent_due: body.dueDate, due_date: due });
      await this.event(trx, ctx, id, 'urgent', t.status, t.status, comment, body.dueDate);
      await writeAudit(trx, ctx, {
        action: 'quality.ticket.urgent',
        objectType: 'quality_ticket',
        objectId: id,
        orgId: t.owner_org_id,
        diff: { no: t.no, dueDate: body.dueDate, ...(comment ? { comment } : {}) },
      });
      if (t.status !== 'triage')
        await notify(trx, [
          {
            orgId: t.owner_org_id,
            kind: 'ticket.waiting',
            objectType: 'quality_ticket',
            objectId: t.id,
            params: { no: t.no, status: t.status, due: body.dueDate },
          },
        ]);
      return { status: t.status, due };
    });
  }

  // ------------------------------------------------------------------ the owner
  /** The owner asks for more time, within the cap (§19: at most 15 working days in all, with the Center's approval). */
  async requestExtension(ctx: RequestContext, id: string, body: { days: number; reason: string }) {
    const reason = this.needComment(body.reason, '申请延期须说明原因', 'an extension needs its reason');
    return this.move(ctx, id, {
      from: ['assigned'],
      to: 'extension_requested',
      may: 'ticket.owner',
      event: 'extension_request',
      action: 'quality.ticket.extension_request',
      comment: reason,
      set: async (t) => {
        const p = await this.params(t.policy_version);
        const room = p.ticket_extension_cap_days! - p.ticket_fix_days! - t.extension_days;
        if (room <= 0)
          throw new AppError(
            409,
            'quality.extension_cap',
            `已达到延期上限（合计不超过 ${p.ticket_extension_cap_days} 个工作日）`,
            `The extension cap is reached (at most ${p.ticket_extension_cap_days} working days in all)`,
          );
        if (body.days > room)
          throw errors.field(
            'days',
            `最多还可延期 ${room} 个工作日（合计不超过 ${p.ticket_extension_cap_days} 个工作日）`,
            `at most ${room} more working days (${p.ticket_extension_cap_days} in all)`,
          );
        return { extension_request: JSON.stringify({ days: body.days, reason }) };
      },
      diff: { days: body.days },
    });
  }

  /** The Center approves (all or fewer of the days asked) or refuses an extension; the owner's clock goes on. */
  async decideExtension(ctx: RequestContext, id: string, body: { approve: boolean; days?: number; comment?: string }) {
    if (!body.approve) {
      const comment = this.needComment(body.comment, '不同意延期须说明理由', 'a refusal needs its reason');
      return this.move(ctx, id, {
        from: ['extension_requested'],
        to: 'assigned',
        may: 'ticket.center',
        event: 'extension_refuse',
        action: 'quality.ticket.extension_refuse',
        comment,
        set: async () => ({ extension_request: null }),
      });
    }
    return this.move(ctx, id, {
      from: ['extension_requested'],
      to: 'assigned',
      may: 'ticket.center',
      event: 'extension_approve',
      action: 'quality.ticket.extension_approve',
      comment: body.comment?.trim() || null,
      set: async (t) => {
        const p = await this.params(t.policy_version);
        const asked = t.extension_request?.days ?? 0;
        const days = body.days ?? asked;
        const room = p.ticket_extension_cap_days! - p.ticket_fix_days! - t.extension_days;
        if (days < 1 || days > Math.min(asked, room))
          throw errors.field(
            'days',
            `应为 1 到 ${Math.min(asked, room)} 个工作日（不超过申请的天数和延期上限）`,
            `must be 1 to ${Math.min(asked, room)} working days (no more than asked, within the cap)`,
          );
        const total = t.extension_days + days;
        const base = t.urgent && t.urgent_due ? t.urgent_due : null;
        const due = base
          ? await this.calendar.addWorkingDays(base, days)
          : await this.calendar.addWorkingDays(t.received_on ?? this.today(), p.ticket_fix_days! + total);
        return { extension_days: total, extension_request: null, due_date: due };
      },
      diff: { days: body.days ?? 'asked' },
    });
  }

  /** The owner states the fix: a note, and the batch that corrected the data or that the data was right. */
  async fix(ctx: RequestContext, id: string, body: { note: string; batchId?: string | null; dataWasRight?: boolean }) {
    const note = this.needComment(body.note, '请说明如何处理', 'say what was done');
    const result = await this.move(ctx, id, {
      from: ['assigned', 'extension_requested'],
      to: 'verifying',
      may: 'ticket.owner',
      event: 'fix',
      action: 'quality.ticket.fix',
      comment: note,
      set: async (t) => {
        if (!body.batchId && !body.dataWasRight)
          throw errors.field(
            'batchId',
            '请给出更正数据的归集批次，或说明数据无误',
            'name the batch that corrected the data, or state that the data was right',
          );
        if (body.batchId) {
          const b = await this.ingest.batchOf(body.batchId);
          if (!b || b.resourceId !== t.resource_id || b.status !== 'succeeded')
            throw errors.field('batchId', '不是该数据资源的成功归集批次', 'is not a successful batch of this resource');
          if (b.startedAt < t.created_at)
            throw errors.field('batchId', '该批次早于问题反馈，不能作为更正', 'the batch is older than the report');
        }
        const p = await this.params(t.policy_version);
        const fix: TicketFix = { note, batchId: body.batchId ?? null, dataWasRight: !!body.dataWasRight };
        return {
          fix: JSON.stringify(fix),
          extension_request: null,
          due_date: await this.calendar.addWorkingDays(this.today(), p.ticket_verify_days!),
        };
      },
      diff: { batch: body.batchId ?? null, dataWasRight: !!body.dataWasRight },
    });
    // a rule's ticket is verified by running the rule again: it closes or reopens at once
    const t = await this.load(id);
    if (t.rule_id && t.status === 'verifying') {
      await this.rules.runResource({ ...ctx, actor: null }, t.resource_id, 'verify', { ruleIds: [t.rule_id] });
      const after = await this.load(id);
      return { status: after.status, due: WAITING[after.status] ? after.due_date : null };
    }
    // a report verified by a rule: the rule's check on the reported rows
    if (t.verify_rule_id && t.status === 'verifying') {
      const check = await this.rules.checkRows(t.verify_rule_id, t.keys);
      if (check) {
        const rule = (await repo.ruleNames(this.db, [t.verify_rule_id]))[0]?.name ?? '';
        const system: RequestContext = { ...ctx, actor: null, requestId: 'quality.verify' };
        if (check.failing === 0)
          await this.settle(
            system,
            t,
            'close',
            `规则“${rule}”复核所反馈的 ${check.checked} 条记录，全部通过 / the rule passes all ${check.checked} reported rows`,
          );
        else
          await this.settle(
            system,
            t,
            'reopen',
            `规则“${rule}”复核：${check.failing} / ${check.checked} 条记录仍不通过 / the rule still fails ${check.failing} of ${check.checked} reported rows`,
          );
        const after = await this.load(id);
        return { status: after.status, due: WAITING[after.status] ? after.due_date : null };
      }
    }
    return result;
  }

  // ------------------------------------------------------------------ verification
  /** The reporter (or the Center) confirms the fix — closed — or reopens it with a reason: the clock starts again. */
  verify(ctx: RequestContext, id: string, body: { decision: 'confirm' | 'reopen'; comment?: string }) {
    if (body.decision === 'confirm')
      return this.move(ctx, id, {
        from: ['verifying'],
        to: 'closed',
        may: 'ticket.verify',
        event: 'close',
        action: 'quality.ticket.close',
        comment: body.comment?.trim() || null,
        set: async () => ({ due_date: null }),
      });
    const comment = this.needComment(body.comment, '重新处理须说明原因', 'reopening needs its reason');
    return this.move(ctx, id, {
      from: ['verifying'],
      to: 'assigned',
      may: 'ticket.verify',
      event: 'reopen',
      action: 'quality.ticket.reopen',
      comment,
      set: async (t) => {
        const p = await this.params(t.policy_version);
        const today = this.today();
        return {
          received_on: today,
          due_date: await this.calendar.addWorkingDays(today, p.ticket_fix_days!),
          extension_days: 0,
          urgent: false,
          urgent_due: null,
        };
      },
    });
  }

  // ------------------------------------------------------------------ reading
  private scope(ctx: RequestContext): repo.TicketScope {
    const a = ctx.actor!;
    return {
      orgId: can(a, 'ticket.center') || can(a, 'score.all') ? undefined : a.orgId,
      userId: a.kind === 'user' ? a.userId : undefined,
      privateCategories: PRIVATE_CATEGORIES,
    };
  }

  /** A ticket as lists and pages show it; `cal` read once by the caller for a whole list. */
  private present(
    t: repo.TicketRow & { owner_name?: string; reporter_name?: string | null },
    today: string,
    cal: WorkingCalendar,
  ) {
    const due = t.due_date && WAITING[t.status] ? cal.dueStatus(t.due_date, today) : null;
    return {
      id: t.id,
      no: t.no,
      resourceId: t.resource_id,
      ownerOrgId: t.owner_org_id,
      ownerName: t.owner_name ?? null,
      reporterOrgId: t.reporter_org_id,
      reporterName: t.reporter_name ?? null,
      source: t.source,
      ruleId: t.rule_id,
      verifyRuleId: t.verify_rule_id,
      category: t.category,
      private: isPrivate(t.category),
      description: t.description,
      status: t.status,
      waitingFor: WAITING[t.status],
      urgent: t.urgent,
      urgentDue: t.urgent_due,
      dueDate: WAITING[t.status] ? t.due_date : null,
      daysLeft: due?.daysLeft ?? null,
      overdue: due?.state === 'overdue',
      daysOverdue: due?.daysOverdue ?? 0,
      receivedOn: t.received_on,
      extensionDays: t.extension_days,
      policyVersion: t.policy_version,
      createdAt: t.created_at.toISOString(),
      closedAt: t.closed_at?.toISOString() ?? null,
    };
  }

  async list(
    ctx: RequestContext,
    f: repo.TicketFilter & { waiting?: boolean | undefined; limit: number; offset: number },
  ) {
    if (!ctx.actor) throw errors.unauthenticated();
    const scope = this.scope(ctx);
    const [rows, total] = await Promise.all([
      repo.listTickets(this.db, scope, f, f),
      repo.countTickets(this.db, scope, f),
    ]);
    const today = this.today();
    const [labels, cal] = await Promise.all([
      resourceLabels(
        this.db,
        rows.map((r) => r.resource_id),
      ),
      this.calendar.calendar(),
    ]);
    return {
      total,
      tickets: rows.map((r) => ({
        ...this.present(r, today, cal),
        resourceName: labels.get(r.resource_id)?.name ?? null,
        resourceCode: labels.get(r.resource_id)?.code ?? null,
      })),
    };
  }

  /** How many tickets wait for the caller, by side, and how many are overdue (for the Center: all of them). */
  async inbox(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    const a = ctx.actor;
    const open = await repo.listTickets(
      this.db,
      this.scope(ctx),
      { status: OPEN_STATUSES },
      { limit: 10000, offset: 0 },
    );
    const today = this.today();
    const out = { center: 0, owner: 0, verifier: 0, overdue: 0 };
    const center = can(a, 'ticket.center');
    for (const t of open) {
      const w = WAITING[t.status];
      // the Center watches every deadline (an overdue step escalates to it), a unit those of the steps it owes
      if (center && t.due_date && t.due_date < today && w !== 'center') out.overdue++;
      const mine =
        (w === 'center' && can(a, 'ticket.center')) ||
        (w === 'owner' && t.owner_org_id === a.orgId) ||
        (w === 'verifier' && can(a, 'ticket.verify', { ticket: parties(t) }));
      if (!mine) continue;
      out[w!]++;
      if (t.due_date && t.due_date < today) out.overdue++;
    }
    return out;
  }

  async get(ctx: RequestContext, id: string) {
    const t = await this.load(id);
    authorize(ctx.actor, 'ticket.read', { ticket: parties(t) });
    const [events, labels, rule] = await Promise.all([
      repo.events(this.db, id),
      resourceLabels(this.db, [t.resource_id]),
      t.rule_id ? repo.ruleNames(this.db, [t.rule_id]) : Promise.resolve([]),
    ]);
    const p = parties(t);
    const a = ctx.actor!;
    // the rows' keys as the reader may see them: in clear for the owner's officers only — a consumer reported rows it
    // saw masked, and must not learn their keys from its own ticket
    const keys = await this.rules.keysFor(ctx, t.resource_id, t.keys);
    return {
      ...this.present(t, this.today(), await this.calendar.calendar()),
      resourceName: labels.get(t.resource_id)?.name ?? null,
      resourceCode: labels.get(t.resource_id)?.code ?? null,
      ruleName: rule[0]?.name ?? null,
      keys,
      items: t.items,
      mergedInto: t.merged_into,
      extensionRequest: t.extension_request,
      fix: t.fix,
      events: events.map((e) => ({
        at: e.at.toISOString(),
        actorName: e.actor_name,
        orgName: e.org_name,
        action: e.action as TicketEventKind,
        fromStatus: e.from_status as TicketStatus | null,
        toStatus: e.to_status as TicketStatus | null,
        comment: e.comment,
        dueDate: e.due_date,
      })),
      verifyRules:
        t.status === 'triage' && can(a, 'ticket.center', { ticket: p }) && t.keys.length
          ? (await this.rules.rowRules(t.resource_id)).map((r) => ({ id: r.id, name: r.name }))
          : [],
      may: {
        triage: t.status === 'triage' && can(a, 'ticket.center', { ticket: p }),
        urgent:
          ['triage', 'assigned', 'extension_requested'].includes(t.status) && can(a, 'ticket.center', { ticket: p }),
        decideExtension: t.status === 'extension_requested' && can(a, 'ticket.center', { ticket: p }),
        requestExtension: t.status === 'assigned' && can(a, 'ticket.owner', { ticket: p }),
        fix: ['assigned', 'extension_requested'].includes(t.status) && can(a, 'ticket.owner', { ticket: p }),
        verify: t.status === 'verifying' && can(a, 'ticket.verify', { ticket: p }),
      },
    };
  }

  /** The register of tickets reported in a period, as XLSX (the Center's monthly report), in words; audited. */
  async register(ctx: RequestContext, f: { from?: string | undefined; to?: string | undefined }) {
    authorize(ctx.actor, 'ticket.center');
    const rows = await repo.listTickets(this.db, this.scope(ctx), f, { limit: 100_000, offset: 0 });
    const [labels, cal] = await Promise.all([
      resourceLabels(
        this.db,
        rows.map((r) => r.resource_id),
      ),
      this.calendar.calendar(),
    ]);
    const today = this.today();
    const out = [];
    for (const t of rows) {
      const p = this.present(t, today, cal);
      out.push({
        no: t.no,
        createdAt: shanghaiDateTime(t.created_at).slice(0, 16),
        resource: labels.get(t.resource_id)?.name ?? t.resource_id,
        owner: t.owner_name,
        reporter: t.reporter_name ?? '—',
        source: TICKET_SOURCE_WORDS[t.source][0],
        category: TICKET_CATEGORY_WORDS[t.category][0],
        // a report naming a third party's rights is listed without its text (§19)
        description: isPrivate(t.category) ? '（涉及第三方权益，内容从略）' : t.description,
        status: TICKET_STATUS_WORDS[t.status][0],
        urgent: t.urgent ? '是' : '',
        receivedOn: t.received_on ?? '',
        dueDate: p.dueDate ?? '',
        overdue: p.overdue ? `逾期 ${p.daysOverdue} 个工作日` : '',
        extensionDays: t.extension_days || '',
        closedAt: t.closed_at ? shanghaiDateTime(t.closed_at).slice(0, 10) : '',
      });
    }
    const buf = await listToXlsx(
      '问题数据台账',
      [
        { header: '工单编号', key: 'no', width: 16 },
        { header: '反馈时间', key: 'createdAt', width: 18 },
        { header: '数据资源', key: 'resource', width: 24 },
        { header: '数据责任单位', key: 'owner', width: 20 },
        { header: '反馈单位', key: 'reporter', width: 20 },
        { header: '来源', key: 'source', width: 14 },
        { header: '问题类别', key: 'category', width: 14 },
        { header: '问题描述', key: 'description', width: 40 },
        { header: '状态', key: 'status', width: 16 },
        { header: '紧急', key: 'urgent', width: 8 },
        { header: '受理日期', key: 'receivedOn', width: 12 },
        { header: '办理期限', key: 'dueDate', width: 12 },
        { header: '逾期', key: 'overdue', width: 16 },
        { header: '延期（工作日）', key: 'extensionDays', width: 14 },
        { header: '办结日期', key: 'closedAt', width: 12 },
      ],
      out,
    );
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'quality.ticket.register',
        objectType: 'quality_ticket',
        objectId: null,
        diff: { rows: out.length, ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) },
      }),
    );
    return buf;
  }

  /** Each open ticket near its due date tells whom it waits for, once; past it, the Center too (job). */
  async remind(today = this.today()) {
    const open = await repo.listOpen(this.db);
    const cal = await this.calendar.calendar();
    const versions = new Map<number, Record<string, number>>();
    const notices: Parameters<typeof notify>[1] = [];
    for (const t of open) {
      if (!t.due_date) continue;
      const p = versions.get(t.policy_version) ?? (await this.params(t.policy_version));
      versions.set(t.policy_version, p);
      const w = WAITING[t.status];
      const orgId =
        w === 'center'
          ? 'center'
          : w === 'owner'
            ? t.owner_org_id
            : t.source === 'center' || t.source === 'rule'
              ? 'center'
              : isPrivate(t.category)
                ? null
                : t.reporter_org_id;
      const params = { no: t.no, status: t.status, due: t.due_date };
      if (t.due_date < today) {
        const key = `ticket-overdue|${t.id}|${t.status}|${t.due_date}`;
        if (orgId)
          notices.push({
            orgId,
            kind: 'ticket.overdue',
            objectType: 'quality_ticket',
            objectId: t.id,
            params,
            dedupKey: key,
          });
        // overdue escalates to the Center
        if (orgId !== 'center')
          notices.push({
            orgId: 'center',
            kind: 'ticket.overdue',
            objectType: 'quality_ticket',
            objectId: t.id,
            params,
            dedupKey: key,
          });
      } else if (orgId && cal.workingDaysBetween(today, t.due_date) <= p.ticket_reminder_days!)
        notices.push({
          orgId,
          kind: 'ticket.due_soon',
          objectType: 'quality_ticket',
          objectId: t.id,
          params,
          dedupKey: `ticket-due|${t.id}|${t.status}|${t.due_date}`,
        });
    }
    await notify(this.db, notices);
    return notices.length;
  }
}
