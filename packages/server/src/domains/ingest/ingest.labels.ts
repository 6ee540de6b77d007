// What records that name ingest's objects show of them (platform/labels.ts): a batch by its file (or its way in)
// and the day it started, a pull source by its name; both link to their resource's data tab.
import type { Db } from '../../db/database.ts';
import type { LabelLookup, ObjectLabel } from '../../platform/labels.ts';
import { todayInShanghai } from '../calendar/index.ts';
import * as repo from './ingest.repository.ts';
import * as pulls from './pull/pull.repository.ts';

const SOURCE_WORDS: Record<string, string> = {
  push: '接口推送',
  upload: '文件上传',
  cli: '命令行导入',
  pull: '定时抽取',
};

export function ingestLabels(db: Db): Record<'ingest_batch' | 'pull_source', LabelLookup> {
  const map = <T extends { id: string }>(rows: T[], f: (r: T) => ObjectLabel) => new Map(rows.map((r) => [r.id, f(r)]));
  return {
    ingest_batch: async (ids) =>
      map(await repo.batchNames(db, ids), (b) => ({
        name: b.file_name ?? `${SOURCE_WORDS[b.source] ?? b.source} ${todayInShanghai(b.started_at)}`,
        code: b.id.slice(0, 8),
        link: `/catalog/${b.resource_id}?tab=data`,
      })),
    pull_source: async (ids) =>
      map(await pulls.sourceNames(db, ids), (s) => ({
        name: s.name,
        code: null,
        link: `/catalog/${s.resource_id}?tab=data`,
      })),
  };
}
