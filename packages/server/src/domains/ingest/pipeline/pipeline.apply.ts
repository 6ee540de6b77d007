// The last step of a batch, inside its one transaction: refuse the staged rows the in-process checks could not
// (keys past the key set's limit, appended keys already loaded), write the rest to the data table, record the
// outcome and audit it. Nothing of the batch is visible before this transaction commits.
import type { DbOrTrx } from '../../../db/database.ts';
import { writeAudit } from '../../audit/index.ts';
import * as registry from '../ingest.repository.ts';
import { batchOutcome } from '../ingest.outcome.ts';
import { FileError } from '../check/check.row-errors.ts';
import type { Problem } from '../check/check.values.ts';
import { countRows } from '../table/table.repository.ts';
import * as repo from './pipeline.repository.ts';
import type { BatchContext, BatchOutcome } from './pipeline.types.ts';

export interface Counts {
  received: number;
  accepted: number;
  rejected: number;
  warnings: Problem[];
  /** bytes read from the file or body */
  bytes?: number;
}

export interface ApplyOptions {
  /** The staging table, quoted; null when the rows went straight into the data table. */
  staging: string | null;
  header: string[];
  index: number[];
  /** A replacement deletes the loaded rows here (PGlite); the PostgreSQL stream did so before copying. */
  deleteOnReplace: boolean;
  /** Rows past the key set's limit are staged unchecked; `againstTable`: the table holds this batch's earlier rows. */
  unchecked: { againstTable: boolean } | null;
}

const REPEATS_EARLIER = { zh: '主键与本批次前面的一行重复', en: 'the key repeats an earlier row of this batch' };
const ALREADY_LOADED = {
  zh: '主键已存在（追加模式不覆盖已有数据，如需更新请用更新模式）',
  en: 'the key is already loaded (append never overwrites; use upsert to update)',
};

/** The batch's registry row must still name the table and version it was checked against. */
export async function lockTable(db: DbOrTrx, batch: BatchContext) {
  const dt = await repo.lockDataTable(db, batch.resourceId);
  if (!dt || dt.table_name !== batch.table || dt.version !== batch.version)
    throw new FileError({
      zh: '资源目录在本批次处理期间发布了新版本，请重新提交',
      en: 'A new catalog version was approved while this batch ran; submit it again',
    });
  return dt;
}

/**
 * Refusals the database makes on staged rows. Past the key set's limit it finds what the in-process check would
 * have: a key repeating an earlier row of this batch refuses the later row. Appending a key already loaded is
 * refused row by row (upsert replaces it instead). Returns how many rows were refused.
 */
async function refuseStaged(trx: DbOrTrx, batch: BatchContext, options: ApplyOptions): Promise<number> {
  const keyCode = batch.columns.find((c) => c.key)?.code;
  if (!options.staging || !keyCode) return 0;
  const staged: repo.Staged = { ...batch, staging: options.staging, header: options.header, index: options.index };
  let refused = 0;
  if (options.unchecked) {
    if (options.unchecked.againstTable)
      refused += await repo.rejectStagedKeysInTable(trx, staged, [{ field: keyCode, ...REPEATS_EARLIER }]);
    refused += await repo.rejectStagedRepeats(trx, staged);
  }
  if (batch.mode === 'append')
    refused += await repo.rejectStagedKeysInTable(trx, staged, [{ field: keyCode, ...ALREADY_LOADED }]);
  return refused;
}

export async function applyBatch(
  trx: DbOrTrx,
  batch: BatchContext,
  counts: Counts,
  options: ApplyOptions,
): Promise<BatchOutcome> {
  const refused = await refuseStaged(trx, batch, options);
  const accepted = counts.accepted - refused;
  const rejected = counts.rejected + refused;
  if (batch.mode === 'replace' && accepted === 0)
    throw new FileError({
      zh: '全量替换的批次没有一行通过校验，已有数据保持不变',
      en: 'No row of this full replacement passed the checks; the loaded data is unchanged',
    });
  if (batch.mode === 'replace' && options.deleteOnReplace) await repo.deleteAllRows(trx, batch);
  if (options.staging && batch.mode === 'upsert')
    await repo.keepOverwrittenRows(trx, {
      ...batch,
      staging: options.staging,
      header: options.header,
      index: options.index,
    });
  if (options.staging)
    await repo.insertStaged(
      trx,
      { ...batch, staging: options.staging, header: options.header, index: options.index },
      batch.mode === 'upsert',
    );

  if (batch.mode === 'replace') await repo.markReturnedRows(trx, batch);
  const rowCount = await countRows(trx, batch.table);
  const at = new Date();
  const warnings = [...counts.warnings];
  await registry.recordLoad(trx, batch.resourceId, { rowCount, at, batchId: batch.batchId });
  await registry.setBatchSucceeded(trx, batch.batchId, { received: counts.received, accepted, rejected, warnings, at });
  await writeAudit(trx, batch.ctx, {
    action: 'ingest.batch.load',
    objectType: 'ingest_batch',
    objectId: batch.batchId,
    orgId: batch.orgId,
    diff: {
      resource: batch.resourceId,
      mode: batch.mode,
      outcome: batchOutcome({ status: 'succeeded', received: counts.received, accepted, rejected }),
      ...(batch.fileName ? { file: batch.fileName } : {}),
      ...(counts.bytes !== undefined ? { bytes: counts.bytes } : {}),
      received: counts.received,
      accepted,
      rejected,
      rowCount,
    },
  });
  return { received: counts.received, accepted, rejected, rowCount, warnings };
}
