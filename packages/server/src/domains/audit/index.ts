export {
  writeAudit,
  diffOf,
  verifyChain,
  listRecords,
  streamRecords,
  type AuditEntry,
  type AuditFilter,
} from './audit.service.ts';
export { auditRoutes } from './audit.routes.ts';
export * as auditPolicy from './audit.policy.ts';
