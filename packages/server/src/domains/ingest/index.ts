export { IngestService, CYCLE_DAYS, type Freshness, type ResourceMeta } from './ingest.service.ts';
export { ingestRoutes } from './ingest.routes.ts';
export { compileItem, parseChineseDateTime, sqlType, type ItemSpec } from './values.ts';
export { ident, dataTable, planMigration, widens } from './data-table.ts';
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
} from './readers.ts';
export { REJECT_REASON_HEADER } from './pipeline.ts';
export { PullService, CYCLE_INTERVAL_MINUTES } from './pull.ts';
export { OneSourceService } from './one-source.ts';
export { registerIngestJobs, INGEST_JOBS } from './ingest.jobs.ts';
