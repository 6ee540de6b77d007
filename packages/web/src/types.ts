// Shapes of the API replies the console uses (see /api/openapi.json).
import type { Reply } from './api.types.ts';
export type Role =
  | 'center_admin'
  | 'center_reviewer'
  | 'supervisor'
  | 'unit_admin'
  | 'unit_security_officer'
  | 'unit_user'
  | 'cac_officer';
export const ROLES: Role[] = [
  'center_admin',
  'center_reviewer',
  'supervisor',
  'unit_admin',
  'unit_security_officer',
  'unit_user',
  'cac_officer',
];
export type OrgKind = 'center' | 'cac' | 'town_street' | 'bureau' | 'institution' | 'vertical';
export const ORG_KINDS: OrgKind[] = ['center', 'cac', 'town_street', 'bureau', 'institution', 'vertical'];

export type Org = Reply<'/api/orgs'>[number];
export type User = Reply<'/api/users'>[number];
/** The session: user, organisation, CSRF token, and what the console may offer (generated from the API). */
export type Me = Reply<'/api/auth/session'>;
export type Page = keyof Me['abilities']['pages'];
export type Ability = keyof Me['abilities']['can'];
export type Credential = Reply<'/api/credentials'>[number];
export type AuditRecord = Reply<'/api/audit'>['items'][number];
export type PolicySnapshot = Reply<'/api/policy'>['current'];
export type PolicyDef = Reply<'/api/policy'>['definitions'][number];
export type DayInfo = Reply<'/api/calendar/years/{year}'>['days'][number];
