// Who may do what with the catalog.
import { hasRole, isCenter, type Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

export type CatalogAction =
  | 'catalog.read_district' // approved resources: every signed-in caller, systems included
  | 'catalog.read_working' // drafts and cases: the owner unit and the Center
  | 'catalog.compile' // create, edit, submit, change: the owner unit's data admin
  | 'catalog.review' // approve or return: Center reviewers and admins
  | 'catalog.configure' // code tables, code format: Center admins
  | 'catalog.overdue' // the district's overdue cases: reviewers, and supervisors who oversee the deadlines
  | 'system.read'
  | 'system.manage';

export function can(actor: Actor | null, action: CatalogAction, ownerOrgId?: string): boolean {
  if (!actor) return false;
  const own = ownerOrgId === undefined || ownerOrgId === actor.orgId;
  switch (action) {
    case 'catalog.read_district':
      return true;
    case 'catalog.read_working':
      return isCenter(actor) || (own && actor.kind === 'user');
    case 'catalog.compile':
      return own && hasRole(actor, 'unit_admin', 'center_admin');
    case 'catalog.review':
      return hasRole(actor, 'center_reviewer', 'center_admin');
    case 'catalog.configure':
      return hasRole(actor, 'center_admin');
    case 'catalog.overdue':
      return hasRole(actor, 'center_reviewer', 'center_admin', 'supervisor');
    case 'system.read':
      return isCenter(actor) || own;
    case 'system.manage':
      return hasRole(actor, 'center_admin') || (own && hasRole(actor, 'unit_admin'));
  }
}

export function authorize(actor: Actor | null, action: CatalogAction, ownerOrgId?: string): void {
  if (!actor) throw errors.unauthenticated();
  if (!can(actor, action, ownerOrgId)) throw errors.forbidden(action);
}

/** The lists (§11-14) and system plans: a case of a unit is read by that unit and the Center. */
export function authorizeCaseRead(actor: Actor | null, orgId: string): asserts actor is Actor {
  if (!actor) throw errors.unauthenticated();
  if (!isCenter(actor) && actor.orgId !== orgId) throw errors.forbidden("read another unit's case");
}

/** Reviewing a case (a demand, a plan, a list entry): Center reviewers and admins. */
export function authorizeCaseReview(actor: Actor | null): void {
  if (!hasRole(actor, 'center_reviewer', 'center_admin')) throw errors.forbidden('review');
}

/** Filing a case for a unit: its admin, or a Center admin. */
export function authorizeCaseFiling(actor: Actor | null): void {
  if (!hasRole(actor, 'unit_admin', 'center_admin')) throw errors.forbidden('file for the unit');
}

/** Which unit's cases a list shows: undefined for all (the Center), else the caller's own. */
export const caseListScope = (actor: Actor): string | undefined => (isCenter(actor) ? undefined : actor.orgId);
