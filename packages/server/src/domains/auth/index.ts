export { AuthService, type SessionInfo, type Keys } from './auth.service.ts';
export { authRoutes, SESSION_COOKIE } from './auth.routes.ts';
export { checkUscc, usccCheckChar } from '../../platform/uscc.ts';
export { rolesForOrgKind } from './auth.policy.ts';
export { totpNow } from './totp.ts';
export { hashPassword } from './password.ts';
export { centerOrgs } from './auth.repository.ts';
export * as authPolicy from './auth.policy.ts';
export { authLabels } from './auth.labels.ts';
