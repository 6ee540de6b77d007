// What a batch is while it runs through the pipeline, and what it ends with.
import type { BulkSession, CopyIn, Db } from '../../../db/database.ts';
import type { BatchMode, DataColumn } from '../../../db/schema.ts';
import type { RequestContext } from '../../../platform/context.ts';
import type { ItemSpec, Problem } from '../check/check.values.ts';
import type { RowPlace } from '../check/check.row-errors.ts';

export interface BatchContext {
  db: Db;
  copyIn: CopyIn;
  /** PostgreSQL: a dedicated connection, so the whole batch streams through one COPY inside one transaction. */
  bulkSession?: (() => Promise<BulkSession>) | undefined;
  ctx: RequestContext;
  batchId: string;
  resourceId: string;
  orgId: string;
  version: number;
  table: string;
  columns: DataColumn[];
  items: ItemSpec[];
  mode: BatchMode;
  /** the uploaded file's name, if any (the audit record names it) */
  fileName?: string | null | undefined;
  /** how the batch says where a row is (the file's line, the worksheet's row, the entry) */
  place: RowPlace;
  /** CSV: a row with more or fewer cells than the header is ragged; XLSX and JSON leave out empty cells. */
  strictWidth: boolean;
  /** An incremental pull that finds nothing new is a normal, empty batch; a file or push without rows is an error. */
  allowEmpty?: boolean;
  onProgress?: (p: { received: number; accepted: number; rejected: number; bytes: number }) => void;
}

export interface BatchOutcome {
  received: number;
  accepted: number;
  rejected: number;
  rowCount: number;
  warnings: Problem[];
}
