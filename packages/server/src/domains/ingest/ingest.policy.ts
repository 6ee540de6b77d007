// Who may do what with aggregated data: load it, browse it (masked or raw), read rejected rows, manage pulls,
// run the one-source comparison. Routes admit callers by these role lists; services call can()/authorize()
// with the owner unit before every read or change.
import { CENTER_ROLES, hasRole, isCenter, ROLES, type Actor, type CallerRole } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

export type IngestAction =
  | 'ingest.load' // push, upload, run a pull: the Center admin, or the owner unit's admin, users and systems
  | 'ingest.browse' // the data browser (masked): the Center, and the owner unit's people
  | 'ingest.browse_or_load' // batches and their reports: who may browse, and the owner unit's systems
  | 'ingest.browse_raw' // unmasked personal data: the owner unit's data admin and security officer only
  | 'ingest.rejected_rows' // rejected rows hold the values as sent, unmasked: the owner unit, who must fix them
  | 'ingest.pull_source' // add, change and run scheduled pulls: the Center admin and the owner unit's admin
  | 'ingest.one_source.check'; // run the one-data-one-source comparison: Center admins and reviewers

/** Route admission (the first gate; the service then checks the owner unit). */
export const LOAD_ROLES = ['center_admin', 'unit_admin', 'unit_user', 'system'] as const satisfies CallerRole[];
export const BROWSE_ROLES = [...CENTER_ROLES, 'unit_admin', 'unit_security_officer', 'unit_user'] as const;
export const BATCH_ROLES = [...BROWSE_ROLES, 'system'] as const;
export const PULL_ROLES = ['center_admin', 'unit_admin'] as const satisfies CallerRole[];
export const CHECK_ROLES = ['center_admin', 'center_reviewer'] as const satisfies CallerRole[];
/** Lists whose rows the service scopes to the caller's unit (the overview, the conflicts): anyone signed in. */
export const ANY_ROLE = ROLES;
/** The Center's district-wide counts. */
export const CENTER_VIEW_ROLES = CENTER_ROLES;

/** The messages the refusals carry (kept as they were when the checks lived in the services). */
const REFUSAL: Record<IngestAction, string> = {
  'ingest.load': 'ingest.load',
  'ingest.browse': 'ingest.browse',
  'ingest.browse_or_load': 'ingest.browse',
  'ingest.browse_raw': 'ingest.browse_raw',
  'ingest.rejected_rows': 'ingest.rejected_rows (unmasked values, for the owner unit)',
  'ingest.pull_source': 'ingest.pull_source',
  'ingest.one_source.check': 'ingest.one_source.check',
};

export function can(actor: Actor | null, action: IngestAction, ownerOrgId: string | null = null): boolean {
  if (!actor) return false;
  const own = ownerOrgId !== null && actor.orgId === ownerOrgId;
  switch (action) {
    case 'ingest.load':
      return hasRole(actor, 'center_admin') || (own && hasRole(actor, 'unit_admin', 'unit_user', 'system'));
    case 'ingest.browse':
      return isCenter(actor) || (own && hasRole(actor, 'unit_admin', 'unit_security_officer', 'unit_user'));
    case 'ingest.browse_or_load':
      return (own && actor.kind === 'credential') || can(actor, 'ingest.browse', ownerOrgId);
    case 'ingest.browse_raw':
      return own && hasRole(actor, 'unit_admin', 'unit_security_officer');
    case 'ingest.rejected_rows':
      return own && hasRole(actor, 'unit_admin', 'unit_user', 'unit_security_officer', 'system');
    case 'ingest.pull_source':
      return hasRole(actor, 'center_admin') || (own && hasRole(actor, 'unit_admin'));
    case 'ingest.one_source.check':
      return hasRole(actor, 'center_admin', 'center_reviewer');
  }
}

export function authorize(actor: Actor | null, action: IngestAction, ownerOrgId: string | null = null): void {
  if (!actor) throw errors.unauthenticated();
  if (!can(actor, action, ownerOrgId)) throw errors.forbidden(REFUSAL[action]);
}

/**
 * The platform's own work (a scheduled pull, the nightly comparison) runs without an actor and is not refused;
 * a request always has one (the routes admit no anonymous caller here).
 */
export function authorizeUnlessScheduled(actor: Actor | null, action: IngestAction, ownerOrgId: string | null = null) {
  if (actor) authorize(actor, action, ownerOrgId);
}

/** Rejected rows' values for this caller: the owner unit, or the platform itself (the batch it ran). */
export const mayReadRejectedValues = (actor: Actor | null, ownerOrgId: string) =>
  !actor || can(actor, 'ingest.rejected_rows', ownerOrgId);

/** Which unit's resources a list shows: a unit sees its own; the Center all, or the one it asks for. */
export function unitScope(actor: Actor, requested?: string): string | undefined {
  return isCenter(actor) ? requested : actor.orgId;
}
