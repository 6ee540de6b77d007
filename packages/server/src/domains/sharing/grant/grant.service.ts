// Grants: what an approved application yields — the consumer unit and the credentials of its systems that may
// call, the resource (it follows new approved versions; items removed from the catalog drop out), the items, a row
// filter, the masking profile, the methods, the validity, a rate limit and a daily row quota. A grant is suspended,
// resumed and revoked (with a reason) by the owner or the Center, and renewed by a new application.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db, DbOrTrx } from '../../../db/database.ts';
import type { ShareApplicationTable } from '../../../db/schema.ts';
import type { RequestContext } from '../../../platform/context.ts';
import { AppError, errors } from '../../../platform/errors.ts';
import { writeAudit } from '../../audit/index.ts';
import { activeCredentialIds, authLabels } from '../../auth/index.ts';
import { shiftDays, todayInShanghai, type CalendarService, type PolicySnapshot } from '../../calendar/index.ts';
import {
  findInfoSystem,
  findPublished,
  resourceLabels,
  type CatalogService,
  type PublishedResource,
} from '../../catalog/index.ts';
import { describeRule, maskValue, type MaskingService } from '../../masking/index.ts';
import type { DataServer } from '../../ingest/index.ts';
import { filterItems } from '../application/application.service.ts';
import { filterProblem, FilterError, parseFilter } from '../filter/filter.parse.ts';
import { authorize, can, CONSOLE_READ_METHODS, listScope, type Parties } from '../sharing.policy.ts';
import * as repo from './grant.repository.ts';
import * as exportsRepo from '../export/export.repository.ts';
import { notify } from '../../notify/index.ts';
import { grantOpenApi } from './grant.openapi.ts';

export type GrantState = 'active' | 'suspended' | 'revoked' | 'expired' | 'not_yet';

/** A grant's state today: as set, or expired (or not yet valid) by its dates. */
export function stateOf(g: repo.GrantRow, today: string): GrantState {
  if (g.state !== 'active') return g.state;
  if (today > g.valid_until) return 'expired';
  if (today < g.valid_from) return 'not_yet';
  return 'active';
}

/** The items a grant serves today: those granted that the resource's current version still has. */
export const servedItems = (g: repo.GrantRow, r: PublishedResource) => r.items.filter((i) => g.items.includes(i.code));

const revokedIsFinal = () =>
  new AppError(
    409,
    'sharing.grant_revoked',
    '该授权已撤销，不能再更改；如需使用请重新申请',
    'This grant is revoked; apply again to use the data',
  );

export class GrantService {
  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    private readonly catalog: CatalogService,
    private readonly masking: MaskingService,
    private readonly data: DataServer,
  ) {}

  today: () => string = () => todayInShanghai();

  private parties(g: { consumer_org_id: string; owner_org_id: string }): Parties {
    return { consumerOrgId: g.consumer_org_id, ownerOrgId: g.owner_org_id };
  }

  /** Issues the grant of an application that was just granted, in its transaction, with the case's policy. */
  async issue(
    trx: DbOrTrx,
    ctx: RequestContext,
    a: Pick<
      ShareApplicationTable,
      | 'consumer_org_id'
      | 'owner_org_id'
      | 'resource_id'
      | 'items'
      | 'row_filter'
      | 'masking_profile_id'
      | 'methods'
      | 'valid_until'
      | 'system_id'
      | 'policy_version'
    > & { id: string },
    policy: PolicySnapshot,
  ) {
    const system = a.system_id ? await findInfoSystem(trx, a.system_id) : undefined;
    // the credentials of the system named in the application may call; the consumer's admin can change that
    const credentials = system ? await activeCredentialIds(trx, a.consumer_org_id, system.name) : [];
    const id = randomUUID();
    await repo.insertGrant(trx, {
      id,
      application_id: a.id,
      consumer_org_id: a.consumer_org_id,
      owner_org_id: a.owner_org_id,
      resource_id: a.resource_id,
      items: a.items,
      row_filter: a.row_filter,
      masking_profile_id: a.masking_profile_id ?? 'default',
      methods: a.methods,
      credential_ids: credentials,
      valid_from: this.today(),
      valid_until: a.valid_until,
      rate_per_minute: policy.params.share_rate_per_minute!,
      verify_per_minute: policy.params.share_verify_per_minute!,
      daily_rows: policy.params.share_daily_rows!,
      state: 'active',
      state_reason: null,
      state_changed_by: null,
      state_changed_at: null,
      secret: randomBytes(32).toString('hex'),
    });
    await writeAudit(trx, ctx, {
      action: 'share.grant.create',
      objectType: 'share_grant',
      objectId: id,
      orgId: a.consumer_org_id,
      diff: {
        application: a.id,
        resource: a.resource_id,
        items: a.items,
        methods: a.methods,
        profile: a.masking_profile_id ?? 'default',
        ...(a.row_filter ? { rowFilter: a.row_filter } : {}),
        validUntil: a.valid_until,
        credentials: credentials.length,
      },
    });
    return id;
  }

  /**
   * Grants that end within the policy's notice (working days) tell the consumer and the owner, once per grant and
   * end date (job); renewing means a new application.
   */
  async remindExpiring(today = this.today()) {
    const policy = await this.calendar.currentPolicy();
    const until = await this.calendar.addWorkingDays(today, policy.params.share_grant_expiry_notice_days!);
    const ending = await repo.listEnding(this.db, today, until);
    await notify(
      this.db,
      ending.flatMap((g) =>
        [g.consumer_org_id, g.owner_org_id].map((orgId) => ({
          orgId,
          kind: 'grant.expiring' as const,
          objectType: 'share_grant',
          objectId: g.id,
          params: { no: g.no, due: g.valid_until },
          dedupKey: `expiring|${g.id}|${g.valid_until}`,
        })),
      ),
    );
    return ending.length;
  }

  /** Whether a unit holds a grant of a resource in force today (who may report problems in data it received). */
  async consumes(orgId: string, resourceId: string, today = this.today()): Promise<boolean> {
    const list = await repo.listGrants(this.db, { orgId, side: 'consumer', resourceId });
    return list.some((g) => stateOf(g, today) === 'active');
  }

  /** A grant's units and resource, with no access check (quality checks a report names the reporter's grant). */
  async partiesOf(id: string) {
    const g = await repo.findGrant(this.db, id);
    return g ? { consumerOrgId: g.consumer_org_id, ownerOrgId: g.owner_org_id, resourceId: g.resource_id } : null;
  }

  ofApplication(applicationId: string) {
    return repo.findGrantOfApplication(this.db, applicationId);
  }

  private async load(id: string, db: DbOrTrx = this.db) {
    const g = await repo.findGrant(db, id);
    if (!g) throw errors.notFound('share_grant', id);
    return g;
  }

  private async present(ctx: RequestContext, g: repo.GrantRow, orgName: (id: string) => string) {
    const r = await findPublished(this.db, g.resource_id);
    const today = this.today();
    const state = stateOf(g, today);
    const p = this.parties(g);
    const usage = await repo.usageOf(this.db, g.id, today);
    const rules = await this.masking.rulesOf(g.resource_id, g.masking_profile_id).catch(() => null);
    const credentialNames = g.credential_ids.length
      ? await authLabels(this.db).credential(g.credential_ids)
      : new Map<string, { name: string; code: string | null }>();
    return {
      id: g.id,
      applicationId: g.application_id,
      resource: { id: g.resource_id, code: r?.code ?? null, name: r?.name ?? g.resource_id },
      consumer: { id: g.consumer_org_id, name: orgName(g.consumer_org_id) },
      owner: { id: g.owner_org_id, name: orgName(g.owner_org_id) },
      items: g.items.map((code) => {
        const item = r?.items.find((i) => i.code === code);
        return {
          code,
          name: item?.name ?? code,
          // an item the catalog no longer has drops out of the grant
          served: !!item,
          masking: item && rules ? describeRule(rules[code], { ...item }) : null,
        };
      }),
      rowFilter: g.row_filter,
      maskingProfileId: g.masking_profile_id,
      methods: g.methods,
      credentials: g.credential_ids.map((cid) => ({
        id: cid,
        systemName: credentialNames.get(cid)?.name ?? cid,
        keyId: credentialNames.get(cid)?.code ?? null,
      })),
      validFrom: g.valid_from,
      validUntil: g.valid_until,
      ratePerMinute: g.rate_per_minute,
      dailyRows: g.daily_rows,
      state,
      stateReason: g.state_reason,
      today: { calls: usage?.calls ?? 0, rows: Number(usage?.rows ?? 0), refused: usage?.refused ?? 0 },
      may: {
        manage: can(ctx.actor, 'grant.manage', p),
        bind: can(ctx.actor, 'grant.bind', p),
        // a file of the data: the consumer's staff, when the grant gives the file method
        export: g.methods.includes('file') && can(ctx.actor, 'share.export', { ...p, credentialIds: [] }),
        // the data in the console: the consumer's staff, when the grant gives it by the API or as files
        browse:
          g.methods.some((m) => (CONSOLE_READ_METHODS as readonly string[]).includes(m)) &&
          can(ctx.actor, 'share.export', { ...p, credentialIds: [] }),
      },
    };
  }

  private async orgNames(rows: { consumer_org_id: string; owner_org_id: string }[]) {
    const orgs = await authLabels(this.db).organisation([
      ...new Set(rows.flatMap((g) => [g.consumer_org_id, g.owner_org_id])),
    ]);
    return (id: string) => orgs.get(id)?.name ?? id;
  }

  async list(ctx: RequestContext, f: { side?: 'consumer' | 'owner'; resourceId?: string }) {
    if (!ctx.actor) throw errors.unauthenticated();
    const scope = listScope(ctx.actor);
    const rows = await repo.listGrants(this.db, {
      orgId: scope,
      side: scope ? f.side : undefined,
      resourceId: f.resourceId,
    });
    const name = await this.orgNames(rows);
    return Promise.all(rows.map((g) => this.present(ctx, g, name)));
  }

  async get(ctx: RequestContext, id: string) {
    const g = await this.load(id);
    authorize(ctx.actor, 'grant.read', this.parties(g));
    return this.present(ctx, g, await this.orgNames([g]));
  }

  /** Suspend, resume or revoke (with a reason): the owner's data admin or the Center. Revoked is final. */
  /** Told when a grant changes (state, limits, filter, profile, credentials): the data services forget it. */
  onChanged: (grantId: string) => void = () => {};

  async setState(ctx: RequestContext, id: string, body: { action: 'suspend' | 'resume' | 'revoke'; reason?: string }) {
    await this.db.transaction().execute(async (trx) => {
      const g = await this.load(id, trx);
      authorize(ctx.actor, 'grant.manage', this.parties(g));
      if (g.state === 'revoked') throw revokedIsFinal();
      const to = body.action === 'resume' ? 'active' : body.action === 'suspend' ? 'suspended' : 'revoked';
      if (body.action === 'resume' && g.state !== 'suspended')
        throw new AppError(409, 'sharing.grant_not_suspended', '该授权没有暂停', 'This grant is not suspended');
      const reason = body.reason?.trim() || null;
      if (body.action !== 'resume' && !reason)
        throw errors.field('reason', '暂停或撤销须说明原因', 'a suspension or revocation needs its reason');
      await repo.updateGrant(trx, id, {
        state: to,
        state_reason: reason,
        state_changed_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
        state_changed_at: new Date(),
      });
      await writeAudit(trx, ctx, {
        action: `share.grant.${body.action}`,
        objectType: 'share_grant',
        objectId: id,
        orgId: g.consumer_org_id,
        diff: { state: [g.state, to], ...(reason ? { reason } : {}) },
      });
    });
    this.onChanged(id);
  }

  /** The owner or the Center changes a grant's row filter, masking profile or limits. */
  async update(
    ctx: RequestContext,
    id: string,
    body: { rowFilter?: string | null; maskingProfileId?: string; ratePerMinute?: number; dailyRows?: number },
  ) {
    const g = await this.load(id);
    authorize(ctx.actor, 'grant.manage', this.parties(g));
    if (g.state === 'revoked') throw revokedIsFinal();
    const r = await findPublished(this.db, g.resource_id);
    if (!r) throw errors.notFound('resource', g.resource_id);
    let rowFilter = g.row_filter;
    if (body.rowFilter !== undefined) {
      rowFilter = body.rowFilter?.trim() || null;
      if (rowFilter)
        try {
          parseFilter(rowFilter, filterItems(r, g.items));
        } catch (e) {
          if (e instanceof FilterError) throw errors.validation([filterProblem('rowFilter', e)]);
          throw e;
        }
    }
    if (body.maskingProfileId) await this.masking.rulesOf(g.resource_id, body.maskingProfileId);
    const next = {
      row_filter: rowFilter,
      masking_profile_id: body.maskingProfileId ?? g.masking_profile_id,
      rate_per_minute: body.ratePerMinute ?? g.rate_per_minute,
      daily_rows: body.dailyRows ?? g.daily_rows,
    };
    await this.db.transaction().execute(async (trx) => {
      await repo.updateGrant(trx, id, next);
      await writeAudit(trx, ctx, {
        action: 'share.grant.update',
        objectType: 'share_grant',
        objectId: id,
        orgId: g.consumer_org_id,
        diff: Object.fromEntries(
          (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== g[k]).map((k) => [k, [g[k], next[k]]]),
        ),
      });
    });
    this.onChanged(id);
    return this.get(ctx, id);
  }

  /** The consumer's admin chooses which of its unit's active credentials may call this grant. */
  async bind(ctx: RequestContext, id: string, credentialIds: string[]) {
    const g = await this.load(id);
    authorize(ctx.actor, 'grant.bind', this.parties(g));
    const mine = new Set(await activeCredentialIds(this.db, g.consumer_org_id));
    const wanted = [...new Set(credentialIds)];
    const foreign = wanted.filter((c) => !mine.has(c));
    if (foreign.length)
      throw errors.field('credentialIds', '只能选择本单位有效的接口凭据', 'only active credentials of your unit');
    await this.db.transaction().execute(async (trx) => {
      await repo.updateGrant(trx, id, { credential_ids: wanted });
      await writeAudit(trx, ctx, {
        action: 'share.grant.bind',
        objectType: 'share_grant',
        objectId: id,
        orgId: g.consumer_org_id,
        diff: { credentials: [g.credential_ids.length, wanted.length] },
      });
    });
    this.onChanged(id);
    return this.get(ctx, id);
  }

  /**
   * Use of the data services between two days (at most a year): per day, and summed by resource, consumer and
   * owner. The Center sees the district's; a unit sees the grants it receives or gives.
   */
  async usage(ctx: RequestContext, f: { from?: string | undefined; to?: string | undefined }) {
    if (!ctx.actor) throw errors.unauthenticated();
    const to = f.to ?? this.today();
    const from = f.from ?? shiftDays(to, -29);
    if (from > to) throw errors.field('from', '开始日期不能晚于结束日期', 'must not be after `to`');
    if (shiftDays(from, 366) < to) throw errors.field('from', '一次最多统计一年', 'at most a year at a time');
    const rows = await repo.usageStats(this.db, { orgId: listScope(ctx.actor), from, to });
    const orgs = await authLabels(this.db).organisation([
      ...new Set(rows.flatMap((r) => [r.consumer_org_id, r.owner_org_id])),
    ]);
    const resources = await resourceLabels(
      this.db,
      rows.map((r) => r.resource_id),
    );
    const days = new Map<string, { day: string; calls: number; rows: number; refused: number }>();
    for (let d = from; d <= to; d = shiftDays(d, 1)) days.set(d, { day: d, calls: 0, rows: 0, refused: 0 });
    const by = (key: 'resource_id' | 'consumer_org_id' | 'owner_org_id', name: (id: string) => string) => {
      const m = new Map<string, { id: string; name: string; calls: number; rows: number; refused: number }>();
      for (const r of rows) {
        const id = r[key];
        const e = m.get(id) ?? { id, name: name(id), calls: 0, rows: 0, refused: 0 };
        e.calls += Number(r.calls);
        e.rows += Number(r.rows);
        e.refused += Number(r.refused);
        m.set(id, e);
      }
      return [...m.values()].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
    };
    for (const r of rows) {
      const d = days.get(String(r.day));
      if (!d) continue;
      d.calls += Number(r.calls);
      d.rows += Number(r.rows);
      d.refused += Number(r.refused);
    }
    const org = (id: string) => orgs.get(id)?.name ?? id;
    return {
      from,
      to,
      days: [...days.values()],
      byResource: by('resource_id', (id) => resources.get(id)?.name ?? id),
      byConsumer: by('consumer_org_id', org),
      byOwner: by('owner_org_id', org),
    };
  }

  /**
   * The grant's own OpenAPI document (its items as typed schemas), for the consumer's systems bound to it and for
   * the parties and the Center in the console.
   */
  /** The grant's file exports, newest first: who took which rows when, as what. */
  async exports(ctx: RequestContext, id: string) {
    const g = await this.load(id);
    authorize(ctx.actor, 'grant.read', this.parties(g));
    const rows = await exportsRepo.exportsOfGrant(this.db, id, 200);
    const users = await authLabels(this.db).user([...new Set(rows.flatMap((r) => (r.user_id ? [r.user_id] : [])))]);
    return {
      exports: rows.map((r) => ({
        id: r.id,
        format: r.format,
        encoding: r.encoding,
        status: r.status,
        rows: Number(r.rows),
        columns: (r.columns as unknown[]).length,
        where: r.row_filter,
        by: r.user_id ? (users.get(r.user_id)?.name ?? r.user_id) : (r.system_name ?? ''),
        startedAt: r.started_at.toISOString(),
        finishedAt: r.finished_at?.toISOString() ?? null,
      })),
    };
  }

  async openapi(ctx: RequestContext, id: string) {
    const g = await this.load(id);
    if (ctx.actor?.kind === 'credential')
      authorize(ctx.actor, 'share.call', { ...this.parties(g), credentialIds: g.credential_ids });
    else authorize(ctx.actor, 'grant.read', this.parties(g));
    const r = await findPublished(this.db, g.resource_id);
    if (!r) throw errors.notFound('resource', g.resource_id);
    const rules = await this.masking.rulesOf(g.resource_id, g.masking_profile_id);
    const name = await this.orgNames([g]);
    return grantOpenApi(
      g,
      r,
      servedItems(g, r),
      (code) => (rules[code]?.rule ?? 'suppress') !== 'none',
      name(g.consumer_org_id),
    );
  }

  /** What the consumer will see: the first rows as the grant serves them (filtered, masked), for the owner and the Center. */
  async preview(ctx: RequestContext, id: string) {
    const g = await this.load(id);
    authorize(ctx.actor, 'grant.manage', this.parties(g));
    const r = await findPublished(this.db, g.resource_id);
    if (!r) throw errors.notFound('resource', g.resource_id);
    const items = servedItems(g, r);
    const filter = g.row_filter ? parseFilter(g.row_filter, filterItems(r, g.items)) : null;
    const rules = await this.masking.rulesOf(g.resource_id, g.masking_profile_id);
    const keys = this.masking.keys(`share-grant:${g.id}`);
    const page = await this.data.page(g.resource_id, {
      items: items.map((i) => i.code),
      where: filter ? [filter] : [],
      sort: null,
      after: null,
      limit: 20,
    });
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'share.grant.preview',
        objectType: 'share_grant',
        objectId: id,
        orgId: g.owner_org_id,
        diff: { rows: page?.rows.length ?? 0 },
      }),
    );
    return {
      columns: items.map((i) => ({ code: i.code, name: i.name, masking: describeRule(rules[i.code], { ...i }) })),
      rows: (page?.rows ?? []).map((row) =>
        Object.fromEntries(items.map((i) => [i.code, maskValue(row[i.code], { ...i }, rules[i.code], keys)])),
      ),
    };
  }
}
