// Who may do what in the auth domain. Services call authorize() before every read or change.
import type { Actor, Role } from '../../platform/context.ts';
import { CENTER_ROLES, UNIT_ROLES, hasRole } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import type { OrgKind } from '../../db/schema.ts';

export type AuthAction =
  | 'org.list'
  | 'org.create'
  | 'org.update'
  | 'org.update_contact'
  | 'user.list'
  | 'user.read'
  | 'user.create'
  | 'user.update'
  | 'user.reset_password'
  | 'user.reset_totp'
  | 'credential.list'
  | 'credential.create'
  | 'credential.revoke';

/** Target: the organisation an object belongs to. */
export function can(actor: Actor | null, action: AuthAction, targetOrgId?: string): boolean {
  if (!actor) return false;
  const own = targetOrgId === undefined || targetOrgId === actor.orgId;
  switch (action) {
    case 'org.list':
      return actor.kind === 'user';
    case 'org.create':
    case 'org.update':
      return hasRole(actor, 'center_admin');
    case 'org.update_contact':
      return hasRole(actor, 'center_admin') || (hasRole(actor, 'unit_admin') && own);
    case 'user.list':
    case 'user.read':
      return hasRole(actor, 'center_admin', 'supervisor') || (hasRole(actor, 'unit_admin') && own);
    case 'user.create':
    case 'user.update':
    case 'user.reset_password':
      return hasRole(actor, 'center_admin') || (hasRole(actor, 'unit_admin') && own);
    case 'user.reset_totp':
      return hasRole(actor, 'center_admin');
    case 'credential.list':
      return hasRole(actor, 'center_admin', 'supervisor') || (hasRole(actor, 'unit_admin') && own);
    case 'credential.create':
    case 'credential.revoke':
      return hasRole(actor, 'center_admin') || (hasRole(actor, 'unit_admin') && own);
  }
}

export function authorize(actor: Actor | null, action: AuthAction, targetOrgId?: string): void {
  if (!actor) throw errors.unauthenticated();
  if (!can(actor, action, targetOrgId)) throw errors.forbidden(action);
}

/** The roles an organisation's users may hold, by the organisation's kind. */
export function rolesForOrgKind(kind: OrgKind): Role[] {
  if (kind === 'center') return CENTER_ROLES;
  if (kind === 'cac') return ['cac_officer'];
  return UNIT_ROLES;
}

/** Unit admins may grant unit roles only; a Center admin may grant any role the organisation allows. */
export function mayGrantRoles(actor: Actor, roles: Role[]): boolean {
  if (hasRole(actor, 'center_admin')) return true;
  return roles.every((r) => UNIT_ROLES.includes(r));
}

/** The roles the actor may give users of an organisation: those its kind allows and the actor may grant. */
export function grantableRoles(actor: Actor | null, org: { id: string; kind: OrgKind }): Role[] {
  if (!actor || !can(actor, 'user.create', org.id)) return [];
  return rolesForOrgKind(org.kind).filter((r) => mayGrantRoles(actor, [r]));
}

/** A Center admin must use a second factor: enrolment at the first log-in, and it cannot be switched off. */
export const totpRequired = (roles: readonly string[]): boolean => roles.includes('center_admin');

/** A user who gives up their own Center admin role (the platform could be left without one). */
export const dropsOwnCenterAdmin = (before: readonly string[], after: readonly string[] | undefined): boolean =>
  !!after && !after.includes('center_admin') && before.includes('center_admin');

/** Acting for a unit other than one's own (a credential issued for it): the Center's admins. */
export const mayActForOtherUnits = (actor: Actor): boolean => hasRole(actor, 'center_admin');
