// What each user may be offered in the console, from the domains' own policies (platform/abilities.ts names them).
// The pages follow the routes each page reads; the actions follow the checks the services make.
import type { AbilitySet, Ability, Page } from './platform/abilities.ts';
import { CENTER_ROLES, hasRole, isCenter, UNIT_ROLES, type Actor } from './platform/context.ts';
import { authPolicy } from './domains/auth/index.ts';
import { auditPolicy } from './domains/audit/index.ts';
import { calendarPolicy } from './domains/calendar/index.ts';
import { catalogPolicy } from './domains/catalog/index.ts';
import { ingestPolicy } from './domains/ingest/index.ts';
import { maskingPolicy } from './domains/masking/index.ts';
import { sharingPolicy } from './domains/sharing/index.ts';
import { qualityPolicy } from './domains/quality/index.ts';
import { JOB_VIEWERS } from './platform/jobs.routes.ts';

export function abilitiesOf(actor: Actor): AbilitySet {
  const own = actor.orgId;
  const pages: Record<Page, boolean> = {
    home: true,
    catalog: true,
    mycatalog: true,
    // the queue is read by those who review (supervisors read the district catalog, not the queue)
    review: catalogPolicy.can(actor, 'catalog.review'),
    lists: true,
    plans: true,
    // information systems: the Center and the units (the cyberspace office keeps none)
    catalogSettings: hasRole(actor, ...CENTER_ROLES, ...UNIT_ROLES),
    ingest: hasRole(actor, ...ingestPolicy.BROWSE_ROLES),
    sharing: hasRole(actor, ...sharingPolicy.SHARING_READERS),
    quality: hasRole(actor, ...qualityPolicy.QUALITY_READERS),
    orgs: authPolicy.can(actor, 'org.list'),
    users: authPolicy.can(actor, 'user.list', own),
    credentials: authPolicy.can(actor, 'credential.list', own),
    audit: auditPolicy.can(actor, 'audit.read'),
    calendar: true,
    policy: true,
    jobs: hasRole(actor, ...JOB_VIEWERS),
    account: true,
  };
  const can: Record<Ability, boolean> = {
    'catalog.compile': catalogPolicy.can(actor, 'catalog.compile', own),
    'catalog.review': catalogPolicy.can(actor, 'catalog.review'),
    'catalog.configure': catalogPolicy.can(actor, 'catalog.configure'),
    'units.all': isCenter(actor),
    'org.create': authPolicy.can(actor, 'org.create'),
    'org.update_own_contact': authPolicy.can(actor, 'org.update_contact', own),
    'user.manage': authPolicy.can(actor, 'user.create', own),
    'user.reset_totp': authPolicy.can(actor, 'user.reset_totp'),
    'user.grant_center_roles': authPolicy.mayGrantRoles(actor, CENTER_ROLES),
    'credential.manage': authPolicy.can(actor, 'credential.create', own),
    'credential.other_units': authPolicy.mayActForOtherUnits(actor),
    'calendar.edit': calendarPolicy.can(actor, 'calendar.override'),
    'policy.edit': calendarPolicy.can(actor, 'policy.update'),
    'audit.verify': auditPolicy.can(actor, 'audit.verify'),
    'masking.approve': maskingPolicy.can(actor, 'masking.approve'),
    'ingest.one_source.check': ingestPolicy.can(actor, 'ingest.one_source.check'),
    'sharing.apply': sharingPolicy.can(actor, 'application.apply'),
    'sharing.center': sharingPolicy.can(actor, 'application.center'),
    'sharing.trace': sharingPolicy.can(actor, 'share.trace'),
    'quality.rules': qualityPolicy.can(actor, 'rule.manage', { ownerOrgId: own }),
    'quality.report': actor.kind === 'user' && qualityPolicy.can(actor, 'ticket.report'),
    'quality.center': qualityPolicy.can(actor, 'ticket.center'),
    'totp.optional': !authPolicy.totpRequired(actor.roles),
  };
  return { pages, can };
}
