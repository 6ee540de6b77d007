// Who is calling, and from where: passed from routes into services and the audit writer.
export const ROLES = [
  'center_admin',
  'center_reviewer',
  'supervisor',
  'unit_admin',
  'unit_security_officer',
  'unit_user',
  'cac_officer',
] as const;
export type Role = (typeof ROLES)[number];

/** Each role in words (the console's messages say the same: role.* in packages/web/src/messages.ts, held by a test). */
export const ROLE_WORDS: Record<Role, readonly [zh: string, en: string]> = {
  center_admin: ['运营中心管理员', 'Center admin'],
  center_reviewer: ['运营中心审核员', 'Center reviewer'],
  supervisor: ['考核监督员', 'Supervisor'],
  unit_admin: ['单位数据管理员', 'Unit data admin'],
  unit_security_officer: ['单位安全责任人', 'Unit security officer'],
  unit_user: ['单位业务人员', 'Unit user'],
  cac_officer: ['网信办专员', 'Cyberspace office officer'],
};

/** Pseudo-role held by an API credential (a unit's information system). */
export type CallerRole = Role | 'system';

export const CENTER_ROLES: Role[] = ['center_admin', 'center_reviewer', 'supervisor'];
export const UNIT_ROLES: Role[] = ['unit_admin', 'unit_security_officer', 'unit_user'];

export interface UserActor {
  kind: 'user';
  userId: string;
  username: string;
  orgId: string;
  orgKind: string;
  roles: Role[];
  sessionId: string;
}
export interface CredentialActor {
  kind: 'credential';
  credentialId: string;
  keyId: string;
  orgId: string;
  orgKind: string;
  systemName: string;
  roles: ['system'];
}
export type Actor = UserActor | CredentialActor;

export interface RequestContext {
  actor: Actor | null;
  requestId: string | null;
  ip: string | null;
}

/** A context for work started outside HTTP (CLI, startup seeding). */
export function systemContext(label: string): RequestContext {
  return { actor: null, requestId: label, ip: null };
}

export function hasRole(actor: Actor | null, ...roles: CallerRole[]): boolean {
  return !!actor && (actor.roles as CallerRole[]).some((r) => roles.includes(r));
}

export function isCenter(actor: Actor | null): boolean {
  return hasRole(actor, ...CENTER_ROLES);
}

export function actorName(actor: Actor | null): string | null {
  if (!actor) return null;
  return actor.kind === 'user' ? actor.username : `${actor.systemName} (${actor.keyId})`;
}

/** Route admission: whether the caller holds one of the roles a route's `config.allow` lists. */
export function admits(actor: Actor, allow: readonly CallerRole[]): boolean {
  return hasRole(actor, ...allow);
}
