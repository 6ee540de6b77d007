// What each role sees in the console. The server decides for real (domain policies); this only hides
// what a role cannot use, and mirrors the route declarations in the server.
import type { Role } from './types.ts';

export type Page =
  | 'home'
  | 'catalog'
  | 'mycatalog'
  | 'review'
  | 'lists'
  | 'plans'
  | 'catalogSettings'
  | 'ingest'
  | 'orgs'
  | 'users'
  | 'credentials'
  | 'audit'
  | 'calendar'
  | 'policy'
  | 'jobs'
  | 'account';

const PAGE_ROLES: Record<Page, Role[] | 'all'> = {
  home: 'all',
  catalog: 'all',
  mycatalog: 'all',
  review: ['center_admin', 'center_reviewer', 'supervisor'],
  lists: 'all',
  plans: 'all',
  ingest: ['center_admin', 'center_reviewer', 'supervisor', 'unit_admin', 'unit_security_officer', 'unit_user'],
  catalogSettings: [
    'center_admin',
    'supervisor',
    'unit_admin',
    'unit_security_officer',
    'unit_user',
    'center_reviewer',
  ],
  orgs: 'all',
  users: ['center_admin', 'supervisor', 'unit_admin'],
  credentials: ['center_admin', 'supervisor', 'unit_admin'],
  audit: ['center_admin', 'supervisor', 'unit_admin', 'unit_security_officer', 'cac_officer'],
  calendar: 'all',
  policy: 'all',
  jobs: ['center_admin'],
  account: 'all',
};

export function canSee(roles: Role[], page: Page): boolean {
  const allowed = PAGE_ROLES[page];
  return allowed === 'all' || roles.some((r) => allowed.includes(r));
}

export type Ability =
  | 'catalog.compile'
  | 'catalog.review'
  | 'org.manage'
  | 'user.manage'
  | 'user.reset_totp'
  | 'credential.manage'
  | 'calendar.edit'
  | 'policy.edit'
  | 'audit.verify';
const ABILITY_ROLES: Record<Ability, Role[]> = {
  'catalog.compile': ['unit_admin', 'center_admin'],
  'catalog.review': ['center_reviewer', 'center_admin'],
  'org.manage': ['center_admin'],
  'user.manage': ['center_admin', 'unit_admin'],
  'user.reset_totp': ['center_admin'],
  'credential.manage': ['center_admin', 'unit_admin'],
  'calendar.edit': ['center_admin'],
  'policy.edit': ['center_admin'],
  'audit.verify': ['center_admin', 'supervisor'],
};
export function can(roles: Role[], a: Ability): boolean {
  return roles.some((r) => ABILITY_ROLES[a].includes(r));
}
