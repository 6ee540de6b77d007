export {
  writeAudit,
  writeAuditBatch,
  AuditBatcher,
  type GroupWrite,
  diffOf,
  verifyChain,
  listRecords,
  streamRecords,
  type AuditEntry,
  type AuditFilter,
} from './audit.service.ts';
export { auditRoutes } from './audit.routes.ts';
export type { AuditAction } from './audit.words.ts';
export * as auditPolicy from './audit.policy.ts';
