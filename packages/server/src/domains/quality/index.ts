export { RuleService, type RunResult } from './rule/rule.service.ts';
export { TicketService } from './ticket/ticket.service.ts';
export { qualityRoutes } from './quality.routes.ts';
export { qualityLabels } from './quality.labels.ts';
export { registerQualityJobs, QUALITY_JOBS } from './quality.jobs.ts';
export * as qualityPolicy from './quality.policy.ts';
