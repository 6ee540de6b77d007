// Who may do what with masking profiles: read a resource's profiles (the Center and the owner unit), propose one
// (Center admins and reviewers, the owner unit's admin), approve a loosening one and reverse a token (Center
// admins only; every reversal is audited by the service).
import { hasRole, isCenter, type Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

export type MaskingAction = 'masking.read' | 'masking.profile' | 'masking.approve' | 'masking.detokenize';

/** The messages the refusals carry (kept as they were when the checks lived in the service). */
const REFUSAL: Record<MaskingAction, string> = {
  'masking.read': 'masking profiles of another unit',
  'masking.profile': 'masking.profile',
  'masking.approve': 'masking.approve',
  'masking.detokenize': 'masking.detokenize',
};

export function can(actor: Actor | null, action: MaskingAction, ownerOrgId: string | null = null): boolean {
  const own = !!actor && ownerOrgId !== null && actor.orgId === ownerOrgId;
  switch (action) {
    case 'masking.read':
      return isCenter(actor) || own;
    case 'masking.profile':
      return hasRole(actor, 'center_admin', 'center_reviewer') || (own && hasRole(actor, 'unit_admin'));
    case 'masking.approve':
    case 'masking.detokenize':
      return hasRole(actor, 'center_admin');
  }
}

export function authorize(actor: Actor | null, action: MaskingAction, ownerOrgId: string | null = null): void {
  if (!can(actor, action, ownerOrgId)) throw errors.forbidden(REFUSAL[action]);
}
