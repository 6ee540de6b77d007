export { IngestService, CYCLE_DAYS, type Freshness, type ResourceMeta } from './ingest.service.ts';
export { BrowseService } from './browse/browse.service.ts';
export { ingestRoutes } from './ingest.routes.ts';
export { compileItem, parseChineseDateTime, sqlType, type ItemSpec } from './check/check.values.ts';
export { ident, dataTable, planMigration, widens } from './table/table.ts';
export {
  openCsv,
  openXlsx,
  openNdjson,
  openObjects,
  sniffEncoding,
  sniffDelimiter,
  FileError,
  DELIMITERS,
  type Encoding,
} from './read/read.sources.ts';
export { REJECT_REASON_HEADER } from './pipeline/pipeline.ts';
export { PullService, CYCLE_INTERVAL_MINUTES } from './pull/pull.service.ts';
export { OneSourceService } from './one-source/one-source.service.ts';
export { registerIngestJobs, INGEST_JOBS } from './ingest.jobs.ts';
export * as ingestPolicy from './ingest.policy.ts';
export { ingestLabels } from './ingest.labels.ts';
export { DataServer } from './serve/serve.service.ts';
export type { CopySql } from './serve/serve.repository.ts';
export {
  itemsOf,
  type Condition,
  type PageEnd,
  type PageSpec,
  type Change,
  type ChangeEnd,
  type ServedRow,
  type ServedColumn,
} from './serve/serve.types.ts';
