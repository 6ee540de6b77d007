// A rejected row names both where it is in the file (row_no: the file's line, the worksheet's row, the entry of a
// JSON array) and which data row it is (data_row: 1 for the first row after the header, blank lines not counted):
// 第 4 条数据（文件第 5 行）. Rows rejected before this migration have no data_row.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`ALTER TABLE ingest_rejected ADD COLUMN data_row integer`]);
}
