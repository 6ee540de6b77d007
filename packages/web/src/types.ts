// Shapes of the API replies the console uses, named for the pages: all taken from the generated OpenAPI types.
import type { Reply } from './api.types.ts';
export { OrgKind, Role } from './api.enums.gen.ts';

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
