// The ingest API's request schemas (TypeBox): what a route accepts is declared here, once.
import { Type } from 'typebox';
import { Nullable, Obj, OneOf, Uuid } from '../../platform/http.ts';

export { Uuid };

/** A resource by id or by its catalog code (what an integrating system knows). */
export const Ref = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern:
    '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9A-Za-z]{1,20}/[0-9]{1,12})$',
  description: 'resource id, or its catalog code (URL-encode the slash: 301001%2F000001)',
});
export const RefParams = Obj({ ref: Ref });
export const IdParams = Obj({ id: Uuid });

export const BATCH_OUTCOMES = [
  'running',
  'all_accepted',
  'partly_accepted',
  'none_accepted',
  'empty',
  'failed',
] as const;
export type BatchOutcomeWord = (typeof BATCH_OUTCOMES)[number];
export const FRESHNESS = ['fresh', 'due', 'overdue', 'never', 'irregular', 'no_table'] as const;
export type Freshness = (typeof FRESHNESS)[number];
export const FreshnessSchema = OneOf(FRESHNESS, {
  title: 'Freshness',
  description: 'fresh; due (within the grace, in working days); overdue; never loaded; irregular cycle; no table',
});

export const Mode = Type.Union([Type.Literal('upsert'), Type.Literal('append'), Type.Literal('replace')]);

export const OverviewQuery = Obj({
  orgId: Type.Optional(Uuid),
  freshness: Type.Optional(FreshnessSchema),
});

export const PushQuery = Obj({ mode: Type.Optional(Mode) });
export const PushHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' })),
});

export const UploadQuery = Obj({
  mode: Type.Optional(Mode),
  fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  format: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('csv'), Type.Literal('xlsx')])),
  encoding: Type.Optional(
    Type.Union([Type.Literal('auto'), Type.Literal('utf-8'), Type.Literal('gb18030'), Type.Literal('gbk')]),
  ),
  delimiter: Type.Optional(
    Type.Union([
      Type.Literal('auto'),
      Type.Literal('comma'),
      Type.Literal('tab'),
      Type.Literal('semicolon'),
      Type.Literal('pipe'),
    ]),
  ),
});

export const BatchPageQuery = Obj({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});

const FilterRe = '^[a-z][a-z0-9_]{0,62}:(eq|contains|gt|lt):.{0,200}$';
export const BrowseQuery = Obj({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  sort: Type.Optional(Type.String({ maxLength: 63, pattern: '^[a-z][a-z0-9_]*$' })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  filter: Type.Optional(Type.Array(Type.String({ maxLength: 270, pattern: FilterRe }), { maxItems: 5 })),
  raw: Type.Optional(Type.Boolean()),
});

/** `item:op:value` (the value may itself hold colons). */
export function parseFilters(filter: string[] | undefined) {
  return (filter ?? []).map((f) => {
    const [code, op, ...rest] = f.split(':');
    return { code: code!, op: op as 'eq' | 'contains' | 'gt' | 'lt', value: rest.join(':') };
  });
}

export const MaskingPreviewQuery = Obj({
  profileId: Type.Optional(Type.String({ maxLength: 40, pattern: '^(default|[0-9a-fA-F-]{36})$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
});

export const ConflictsQuery = Obj({
  resourceId: Type.Optional(Uuid),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});

const Settings = Type.Record(
  Type.String({ maxLength: 40, pattern: '^[A-Za-z]+$' }),
  Type.Union([Type.String({ maxLength: 10000 }), Type.Integer()]),
  {
    description:
      'postgres/mysql: host, port, database, user, query, incrementalColumn; http: url, itemsPath, pageParam, pageSizeParam, pageSize, firstPage, sinceParam, incrementalColumn, authHeader',
  },
);
const Interval = Type.Union([Type.Integer({ minimum: 5, maximum: 525600 }), Type.Null()]);
export const PullCreate = Obj({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Type.Union([Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('http')]),
  settings: Settings,
  secret: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1000,
      description: "database password, or the value of the API's auth header; stored sealed with SM4, never returned",
    }),
  ),
  mode: Type.Optional(Mode),
  intervalMinutes: Type.Optional(Interval),
  active: Type.Optional(Type.Boolean()),
});
export const PullPatch = Obj({
  settings: Type.Optional(Settings),
  secret: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1000 }), Type.Null()])),
  mode: Type.Optional(Mode),
  intervalMinutes: Type.Optional(Interval),
  active: Type.Optional(Type.Boolean()),
});

// ---------------------------------------------------------------- responses: what a client really receives
/** A message in both languages. */
export const Msg = Type.Object({ zh: Type.String(), en: Type.String() });
const Time = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
const FreshnessFields = {
  freshness: FreshnessSchema,
  dueDate: Nullable(Type.String({ format: 'date', description: 'the next load is due (Asia/Shanghai date)' })),
};

export const OverviewRow = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  orgId: Uuid,
  orgName: Type.String(),
  updateCycle: Type.String(),
  format: Type.String(),
  table: Nullable(Type.String({ description: 'data.<table>' })),
  rowCount: Nullable(Type.Integer()),
  lastLoadAt: Nullable(Time),
  ...FreshnessFields,
});

export const OverdueByUnit = Type.Object({
  orgId: Uuid,
  orgName: Type.String(),
  overdue: Type.Integer(),
  never: Type.Integer(),
  due: Type.Integer(),
  total: Type.Integer(),
});

const Item = Type.Object({
  code: Type.String(),
  name: Type.String(),
  dataType: Type.String(),
  length: Nullable(Type.Integer()),
  precision: Nullable(Type.Integer()),
  required: Type.Boolean(),
  primaryKey: Type.Boolean(),
  piiKind: Nullable(Type.String()),
  valueSet: Type.Array(Type.String()),
});

export const DataResource = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  orgId: Uuid,
  version: Type.Integer(),
  updateCycle: Type.String(),
  tabular: Type.Boolean(),
  table: Nullable(Type.String()),
  tableVersion: Nullable(Type.Integer()),
  archivedTables: Type.Array(Type.String()),
  rowCount: Nullable(Type.Integer()),
  lastLoadAt: Nullable(Time),
  keyColumns: Type.Array(Type.String()),
  items: Type.Array(Item),
  mayLoad: Type.Boolean({ description: 'the caller may push, upload or run a pull' }),
  mayManagePulls: Type.Boolean({ description: "the caller may add, change and run the resource's pulls" }),
  rawAllowed: Type.Boolean({ description: 'the caller may browse the data unmasked' }),
  ...FreshnessFields,
});

const RowError = Type.Object({ field: Type.String(), zh: Type.String(), en: Type.String() });

export const Batch = Type.Object({
  id: Uuid,
  resourceId: Uuid,
  version: Type.Integer(),
  source: Type.Union([Type.Literal('push'), Type.Literal('upload'), Type.Literal('cli'), Type.Literal('pull')]),
  mode: Mode,
  status: OneOf(['running', 'succeeded', 'failed'], {
    title: 'BatchStatus',
    description: 'whether the batch ran to its end (succeeded) or changed nothing (failed); see outcome for its rows',
  }),
  outcome: OneOf(BATCH_OUTCOMES, {
    title: 'BatchOutcome',
    description:
      'all_accepted; partly_accepted (some rows rejected); none_accepted (every row rejected); empty (no rows); failed (nothing changed); running',
  }),
  phase: Nullable(Type.String({ description: 'receiving, loading, applying, done' })),
  fileName: Nullable(Type.String()),
  fileFormat: Nullable(Type.String()),
  encoding: Nullable(Type.String()),
  header: Type.Unknown({ description: 'the header as read (at most 1,000 cells of 200 characters), or null' }),
  actorName: Nullable(Type.String()),
  pullSourceId: Nullable(Uuid),
  idempotencyKey: Nullable(Type.String()),
  checksum: Nullable(Type.String({ description: 'SM3 of the body' })),
  bytes: Type.Integer(),
  totalBytes: Nullable(Type.Integer()),
  received: Type.Integer(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  warnings: Type.Array(Msg),
  error: Nullable(Msg),
  startedAt: Time,
  finishedAt: Nullable(Time),
});

export const BatchReport = Type.Object({
  ...Batch.properties,
  rejectedSample: Type.Array(
    Type.Object({
      rowNo: Type.Integer({
        description: "where the row is: the file's line (CSV, NDJSON), the worksheet's row (XLSX), the entry (JSON)",
      }),
      dataRow: Type.Union([Type.Integer(), Type.Null()], {
        description: 'which data row it is: 1 for the first row after the header (blank lines not counted)',
      }),
      where: Type.Object(
        { zh: Type.String(), en: Type.String() },
        { description: 'both in words: 第 4 条数据（文件第 5 行）' },
      ),
      raw: Type.Unknown({ description: 'the values as sent (null for a caller outside the owner unit)' }),
      errors: Type.Array(RowError),
    }),
    { description: 'the first 20 rejected rows' },
  ),
});

export const BatchOutcome = Type.Object({
  replayed: Type.Boolean({ description: 'an earlier batch under the same Idempotency-Key, answered again' }),
  batch: BatchReport,
});

export const BatchPage = Type.Object({ total: Type.Integer(), batches: Type.Array(Batch) });

export const BrowsePage = Type.Object({
  columns: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      dataType: Type.String(),
      primaryKey: Type.Boolean(),
      masked: Type.Boolean(),
      masking: Nullable(
        Type.Object(
          { rule: Type.String(), words: Type.Object({ zh: Type.String(), en: Type.String() }) },
          { description: "the item's masking rule and what it does, in words (null: shown as loaded)" },
        ),
      ),
    }),
  ),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    description: 'values by item code (masked where the column says so), and loaded_at (Asia/Shanghai)',
  }),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  raw: Type.Boolean(),
  rawAllowed: Type.Boolean(),
});

export const PullSource = Type.Object({
  id: Uuid,
  resourceId: Uuid,
  name: Type.String(),
  kind: Type.Union([Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('http')]),
  settings: Type.Record(Type.String(), Type.Unknown()),
  hasSecret: Type.Boolean({ description: 'a secret is stored (sealed; never returned)' }),
  mode: Mode,
  intervalMinutes: Nullable(Type.Integer()),
  active: Type.Boolean(),
  cursor: Nullable(Type.String({ description: 'the largest incremental value loaded so far' })),
  nextRunAt: Nullable(Time),
  lastRunAt: Nullable(Time),
  lastStatus: Nullable(Type.String()),
  lastError: Nullable(Msg),
  failures: Type.Integer({ description: 'runs failed in a row (the back-off grows with them)' }),
});

export const PullRun = Type.Object({
  source: PullSource,
  batch: Nullable(BatchReport),
  error: Nullable(Msg),
});

export const CheckSummary = Type.Object({
  runId: Uuid,
  pairs: Type.Array(
    Type.Object({
      holder: Uuid,
      source: Uuid,
      compared: Type.Array(Type.String()),
      conflicts: Type.Integer(),
      skipped: Type.Optional(Type.String()),
    }),
  ),
  conflicts: Type.Integer(),
});

export const Conflicts = Type.Object({
  run: Nullable(
    Type.Object({
      id: Uuid,
      startedAt: Time,
      finishedAt: Nullable(Time),
      pairs: Type.Integer(),
      conflicts: Type.Integer(),
      actorName: Nullable(Type.String()),
    }),
  ),
  byResource: Type.Array(
    Type.Object({
      resourceId: Uuid,
      code: Type.String(),
      name: Type.String(),
      orgName: Type.String(),
      itemCode: Type.String(),
      sourceName: Type.String(),
      sourceOrgName: Type.String(),
      sourceItemCode: Type.String(),
      conflicts: Type.Integer(),
    }),
  ),
  conflicts: Type.Array(
    Type.Object({
      id: Type.Integer(),
      resourceId: Uuid,
      name: Type.String(),
      orgName: Type.String(),
      itemCode: Type.String(),
      keyValue: Type.String(),
      value: Nullable(Type.String()),
      sourceValue: Nullable(Type.String()),
      sourceName: Type.String(),
      sourceItemCode: Type.String(),
    }),
  ),
  total: Type.Integer(),
});

export const MaskingPreview = Type.Object({
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      piiKind: Nullable(Type.String()),
      rule: Type.Unknown({ description: 'the rule in force for the item, or null' }),
    }),
  ),
  before: Type.Boolean({ description: 'the values before masking are included' }),
  rows: Type.Array(
    Type.Record(Type.String(), Type.Object({ before: Type.Optional(Type.Unknown()), after: Type.Unknown() })),
  ),
});
