// Masking as a service of the platform: profiles per resource, preview on sample rows, PII scan and
// suggestions, and the Center's audited reversal of tokens.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import { findPublished, type CatalogService, type PresentedVersion } from '../catalog/index.ts';
import { defaultProfile, looserItems, type ProfileItem, type Rules } from './masking.profile.ts';
import {
  describeRule,
  detokenize,
  maskValue,
  RULES,
  scopeKeys,
  scopeHash,
  scopeKeyBytes,
  type Column,
  type Rule,
  type RuleName,
} from './masking.rules.ts';
import { suggest, suggestFromValues } from './masking.detect.ts';
import * as repo from './masking.repository.ts';
import { authorize } from './masking.policy.ts';

/** Rules as shown: every stored rule passed the RULES check when it was saved, and defaults come from the code. */
type ShownRules = Record<string, Rule & { rule: RuleName }>;
const shown = (r: Rules) => r as ShownRules;

export class MaskingService {
  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    private readonly master: Buffer,
  ) {}

  keys(scope: string) {
    return scopeKeys(this.master, scope);
  }

  /** The scope's key bytes (for a worker thread that masks for it). */
  keyBytes(scope: string) {
    return scopeKeyBytes(this.master, scope);
  }

  /** The scope's keyed hash alone (as keys(scope).hash): an export's fingerprint key. */
  hashKey(scope: string) {
    return scopeHash(this.master, scope);
  }

  private async currentVersion(ctx: RequestContext, resourceId: string): Promise<PresentedVersion> {
    const r = await this.catalog.get(ctx, resourceId);
    if (!r.current)
      throw new AppError(
        409,
        'masking.not_in_catalog',
        '资源尚未发布，没有可用的脱敏方案',
        'The resource is not approved yet; it has no masking profile',
      );
    authorize(ctx.actor, 'masking.read', r.orgId);
    return r.current;
  }

  defaultRules(v: Pick<PresentedVersion, 'securityGrade'> & { items: ProfileItem[] }): Rules {
    return defaultProfile(
      v.items.map((i) => ({ ...i, dataType: i.dataType })),
      v.securityGrade,
    );
  }

  async profiles(ctx: RequestContext, resourceId: string) {
    const v = await this.currentVersion(ctx, resourceId);
    const stored = await repo.listProfiles(this.db, resourceId);
    // each item's rule in words, with its parameters and its PII kind's defaults
    const words = (rules: Rules) =>
      Object.fromEntries(v.items.map((i) => [i.code, describeRule(rules[i.code], { ...i, dataType: i.dataType })]));
    const defaults = this.defaultRules(v);
    return [
      {
        id: 'default',
        name: '默认方案',
        purpose: 'default' as const,
        status: 'active' as const,
        rules: shown(defaults),
        words: words(defaults),
        looserItems: [] as string[],
      },
      ...stored.map((p) => ({
        id: p.id,
        name: p.name,
        purpose: p.purpose,
        status: p.status,
        rules: shown(p.rules as Rules),
        words: words(p.rules as Rules),
        looserItems: p.looser_items,
      })),
    ];
  }

  async createProfile(
    ctx: RequestContext,
    resourceId: string,
    body: { name: string; purpose: 'grant' | 'release' | 'custom'; rules: Rules },
  ) {
    const v = await this.currentVersion(ctx, resourceId);
    authorize(ctx.actor, 'masking.profile', v.orgId);
    const codes = new Set(v.items.map((i) => i.code));
    const problems = Object.entries(body.rules).flatMap(([code, r]) => [
      ...(!codes.has(code)
        ? [{ field: `rules.${code}`, message: { zh: '资源中没有这个信息项', en: 'is not an item of the resource' } }]
        : []),
      ...(!(RULES as readonly string[]).includes(r.rule)
        ? [{ field: `rules.${code}.rule`, message: { zh: `未知的脱敏规则：${r.rule}`, en: `unknown rule: ${r.rule}` } }]
        : []),
    ]);
    if (problems.length) throw errors.validation(problems);
    const base = this.defaultRules(v);
    const rules = { ...base, ...body.rules };
    const looser = looserItems(base, rules);
    const status = looser.length ? 'pending_approval' : 'active';
    if (await repo.profileNameTaken(this.db, resourceId, body.name))
      throw errors.field('name', '已有同名方案', 'a profile with this name exists');
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await repo.insertProfile(trx, {
        id,
        resource_id: resourceId,
        name: body.name,
        purpose: body.purpose,
        rules: JSON.stringify(rules),
        status,
        looser_items: looser,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await writeAudit(trx, ctx, {
        action: 'masking.profile.create',
        objectType: 'masking_profile',
        objectId: id,
        orgId: v.orgId,
        diff: { resource: resourceId, status, looser },
      });
    });
    return { id, status, looserItems: looser };
  }

  /** Loosening a default needs the Center: an admin approves the profile. */
  async approveProfile(ctx: RequestContext, id: string) {
    authorize(ctx.actor, 'masking.approve');
    const p = await repo.findProfile(this.db, id);
    if (!p) throw errors.notFound('masking_profile', id);
    if (p.status !== 'pending_approval')
      throw new AppError(409, 'masking.not_pending', '该方案无需审批', 'This profile is not waiting for approval');
    await this.db.transaction().execute(async (trx) => {
      await repo.updateProfile(trx, id, {
        status: 'active',
        approved_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
      });
      await writeAudit(trx, ctx, {
        action: 'masking.profile.approve',
        objectType: 'masking_profile',
        objectId: id,
        diff: { status: ['pending_approval', 'active'], looser: p.looser_items },
      });
    });
  }

  /**
   * The rules of a profile of a resource (its default, or an active stored profile), with no access check: for a
   * caller that has authorised the use already (a share grant names the profile). Kept for a few seconds: a served
   * call asks for every request.
   */
  async rulesOf(resourceId: string, profileId: string | null | undefined): Promise<Rules> {
    const key = `${resourceId}|${profileId ?? 'default'}`;
    const hit = this.rulesCache.get(key);
    if (hit && Date.now() - hit.at < 5_000) return hit.rules;
    const v = await findPublished(this.db, resourceId);
    if (!v) throw errors.notFound('resource', resourceId);
    let rules: Rules;
    if (!profileId || profileId === 'default') rules = this.defaultRules(v);
    else {
      const p = await repo.findProfile(this.db, profileId);
      if (!p || p.resource_id !== resourceId) throw errors.notFound('masking_profile', profileId);
      if (p.status !== 'active')
        throw new AppError(
          409,
          'masking.pending',
          '该方案放宽了默认脱敏规则，须经运营中心审批后使用',
          'This profile loosens the default rules and needs the Center\u2019s approval first',
        );
      rules = p.rules as Rules;
    }
    this.rulesCache.set(key, { at: Date.now(), rules });
    return rules;
  }
  private readonly rulesCache = new Map<string, { at: number; rules: Rules }>();

  /** The rules in force for a resource: its default, or an active stored profile of it. */
  async rulesFor(ctx: RequestContext, resourceId: string, profileId?: string) {
    const v = await this.currentVersion(ctx, resourceId);
    if (!profileId || profileId === 'default') return { v, rules: this.defaultRules(v) };
    const p = await repo.findProfile(this.db, profileId);
    if (!p || p.resource_id !== resourceId) throw errors.notFound('masking_profile', profileId);
    if (p.status !== 'active')
      throw new AppError(
        409,
        'masking.pending',
        '该方案放宽了默认脱敏规则，须经运营中心审批后使用',
        'This profile loosens the default rules and needs the Center\u2019s approval first',
      );
    return { v, rules: p.rules as Rules };
  }

  /** Each item of each sample row before and after. */
  async preview(
    ctx: RequestContext,
    body: { resourceId: string; profileId?: string; scope?: string; rows: Record<string, unknown>[] },
  ) {
    const { v, rules } = await this.rulesFor(ctx, body.resourceId, body.profileId);
    const keys = this.keys(body.scope ?? `preview:${body.resourceId}`);
    const cols: Column[] = v.items.map((i) => ({
      code: i.code,
      dataType: i.dataType,
      length: i.length,
      piiKind: i.piiKind,
    }));
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'masking.preview',
        objectType: 'resource',
        objectId: body.resourceId,
        orgId: v.orgId,
        diff: { profile: body.profileId ?? 'default', rows: body.rows.length },
      }),
    );
    return {
      items: v.items.map((i) => ({
        code: i.code,
        name: i.name,
        piiKind: i.piiKind,
        rule: shown(rules)[i.code] ?? null,
      })),
      rows: body.rows.map((row) =>
        Object.fromEntries(
          cols.map((c) => [
            c.code,
            { before: row[c.code] ?? null, after: maskValue(row[c.code] ?? null, c, rules[c.code], keys) },
          ]),
        ),
      ),
    };
  }

  /** The PII scan that open-data releases need: which columns look personal, and how many of their values. */
  scan(columns: { name: string; values: unknown[] }[]) {
    return columns.map((c) => {
      const s = suggest(c.name, c.values);
      const byValues = suggestFromValues(c.values);
      return {
        name: c.name,
        suggestion: s,
        personalValues: byValues?.matched ?? 0,
        sampled: c.values.filter((x) => x !== null && x !== undefined && x !== '').length,
      };
    });
  }

  suggestNames(names: string[]) {
    return names.map((n) => ({ name: n, suggestion: suggest(n) }));
  }

  /** Only the Center reverses a token, and every reversal is on the record. */
  async detokenize(ctx: RequestContext, scope: string, token: string) {
    authorize(ctx.actor, 'masking.detokenize');
    let value: string;
    try {
      value = detokenize(this.keys(scope), token);
    } catch (e) {
      await this.db.transaction().execute((trx) =>
        writeAudit(trx, ctx, {
          action: 'masking.detokenize',
          objectType: 'token',
          objectId: token.slice(0, 24),
          outcome: 'failure',
          diff: { scope, reason: (e as Error).message },
        }),
      );
      throw errors.field('token', '令牌无效或不属于该范围', 'the token is invalid or belongs to another scope');
    }
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'masking.detokenize',
        objectType: 'token',
        objectId: token.slice(0, 24),
        diff: { scope },
      }),
    );
    return value;
  }
}
