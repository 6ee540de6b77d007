export { ApplicationService } from './application/application.service.ts';
export { GrantService } from './grant/grant.service.ts';
export { ShareServer } from './serve/share.service.ts';
export { sharingRoutes, shareRoutes } from './sharing.routes.ts';
export { sharingLabels } from './sharing.labels.ts';
export { parseFilter, FilterError } from './filter/filter.parse.ts';
export { COMMITMENTS, currentCommitment } from './sharing.commitment.ts';
export * as sharingPolicy from './sharing.policy.ts';
export { registerSharingJobs, SHARING_JOBS } from './sharing.jobs.ts';
