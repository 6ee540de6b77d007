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
export interface PolicySnapshot {
  version: number;
  params: Record<string, number>;
  note: string;
  createdAt: string;
  createdBy: string | null;
}
export interface PolicyDef {
  key: string;
  default: number;
  unit: string;
  min: number;
  max: number;
  clause: string;
  zh: string;
  en: string;
}
export interface DayInfo {
  date: string;
  working: boolean;
  reason: 'weekday' | 'weekend' | 'holiday' | 'makeup_workday' | 'override';
  name: string | null;
}
