// Who may do what in sharing (§23-25, §28). A case is the consumer unit's (it applies), the owner unit's (it
// consents or refuses) and the Center's (it reviews, confirms, and reviews refusals). Data reaches a consumer only
// through a grant: by one of its bound API credentials, or as a file its own staff export.
import { hasRole, isCenter, type Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

export type SharingAction =
  | 'application.apply' // a unit's data admin or user applies for its own unit
  | 'application.read' // the consumer, the owner and the Center
  | 'application.act_for_consumer' // edit, resubmit, withdraw, attach: the consumer unit's admin or user
  | 'application.center' // confirm, review, return, deny, confirm a profile, review a refusal: Center reviewers
  | 'application.owner' // consent or refuse: the owner unit's data admin
  | 'grant.read' // the consumer, the owner and the Center
  | 'grant.manage' // suspend, resume, revoke, change filter / profile / limits: the owner's admin, the Center
  | 'grant.bind' // which of its credentials may call: the consumer unit's admin
  | 'share.call' // the data services: a credential of the consumer unit bound to the grant
  | 'share.export' // a file of the grant's data: a bound credential, or the consumer unit's admin or user
  | 'share.trace'; // which export a leaked file came from: the Center

/** The methods a grant must give for the consumer's staff to read its data in the console: the API's or the files'. */
export const CONSOLE_READ_METHODS = ['api', 'file'] as const;

/** The parties of a case or grant. */
export interface Parties {
  consumerOrgId: string;
  ownerOrgId: string;
}

const party = (a: Actor, p: Parties) => a.orgId === p.consumerOrgId || a.orgId === p.ownerOrgId;

export function can(actor: Actor | null, action: SharingAction, p?: Parties & { credentialIds?: string[] }): boolean {
  if (!actor) return false;
  switch (action) {
    case 'application.apply':
      return actor.kind === 'user' && hasRole(actor, 'unit_admin', 'unit_user');
    case 'application.read':
    case 'grant.read':
      return actor.kind === 'user' && (isCenter(actor) || (!!p && party(actor, p)));
    case 'application.act_for_consumer':
      return !!p && actor.orgId === p.consumerOrgId && hasRole(actor, 'unit_admin', 'unit_user');
    case 'application.center':
      return hasRole(actor, 'center_reviewer', 'center_admin');
    case 'application.owner':
      return !!p && actor.orgId === p.ownerOrgId && hasRole(actor, 'unit_admin');
    case 'grant.manage':
      return (
        hasRole(actor, 'center_reviewer', 'center_admin') ||
        (!!p && actor.orgId === p.ownerOrgId && hasRole(actor, 'unit_admin'))
      );
    case 'grant.bind':
      return !!p && actor.orgId === p.consumerOrgId && hasRole(actor, 'unit_admin');
    case 'share.call':
      return (
        actor.kind === 'credential' &&
        !!p &&
        actor.orgId === p.consumerOrgId &&
        (p.credentialIds ?? []).includes(actor.credentialId)
      );
    case 'share.export':
      return (
        can(actor, 'share.call', p) ||
        (actor.kind === 'user' && !!p && actor.orgId === p.consumerOrgId && hasRole(actor, 'unit_admin', 'unit_user'))
      );
    case 'share.trace':
      return actor.kind === 'user' && hasRole(actor, 'center_admin', 'center_reviewer');
  }
}

/** Refuses with 403 (audited by the error handler) unless the actor may. */
export function authorize(actor: Actor | null, action: SharingAction, p?: Parties & { credentialIds?: string[] }) {
  if (!actor) throw errors.unauthenticated();
  if (!can(actor, action, p)) throw errors.forbidden(action);
}

/** Which cases a list shows: every case for the Center, else those the unit is a party to. */
export const listScope = (actor: Actor): string | undefined => (isCenter(actor) ? undefined : actor.orgId);

/** Route admission: who reaches the sharing pages and routes at all (the service decides per case). */
export const SHARING_READERS = [
  'center_admin',
  'center_reviewer',
  'supervisor',
  'unit_admin',
  'unit_security_officer',
  'unit_user',
] as const;
