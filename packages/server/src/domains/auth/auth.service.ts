// Use cases of the auth domain: log-in and sessions, organisations, users, API credentials.
import { randomUUID, randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { Config } from '../../config.ts';
import type { OrgKind, MfaState } from '../../db/schema.ts';
import type { Actor, CredentialActor, RequestContext, Role, UserActor } from '../../platform/context.ts';
import { ROLES } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { hmacSm3Hex, randomToken, safeEqualHex } from '../../platform/crypto.ts';
import { writeAudit, diffOf, type AuditAction } from '../audit/index.ts';
import * as repo from './auth.repository.ts';
import {
  authorize,
  can,
  dropsOwnCenterAdmin,
  grantableRoles,
  mayGrantRoles,
  rolesForOrgKind,
  totpRequired,
} from './auth.policy.ts';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { newTotpSecret, totpMatch, totpUri } from './totp.ts';
import { checkUscc, usccMessages } from '../../platform/uscc.ts';

export type { Keys } from '../../platform/crypto.ts';
import type { Keys } from '../../platform/crypto.ts';
export interface AuthDeps {
  db: Db;
  config: Config;
  keys: Keys;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller's console session, if it came with one (set in app.ts's onRequest) */
    session: SessionInfo | null;
  }
}

export interface SessionInfo {
  id: string;
  csrfToken: string;
  mfaState: MfaState;
  user: repo.UserRow;
  org: repo.OrgRow;
  expiresAt: Date;
}

const USER_SECRETS = ['password_hash', 'totp_secret_sealed'];

export function presentUser(u: repo.UserRow & { org_name?: string; org_kind?: string }) {
  return {
    id: u.id,
    orgId: u.org_id,
    orgName: u.org_name ?? null,
    username: u.username,
    displayName: u.display_name,
    email: u.email,
    phone: u.phone,
    roles: u.roles as Role[],
    active: u.active,
    totpEnabled: u.totp_enabled,
    mustChangePassword: u.must_change_password,
    lockedUntil: u.locked_until && u.locked_until > new Date() ? u.locked_until.toISOString() : null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    isDemo: u.is_demo,
    createdAt: u.created_at.toISOString(),
  };
}

export function presentOrg(o: repo.OrgRow) {
  return {
    id: o.id,
    code: o.code,
    name: o.name,
    kind: o.kind,
    uscc: o.uscc,
    parentId: o.parent_id,
    contactName: o.contact_name,
    contactPhone: o.contact_phone,
    contactEmail: o.contact_email,
    active: o.active,
    isDemo: o.is_demo,
  };
}

export function presentCredential(c: repo.CredentialRow & { org_name?: string }) {
  const now = new Date();
  return {
    id: c.id,
    keyId: c.key_id,
    orgId: c.org_id,
    orgName: c.org_name ?? null,
    systemName: c.system_name,
    description: c.description,
    createdAt: c.created_at.toISOString(),
    expiresAt: c.expires_at?.toISOString() ?? null,
    revokedAt: c.revoked_at?.toISOString() ?? null,
    lastUsedAt: c.last_used_at?.toISOString() ?? null,
    lastUsedIp: c.last_used_ip,
    status: c.revoked_at ? 'revoked' : c.expires_at && c.expires_at <= now ? 'expired' : 'active',
  };
}

/** How long a credential as read is used before it is read again (revocation elsewhere takes effect within it). */
export const CREDENTIAL_TTL_MS = 5_000;

export class AuthService {
  constructor(private readonly d: AuthDeps) {}

  private hmac(token: string) {
    return hmacSm3Hex(this.d.keys.hmac, token);
  }

  // ---------------------------------------------------------------- sessions

  /** Finds the live session for a cookie token; expired or revoked sessions give null. */
  async resolveSession(token: string, now = new Date()): Promise<SessionInfo | null> {
    if (!token || token.length > 200) return null;
    const s = await repo.findSession(this.d.db, this.hmac(token));
    if (!s || s.revoked_at || s.expires_at <= now) return null;
    const idleMs = this.d.config.sessionIdleMinutes * 60_000;
    if (now.getTime() - s.last_seen_at.getTime() > idleMs) return null;
    const user = await repo.findUser(this.d.db, s.user_id);
    if (!user || !user.active) return null;
    const org = await repo.findOrg(this.d.db, user.org_id);
    if (!org || !org.active) return null;
    // Writing last_seen on every request would make every read a write; a minute's precision is enough.
    if (now.getTime() - s.last_seen_at.getTime() > 60_000) await repo.touchSession(this.d.db, s.id, now);
    return { id: s.id, csrfToken: s.csrf_token, mfaState: s.mfa_state, user, org, expiresAt: s.expires_at };
  }

  actorOf(s: SessionInfo): UserActor {
    return {
      kind: 'user',
      userId: s.user.id,
      username: s.user.username,
      orgId: s.org.id,
      orgKind: s.org.kind,
      roles: s.user.roles as Role[],
      sessionId: s.id,
    };
  }

  /**
   * The actor of a command-line operation run on the server by a named, active user (recorded in the
   * audit trail as that user); the operator at the console of the server machine stands in for a log-in.
   */
  async cliActor(username: string): Promise<UserActor> {
    const u = await repo.findUserByName(this.d.db, username);
    if (!u || !u.active)
      throw new AppError(400, 'auth.unknown_user', `没有启用的用户 ${username}`, `No active user named ${username}`, [
        { field: 'as', message: { zh: '没有这个启用的用户', en: 'no such active user' } },
      ]);
    const org = await repo.findOrg(this.d.db, u.org_id);
    return { ...userActorOf(u, 'cli'), orgKind: org?.kind ?? '' };
  }

  /** `Authorization: Bearer <keyId>.<secret>` for a unit's information system. */
  /**
   * Credentials as last read, by key id, for CREDENTIAL_TTL_MS: a system calling a thousand times a second is not a
   * thousand reads. This node forgets them at once when one is revoked or a unit changes; another node within the
   * TTL (the same bound as masking rules and grants, docs/architecture.md).
   */
  private readonly credentials = new Map<
    string,
    { at: number; c: Awaited<ReturnType<typeof repo.findCredentialWithOrg>> }
  >();

  forgetCredentials() {
    this.credentials.clear();
  }

  async resolveCredential(bearer: string, ip: string | null, now = new Date()): Promise<CredentialActor | null> {
    const m = /^(gsk_[0-9a-f]{16})\.([A-Za-z0-9_-]{20,100})$/.exec(bearer);
    if (!m) return null;
    const hit = this.credentials.get(m[1]!);
    let c = hit && now.getTime() - hit.at < CREDENTIAL_TTL_MS ? hit.c : undefined;
    if (!hit || c === undefined) {
      c = await repo.findCredentialWithOrg(this.d.db, m[1]!);
      if (this.credentials.size > 10_000) this.credentials.clear();
      if (c) this.credentials.set(m[1]!, { at: now.getTime(), c });
    }
    if (!c || c.revoked_at || (c.expires_at && c.expires_at <= now)) return null;
    if (!safeEqualHex(c.secret_hash, this.hmac(m[2]!))) return null;
    if (!c.org_active) return null;
    if (!c.last_used_at || now.getTime() - c.last_used_at.getTime() > 60_000 || c.last_used_ip !== ip) {
      await repo.updateCredential(this.d.db, c.id, { last_used_at: now, last_used_ip: ip });
      c.last_used_at = now;
      c.last_used_ip = ip;
    }
    return {
      kind: 'credential',
      credentialId: c.id,
      keyId: c.key_id,
      orgId: c.org_id,
      orgKind: c.org_kind,
      systemName: c.system_name,
      roles: ['system'],
    };
  }

  async login(ctx: RequestContext, username: string, password: string, userAgent: string | null) {
    const name = username.trim().toLowerCase();
    const now = new Date();
    const user = await repo.findUserByName(this.d.db, name);
    const badCredentials = new AppError(401, 'auth.bad_credentials', '用户名或密码错误', 'Wrong user name or password');
    if (!user || !user.active) {
      await burnPasswordCheck(password);
      await this.d.db.transaction().execute((trx) =>
        writeAudit(
          trx,
          { ...ctx, actor: null },
          {
            action: 'auth.login',
            objectType: 'user',
            objectId: name,
            outcome: 'failure',
            diff: { reason: user ? 'inactive' : 'unknown_user' },
          },
        ),
      );
      throw badCredentials;
    }
    if (user.locked_until && user.locked_until > now) {
      await this.d.db.transaction().execute((trx) =>
        writeAudit(
          trx,
          { ...ctx, actor: null },
          {
            action: 'auth.login',
            objectType: 'user',
            objectId: user.id,
            orgId: user.org_id,
            outcome: 'denied',
            diff: { reason: 'locked' },
          },
        ),
      );
      throw lockedError(user.locked_until);
    }
    const ok = await verifyPassword(user.password_hash, password);
    if (!ok) {
      const lockedUntil = await this.recordFailure(ctx, user, 'wrong_password');
      if (lockedUntil) throw lockedError(lockedUntil);
      throw badCredentials;
    }
    const mfa: MfaState = user.totp_enabled ? 'totp_pending' : totpRequired(user.roles) ? 'enrol_required' : 'complete';
    const token = randomToken();
    const id = this.hmac(token);
    await this.d.db.transaction().execute(async (trx) => {
      await repo.insertSession(trx, {
        id,
        user_id: user.id,
        csrf_token: randomToken(24),
        mfa_state: mfa,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + this.d.config.sessionAbsoluteHours * 3600_000),
        client_ip: ctx.ip,
        user_agent: userAgent?.slice(0, 300) ?? null,
      });
      await repo.updateUser(trx, user.id, {
        failed_logins: 0,
        locked_until: null,
        ...(mfa === 'complete' ? { last_login_at: now } : {}),
      });
      await writeAudit(
        trx,
        { ...ctx, actor: userActorOf(user, id) },
        {
          action: mfa === 'complete' ? 'auth.login' : 'auth.login.password_ok',
          objectType: 'session',
          objectId: id.slice(0, 16),
          diff: { mfa },
        },
      );
    });
    return {
      token,
      next:
        mfa === 'complete' ? ('done' as const) : mfa === 'totp_pending' ? ('totp' as const) : ('enrol_totp' as const),
    };
  }

  /**
   * Counts a failed check (a password or a code, at log-in or when a signed-in user confirms a change); locks the
   * account after too many. Returns the lock end when it locks.
   */
  private async recordFailure(
    ctx: RequestContext,
    user: repo.UserRow,
    reason: string,
    action: AuditAction = 'auth.login',
  ): Promise<Date | null> {
    const failures = user.failed_logins + 1;
    const lock = failures >= this.d.config.loginMaxFailures;
    const lockedUntil = lock ? new Date(Date.now() + this.d.config.loginLockMinutes * 60_000) : null;
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, user.id, {
        failed_logins: lock ? 0 : failures,
        locked_until: lockedUntil ?? user.locked_until,
      });
      await writeAudit(trx, action === 'auth.login' ? { ...ctx, actor: null } : ctx, {
        action: lock ? 'auth.lockout' : action,
        objectType: 'user',
        objectId: user.id,
        orgId: user.org_id,
        outcome: 'failure',
        diff: { reason, failures, ...(lockedUntil ? { locked_until: lockedUntil.toISOString() } : {}) },
      });
    });
    return lockedUntil;
  }

  async verifyTotp(ctx: RequestContext, s: SessionInfo, code: string) {
    if (s.mfaState !== 'totp_pending')
      throw new AppError(
        409,
        'auth.totp_not_pending',
        '当前会话不需要动态口令验证',
        'This session is not waiting for a one-time code',
      );
    const user = (await repo.findUser(this.d.db, s.user.id))!;
    if (user.locked_until && user.locked_until > new Date()) throw lockedError(user.locked_until);
    const secret = user.totp_secret_sealed ? this.d.keys.sm4.open(user.totp_secret_sealed) : null;
    const step = secret ? totpMatch(secret, code) : null;
    if (step === null || (user.totp_last_counter !== null && step <= user.totp_last_counter)) {
      const lockedUntil = await this.recordFailure(ctx, user, step === null ? 'wrong_totp' : 'totp_replay');
      if (lockedUntil) {
        await repo.revokeSession(this.d.db, s.id);
        throw lockedError(lockedUntil);
      }
      throw new AppError(401, 'auth.bad_totp', '动态口令不正确或已使用', 'Wrong or already used one-time code');
    }
    await this.d.db.transaction().execute(async (trx) => {
      await repo.setSessionMfa(trx, s.id, 'complete');
      await repo.updateUser(trx, user.id, { totp_last_counter: step, failed_logins: 0, last_login_at: new Date() });
      await writeAudit(
        trx,
        { ...ctx, actor: this.actorOf(s) },
        { action: 'auth.login', objectType: 'session', objectId: s.id.slice(0, 16), diff: { mfa: 'totp' } },
      );
    });
  }

  /** Starts (or restarts) TOTP enrolment: a new secret, not active until confirmed with a code. */
  async startTotpEnrolment(ctx: RequestContext, s: SessionInfo) {
    if (s.mfaState === 'totp_pending') throw errors.unauthenticated();
    if (s.user.totp_enabled)
      throw new AppError(
        409,
        'auth.totp_enabled',
        '已启用动态口令；如需更换请联系运营中心管理员重置',
        'A one-time-code authenticator is already set up; ask a Center admin to reset it',
      );
    const secret = newTotpSecret();
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, s.user.id, { totp_secret_sealed: this.d.keys.sm4.seal(secret), totp_enabled: false });
      await writeAudit(
        trx,
        { ...ctx, actor: this.actorOf(s) },
        { action: 'auth.totp.enrol_start', objectType: 'user', objectId: s.user.id },
      );
    });
    return { secret, uri: totpUri(secret, s.user.username) };
  }

  async confirmTotpEnrolment(ctx: RequestContext, s: SessionInfo, code: string) {
    const user = (await repo.findUser(this.d.db, s.user.id))!;
    if (user.totp_enabled)
      throw new AppError(409, 'auth.totp_enabled', '已启用动态口令', 'A one-time-code authenticator is already set up');
    if (!user.totp_secret_sealed)
      throw new AppError(409, 'auth.totp_not_started', '请先开始绑定动态口令', 'Start the authenticator set-up first');
    const step = totpMatch(this.d.keys.sm4.open(user.totp_secret_sealed), code);
    if (step === null)
      throw new AppError(
        400,
        'auth.bad_totp',
        '动态口令不正确，请核对手机时间后重试',
        'Wrong one-time code; check the phone clock and try again',
        [{ field: 'code', message: { zh: '动态口令不正确', en: 'wrong code' } }],
      );
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, user.id, { totp_enabled: true, totp_last_counter: step });
      if (s.mfaState === 'enrol_required') await repo.setSessionMfa(trx, s.id, 'complete');
      await writeAudit(
        trx,
        { ...ctx, actor: this.actorOf(s) },
        { action: 'auth.totp.enrolled', objectType: 'user', objectId: user.id, diff: { totp_enabled: [false, true] } },
      );
    });
  }

  /**
   * A signed-in user confirms a change with the current password. A wrong one counts like a failed log-in
   * (audited, and the account locks after too many, ending this session); a locked account may not try.
   */
  private async confirmPassword(
    ctx: RequestContext,
    s: SessionInfo,
    password: string,
    field: string,
    action: AuditAction,
  ) {
    const user = (await repo.findUser(this.d.db, s.user.id))!;
    if (user.locked_until && user.locked_until > new Date()) {
      await repo.revokeSession(this.d.db, s.id);
      throw lockedError(user.locked_until);
    }
    if (await verifyPassword(user.password_hash, password)) {
      if (user.failed_logins) await repo.updateUser(this.d.db, user.id, { failed_logins: 0 });
      return;
    }
    const lockedUntil = await this.recordFailure(ctx, user, 'wrong_password', action);
    if (lockedUntil) {
      await repo.revokeSession(this.d.db, s.id);
      throw lockedError(lockedUntil);
    }
    throw new AppError(400, 'auth.bad_password', '当前密码不正确', 'The current password is wrong', [
      { field, message: { zh: '不正确', en: 'is wrong' } },
    ]);
  }

  /** Users other than Center admins may switch their second factor off (with their password). */
  async disableOwnTotp(ctx: RequestContext, s: SessionInfo, password: string) {
    if (totpRequired(s.user.roles))
      throw new AppError(
        409,
        'auth.totp_required',
        '运营中心管理员必须启用动态口令',
        'Center admins must keep a one-time-code authenticator',
      );
    await this.confirmPassword(ctx, s, password, 'password', 'auth.totp.disable');
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, s.user.id, { totp_enabled: false, totp_secret_sealed: null, totp_last_counter: null });
      await writeAudit(trx, ctx, {
        action: 'auth.totp.disabled',
        objectType: 'user',
        objectId: s.user.id,
        diff: { totp_enabled: [true, false] },
      });
    });
  }

  async logout(ctx: RequestContext, s: SessionInfo) {
    await this.d.db.transaction().execute(async (trx) => {
      await repo.revokeSession(trx, s.id);
      await writeAudit(
        trx,
        { ...ctx, actor: this.actorOf(s) },
        { action: 'auth.logout', objectType: 'session', objectId: s.id.slice(0, 16) },
      );
    });
  }

  async changeOwnPassword(ctx: RequestContext, s: SessionInfo, current: string, next: string) {
    await this.confirmPassword(ctx, s, current, 'currentPassword', 'user.password_change');
    const p = passwordProblem(next, s.user.username);
    if (p) throw errors.field('newPassword', p.zh, p.en);
    if (current === next)
      throw errors.field('newPassword', '新密码不能与当前密码相同', 'must differ from the current password');
    const hash = await hashPassword(next);
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, s.user.id, {
        password_hash: hash,
        must_change_password: false,
        password_changed_at: new Date(),
      });
      await repo.revokeUserSessions(trx, s.user.id, s.id);
      await writeAudit(trx, ctx, {
        action: 'user.password_change',
        objectType: 'user',
        objectId: s.user.id,
        diff: { password: ['[redacted]', '[redacted]'] },
      });
    });
  }

  // ---------------------------------------------------------------- organisations

  async listOrgs(ctx: RequestContext, f: { kind?: OrgKind; q?: string }) {
    authorize(ctx.actor, 'org.list');
    return (await repo.listOrgs(this.d.db, f)).map((o) => ({
      ...presentOrg(o),
      grantableRoles: grantableRoles(ctx.actor, o),
    }));
  }

  async getOrg(ctx: RequestContext, id: string) {
    authorize(ctx.actor, 'org.list');
    const o = await repo.findOrg(this.d.db, id);
    if (!o) throw errors.notFound('organisation', id);
    return presentOrg(o);
  }

  private async checkOrgFields(input: OrgInput, exceptId?: string) {
    const fields: { field: string; message: { zh: string; en: string } }[] = [];
    if (input.uscc) {
      const p = checkUscc(input.uscc);
      if (p) fields.push({ field: 'uscc', message: usccMessages[p] });
      else if (await repo.orgNameTaken(this.d.db, 'uscc', input.uscc, exceptId))
        fields.push({
          field: 'uscc',
          message: { zh: '已被其他单位使用', en: 'is already used by another organisation' },
        });
    }
    if (input.name !== undefined && (await repo.orgNameTaken(this.d.db, 'name', input.name, exceptId)))
      fields.push({
        field: 'name',
        message: { zh: '已有同名单位', en: 'is already the name of another organisation' },
      });
    if (input.code !== undefined && (await repo.orgNameTaken(this.d.db, 'code', input.code, exceptId)))
      fields.push({
        field: 'code',
        message: { zh: '单位代码已被使用', en: 'is already used by another organisation' },
      });
    if (input.parentId) {
      const parent = await repo.findOrg(this.d.db, input.parentId);
      if (!parent) fields.push({ field: 'parentId', message: { zh: '上级单位不存在', en: 'no such organisation' } });
      else if (exceptId && parent.id === exceptId)
        fields.push({
          field: 'parentId',
          message: { zh: '不能以自身为上级单位', en: 'cannot be the organisation itself' },
        });
    }
    if (fields.length) throw errors.validation(fields);
  }

  async createOrg(ctx: RequestContext, input: OrgInput & { name: string; code: string; kind: OrgKind }) {
    authorize(ctx.actor, 'org.create');
    return this.insertOrg(ctx, input, false);
  }

  private async insertOrg(
    ctx: RequestContext,
    input: OrgInput & { name: string; code: string; kind: OrgKind },
    isDemo: boolean,
  ) {
    await this.checkOrgFields(input);
    return this.d.db.transaction().execute(async (trx) => {
      const row = await repo.insertOrg(trx, {
        id: randomUUID(),
        code: input.code,
        name: input.name,
        kind: input.kind,
        uscc: input.uscc ?? null,
        parent_id: input.parentId ?? null,
        contact_name: input.contactName ?? null,
        contact_phone: input.contactPhone ?? null,
        contact_email: input.contactEmail ?? null,
        is_demo: isDemo,
      });
      // An organisation's records belong to it, so its own admins see how it was set up.
      await writeAudit(trx, ctx, {
        action: 'org.create',
        objectType: 'organisation',
        objectId: row.id,
        orgId: row.id,
        diff: diffOf(null, presentOrg(row)),
      });
      return presentOrg(row);
    });
  }

  async updateOrg(ctx: RequestContext, id: string, input: OrgInput & { active?: boolean }) {
    this.forgetCredentials();
    const before = await repo.findOrg(this.d.db, id);
    if (!before) {
      authorize(ctx.actor, 'org.update_contact', id);
      throw errors.notFound('organisation', id);
    }
    const contactOnly = Object.keys(input).every((k) => k.startsWith('contact'));
    authorize(ctx.actor, contactOnly ? 'org.update_contact' : 'org.update', id);
    await this.checkOrgFields(input, id);
    return this.d.db
      .transaction()
      .execute(async (trx) => {
        const row = await repo.updateOrg(trx, id, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.code !== undefined ? { code: input.code } : {}),
          ...(input.kind !== undefined ? { kind: input.kind } : {}),
          ...(input.uscc !== undefined ? { uscc: input.uscc } : {}),
          ...(input.parentId !== undefined ? { parent_id: input.parentId } : {}),
          ...(input.contactName !== undefined ? { contact_name: input.contactName } : {}),
          ...(input.contactPhone !== undefined ? { contact_phone: input.contactPhone } : {}),
          ...(input.contactEmail !== undefined ? { contact_email: input.contactEmail } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
        });
        await writeAudit(trx, ctx, {
          action: 'org.update',
          objectType: 'organisation',
          objectId: id,
          orgId: id,
          diff: diffOf(presentOrg(before), presentOrg(row)),
        });
        return presentOrg(row);
      })
      .finally(() => this.forgetCredentials());
  }

  // ---------------------------------------------------------------- users

  async listUsers(ctx: RequestContext, f: { orgId?: string; q?: string; role?: string }) {
    const a = ctx.actor;
    // A unit admin's list is always its own unit's.
    const orgId = a && !can(a, 'user.list', '__any__') ? a.orgId : f.orgId;
    authorize(a, 'user.list', orgId);
    const rows = (await repo.listUsers(this.d.db, { ...f, orgId })).map(presentUser);
    await this.recordRead(ctx, 'user.list', 'user', null, orgId ?? null, {
      filter: { ...f, orgId },
      count: rows.length,
    });
    return rows;
  }

  private async loadUserFor(
    ctx: RequestContext,
    id: string,
    action: 'user.read' | 'user.update' | 'user.reset_password' | 'user.reset_totp',
  ) {
    const u = await repo.findUser(this.d.db, id);
    authorize(ctx.actor, action, u?.org_id ?? '__missing__');
    if (!u) throw errors.notFound('user', id);
    return u;
  }

  async getUser(ctx: RequestContext, id: string) {
    const u = await this.loadUserFor(ctx, id, 'user.read');
    await this.recordRead(ctx, 'user.read', 'user', id, u.org_id);
    return presentUser(u);
  }

  /** Reading people's records and credentials is a data access: it leaves an audit record too. */
  private async recordRead(
    ctx: RequestContext,
    action: AuditAction,
    objectType: 'user' | 'credential',
    objectId: string | null,
    orgId: string | null,
    diff?: unknown,
  ) {
    await this.d.db
      .transaction()
      .execute((trx) =>
        writeAudit(trx, ctx, { action, objectType, objectId, orgId: orgId ?? ctx.actor?.orgId ?? null, diff }),
      );
  }

  private async checkRoles(actor: Actor, orgId: string, roles: Role[]) {
    const org = await repo.findOrg(this.d.db, orgId);
    if (!org) throw errors.field('orgId', '单位不存在', 'no such organisation');
    const allowed = rolesForOrgKind(org.kind);
    const wrong = roles.filter((r) => !allowed.includes(r));
    // a role the organisation cannot hold is refused for a security reason (an escalation attempt, or a slip): audited
    if (wrong.length)
      throw errors
        .field(
          'roles',
          `${org.name}的用户不能担任：${wrong.join('、')}`,
          `users of ${org.name} cannot hold: ${wrong.join(', ')}`,
        )
        .audited('role_not_allowed');
    if (!mayGrantRoles(actor, roles)) throw errors.forbidden('grant Center roles');
  }

  async createUser(
    ctx: RequestContext,
    input: UserInput & { orgId: string; username: string; displayName: string; password: string; roles: Role[] },
  ) {
    authorize(ctx.actor, 'user.create', input.orgId);
    await this.checkRoles(ctx.actor!, input.orgId, input.roles);
    return this.insertUser(ctx, { ...input, mustChangePassword: input.mustChangePassword ?? true });
  }

  /** The one path that creates a user: name and password rules, argon2id, the audit record. */
  private async insertUser(
    ctx: RequestContext,
    input: UserInput & {
      orgId: string;
      username: string;
      displayName: string;
      password: string;
      roles: Role[];
      isDemo?: boolean;
      totpSecret?: string;
      passwordHash?: string;
    },
  ) {
    const username = input.username.toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(username))
      throw errors.field(
        'username',
        '用户名应为 3-64 位小写字母、数字、点、下划线或连字符',
        'must be 3-64 of a-z, 0-9, . _ -',
      );
    if (!input.passwordHash) {
      const p = passwordProblem(input.password, username);
      if (p) throw errors.field('password', p.zh, p.en);
    }
    if (await repo.findUserByName(this.d.db, username))
      throw errors.field('username', '用户名已被使用', 'is already taken');
    const hash = input.passwordHash ?? (await hashPassword(input.password));
    return this.d.db.transaction().execute(async (trx) => {
      const row = await repo.insertUser(trx, {
        id: randomUUID(),
        org_id: input.orgId,
        username,
        display_name: input.displayName,
        email: input.email ?? null,
        phone: input.phone ?? null,
        roles: [...new Set(input.roles)],
        password_hash: hash,
        is_demo: input.isDemo ?? false,
        must_change_password: input.mustChangePassword ?? false,
        totp_secret_sealed: input.totpSecret ? this.d.keys.sm4.seal(input.totpSecret) : null,
        totp_enabled: !!input.totpSecret,
      });
      await writeAudit(trx, ctx, {
        action: 'user.create',
        objectType: 'user',
        objectId: row.id,
        orgId: row.org_id,
        diff: diffOf(null, presentUser(row), USER_SECRETS),
      });
      return presentUser(row);
    });
  }

  async updateUser(
    ctx: RequestContext,
    id: string,
    input: UserInput & { roles?: Role[]; active?: boolean; unlock?: boolean },
  ) {
    const before = await this.loadUserFor(ctx, id, 'user.update');
    if (input.roles) await this.checkRoles(ctx.actor!, before.org_id, input.roles);
    if (input.roles && !mayGrantRoles(ctx.actor!, before.roles as Role[]))
      throw errors.forbidden('change a Center user');
    if (
      ctx.actor?.kind === 'user' &&
      ctx.actor.userId === id &&
      (input.active === false || dropsOwnCenterAdmin(before.roles, input.roles))
    )
      throw new AppError(
        409,
        'user.self_lockout',
        '不能停用自己或撤销自己的管理员角色',
        'You cannot deactivate yourself or drop your own admin role',
      );
    return this.d.db.transaction().execute(async (trx) => {
      const row = await repo.updateUser(trx, id, {
        ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        ...(input.phone !== undefined ? { phone: input.phone } : {}),
        ...(input.roles !== undefined ? { roles: [...new Set(input.roles)] } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        ...(input.unlock ? { locked_until: null, failed_logins: 0 } : {}),
      });
      if (input.active === false || input.roles) await repo.revokeUserSessions(trx, id);
      await writeAudit(trx, ctx, {
        action: input.unlock ? 'user.unlock' : 'user.update',
        objectType: 'user',
        objectId: id,
        orgId: row.org_id,
        diff: diffOf(presentUser(before), presentUser(row)),
      });
      return presentUser(row);
    });
  }

  async resetPassword(ctx: RequestContext, id: string, password: string) {
    const u = await this.loadUserFor(ctx, id, 'user.reset_password');
    if (!mayGrantRoles(ctx.actor!, u.roles as Role[])) throw errors.forbidden('reset a Center user');
    const p = passwordProblem(password, u.username);
    if (p) throw errors.field('password', p.zh, p.en);
    const hash = await hashPassword(password);
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, id, {
        password_hash: hash,
        must_change_password: true,
        password_changed_at: new Date(),
        locked_until: null,
        failed_logins: 0,
      });
      await repo.revokeUserSessions(trx, id);
      await writeAudit(trx, ctx, {
        action: 'user.password_reset',
        objectType: 'user',
        objectId: id,
        orgId: u.org_id,
        diff: { password: ['[redacted]', '[redacted]'] },
      });
    });
  }

  async resetTotp(ctx: RequestContext, id: string) {
    const u = await this.loadUserFor(ctx, id, 'user.reset_totp');
    await this.d.db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, id, { totp_enabled: false, totp_secret_sealed: null, totp_last_counter: null });
      await repo.revokeUserSessions(trx, id);
      await writeAudit(trx, ctx, {
        action: 'user.totp_reset',
        objectType: 'user',
        objectId: id,
        orgId: u.org_id,
        diff: { totp_enabled: [u.totp_enabled, false] },
      });
    });
  }

  // ---------------------------------------------------------------- API credentials

  async listCredentials(ctx: RequestContext, f: { orgId?: string }) {
    const a = ctx.actor;
    const orgId = a && !can(a, 'credential.list', '__any__') ? a.orgId : f.orgId;
    authorize(a, 'credential.list', orgId);
    const rows = (await repo.listCredentials(this.d.db, { orgId })).map(presentCredential);
    await this.recordRead(ctx, 'credential.list', 'credential', null, orgId ?? null, {
      filter: { orgId },
      count: rows.length,
    });
    return rows;
  }

  async createCredential(
    ctx: RequestContext,
    input: { orgId?: string; systemName: string; description?: string; expiresAt?: string },
  ) {
    const orgId = input.orgId ?? ctx.actor?.orgId;
    authorize(ctx.actor, 'credential.create', orgId);
    if (!orgId || !(await repo.findOrg(this.d.db, orgId)))
      throw errors.field('orgId', '单位不存在', 'no such organisation');
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt <= new Date())
      throw errors.field('expiresAt', '有效期须晚于当前时间', 'must be in the future');
    const keyId = 'gsk_' + randomBytes(8).toString('hex');
    const secret = randomToken(32);
    return this.d.db.transaction().execute(async (trx) => {
      const row = await repo.insertCredential(trx, {
        id: randomUUID(),
        key_id: keyId,
        secret_hash: this.hmac(secret),
        org_id: orgId,
        system_name: input.systemName,
        description: input.description ?? null,
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
        expires_at: expiresAt,
      });
      await writeAudit(trx, ctx, {
        action: 'credential.create',
        objectType: 'credential',
        objectId: row.id,
        orgId,
        diff: diffOf(null, {
          key_id: keyId,
          system_name: input.systemName,
          expires_at: expiresAt?.toISOString() ?? null,
        }),
      });
      return { ...presentCredential(row), token: `${keyId}.${secret}` };
    });
  }

  async revokeCredential(ctx: RequestContext, id: string) {
    this.forgetCredentials();
    const c = await repo.findCredential(this.d.db, id);
    authorize(ctx.actor, 'credential.revoke', c?.org_id ?? '__missing__');
    if (!c) throw errors.notFound('credential', id);
    if (c.revoked_at) return presentCredential(c);
    // forgotten again once committed: a call between the two reads the revoked row
    return this.d.db
      .transaction()
      .execute(async (trx) => {
        const row = await repo.updateCredential(trx, id, {
          revoked_at: new Date(),
          revoked_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
        });
        await writeAudit(trx, ctx, {
          action: 'credential.revoke',
          objectType: 'credential',
          objectId: id,
          orgId: c.org_id,
          diff: { status: ['active', 'revoked'] },
        });
        return presentCredential(row);
      })
      .finally(() => this.forgetCredentials());
  }

  // ---------------------------------------------------------------- bootstrap (CLI, demo)

  /** Creates an organisation without an acting user (CLI bootstrap, demo seed). Validates like createOrg. */
  async createOrgAsSystem(
    ctx: RequestContext,
    input: OrgInput & { name: string; code: string; kind: OrgKind; isDemo?: boolean },
  ) {
    const { isDemo, ...rest } = input;
    return this.insertOrg(ctx, rest, isDemo ?? false);
  }

  async findOrgByCode(code: string) {
    const o = await repo.findOrgByCode(this.d.db, code);
    return o ? presentOrg(o) : null;
  }

  async countOrgs() {
    return repo.countOrgs(this.d.db);
  }

  /** Creates a user without an acting user (CLI `user create`, demo seed). Validates like createUser. */
  async createUserAsSystem(
    ctx: RequestContext,
    input: {
      orgId: string;
      username: string;
      displayName: string;
      password: string;
      roles: Role[];
      isDemo?: boolean;
      totpSecret?: string;
      mustChangePassword?: boolean;
      passwordHash?: string;
      phone?: string | null;
    },
  ) {
    const org = await repo.findOrg(this.d.db, input.orgId);
    if (!org) throw errors.field('orgId', '单位不存在', 'no such organisation');
    const wrongRoles = input.roles.filter((r) => !ROLES.includes(r) || !rolesForOrgKind(org.kind).includes(r));
    if (wrongRoles.length)
      throw errors.field(
        'roles',
        `不适用于该单位的角色：${wrongRoles.join('、')}`,
        `roles not valid for this organisation: ${wrongRoles.join(', ')}`,
      );
    return this.insertUser(ctx, input);
  }
}

export interface OrgInput {
  name?: string;
  code?: string;
  kind?: OrgKind;
  uscc?: string | null;
  parentId?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
}
export interface UserInput {
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  mustChangePassword?: boolean;
}

function userActorOf(u: repo.UserRow, sessionId: string): UserActor {
  return {
    kind: 'user',
    userId: u.id,
    username: u.username,
    orgId: u.org_id,
    orgKind: '',
    roles: u.roles as Role[],
    sessionId,
  };
}

function lockedError(until: Date) {
  const hhmm = new Date(until.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
  return new AppError(
    429,
    'auth.locked',
    `登录失败次数过多，账号已临时锁定至 ${hhmm}（北京时间），请稍后再试或联系管理员解锁`,
    `Too many failed attempts; the account is locked until ${hhmm} (Beijing time). Try later or ask an admin to unlock it`,
  );
}
