export { CatalogService, diffVersions, type PresentedVersion } from './catalog.service.ts';
export { catalogRoutes } from './catalog.routes.ts';
export { CODE_TABLES, codeWords } from './catalog.codes.ts';
export { indexKeys, queryKeys, normaliseText } from './catalog.search-text.ts';
export { RESERVED_ITEM_CODES, ITEM_CODE_RE } from './catalog.validation.ts';
export type { ResourceInput, ItemInput } from './catalog.schemas.ts';
export { ListsService } from './lists.service.ts';
export { listsRoutes } from './lists.routes.ts';
export {
  findPublished,
  findResourceOwner,
  itemChecksByVersion,
  listPublished,
  listSourceReferences,
  resourceIdsOfOrg,
  resourceLabels,
  type PublishedItem,
  type PublishedResource,
  type PublishedSummary,
} from './catalog.published.repository.ts';
export * as catalogPolicy from './catalog.policy.ts';
export { catalogLabels } from './catalog.labels.ts';
export { findSystem as findInfoSystem } from './catalog.repository.ts';
export { findDemand } from './lists.repository.ts';
