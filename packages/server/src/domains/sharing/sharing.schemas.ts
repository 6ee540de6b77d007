// The sharing API's schemas (TypeBox): applications, grants and the data services.
import { Type } from 'typebox';
import { SHARE_METHODS, SHARE_PATHS, SHARE_STATUSES } from '../../db/schema.ts';
import { DateTime, Nullable, Obj, OneOf, Uuid } from '../../platform/http.ts';

const Words = Type.Object({ zh: Type.String(), en: Type.String() });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description: 'YYYY-MM-DD' });
const ItemCode = Type.String({ minLength: 1, maxLength: 63 });

export const ShareStatus = OneOf(SHARE_STATUSES, { title: 'ShareStatus' });
export const SharePath = OneOf(SHARE_PATHS, { title: 'SharePath' });
export const ShareMethod = OneOf(SHARE_METHODS, { title: 'ShareMethod' });
export const GrantState = OneOf(['active', 'suspended', 'revoked', 'expired', 'not_yet'], { title: 'GrantState' });

export const IdParams = Obj({ id: Uuid });
export const AttachmentParams = Obj({ id: Uuid, attachmentId: Uuid });

export const DraftQuery = Obj({
  resource: Type.String({ minLength: 1, maxLength: 60, description: 'resource id, or its catalog code' }),
});
export const Draft = Type.Object({
  resource: Type.Object({
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    orgId: Type.String(),
    shareType: OneOf(['unconditional', 'conditional', 'none']),
    shareCondition: Nullable(Type.String()),
    shareBasis: Nullable(Type.String()),
    shareMethods: Type.Array(Type.String()),
  }),
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      dataType: Type.String(),
      shareType: OneOf(['unconditional', 'conditional', 'none']),
      shareBasis: Nullable(Type.String()),
      sensitivity: Type.String(),
    }),
  ),
  systems: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  commitment: Type.Object({ version: Type.Integer(), zh: Type.String(), en: Type.String() }),
  ownResource: Type.Boolean(),
});

const applicationFields = {
  items: Type.Optional(Type.Array(ItemCode, { maxItems: 500, description: 'item codes (all items when left out)' })),
  purpose: Text(1000),
  businessProcess: Text(4000),
  scenario: Text(4000),
  legalBasis: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  methods: Type.Array(ShareMethod, { minItems: 1, maxItems: 3 }),
  validUntil: Day,
  systemId: Type.Optional(Nullable(Uuid)),
  commitmentVersion: Type.Integer({ minimum: 1, description: 'the usage commitment accepted (its version)' }),
};
export const ApplyBody = Obj({
  resource: Type.String({ minLength: 1, maxLength: 60, description: 'resource id, or its catalog code' }),
  demandId: Type.Optional(Nullable(Uuid)),
  ...applicationFields,
});
export const ResubmitBody = Obj(applicationFields);
export const Applied = Type.Object({ id: Type.String(), no: Type.String(), status: ShareStatus, path: SharePath });

export const ListQuery = Obj({
  side: Type.Optional(OneOf(['consumer', 'owner'])),
  status: Type.Optional(ShareStatus),
  waiting: Type.Optional(Type.Boolean({ description: 'only the cases waiting for the caller' })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

const Due = Nullable(
  Type.Object({
    date: Type.String(),
    state: OneOf(['open', 'due_today', 'overdue']),
    daysLeft: Type.Integer(),
    daysOverdue: Type.Integer(),
  }),
);
const Party = Type.Object({ id: Type.String(), name: Type.String() });
const LegalBasisKind = OneOf(['law', 'regulation', 'rule', 'normative'], { title: 'LegalBasisKind' });

export const ApplicationView = Type.Object({
  id: Type.String(),
  no: Type.String(),
  resource: Type.Object({
    id: Type.String(),
    code: Nullable(Type.String()),
    name: Type.String(),
    version: Type.Integer(),
  }),
  consumer: Party,
  owner: Party,
  items: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
  path: SharePath,
  purpose: Type.String(),
  businessProcess: Type.String(),
  scenario: Type.String(),
  legalBasis: Nullable(Type.String()),
  methods: Type.Array(ShareMethod),
  validUntil: Type.String(),
  systemId: Nullable(Type.String()),
  demandId: Nullable(Type.String()),
  status: ShareStatus,
  waitingFor: Nullable(OneOf(['consumer', 'owner', 'center'])),
  due: Due,
  policyVersion: Type.Integer(),
  commitment: Type.Object({ version: Type.Integer(), text: Type.String(), acceptedAt: DateTime }),
  maskingProfileId: Nullable(Type.String()),
  rowFilter: Nullable(Type.String()),
  refusal: Nullable(
    Type.Object({ kind: LegalBasisKind, name: Type.String(), article: Type.String(), reason: Type.String() }),
  ),
  createdAt: DateTime,
  may: Type.Object(
    {
      resubmit: Type.Boolean(),
      withdraw: Type.Boolean(),
      attach: Type.Boolean(),
      answer: Type.Boolean(),
      center: Type.Boolean(),
    },
    { description: 'what the caller may do with the case now (the server checks again)' },
  ),
});
export const ApplicationList = Type.Object({ total: Type.Integer(), items: Type.Array(ApplicationView) });
export const ApplicationDetail = Type.Object({
  ...ApplicationView.properties,
  grantId: Nullable(Type.String()),
  timeline: Type.Array(
    Type.Object({
      at: DateTime,
      actor: Nullable(Type.String()),
      org: Nullable(Type.String()),
      action: OneOf(
        [
          'submit',
          'confirm',
          'approve',
          'return',
          'deny',
          'resubmit',
          'consent',
          'refuse',
          'profile_accept',
          'profile_return',
          'uphold',
          'overrule',
          'withdraw',
          'attach',
        ],
        { title: 'ShareEvent' },
      ),
      from: Nullable(Type.String()),
      to: Nullable(Type.String()),
      comment: Nullable(Type.String()),
      due: Nullable(Type.String()),
    }),
  ),
  attachments: Type.Array(
    Type.Object({
      id: Type.String(),
      fileName: Type.String(),
      contentType: Type.String(),
      size: Type.Integer(),
      sm3: Type.String(),
      uploadedAt: DateTime,
    }),
  ),
});
export const Inbox = Type.Object({
  consumer: Type.Integer({ description: 'returned to the caller\u2019s unit for more material' }),
  owner: Type.Integer({ description: 'waiting for the caller\u2019s unit to consent or refuse' }),
  center: Type.Integer({ description: 'waiting for the Center' }),
});
export const Moved = Type.Object({ status: ShareStatus, due: Nullable(Type.String()) });

export const Comment = Type.Optional(Type.String({ maxLength: 2000 }));
export const ConfirmBody = Obj({
  methods: Type.Optional(Type.Array(ShareMethod, { minItems: 1, maxItems: 3 })),
  rowFilter: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  comment: Comment,
});
export const ReviewBody = Obj({ decision: OneOf(['approve', 'return', 'deny']), comment: Comment });
export const AnswerBody = Obj(
  {
    decision: OneOf(['consent', 'refuse']),
    rowFilter: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    maskingProfileId: Type.Optional(Nullable(Type.String({ maxLength: 60 }))),
    comment: Comment,
    basis: Type.Optional(
      Obj({
        kind: LegalBasisKind,
        name: Type.String({ maxLength: 200 }),
        article: Type.String({ maxLength: 100 }),
        reason: Type.String({ maxLength: 2000 }),
      }),
    ),
  },
  {
    description: 'consent (a row filter, a masking profile) or refuse with the legal basis (§23: no basis, no refusal)',
  },
);
export const ProfileBody = Obj({ decision: OneOf(['accept', 'return']), comment: Comment });
export const RefusalBody = Obj({ decision: OneOf(['uphold', 'overrule']), comment: Comment });
export const WithdrawBody = Obj({ comment: Comment });
export const AttachQuery = Obj({ fileName: Type.String({ minLength: 1, maxLength: 200 }) });
export const Attached = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sm3: Type.String(),
});

// ---------------------------------------------------------------- grants
export const GrantListQuery = Obj({
  side: Type.Optional(OneOf(['consumer', 'owner'])),
  resourceId: Type.Optional(Uuid),
});
export const GrantView = Type.Object({
  id: Type.String(),
  applicationId: Type.String(),
  resource: Type.Object({ id: Type.String(), code: Nullable(Type.String()), name: Type.String() }),
  consumer: Party,
  owner: Party,
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      served: Type.Boolean({ description: 'false: the catalog no longer has the item; it drops out' }),
      masking: Nullable(Words),
    }),
  ),
  rowFilter: Nullable(Type.String()),
  maskingProfileId: Type.String(),
  methods: Type.Array(ShareMethod),
  credentials: Type.Array(
    Type.Object({ id: Type.String(), systemName: Type.String(), keyId: Nullable(Type.String()) }),
  ),
  validFrom: Type.String(),
  validUntil: Type.String(),
  ratePerMinute: Type.Integer(),
  dailyRows: Type.Integer(),
  state: GrantState,
  stateReason: Nullable(Type.String()),
  today: Type.Object({ calls: Type.Integer(), rows: Type.Integer(), refused: Type.Integer() }),
  may: Type.Object({ manage: Type.Boolean(), bind: Type.Boolean(), export: Type.Boolean(), browse: Type.Boolean() }),
});
export const GrantStateBody = Obj({ action: OneOf(['suspend', 'resume', 'revoke']), reason: Comment });
export const GrantPatch = Type.Partial(
  Obj({
    rowFilter: Nullable(Type.String({ maxLength: 4000 })),
    maskingProfileId: Type.String({ minLength: 1, maxLength: 60 }),
    ratePerMinute: Type.Integer({ minimum: 1, maximum: 100_000 }),
    dailyRows: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
  }),
  { additionalProperties: false, minProperties: 1 },
);
export const BindBody = Obj({ credentialIds: Type.Array(Uuid, { maxItems: 50 }) });
export const GrantPreview = Type.Object({
  columns: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), masking: Words })),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});

// ---------------------------------------------------------------- data services
export const RowsQuery = Obj({
  where: Type.Optional(
    Type.String({
      maxLength: 4000,
      description: "a filter over the grant's items, e.g. 所属社区 = '宝湖社区' AND 年龄 >= 60",
    }),
  ),
  fields: Type.Optional(
    Type.String({ maxLength: 4000, description: 'item codes, comma-separated (all when left out)' }),
  ),
  sort: Type.Optional(ItemCode),
  order: Type.Optional(OneOf(['asc', 'desc'])),
  cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'the `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
const Value = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
export const RowsPage = Type.Object({
  items: Type.Array(
    Type.Object({ code: Type.String(), name: Type.String(), dataType: Type.String(), masked: Type.Boolean() }),
  ),
  rows: Type.Array(Type.Record(Type.String(), Value)),
  next: Nullable(Type.String({ description: 'the cursor of the next page; null: this was the last' })),
});
export const BrowsePage = Type.Object({
  ...RowsPage.properties,
  refs: Type.Array(Type.String(), {
    description: "each row's reference (empty when the resource has no key): what a problem report names",
  }),
});
export const LookupQuery = Type.Object(
  { fields: Type.Optional(Type.String({ maxLength: 4000 })) },
  {
    additionalProperties: Type.String({ maxLength: 200 }),
    description: 'the key items by code (e.g. ?id_no=640106…); `fields` as for rows',
  },
);
export const Lookup = Type.Object({ record: Type.Record(Type.String(), Value) });
export const VerifyBody = Obj({
  values: Type.Record(ItemCode, Type.String({ maxLength: 1000 }), {
    minProperties: 1,
    maxProperties: 50,
    description: 'item code → value: the key items and the items to check',
  }),
});
export const Verified = Type.Object({
  result: Type.Record(Type.String(), OneOf(['match', 'no_match'], { title: 'VerifyResult' })),
});

export const ChangesQuery = Obj({
  cursor: Type.Optional(
    Type.String({ maxLength: 2000, description: 'the `next` of the last sync; left out: from the first change' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
});
export const Changes = Type.Object({
  items: RowsPage.properties.items,
  key: Type.Array(Type.String(), { description: 'the key items: a delete names the row by them (masked as served)' }),
  changes: Type.Array(
    Type.Object({
      op: OneOf(['upsert', 'delete'], { title: 'ChangeOp' }),
      record: Type.Record(Type.String(), Value, {
        description: 'upsert: the row as served; delete: its key items only',
      }),
    }),
  ),
  next: Type.String({ description: 'where the next sync goes on from: keep it, and ask again with it' }),
  more: Type.Boolean({ description: 'whether more changes are waiting now (ask again at once)' }),
});

// ---------------------------------------------------------------- database sync (库表交换)
export const DbTargetBody = Obj({
  kind: OneOf(['postgres', 'mysql'], { title: 'DbSyncKind', description: 'PostgreSQL, or MySQL / MariaDB' }),
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  database: Type.String({ minLength: 1, maxLength: 100 }),
  user: Type.String({ minLength: 1, maxLength: 100 }),
  password: Type.Optional(
    Nullable(Type.String({ maxLength: 200, description: 'left out: keep the stored one; null: none' })),
  ),
  table: Type.String({
    minLength: 1,
    maxLength: 63,
    description: 'created when missing: the granted items as columns',
  }),
  intervalMinutes: Type.Integer({ minimum: 5, maximum: 10080, description: 'minutes between runs' }),
  active: Type.Optional(Type.Boolean()),
});
const DbRun = Type.Object({
  id: Type.String(),
  trigger: OneOf(['schedule', 'manual'], { title: 'DbSyncTrigger' }),
  status: OneOf(['running', 'succeeded', 'failed'], { title: 'DbSyncRunStatus' }),
  upserts: Type.Integer(),
  deletes: Type.Integer(),
  error: Nullable(Words),
  startedAt: DateTime,
  finishedAt: Nullable(DateTime),
});
export const DbRunView = DbRun;
export const DbSyncView = Type.Object({
  target: Nullable(
    Type.Object({
      kind: Type.String(),
      host: Type.String(),
      port: Type.Integer(),
      database: Type.String(),
      user: Type.String(),
      table: Type.String(),
      hasPassword: Type.Boolean(),
      intervalMinutes: Type.Integer(),
      active: Type.Boolean(),
      nextRunAt: DateTime,
    }),
  ),
  runs: Type.Array(DbRun),
  may: Type.Object({ configure: Type.Boolean() }),
});

// ---------------------------------------------------------------- exports and tracing (ADR 0011)
export const ExportQuery = Obj({
  format: OneOf(['csv', 'xlsx'], { title: 'ExportFormat', description: 'csv or xlsx' }),
  encoding: Type.Optional(
    OneOf(['utf-8', 'gb18030'], {
      title: 'ExportEncoding',
      description: 'CSV only: utf-8 (with a BOM, the default) or gb18030 (for tools that want GBK)',
    }),
  ),
  where: RowsQuery.properties.where,
  fields: RowsQuery.properties.fields,
});
export const ExportEntry = Type.Object({
  id: Type.String(),
  format: Type.String(),
  encoding: Type.String(),
  status: OneOf(['writing', 'done', 'failed'], { title: 'ExportStatus' }),
  rows: Type.Integer(),
  columns: Type.Integer(),
  where: Nullable(Type.String()),
  by: Type.String({ description: "the user's name, or the information system's" }),
  startedAt: DateTime,
  finishedAt: Nullable(DateTime),
});
export const ExportList = Type.Object({ exports: Type.Array(ExportEntry) });
export const TraceQuery = Obj({
  fileName: Type.Optional(Type.String({ maxLength: 255, description: 'the file name, for the record' })),
});
const TraceEvidence = Type.Object({
  family: OneOf(['fill', 'decimal', 'hex'], { title: 'TraceCarrier' }),
  bits: Type.Integer({ description: 'carrier bits compared' }),
  agreeing: Type.Integer({ description: 'of them, those that agree with the export' }),
  chance: Type.String({
    description: 'the chance that an export which did not write the file agrees as well (union bound)',
  }),
});
export const TraceResult = Type.Object({
  fileName: Nullable(Type.String()),
  sm3: Type.String(),
  rowsRead: Type.Integer(),
  columnsRead: Type.Integer(),
  headerMatched: Type.Boolean({ description: "whether the file's first row was read as the export's header" }),
  carriers: Type.Integer({ description: 'distinct carrier bits found in the file' }),
  candidates: Type.Integer({ description: 'exports compared' }),
  verdict: OneOf(['named', 'not_named', 'ambiguous', 'no_carriers'], { title: 'TraceVerdict' }),
  named: Nullable(
    Type.Object({
      exportId: Type.String(),
      grantId: Type.String(),
      resourceId: Type.String(),
      consumer: Type.Object({ id: Type.String(), name: Type.String() }),
      system: Nullable(Type.String()),
      user: Nullable(Type.Object({ id: Type.String(), name: Type.String(), username: Type.String() })),
      exportedAt: DateTime,
      format: Type.String(),
      encoding: Type.String(),
      rows: Type.Integer(),
    }),
  ),
  evidence: Nullable(TraceEvidence),
  runnerUp: Nullable(TraceEvidence),
  falseAttributionBound: Type.Number(),
});

// ---------------------------------------------------------------- usage
export const UsageQuery = Obj({ from: Type.Optional(Day), to: Type.Optional(Day) });
const UsageSum = Type.Object({
  id: Type.String(),
  name: Type.String(),
  calls: Type.Integer(),
  rows: Type.Integer(),
  refused: Type.Integer(),
});
export const Usage = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(
    Type.Object({ day: Type.String(), calls: Type.Integer(), rows: Type.Integer(), refused: Type.Integer() }),
  ),
  byResource: Type.Array(UsageSum),
  byConsumer: Type.Array(UsageSum),
  byOwner: Type.Array(UsageSum),
});
