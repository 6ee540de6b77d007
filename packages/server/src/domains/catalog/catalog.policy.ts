// Who may do what with the catalog.
import { hasRole, isCenter, type Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

export type CatalogAction =
  | 'catalog.read_district' // approved resources: every signed-in caller, systems included
  | 'catalog.read_working' // drafts and cases: the owner unit and the Center
  | 'catalog.compile' // create, edit, submit, change: the owner unit's data admin
  | 'catalog.review' // approve or return: Center reviewers and admins
  | 'catalog.configure' // code tables, code format: Center admins
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
