// The data services of a grant (/api/share/…), for the consumer unit's information systems: query (filter, fields,
// sort, signed cursor), lookup by key and verify (match / no match; the stored values never leave). Nothing
// outside the grant is ever returned — not an item, not a row, not a count — and every value is masked as the
// grant's profile says. Each call's access record is committed before its data leaves (group commit, ADR 0010).
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import type { RequestContext } from '../../../platform/context.ts';
import { AppError, errors } from '../../../platform/errors.ts';
import { addToCounts } from '../../../platform/rate-limit.repository.ts';

const RATE_WINDOW_MS = 60_000;
/** How long a grant as read serves calls before it is read again: a change made on another node takes effect within it. */
export const GRANT_TTL_MS = 5_000;
import { AuditBatcher, writeAudit } from '../../audit/index.ts';
import { todayInShanghai } from '../../calendar/index.ts';
import { findPublished, type PublishedItem, type PublishedResource } from '../../catalog/index.ts';
import {
  itemsOf,
  type ChangeEnd,
  type Condition,
  type CopySql,
  type DataServer,
  type PageEnd,
} from '../../ingest/index.ts';
import {
  detokenize,
  maskSql,
  maskValue,
  tokenize,
  type Column,
  type MaskingService,
  type ScopeKeys,
} from '../../masking/index.ts';
import { filterItems } from '../application/application.service.ts';
import { filterProblem, FilterError, parseFilter } from '../filter/filter.parse.ts';
import * as grants from '../grant/grant.repository.ts';
import { servedItems, stateOf } from '../grant/grant.service.ts';
import { authorize, CONSOLE_READ_METHODS } from '../sharing.policy.ts';
import * as exportsRepo from '../export/export.repository.ts';
import { writeCsv, writeXlsx, type Row } from '../export/export.write.ts';
import { markEvery } from '../export/fingerprint.ts';
import type { ExportColumn, ShareMethod } from '../../../db/schema.ts';
import { XLSX_TYPE } from '../../../platform/xlsx.ts';

type ServedValue = string | number | boolean | null;

/** An export's request: the file's format and encoding, and like a query its fields and where. */
export type ExportQuery = {
  format: 'csv' | 'xlsx';
  encoding?: 'utf-8' | 'gb18030';
  fields?: string[];
  where?: string;
};

/** Rows read per page while an export is written. */
const EXPORT_PAGE = 5000;

type Query = {
  where?: string;
  fields?: string[];
  sort?: string;
  order?: 'asc' | 'desc';
  cursor?: string;
  limit?: number;
};

/** What a served call adds to its grant's day. */
interface Usage {
  grantId: string;
  day: string;
  rows: number;
  /** the rate-limit window the call counts in */
  rateKey: string;
}

/** A call's place in its grant's rate: set once the call is admitted, given back when it ends. */
interface Slot {
  key: string | null;
}

/** A grant resolved for a call: everything the call may touch, and how values are masked. */
interface Served {
  grant: grants.GrantRow;
  resource: PublishedResource;
  items: PublishedItem[];
  filter: Condition | null;
  rules: Record<string, { rule: string }>;
  keys: ScopeKeys;
  /** rows the grant may still serve today (its daily quota less what it served) */
  remaining: number;
  /** the rate-limit window the call counts in */
  rateKey: string;
}

const inactive = (state: string) =>
  new AppError(
    403,
    `sharing.grant_${state}`,
    state === 'expired'
      ? '该共享授权已过期，请重新申请'
      : state === 'revoked'
        ? '该共享授权已撤销'
        : state === 'suspended'
          ? '该共享授权已暂停'
          : '该共享授权尚未生效',
    state === 'expired'
      ? 'This grant has expired; apply again'
      : state === 'revoked'
        ? 'This grant is revoked'
        : state === 'suspended'
          ? 'This grant is suspended'
          : 'This grant is not valid yet',
  );

const badCursor = () =>
  new AppError(400, 'sharing.bad_cursor', '翻页游标无效或已被改动', 'The paging cursor is invalid or was altered', [
    { field: 'cursor', message: { zh: '翻页游标无效或已被改动', en: 'is invalid or was altered' } },
  ]).audited('tampered_cursor');

export class ShareServer {
  private readonly access: AuditBatcher<Usage>;
  /** calls admitted on this node and not yet recorded, by rate window */
  private readonly inFlight = new Map<string, number>();
  /** published resources by id, each the version it was read at */
  private readonly published = new Map<string, PublishedResource>();
  private readonly scopeKeys = new Map<string, ScopeKeys>();
  /** grants as read, by rate key (a grant and a kind of call) */
  private readonly grants = new Map<string, { at: number; day: string; g: grants.GrantRow; version: number }>();
  /** rows served per grant and day, every node's, as last committed */
  private readonly used = new Map<string, number>();
  /** calls per rate window, every node's, as last committed, and when the window ends (epoch ms) */
  private readonly rates = new Map<string, { count: number; until: number }>();

  /** resources a new version was approved for, and until when a grant of them is read again on every call */
  private readonly resourceChanged = new Map<string, number>();

  /**
   * A new version of a resource is being approved (called inside the approving transaction): its grants are read
   * again on every call for a moment, so none keeps serving the old version's items once it has committed.
   */
  versionApproved(resourceId: string) {
    this.resourceChanged.set(resourceId, Date.now() + 2_000);
  }

  /** Forgets a grant as read (it changed): the next call reads it again. */
  forget(grantId: string) {
    for (const kind of ['call', 'verify']) this.grants.delete(`share|${kind}|${grantId}`);
  }

  constructor(
    private readonly db: Db,
    private readonly masking: MaskingService,
    private readonly data: DataServer,
    /** where the access records' group commit writes (its own pool on PostgreSQL: it never queues behind reads) */
    commitDb: Db,
  ) {
    this.access = new AuditBatcher<Usage>(commitDb, {
      group: (usage) => {
        const sums = new Map<string, { grantId: string; day: string; calls: number; rows: number; refused: number }>();
        for (const u of usage) {
          const k = `${u.grantId}|${u.day}`;
          const s = sums.get(k) ?? { grantId: u.grantId, day: u.day, calls: 0, rows: 0, refused: 0 };
          s.calls++;
          s.rows += u.rows;
          sums.set(k, s);
        }
        // the calls count in their rate windows with their records: no write of its own per call
        const rates = new Map<string, number>();
        for (const u of usage) rates.set(u.rateKey, (rates.get(u.rateKey) ?? 0) + 1);
        return {
          also: {
            usage: grants.addUsage([...sums.values()]),
            rates: addToCounts(
              [...rates].map(([key, n]) => ({ key, n })),
              RATE_WINDOW_MS,
            ),
          },
          // what the group committed tells this node every node's counts: the next calls are admitted against
          // them (applied once the statement has committed: a failed group counted nothing)
          committed: (returned) => {
            // one entry per grant and day: yesterday's are of no use once the day has turned
            if (this.used.size > 50_000) this.used.clear();
            for (const t of returned.usage as { grant_id: string; day: string; rows: number | string }[])
              this.used.set(`${t.grant_id}|${t.day}`, Number(t.rows));
            const now = Date.now();
            for (const w of returned.rates as { key: string; current: number; ttl: number }[])
              this.rates.set(w.key, { count: w.current, until: now + w.ttl });
          },
        };
      },
    });
  }

  today: () => string = () => todayInShanghai();

  /** The grant as this caller may use it now: its credential bound, the grant valid, within its limits. */
  private async resolve(
    ctx: RequestContext,
    grantId: string,
    kind: 'call' | 'verify',
    slot: Slot,
    // the methods of the grant any one of which admits the call (the console's reading: the API's or the files')
    via: { methods: readonly ShareMethod[]; policy: 'share.call' | 'share.export' | null } = {
      methods: ['api'],
      policy: 'share.call',
    },
  ): Promise<Served> {
    const key = `share|${kind}|${grantId}`;
    const today = this.today();
    const now = Date.now();
    // the grant as read within GRANT_TTL_MS (this node forgets it at once when it changes here), and the counts
    // every node committed as this node last learnt them (each of its group commits tells it): no read per call.
    // Otherwise one round trip: the grant, its resource's version, today's rows and the rate window's count.
    let known = this.grants.get(key);
    const changed = known ? this.resourceChanged.get(known.g.resource_id) : undefined;
    if (
      !known ||
      now - known.at >= GRANT_TTL_MS ||
      known.day !== today ||
      (changed !== undefined && (now < changed || known.at < changed))
    ) {
      const row = await grants.findGrantForCall(this.db, grantId, today, key);
      if (!row) throw errors.notFound('share_grant', grantId);
      const { resource_version: version, used_rows: usedRows, rate_count: rateCount, rate_ttl: rateTtl, ...g } = row;
      known = { at: now, day: today, g, version };
      if (this.grants.size > 10_000) this.grants.clear();
      this.grants.set(key, known);
      this.used.set(`${grantId}|${today}`, Number(usedRows ?? 0));
      this.rates.set(key, { count: rateCount ?? 0, until: now + (rateTtl ?? 0) });
    }
    const { g, version } = known;
    const usedRows = this.used.get(`${grantId}|${today}`) ?? 0;
    const window = this.rates.get(key);
    const rateCount = window && window.until > now ? window.count : 0;
    const rateTtl = window && window.until > now ? window.until - now : 0;
    // the platform's own database sync acts for the grant itself (policy null): no caller to authorise
    if (via.policy)
      authorize(ctx.actor, via.policy, {
        consumerOrgId: g.consumer_org_id,
        ownerOrgId: g.owner_org_id,
        credentialIds: g.credential_ids,
      });
    const state = stateOf(g, today);
    if (state !== 'active') throw inactive(state);
    const method = via.methods[0]!;
    if (!via.methods.some((m) => g.methods.includes(m)))
      throw new AppError(
        403,
        'sharing.method_not_granted',
        method === 'file'
          ? '本授权不包含文件下载方式'
          : method === 'db_sync'
            ? '本授权不包含库表交换方式'
            : '本授权不包含接口共享方式',
        method === 'file'
          ? 'This grant does not allow file export'
          : method === 'db_sync'
            ? 'This grant does not allow database sync'
            : 'This grant does not allow the API',
      ).audited('method_not_granted');
    // the rate limit counts every node's calls (the platform's counters, written with the access records), and
    // this node's calls in flight; verification more strictly
    const limit = kind === 'verify' ? g.verify_per_minute : g.rate_per_minute;
    const current = (rateCount ?? 0) + (this.inFlight.get(key) ?? 0) + 1;
    const ttl = rateTtl || RATE_WINDOW_MS;
    if (current > limit)
      throw Object.assign(
        new AppError(
          429,
          'sharing.rate_limited',
          `调用过于频繁：本授权每分钟最多 ${limit} 次${kind === 'verify' ? '核验' : ''}，请在 ${Math.ceil(ttl / 1000)} 秒后重试`,
          `Too many calls: this grant allows ${limit} ${kind === 'verify' ? 'verifications' : 'calls'} a minute; retry in ${Math.ceil(ttl / 1000)} s`,
        ).auditedOncePer('rate_limited', `share ${g.id}`, 60_000),
        { retryAfter: Math.ceil(ttl / 1000) },
      );
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    slot.key = key;
    const remaining = g.daily_rows - Number(usedRows ?? 0);
    if (remaining <= 0)
      throw Object.assign(
        new AppError(
          429,
          'sharing.quota_exhausted',
          `本授权今日数据行数已达上限（${g.daily_rows} 行），请明日再试`,
          `This grant's rows for today are used up (${g.daily_rows}); try tomorrow`,
        ),
        { retryAfter: 3600 },
      );
    // a resource's approved version does not change: it is read once per version
    let resource = this.published.get(g.resource_id);
    if (resource?.version !== version) {
      const read = await findPublished(this.db, g.resource_id);
      if (!read) throw errors.notFound('resource', g.resource_id);
      this.published.set(g.resource_id, read);
      resource = read;
    }
    const items = servedItems(g, resource);
    let filter: Condition | null = null;
    if (g.row_filter)
      try {
        filter = parseFilter(g.row_filter, filterItems(resource, g.items));
      } catch {
        // a filter naming an item the catalog has since removed serves nothing rather than everything
        filter = { op: 'or', args: [] };
      }
    const rules = (await this.masking.rulesOf(g.resource_id, g.masking_profile_id)) as Served['rules'];
    return {
      grant: g,
      resource,
      items,
      filter,
      rules,
      keys: this.keysOf(g.id),
      remaining,
      rateKey: key,
    };
  }

  /** A grant's masking keys (pseudonyms stable within the grant): derived once per grant, not per call. */
  private keysOf(grantId: string) {
    let k = this.scopeKeys.get(grantId);
    if (!k) {
      k = this.masking.keys(`share-grant:${grantId}`);
      this.scopeKeys.set(grantId, k);
    }
    return k;
  }

  private masked(s: Served, code: string) {
    return (s.rules[code]?.rule ?? 'suppress') !== 'none';
  }

  /** A row as the consumer receives it: each value masked as the grant says (text when masked, else typed). */
  private maskRow(s: Served, fields: PublishedItem[], row: Record<string, unknown>): Record<string, ServedValue> {
    // a loop, not Object.fromEntries over copies of each item: a page of rows, or an export's million, is masked here
    const out: Record<string, ServedValue> = {};
    const today = new Date();
    for (const i of fields)
      out[i.code] = maskValue(row[i.code] ?? null, i, s.rules[i.code] as never, s.keys, today) as ServedValue;
    return out;
  }

  /** The consumer's `where` over the grant's items; a masked item cannot be filtered on (use verify). */
  private consumerWhere(s: Served, where: string | undefined): Condition | null {
    if (!where?.trim()) return null;
    let c: Condition | null;
    try {
      c = parseFilter(
        where,
        filterItems(
          s.resource,
          s.items.map((i) => i.code),
        ),
      );
    } catch (e) {
      // a where that does not parse (an injection attempt, say) is refused and kept on the trail
      if (e instanceof FilterError) throw errors.validation([filterProblem('where', e)]).audited('bad_filter');
      throw e;
    }
    const masked = [...itemsOf(c!)].filter((code) => this.masked(s, code));
    if (masked.length)
      throw errors
        .field(
          'where',
          `这些信息项在本授权中脱敏提供，不能作为查询条件（请用核验接口）：${masked.join('、')}`,
          `these items are masked in this grant and cannot be filtered on (use verify): ${masked.join(', ')}`,
        )
        .audited('masked_item');
    return c;
  }

  /** Refuses (and audits) item codes the grant does not serve, naming them. */
  private withinGrant(s: Served, codes: string[], field: string) {
    const unknown = codes.filter((c) => !s.items.some((i) => i.code === c));
    if (unknown.length)
      throw errors
        .field(field, `不是本授权中的信息项：${unknown.join('、')}`, `not items of this grant: ${unknown.join(', ')}`)
        .audited('outside_grant');
  }

  private fields(s: Served, asked: string[] | undefined): PublishedItem[] {
    if (!asked?.length) return s.items;
    this.withinGrant(s, asked, 'fields');
    return s.items.filter((i) => asked.includes(i.code));
  }

  // ---------------------------------------------------------------- the signed cursor
  private sign(s: Served, body: string) {
    return createHmac('sm3', s.grant.secret).update(body).digest('base64url').slice(0, 22);
  }

  /** A cursor the consumer hands back: its body, signed with the grant's secret. */
  private sealCursor(s: Served, payload: unknown) {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(s, body)}`;
  }

  private cursorOf(s: Served, end: PageEnd, query: string) {
    return this.sealCursor(s, { e: end, q: query });
  }

  /** A signed cursor's body, once its MAC verifies (a forged or altered one is refused and audited). */
  private openCursor<T>(s: Served, cursor: string): T {
    const [body, mac] = cursor.split('.');
    if (!body || !mac || mac.length !== 22) throw badCursor();
    const want = Buffer.from(this.sign(s, body));
    if (want.length !== Buffer.byteLength(mac) || !timingSafeEqual(want, Buffer.from(mac))) throw badCursor();
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      throw badCursor();
    }
  }

  private readCursor(s: Served, cursor: string, query: string): PageEnd {
    const parsed = this.openCursor<{ e?: PageEnd; q?: string }>(s, cursor);
    if (parsed.q !== query || !parsed.e || !Array.isArray(parsed.e.key))
      throw new AppError(
        400,
        'sharing.cursor_of_another_query',
        '翻页游标属于另一个查询：请用同样的条件和排序翻页',
        'The cursor belongs to another query: page with the same where and sort',
        [{ field: 'cursor', message: { zh: '属于另一个查询', en: 'belongs to another query' } }],
      );
    return parsed.e;
  }

  /** Records the call (and its rows) and waits for the record to be committed: only then may the data leave. */
  private async record(
    ctx: RequestContext,
    s: Served,
    action: 'share.query' | 'share.lookup' | 'share.verify' | 'share.export' | 'share.sync' | 'share.db_sync',
    rows: number,
    diff: Record<string, unknown>,
  ) {
    await this.access.append(
      ctx,
      {
        action,
        objectType: 'share_grant',
        objectId: s.grant.id,
        orgId: s.grant.consumer_org_id,
        diff: { resource: s.grant.resource_id, rows, ...diff },
      },
      { grantId: s.grant.id, day: this.today(), rows, rateKey: s.rateKey },
    );
  }

  /** Rows of the grant: the consumer's where within the grant's filter, chosen fields, an order, cursor pages. */
  query(ctx: RequestContext, grantId: string, q: Query) {
    return this.counting(grantId, (slot) => this.queryCall(ctx, grantId, q, slot));
  }

  /**
   * The consumer unit's staff read the grant's data in the console: a query like a system's (recorded and counted
   * alike), each row with a reference to its record that only the platform can read — a problem report (§19)
   * names the rows by it, so the owner learns which records are meant while the consumer never sees a masked key.
   */
  async browse(ctx: RequestContext, grantId: string, q: Query) {
    const page = await this.counting(grantId, (slot) => this.queryCall(ctx, grantId, q, slot, true));
    return { ...page, refs: page.refs ?? [] };
  }

  private refKeys(grantId: string) {
    return this.masking.keys(`share-ref:${grantId}`);
  }

  /** The keys the references of a grant's rows stand for; null for a reference not made for this grant. */
  keysOfRefs(grantId: string, refs: string[]): (string | null)[] {
    const k = this.refKeys(grantId);
    return refs.map((r) => {
      try {
        return detokenize(k, r);
      } catch {
        return null;
      }
    });
  }

  lookup(ctx: RequestContext, grantId: string, key: Record<string, string>, asked?: string[]) {
    return this.counting(grantId, (slot) => this.lookupCall(ctx, grantId, key, asked, slot));
  }

  verify(ctx: RequestContext, grantId: string, values: Record<string, string>) {
    return this.counting(grantId, (slot) => this.verifyCall(ctx, grantId, values, slot));
  }

  /**
   * What changed since the cursor, for a consumer that keeps a copy: rows inserted or updated (masked as the grant
   * says), and the keys of rows deleted — by a replacement, or because they no longer meet the grant's filter —
   * batch by batch in the order they were loaded. Without a cursor the feed starts from the first batch (a full
   * copy). `next` is always given: the consumer keeps it and asks again later; `more` says whether to ask now.
   */
  sync(ctx: RequestContext, grantId: string, q: { cursor?: string; limit?: number }) {
    return this.counting(grantId, async (slot) => {
      const s = await this.resolve(ctx, grantId, 'call', slot);
      const after = q.cursor ? this.readChangeCursor(s, q.cursor) : null;
      const got = await this.changesOf(ctx, s, after, q.limit ?? 500, 'share.sync');
      return { ...got.page, next: this.changeCursorOf(s, got.end) };
    });
  }

  /**
   * The platform's database sync (库表交换) of a grant: the changes after `after`, masked, recorded like any call
   * (action share.db_sync); its cursor is kept by the platform, not handed out.
   */
  dbSyncChanges(ctx: RequestContext, grantId: string, after: ChangeEnd | null, limit: number) {
    return this.counting(grantId, async (slot) => {
      const s = await this.resolve(ctx, grantId, 'call', slot, { methods: ['db_sync'], policy: null });
      return this.changesOf(ctx, s, after, limit, 'share.db_sync');
    });
  }

  private async changesOf(
    ctx: RequestContext,
    s: Served,
    after: ChangeEnd | null,
    asked: number,
    action: 'share.sync' | 'share.db_sync',
  ) {
    const keyItems = s.resource.items.filter((i) => i.primaryKey);
    if (!keyItems.length || keyItems.some((k) => !s.items.some((i) => i.code === k.code)))
      throw new AppError(
        409,
        'sharing.sync_needs_key',
        '该资源没有主键，或本授权不含主键，无法按变更同步：请用分页查询接口',
        'The resource has no key, or the grant does not give it: changes cannot be synced; page through rows instead',
      );
    const limit = Math.min(asked, 1000, s.remaining);
    const got = await this.data.changes(s.grant.resource_id, {
      items: s.items.map((i) => i.code),
      filter: s.filter,
      after,
      limit,
    });
    if (!got) throw errors.notFound('resource', s.grant.resource_id);
    await this.record(ctx, s, action, got.changes.length, {
      items: s.items.map((i) => i.code),
      upserts: got.changes.filter((c) => c.op === 'upsert').length,
      deletes: got.changes.filter((c) => c.op === 'delete').length,
    });
    return {
      page: {
        items: s.items.map((i) => ({
          code: i.code,
          name: i.name,
          dataType: i.dataType,
          masked: this.masked(s, i.code),
        })),
        key: keyItems.map((k) => k.code),
        changes: got.changes.map((c) =>
          c.op === 'upsert'
            ? { op: c.op, record: this.maskRow(s, s.items, c.row) }
            : { op: c.op, record: this.maskRow(s, keyItems, c.key) },
        ),
        more: got.more,
      },
      end: got.end,
    };
  }

  private changeCursorOf(s: Served, end: ChangeEnd) {
    return this.sealCursor(s, { c: end, q: 'changes' });
  }

  private readChangeCursor(s: Served, cursor: string): ChangeEnd {
    const parsed = this.openCursor<{ c?: ChangeEnd; q?: string }>(s, cursor);
    const c = parsed.c;
    if (
      parsed.q !== 'changes' ||
      !c ||
      !Number.isSafeInteger(c.seq) ||
      !['rows', 'deletes', 'done'].includes(c.phase) ||
      !(c.key === null || (Array.isArray(c.key) && c.key.every((k) => typeof k === 'string')))
    )
      throw new AppError(
        400,
        'sharing.cursor_of_another_query',
        '这不是变更同步的游标：请用上次变更同步返回的 next',
        'Not a cursor of the change feed: use the next the last sync returned',
        [{ field: 'cursor', message: { zh: '不是变更同步的游标', en: 'is not a cursor of the change feed' } }],
      );
    return c;
  }

  /**
   * A file of the grant's rows (its where within the grant's filter, its fields), masked and fingerprinted, written
   * as it is read. The export's record and its access record are committed before the first byte; the rows it
   * will hold count against the day's quota up front, so an export that would pass the quota is refused whole.
   */
  export(ctx: RequestContext, grantId: string, q: ExportQuery) {
    return this.counting(grantId, (slot) => this.exportCall(ctx, grantId, q, slot));
  }

  private async exportCall(ctx: RequestContext, grantId: string, q: ExportQuery, slot: Slot) {
    const s = await this.resolve(ctx, grantId, 'call', slot, { methods: ['file'], policy: 'share.export' });
    const fields = this.fields(s, q.fields);
    const where = this.consumerWhere(s, q.where);
    const conds = [...(s.filter ? [s.filter] : []), ...(where ? [where] : [])];
    const encoding = q.format === 'xlsx' ? 'utf-8' : (q.encoding ?? 'utf-8');
    const total = await this.data.count(s.grant.resource_id, conds);
    if (total > s.remaining)
      throw Object.assign(
        new AppError(
          429,
          'sharing.quota_exhausted',
          `导出将有 ${total} 行，超过本授权今日剩余的 ${s.remaining} 行：请加条件缩小范围，或明日再导`,
          `The export would hold ${total} rows, more than the ${s.remaining} this grant has left today: narrow it with a where, or export tomorrow`,
        ),
        { retryAfter: 3600 },
      );
    const id = randomUUID();
    // a large export marks one value in up to 16 (fingerprint.ts)
    const every = markEvery(total);
    const columns: (ExportColumn & { numeric: boolean })[] = fields.map((i) => {
      const rule = s.rules[i.code] as { rule: string; fill?: string } | undefined;
      const textual = i.dataType === 'string';
      const carrier =
        rule?.rule === 'mask' && textual && (rule.fill ?? '*') === '*'
          ? 'fill'
          : rule?.rule === 'hash' && textual
            ? 'hex'
            : rule?.rule === 'none' && i.dataType === 'decimal' && q.format === 'csv'
              ? 'decimal'
              : null;
      return {
        code: i.code,
        name: i.name,
        carrier,
        numeric: (rule?.rule ?? 'suppress') === 'none' && (i.dataType === 'integer' || i.dataType === 'decimal'),
      };
    });
    const actor = ctx.actor!;
    await exportsRepo.insertExport(this.db, {
      id,
      grant_id: s.grant.id,
      resource_id: s.grant.resource_id,
      consumer_org_id: s.grant.consumer_org_id,
      credential_id: actor.kind === 'credential' ? actor.credentialId : null,
      system_name: actor.kind === 'credential' ? actor.systemName : null,
      user_id: actor.kind === 'user' ? actor.userId : null,
      format: q.format,
      encoding,
      columns: JSON.stringify(columns.map(({ code, name, carrier }) => ({ code, name, carrier }))),
      row_filter: q.where?.trim() || null,
      mark_every: every,
      status: 'writing',
    });
    // the access record is committed before any of the data leaves
    await this.record(ctx, s, 'share.export', total, {
      export: id,
      items: fields.map((i) => i.code),
      format: q.format,
      encoding,
      ...(q.where ? { where: q.where } : {}),
    });
    const db = this.db;
    const onEnd = async (rows: number, error: unknown) => {
      await exportsRepo.finishExport(db, id, error ? 'failed' : 'done', rows);
      await db.transaction().execute((trx) =>
        writeAudit(trx, ctx, {
          action: 'share.export.done',
          objectType: 'share_grant',
          objectId: s.grant.id,
          orgId: s.grant.consumer_org_id,
          diff: {
            export: id,
            rows,
            ...(error ? { stopped: error instanceof Error ? error.message : String(error) } : {}),
          },
        }),
      );
    };
    const data = this.data;
    const items = fields.map((i) => i.code);
    let stream;
    if (q.format === 'csv') {
      // the database writes the rows as COPY text; worker threads mask, fingerprint and encode them
      // and the masks PostgreSQL does as cheaply as it reads the value are done there (maskSql, masking.repository.ts)
      const resourceId = s.grant.resource_id;
      const asColumn = (i: PublishedItem): Column => ({
        code: i.code,
        dataType: i.dataType,
        length: i.length ?? null,
        piiKind: i.piiKind ?? null,
      });
      const rule = (code: string) => s.rules[code] as never;
      const inSql = new Map(fields.map((i) => [i.code, maskSql(asColumn(i), rule(i.code))]));
      const sqlOf: CopySql = (code, column) => inSql.get(code)?.(column) ?? null;
      const input = async () =>
        (await data.copyRows(resourceId, { items, where: conds, max: total, sqlOf })) ?? (async function* () {})();
      stream = writeCsv(
        {
          columns: fields.map((i, n) => ({
            name: i.name,
            column: asColumn(i),
            rule: rule(i.code),
            carrier: columns[n]!.carrier,
            sqlMasked: !!inSql.get(i.code),
          })),
          keys: this.masking.keyBytes(`share-grant:${s.grant.id}`),
          prf: this.masking.keyBytes(`share-export:${id}`).hash,
          every,
          encoding,
          today: Date.now(),
        },
        input,
        onEnd,
      );
    } else {
      const maskRow = (r: Row) => this.maskRow(s, fields, r);
      // the next page is read while this one is masked and written (the database and the process work together)
      const read = (after: PageEnd | null, left: number) =>
        data.page(s.grant.resource_id, { items, where: conds, sort: null, after, limit: Math.min(EXPORT_PAGE, left) });
      async function* pages() {
        let left = total;
        let next = left > 0 ? read(null, left) : null;
        while (next) {
          const page = await next;
          if (!page?.rows.length) break;
          left -= page.rows.length;
          next = page.end && left > 0 ? read(page.end, left) : null;
          // a read started ahead and never awaited (the reader went away) must not surface as an unhandled rejection
          next?.catch(() => undefined);
          yield page.rows.map(maskRow);
        }
      }
      stream = writeXlsx({ columns, prf: this.masking.hashKey(`share-export:${id}`), every, pages: pages(), onEnd });
    }
    const date = this.today();
    const name = `${s.resource.name}-${date}-${id.slice(0, 8)}.${q.format}`;
    return {
      id,
      fileName: name,
      contentType: q.format === 'xlsx' ? XLSX_TYPE : `text/csv; charset=${encoding}`,
      rows: total,
      stream,
    };
  }

  /**
   * A refused call (its grant exists: wrong credential, state, filter, item, cursor, limit) counts in the grant's
   * day as refused, beside the served calls the access records count.
   */
  private async counting<T>(grantId: string, call: (slot: Slot) => Promise<T>): Promise<T> {
    const slot: Slot = { key: null };
    try {
      return await call(slot);
    } catch (e) {
      if (e instanceof AppError && [400, 403, 409, 429].includes(e.status))
        await grants.addRefused(this.db, grantId, this.today()).catch(() => undefined); // the refusal itself stands, counted or not
      throw e;
    } finally {
      // recorded (its group committed the count) or failed (it never counted): no longer in flight
      if (slot.key) {
        const n = (this.inFlight.get(slot.key) ?? 1) - 1;
        if (n > 0) this.inFlight.set(slot.key, n);
        else this.inFlight.delete(slot.key);
      }
    }
  }

  private async queryCall(ctx: RequestContext, grantId: string, q: Query, slot: Slot, browse = false) {
    const s = await this.resolve(
      ctx,
      grantId,
      'call',
      slot,
      browse ? { methods: CONSOLE_READ_METHODS, policy: 'share.export' } : undefined,
    );
    const fields = this.fields(s, q.fields);
    const where = this.consumerWhere(s, q.where);
    if (q.sort) {
      if (!s.items.some((i) => i.code === q.sort))
        throw errors
          .field('sort', `不是本授权中的信息项：${q.sort}`, `not an item of this grant: ${q.sort}`)
          .audited('outside_grant');
      if (this.masked(s, q.sort))
        throw errors
          .field(
            'sort',
            `${q.sort} 在本授权中脱敏提供，不能排序`,
            `${q.sort} is masked in this grant and cannot be sorted on`,
          )
          .audited('masked_item');
    }
    const query = JSON.stringify([q.where ?? '', q.sort ?? '', q.order ?? 'asc']);
    const after = q.cursor ? this.readCursor(s, q.cursor, query) : null;
    // a page never takes the grant past its daily quota
    const limit = Math.min(q.limit ?? 100, 1000, s.remaining);
    // a browsing page reads the key too, for the rows' references (returned only as the grant says)
    const keyItems = browse ? s.resource.items.filter((i) => i.primaryKey) : [];
    const page = await this.data.page(s.grant.resource_id, {
      items: [...new Set([...fields.map((i) => i.code), ...keyItems.map((i) => i.code)])],
      where: [...(s.filter ? [s.filter] : []), ...(where ? [where] : [])],
      sort: q.sort ? { item: q.sort, desc: q.order === 'desc' } : null,
      after,
      limit,
    });
    const rows = page?.rows ?? [];
    await this.record(ctx, s, 'share.query', rows.length, {
      items: fields.map((i) => i.code),
      ...(q.where ? { where: q.where } : {}),
      ...(q.sort ? { sort: `${q.sort} ${q.order ?? 'asc'}` } : {}),
    });
    return {
      items: fields.map((i) => ({ code: i.code, name: i.name, dataType: i.dataType, masked: this.masked(s, i.code) })),
      rows: rows.map((r) => this.maskRow(s, fields, r)),
      next: page?.end ? this.cursorOf(s, page.end, query) : null,
      ...(browse
        ? {
            refs: keyItems.length
              ? rows.map((r) => tokenize(this.refKeys(grantId), keyItems.map((k) => String(r[k.code] ?? '')).join('|')))
              : [],
          }
        : {}),
    };
  }

  /** One record by its key, if it is within the grant; masked as the grant says. */
  private async lookupCall(
    ctx: RequestContext,
    grantId: string,
    key: Record<string, string>,
    asked: string[] | undefined,
    slot: Slot,
  ) {
    const s = await this.resolve(ctx, grantId, 'call', slot);
    const keyItems = s.resource.items.filter((i) => i.primaryKey);
    if (!keyItems.length)
      throw new AppError(
        409,
        'sharing.no_key',
        '该资源没有主键，不能按主键查询',
        'The resource has no key to look up by',
      );
    const outside = keyItems.filter((k) => !s.items.some((i) => i.code === k.code) || this.masked(s, k.code));
    if (outside.length)
      throw errors
        .field(
          'key',
          '本授权不提供（或脱敏提供）主键，不能按主键查询；请用核验接口',
          'the grant does not give the key in clear: use verify',
        )
        .audited('outside_grant');
    const keyValues = this.checkedKey(s, keyItems, key);
    const fields = this.fields(s, asked);
    const row = await this.data.lookup(
      s.grant.resource_id,
      keyValues,
      fields.map((i) => i.code),
      s.filter ? [s.filter] : [],
    );
    await this.record(ctx, s, 'share.lookup', row ? 1 : 0, {
      items: fields.map((i) => i.code),
      key: Object.keys(keyValues),
    });
    // a row outside the grant's filter is as absent as a row that does not exist
    if (!row)
      throw new AppError(
        404,
        'sharing.no_record',
        '本授权范围内没有该主键的记录',
        'No record with this key within the grant',
      );
    return { record: this.maskRow(s, fields, row) };
  }

  private checkedKey(s: Served, keyItems: PublishedItem[], key: Record<string, string>) {
    const items = filterItems(
      s.resource,
      keyItems.map((k) => k.code),
    );
    const problems = [];
    const out: Record<string, string> = {};
    for (const it of items) {
      const v = key[it.code];
      if (v === undefined || v === '') {
        problems.push({ field: it.code, message: { zh: '为必填主键', en: 'is a key item and required' } });
        continue;
      }
      const checked = it.check(v);
      if (typeof checked === 'string') out[it.code] = checked;
      else problems.push({ field: it.code, message: checked });
    }
    if (problems.length) throw errors.validation(problems);
    return out;
  }

  /**
   * Whether the record with the given key holds the given values, item by item: match or no match. A key outside
   * the grant (or its filter) answers like a key that does not exist. Stored values never leave the database.
   */
  private async verifyCall(ctx: RequestContext, grantId: string, values: Record<string, string>, slot: Slot) {
    const s = await this.resolve(ctx, grantId, 'verify', slot);
    const keyItems = s.resource.items.filter((i) => i.primaryKey);
    if (!keyItems.length)
      throw new AppError(
        409,
        'sharing.no_key',
        '该资源没有主键，不能核验',
        'The resource has no key to verify against',
      );
    this.withinGrant(s, Object.keys(values), 'values');
    const keyValues = this.checkedKey(s, keyItems, values);
    const others = filterItems(
      s.resource,
      Object.keys(values).filter((c) => !keyValues[c]),
    );
    const problems = [];
    const compare: Record<string, string> = {};
    for (const it of others) {
      const checked = it.check(values[it.code]!);
      if (typeof checked === 'string') compare[it.code] = checked;
      else problems.push({ field: it.code, message: checked });
    }
    if (problems.length) throw errors.validation(problems);
    const got = await this.data.compare(s.grant.resource_id, keyValues, compare, s.filter ? [s.filter] : []);
    await this.record(ctx, s, 'share.verify', 0, { items: Object.keys(values), found: !!got });
    const result: Record<string, 'match' | 'no_match'> = {};
    for (const k of Object.keys(keyValues)) result[k] = got ? 'match' : 'no_match';
    for (const k of Object.keys(compare)) result[k] = got?.[k] ? 'match' : 'no_match';
    return { result };
  }
}
