// Who may do what in quality governance (§18-21). Rules and scores of a resource are its owner unit's and the
// Center's; the Center defines district rules on any resource, a unit's data admin rules on its own. Problem-data
// tickets (§19) are reported by consumer units (or their systems) and the Center, triaged by the Center, fixed by
// the owner and verified by whoever reported them; a report that a record infringes a trade secret or personal
// privacy is seen only by the Center, the owner unit and the person who made it.
import { hasRole, isCenter, type Actor, type CallerRole } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import type { TicketCategory, TicketSource } from '../../db/schema.ts';

export type QualityAction =
  | 'rule.read' // rules, runs, scores of a resource: the Center, the owner unit
  | 'rule.manage' // define, change, run: Center admins and reviewers (district rules), the owner's data admin (unit rules)
  | 'rule.district' // define or change a district rule: Center admins and reviewers
  | 'rule.raw_sample' // failing keys unmasked: the owner unit's data admin and security officer
  | 'score.all' // every unit's scores and the ranking: the Center
  | 'ticket.report' // report problem data: a consumer unit's staff or system, the Center
  | 'ticket.read' // see a ticket: the Center, the owner unit, the reporter (privacy: the reporting person only)
  | 'ticket.center' // triage, extension decisions, urgency, the register: Center admins and reviewers
  | 'ticket.owner' // ask for more time, state the fix: the owner unit's data admin and users
  | 'ticket.verify'; // confirm or reopen a fix: the reporter (its unit's staff; the Center for its own and rules')

/** Route admission: who reaches the quality pages and routes at all (the service decides per object). */
export const QUALITY_READERS = [
  'center_admin',
  'center_reviewer',
  'supervisor',
  'unit_admin',
  'unit_security_officer',
  'unit_user',
] as const satisfies CallerRole[];
export const RULE_MANAGERS = ['center_admin', 'center_reviewer', 'unit_admin'] as const satisfies CallerRole[];
export const REPORTERS = [
  'center_admin',
  'center_reviewer',
  'unit_admin',
  'unit_user',
  'system',
] as const satisfies CallerRole[];
export const CENTER_DECIDERS = ['center_admin', 'center_reviewer'] as const satisfies CallerRole[];

/** A ticket as the policy needs it. */
export interface TicketParties {
  ownerOrgId: string;
  reporterOrgId: string | null;
  reporterUserId: string | null;
  category: TicketCategory;
  source: TicketSource;
}

/** Reports that name a third party's rights are kept to the Center, the owner and the person who made them (§19). */
export const PRIVATE_CATEGORIES: readonly TicketCategory[] = ['privacy', 'trade_secret'];
export const isPrivate = (c: TicketCategory) => PRIVATE_CATEGORIES.includes(c);

const reporterSide = (a: Actor, t: TicketParties) =>
  isPrivate(t.category)
    ? a.kind === 'user' && a.userId === t.reporterUserId
    : a.orgId === t.reporterOrgId && a.kind === 'user';

export function can(actor: Actor | null, action: QualityAction, p?: { ownerOrgId?: string; ticket?: TicketParties }) {
  if (!actor) return false;
  const own = !!p?.ownerOrgId && actor.orgId === p.ownerOrgId;
  switch (action) {
    case 'rule.read':
      return actor.kind === 'user' && (isCenter(actor) || (own && !hasRole(actor, 'cac_officer')));
    case 'rule.manage':
      return hasRole(actor, 'center_admin', 'center_reviewer') || (own && hasRole(actor, 'unit_admin'));
    case 'rule.district':
      return hasRole(actor, 'center_admin', 'center_reviewer');
    case 'rule.raw_sample':
      return own && hasRole(actor, 'unit_admin', 'unit_security_officer');
    case 'score.all':
      return actor.kind === 'user' && isCenter(actor);
    case 'ticket.report':
      return hasRole(actor, 'center_admin', 'center_reviewer', 'unit_admin', 'unit_user', 'system');
    case 'ticket.read': {
      const t = p?.ticket;
      if (!t || actor.kind !== 'user') return false;
      if (isCenter(actor)) return true;
      if (actor.orgId === t.ownerOrgId) return hasRole(actor, 'unit_admin', 'unit_security_officer', 'unit_user');
      return reporterSide(actor, t);
    }
    case 'ticket.center':
      return hasRole(actor, 'center_admin', 'center_reviewer');
    case 'ticket.owner':
      return !!p?.ticket && actor.orgId === p.ticket.ownerOrgId && hasRole(actor, 'unit_admin', 'unit_user');
    case 'ticket.verify': {
      const t = p?.ticket;
      if (!t) return false;
      // the Center verifies what it and the rules reported, and may stand in for a reporter
      if (hasRole(actor, 'center_admin', 'center_reviewer')) return true;
      if (t.source === 'center' || t.source === 'rule') return false;
      return reporterSide(actor, t) && hasRole(actor, 'unit_admin', 'unit_user');
    }
  }
}

/** Refuses with 403 (audited by the error handler) unless the actor may. */
export function authorize(actor: Actor | null, action: QualityAction, p?: Parameters<typeof can>[2]) {
  if (!actor) throw errors.unauthenticated();
  if (!can(actor, action, p)) throw errors.forbidden(action);
}

/** Whose tickets and rules a list shows: all for the Center, else the caller's unit. */
export const listScope = (actor: Actor): string | undefined => (isCenter(actor) ? undefined : actor.orgId);
