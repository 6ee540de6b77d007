// Who may read the audit trail: the Center's admins and supervisors every record; a unit's admin and security
// officer, and the cyberspace office's officer, their own unit's.
import { hasRole, type Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

/** Route admission; readAuditScope then narrows what each reader sees. */
export const AUDIT_READERS = [
  'center_admin',
  'supervisor',
  'unit_admin',
  'unit_security_officer',
  'cac_officer',
] as const;

/**
 * The unit whose records the caller may read: undefined for every unit (the caller asked for `requested`, or for
 * all); refused for another unit's records or for a caller who reads no audit records.
 */
export function readAuditScope(actor: Actor | null, requested: string | undefined): string | undefined {
  if (hasRole(actor, 'center_admin', 'supervisor')) return requested;
  if (actor && hasRole(actor, 'unit_admin', 'unit_security_officer', 'cac_officer')) {
    if (requested && requested !== actor.orgId) throw errors.forbidden("read another unit's audit records");
    return actor.orgId;
  }
  throw errors.forbidden('audit.read');
}

/** Walking the whole chain: the Center's admins and supervisors. */
export const AUDIT_VERIFIERS = ['center_admin', 'supervisor'] as const;

export type AuditAction = 'audit.read' | 'audit.verify';

export function can(actor: Actor | null, action: AuditAction): boolean {
  return hasRole(actor, ...(action === 'audit.read' ? AUDIT_READERS : AUDIT_VERIFIERS));
}
