// Thin, schema-first routes: parse, call one service method, shape the reply.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NO_ABILITIES, type AbilitySet } from '../../platform/abilities.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../platform/errors.ts';
import type { AuthService, SessionInfo } from './auth.service.ts';
import { presentOrg, presentUser } from './auth.service.ts';
import * as S from './auth.schemas.ts';
import { ROLES, type UserActor } from '../../platform/context.ts';

export const SESSION_COOKIE = 'gongshu_session';

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    maxAge: maxAgeSeconds,
  });
}

function me(s: SessionInfo, abilities: AbilitySet) {
  return {
    user: presentUser(s.user),
    org: presentOrg(s.org),
    csrfToken: s.csrfToken,
    mfaState: s.mfaState,
    expiresAt: s.expiresAt.toISOString(),
    abilities,
  };
}

function requireSession(req: FastifyRequest): SessionInfo {
  if (!req.session) throw errors.unauthenticated();
  return req.session;
}

const Ok = Type.Object({ ok: Type.Boolean() });

export const authRoutes =
  (
    svc: AuthService,
    sessionHours: number,
    /** What the console may offer a user, from every domain's policy (composed by the app). */
    abilitiesOf: (actor: UserActor) => AbilitySet,
  ): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['auth'];
    app.post(
      '/api/auth/login',
      {
        schema: {
          tags,
          summary: 'Log in with user name and password',
          body: S.LoginBody,
          response: { 200: S.LoginReply },
        },
        config: { allow: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (req, reply) => {
        const r = await svc.login(req.ctx, req.body.username, req.body.password, req.headers['user-agent'] ?? null);
        setSessionCookie(req, reply, r.token, sessionHours * 3600);
        const s = await svc.resolveSession(r.token);
        return { next: r.next, csrfToken: s!.csrfToken };
      },
    );

    app.post(
      '/api/auth/totp/verify',
      {
        schema: { tags, summary: 'Second step of log-in: the one-time code', body: S.TotpBody, response: { 200: Ok } },
        config: { allow: 'public', allowPendingMfa: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (req) => {
        await svc.verifyTotp(req.ctx, requireSession(req), req.body.code);
        return { ok: true };
      },
    );

    app.post(
      '/api/auth/totp/setup',
      {
        schema: {
          tags,
          summary: 'Start setting up a one-time-code authenticator',
          response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }) },
        },
        config: { allow: 'public', allowPendingMfa: true },
      },
      async (req) => svc.startTotpEnrolment(req.ctx, requireSession(req)),
    );

    app.post(
      '/api/auth/totp/confirm',
      {
        schema: { tags, summary: 'Confirm the authenticator with a code', body: S.TotpBody, response: { 200: Ok } },
        config: { allow: 'public', allowPendingMfa: true },
      },
      async (req) => {
        await svc.confirmTotpEnrolment(req.ctx, requireSession(req), req.body.code);
        return { ok: true };
      },
    );

    app.post(
      '/api/auth/totp/disable',
      {
        schema: {
          tags,
          summary:
            'Switch off your own second factor (not for Center admins); wrong passwords count towards the lock-out like a failed log-in',
          body: S.PasswordBody,
          response: { 200: Ok },
        },
        config: { allow: ROLES /* people, not systems */, rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (req) => {
        await svc.disableOwnTotp(req.ctx, requireSession(req), req.body.password);
        return { ok: true };
      },
    );

    app.post(
      '/api/auth/logout',
      {
        schema: { tags, summary: 'Log out', response: { 200: Ok } },
        config: { allow: 'public', allowPendingMfa: true },
      },
      async (req, reply) => {
        if (req.session) await svc.logout(req.ctx, req.session);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { ok: true };
      },
    );

    app.get(
      '/api/auth/session',
      {
        schema: {
          tags,
          summary:
            'The current session: user, organisation, CSRF token, and what the console may offer the user (nothing until the second factor is given)',
          response: { 200: S.Me },
        },
        config: { allow: 'public', allowPendingMfa: true },
      },
      async (req) => {
        const s = requireSession(req);
        return me(s, s.mfaState === 'complete' ? abilitiesOf(svc.actorOf(s)) : NO_ABILITIES);
      },
    );

    app.post(
      '/api/auth/password',
      {
        schema: {
          tags,
          summary: 'Change your own password; wrong current passwords count towards the lock-out like a failed log-in',
          body: S.ChangePasswordBody,
          response: { 200: Ok },
        },
        config: { allow: ROLES /* people, not systems */, rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (req) => {
        await svc.changeOwnPassword(req.ctx, requireSession(req), req.body.currentPassword, req.body.newPassword);
        return { ok: true };
      },
    );

    // organisations
    const otags = ['organisations'];
    app.get(
      '/api/orgs',
      {
        schema: {
          tags: otags,
          summary: 'The directory of organisations',
          querystring: S.OrgListQuery,
          response: { 200: Type.Array(S.ListedOrg) },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => svc.listOrgs(req.ctx, req.query),
    );
    app.get(
      '/api/orgs/:id',
      {
        schema: { tags: otags, summary: 'One organisation', params: S.IdParams, response: { 200: S.Org } },
        config: { allow: 'authenticated' },
      },
      async (req) => svc.getOrg(req.ctx, req.params.id),
    );
    app.post(
      '/api/orgs',
      {
        schema: {
          tags: otags,
          summary: 'Create an organisation (Center admin)',
          body: S.OrgCreateBody,
          response: { 201: S.Org },
        },
        config: { allow: ['center_admin'] },
      },
      async (req, reply) => reply.status(201).send(await svc.createOrg(req.ctx, req.body)),
    );
    app.patch(
      '/api/orgs/:id',
      {
        schema: {
          tags: otags,
          summary: 'Update an organisation (Center admin; a unit admin its own contact details)',
          params: S.IdParams,
          body: S.OrgUpdateBody,
          response: { 200: S.Org },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req) => svc.updateOrg(req.ctx, req.params.id, req.body),
    );

    // users
    const utags = ['users'];
    app.get(
      '/api/users',
      {
        schema: {
          tags: utags,
          summary: "Users (a unit's admin sees their own unit's; the read is audited)",
          querystring: S.UserListQuery,
          response: { 200: Type.Array(S.User) },
        },
        config: { allow: ['center_admin', 'supervisor', 'unit_admin'] },
      },
      async (req) => svc.listUsers(req.ctx, req.query),
    );
    app.get(
      '/api/users/:id',
      {
        schema: {
          tags: utags,
          summary: 'One user (the read is audited)',
          params: S.IdParams,
          response: { 200: S.User },
        },
        config: { allow: ['center_admin', 'supervisor', 'unit_admin'] },
      },
      async (req) => svc.getUser(req.ctx, req.params.id),
    );
    app.post(
      '/api/users',
      {
        schema: { tags: utags, summary: 'Create a user', body: S.UserCreateBody, response: { 201: S.User } },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req, reply) => reply.status(201).send(await svc.createUser(req.ctx, req.body)),
    );
    app.patch(
      '/api/users/:id',
      {
        schema: {
          tags: utags,
          summary: 'Change a user: name, contact, roles, active, unlock',
          params: S.IdParams,
          body: S.UserUpdateBody,
          response: { 200: S.User },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req) => svc.updateUser(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/users/:id/password',
      {
        schema: {
          tags: utags,
          summary: "Reset a user's password (they must change it at next log-in)",
          params: S.IdParams,
          body: S.PasswordBody,
          response: { 200: Ok },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req) => {
        await svc.resetPassword(req.ctx, req.params.id, req.body.password);
        return { ok: true };
      },
    );
    app.post(
      '/api/users/:id/totp-reset',
      {
        schema: {
          tags: utags,
          summary: "Remove a user's authenticator (lost phone)",
          params: S.IdParams,
          response: { 200: Ok },
        },
        config: { allow: ['center_admin'] },
      },
      async (req) => {
        await svc.resetTotp(req.ctx, req.params.id);
        return { ok: true };
      },
    );

    // API credentials
    const ctags = ['credentials'];
    app.get(
      '/api/credentials',
      {
        schema: {
          tags: ctags,
          summary: "API credentials of units' information systems (hashes only, never secrets)",
          querystring: S.CredentialListQuery,
          response: { 200: Type.Array(S.Credential) },
        },
        config: { allow: ['center_admin', 'supervisor', 'unit_admin'] },
      },
      async (req) => svc.listCredentials(req.ctx, req.query),
    );
    app.post(
      '/api/credentials',
      {
        schema: {
          tags: ctags,
          summary: 'Issue an API credential for an information system; the token is shown once',
          body: S.CredentialCreateBody,
          response: { 201: Type.Intersect([S.Credential, Type.Object({ token: Type.String() })]) },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req, reply) => reply.status(201).send(await svc.createCredential(req.ctx, req.body)),
    );
    app.post(
      '/api/credentials/:id/revoke',
      {
        schema: {
          tags: ctags,
          summary: 'Revoke an API credential',
          params: S.IdParams,
          response: { 200: S.Credential },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req) => svc.revokeCredential(req.ctx, req.params.id),
    );

    app.get(
      '/api/whoami',
      {
        schema: {
          tags: ctags,
          summary: 'Who the caller is (session or API credential)',
          response: {
            200: Type.Object({
              kind: Type.String(),
              name: Type.String(),
              orgId: Type.String(),
              roles: Type.Array(Type.String()),
            }),
          },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => {
        const a = req.actor!;
        return {
          kind: a.kind,
          name: a.kind === 'user' ? a.username : a.systemName,
          orgId: a.orgId,
          roles: [...a.roles],
        };
      },
    );
  };
