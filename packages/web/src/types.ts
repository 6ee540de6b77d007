// Shapes of the API replies the console uses (see /api/openapi.json).
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

export interface Org {
  id: string;
  code: string;
  name: string;
  kind: OrgKind;
  uscc: string | null;
  parentId: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  active: boolean;
  isDemo: boolean;
}
export interface User {
  id: string;
  orgId: string;
  orgName: string | null;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  roles: Role[];
  active: boolean;
  totpEnabled: boolean;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  isDemo: boolean;
  createdAt: string;
}
export interface Me {
  user: User;
  org: Org;
  csrfToken: string;
  mfaState: 'complete' | 'totp_pending' | 'enrol_required';
  expiresAt: string;
}
export interface Credential {
  id: string;
  keyId: string;
  orgId: string;
  orgName: string | null;
  systemName: string;
  description: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  status: 'active' | 'revoked' | 'expired';
}
export interface AuditRecord {
  seq: number;
  occurredAt: string;
  actorUserId: string | null;
  actorName: string | null;
  orgId: string | null;
  credentialId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: 'success' | 'denied' | 'failure';
  clientIp: string | null;
  requestId: string | null;
  diff: unknown;
  hash: string;
}
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
