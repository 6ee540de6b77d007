// Where a batch's accepted rows go, as COPY text lines, until the batch is applied: a staging table on PGlite,
// one streamed COPY inside one transaction on PostgreSQL.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { BulkSession } from '../../../db/database.ts';
import * as registry from '../ingest.repository.ts';
import { dataTable, ident } from '../table/table.ts';
import { applyBatch, lockTable, type Counts } from './pipeline.apply.ts';
import * as repo from './pipeline.repository.ts';
import type { BatchContext, BatchOutcome } from './pipeline.types.ts';

export interface Sink {
  /** Lines start with the row number (staging tables keep it, for row-by-row refusals when applying). */
  readonly withRowNo: boolean;
  /** Appended to each line (the batch id, when rows go straight into the data table). */
  readonly suffix: string;
  open(): Promise<void>;
  /** `unchecked`: rows past the key set's limit, in staging form; their repeated keys are refused on apply. */
  write(text: string | Buffer, unchecked?: boolean): Promise<void>;
  finish(counts: Counts, header: string[], index: number[]): Promise<BatchOutcome>;
  close(): Promise<void>;
}

const stagingColumnList = (b: BatchContext) => [
  ident('row_no'),
  ident('data_row'),
  ...b.columns.map((c) => ident(c.code)),
];

/**
 * PGlite (one connection in this process): rows are staged chunk by chunk in an unlogged table outside any
 * transaction, so the console stays usable; one short transaction applies them at the end.
 */
export class StagingSink implements Sink {
  readonly withRowNo = true;
  readonly suffix = '';
  private overflow = false;
  constructor(private readonly batch: BatchContext) {}

  async open() {
    await repo.createStaging(this.batch.db, this.batch.batchId, this.batch.columns);
  }

  async write(text: string | Buffer, unchecked = false) {
    if (unchecked) this.overflow = true;
    await this.batch.copyIn(repo.stagingName(this.batch.batchId), stagingColumnList(this.batch), text);
  }

  async finish(counts: Counts, header: string[], index: number[]) {
    const batch = this.batch;
    await registry.setBatchApplying(batch.db, batch.batchId);
    return batch.db.transaction().execute(async (trx) => {
      await lockTable(trx, batch);
      return applyBatch(trx, batch, counts, {
        staging: repo.stagingName(batch.batchId),
        header,
        index,
        deleteOnReplace: true,
        unchecked: this.overflow ? { againstTable: false } : null,
      });
    });
  }

  async close() {
    await repo.dropStaging(this.batch.db, this.batch.batchId).catch(() => {});
  }
}

/**
 * PostgreSQL: one dedicated connection and one transaction for the whole batch. Rows stream through a
 * single COPY while the file is still being read: straight into the data table when nothing can clash
 * (a replacement, an empty table, a table without a key), else into a temporary table applied at the end.
 * A killed process drops the connection and PostgreSQL rolls the whole batch back.
 */
export class StreamSink implements Sink {
  withRowNo = false;
  suffix = '';
  /** Rows go straight into the data table (else into the temporary staging table). */
  private direct = false;
  /** Rows past the key set's limit were written: the database refuses their repeated keys on apply. */
  private overflow = false;
  private stream: Writable | null = null;
  private error: Error | null = null;
  private committed = false;
  constructor(
    private readonly batch: BatchContext,
    private readonly session: BulkSession,
  ) {}

  async open() {
    const batch = this.batch;
    const db = this.session.db;
    await repo.begin(db);
    await lockTable(db, batch);
    const keyed = batch.columns.some((c) => c.key);
    if (batch.mode === 'replace') await repo.deleteAllRows(db, batch);
    const empty = batch.mode === 'replace' || (await repo.isEmpty(db, batch.table));
    this.direct = empty || (batch.mode === 'append' && !keyed);
    if (this.direct) {
      this.suffix = `\t${batch.batchId}`;
      const columns = [...batch.columns.map((c) => ident(c.code)), ident('batch_id')];
      this.copyInto(`${dataTable(batch.table)} (${columns.join(', ')})`);
    } else {
      this.withRowNo = true;
      await this.copyIntoStaging();
    }
  }

  private copyInto(target: string) {
    this.stream = this.session.copyStream(`COPY ${target} FROM STDIN`);
    this.stream.on('error', (e: Error) => (this.error ??= e));
  }

  /** A temporary staging table for this batch's transaction, and a COPY into it. */
  private async copyIntoStaging() {
    await repo.createTempStaging(this.session.db, this.batch.batchId, this.batch.columns);
    this.copyInto(`${repo.tempStagingName(this.batch.batchId)} (${stagingColumnList(this.batch).join(', ')})`);
  }

  async write(text: string | Buffer, unchecked = false) {
    if (unchecked && !this.overflow) {
      this.overflow = true;
      // rows straight into the table so far: end that COPY, the rest goes to a staging table
      if (this.direct) {
        await this.endCopy();
        await this.copyIntoStaging();
      }
    }
    if (this.error) throw this.error;
    const stream = this.stream!;
    if (!stream.write(text))
      // wait for the drain, and take both listeners off whichever comes first (they would pile up)
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('error', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('error', done);
      });
    if (this.error) throw this.error;
  }

  private async endCopy() {
    const stream = this.stream!;
    if (this.error) throw this.error;
    const done = Promise.race([
      once(stream, 'finish'),
      once(stream, 'error').then(([e]) => Promise.reject(e as Error)),
    ]);
    stream.end();
    await done;
  }

  async finish(counts: Counts, header: string[], index: number[]) {
    await this.endCopy();
    await registry.setBatchApplying(this.batch.db, this.batch.batchId);
    const staged = !this.direct || this.overflow;
    const outcome = await applyBatch(this.session.db, this.batch, counts, {
      staging: staged ? repo.tempStagingName(this.batch.batchId) : null,
      header,
      index,
      deleteOnReplace: false,
      unchecked: this.overflow ? { againstTable: this.direct } : null,
    });
    await repo.commit(this.session.db);
    this.committed = true;
    return outcome;
  }

  async close() {
    if (!this.committed) {
      this.stream?.destroy();
      await repo.rollback(this.session.db).catch(() => {});
    }
    this.session.release(!this.committed);
  }
}
