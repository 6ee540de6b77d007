// Shapes of the ingest API's replies, from the generated OpenAPI types (api.gen.ts; tag "ingest").
import type { Reply } from '../../api.types.ts';

export type DataInfo = Reply<'/api/ingest/resources/{ref}'>;
export type OverviewRow = Reply<'/api/ingest/resources'>[number];
export type Freshness = OverviewRow['freshness'];
export type Batch = Reply<'/api/ingest/batches/{id}'>;
export type BrowsePage = Reply<'/api/ingest/resources/{ref}/rows'>;
export type PullSource = Reply<'/api/ingest/pull-sources/{id}', 'patch'>;
export type PullRun = Reply<'/api/ingest/pull-sources/{id}/run', 'post'>;
export type Conflicts = Reply<'/api/ingest/conflicts'>;
export type Msg = Batch['warnings'][number];
