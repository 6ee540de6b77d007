import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Obj, OneOf, Uuid } from '../../platform/http.ts';

const Txt = (max: number) => Type.String({ maxLength: max });
const NullTxt = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);
const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_]+$' });
export const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const ShareType = Type.Union([Type.Literal('unconditional'), Type.Literal('conditional'), Type.Literal('none')]);

export const ItemInput = Obj({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  code: Type.String({ minLength: 1, maxLength: 63 }),
  dataType: Code,
  length: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.Null()])),
  precision: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 30 }), Type.Null()])),
  required: Type.Optional(Type.Boolean()),
  primaryKey: Type.Optional(Type.Boolean()),
  description: Type.Optional(NullTxt(500)),
  sensitivity: Type.Optional(Code),
  piiKind: Type.Optional(Type.Union([Code, Type.Null()])),
  maskingRule: Type.Optional(Type.Union([Code, Type.Null()])),
  shareType: Type.Optional(Type.Union([ShareType, Type.Null()])),
  shareCondition: Type.Optional(NullTxt(1000)),
  shareBasis: Type.Optional(NullTxt(1000)),
  sourceResourceCode: Type.Optional(NullTxt(60)),
  sourceItemCode: Type.Optional(NullTxt(63)),
  /** The values the item may take (an enumeration); empty or absent: any value of its type. */
  valueSet: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
});
export type ItemInput = Static<typeof ItemInput>;

const resourceFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  category: Code,
  baseLibrary: Code,
  systemId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
  summary: Type.Optional(Txt(2000)),
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  format: Code,
  updateCycle: Code,
  shareType: ShareType,
  shareCondition: Type.Optional(NullTxt(1000)),
  shareBasis: Type.Optional(NullTxt(1000)),
  shareMethods: Type.Optional(Type.Array(Code, { maxItems: 5 })),
  openAttribute: Type.Union([Type.Literal('closed'), Type.Literal('conditional'), Type.Literal('open')]),
  openCondition: Type.Optional(NullTxt(1000)),
  securityGrade: Code,
  publishDate: Type.Optional(Type.Union([DateStr, Type.Null()])),
  relatedCodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50 })),
  responsiblePerson: Type.Optional(NullTxt(50)),
  responsiblePhone: Type.Optional(
    Type.Union([Type.String({ maxLength: 40, pattern: '^[0-9+()\\- ]{5,40}$' }), Type.Null()]),
  ),
  items: Type.Array(ItemInput, { maxItems: 1000 }),
};
export const ResourceInput = Obj(resourceFields);
export type ResourceInput = Static<typeof ResourceInput>;

export const ResourceCreate = Obj({
  ...resourceFields,
  /** classification segments below the class digit (项, 目); defaults from the catalog settings */
  classItem: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
  classSubItem: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
});

export const ReviewBody = Obj({
  decision: Type.Union([Type.Literal('approve'), Type.Literal('return')]),
  comment: Type.Optional(Txt(2000)),
  itemComments: Type.Optional(Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 1000 }))),
});
export const ChangeBody = Obj({ changeDate: DateStr, reason: Type.String({ minLength: 1, maxLength: 1000 }) });

export const SearchQuery = Obj({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  orgId: Type.Optional(Type.String({ format: 'uuid' })),
  category: Type.Optional(Code),
  baseLibrary: Type.Optional(Code),
  shareType: Type.Optional(ShareType),
  openAttribute: Type.Optional(Type.Union([Type.Literal('closed'), Type.Literal('conditional'), Type.Literal('open')])),
  updateCycle: Type.Optional(Code),
  securityGrade: Type.Optional(Code),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const MineQuery = Obj({
  status: Type.Optional(Type.Union(['draft', 'submitted', 'returned', 'approved'].map((s) => Type.Literal(s)))),
  orgId: Type.Optional(Type.String({ format: 'uuid' })),
});

export const SystemBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(NullTxt(1000)),
  orgId: Type.Optional(Type.String({ format: 'uuid' })),
});
export const SystemPatch = Obj(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(NullTxt(1000)),
    active: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);

export const CodeBody = Obj({
  zh: Type.String({ minLength: 1, maxLength: 100 }),
  en: Type.String({ minLength: 1, maxLength: 100 }),
  sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  active: Type.Optional(Type.Boolean()),
});
export const SettingsBody = Obj({
  itemLength: Type.Integer({ minimum: 1, maximum: 6 }),
  subItemLength: Type.Integer({ minimum: 1, maximum: 6 }),
  sequenceLength: Type.Integer({ minimum: 3, maximum: 10 }),
});

// ---------------------------------------------------------------- responses: what a client really receives
const Time = DateTime;
const NullableDate = Nullable(DateStr);

/** A deadline in working days: open, due today, or overdue. */
export const Due = Type.Object({
  due: DateStr,
  today: DateStr,
  state: OneOf(['open', 'due_today', 'overdue']),
  daysLeft: Type.Integer(),
  daysOverdue: Type.Integer(),
});
const VersionStatus = OneOf(['draft', 'submitted', 'returned', 'approved', 'superseded', 'withdrawn']);
const VersionKind = OneOf(['new', 'change']);

export const ItemOut = Type.Object({
  position: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  dataType: Type.String(),
  length: Nullable(Type.Integer()),
  precision: Nullable(Type.Integer()),
  required: Type.Boolean(),
  primaryKey: Type.Boolean(),
  description: Nullable(Type.String()),
  sensitivity: Type.String(),
  piiKind: Nullable(Type.String()),
  maskingRule: Nullable(Type.String()),
  shareType: Nullable(OneOf(['unconditional', 'conditional', 'none'])),
  shareCondition: Nullable(Type.String()),
  shareBasis: Nullable(Type.String()),
  sourceResourceCode: Nullable(Type.String()),
  sourceItemCode: Nullable(Type.String()),
  valueSet: Type.Array(Type.String()),
});

const versionProperties = {
  resourceId: Uuid,
  code: Type.String(),
  orgId: Uuid,
  version: Type.Integer(),
  kind: VersionKind,
  status: VersionStatus,
  name: Type.String(),
  category: Type.String(),
  baseLibrary: Type.String(),
  systemId: Nullable(Uuid),
  summary: Type.String(),
  keywords: Type.Array(Type.String()),
  format: Type.String(),
  updateCycle: Type.String(),
  shareType: OneOf(['unconditional', 'conditional', 'none']),
  shareCondition: Nullable(Type.String()),
  shareBasis: Nullable(Type.String()),
  shareMethods: Type.Array(Type.String()),
  openAttribute: OneOf(['closed', 'conditional', 'open']),
  openCondition: Nullable(Type.String()),
  securityGrade: Type.String(),
  publishDate: NullableDate,
  relatedCodes: Type.Array(Type.String()),
  responsiblePerson: Nullable(Type.String()),
  responsiblePhone: Nullable(Type.String()),
  changeDate: NullableDate,
  changeReason: Nullable(Type.String()),
  policyVersion: Type.Integer({ description: 'the policy version the case started under' }),
  filingDue: NullableDate,
  submittedAt: Nullable(Time),
  reviewDue: NullableDate,
  reviewedAt: Nullable(Time),
  reviewComment: Nullable(Type.String()),
  itemComments: Type.Record(Type.String(), Type.String()),
  createdAt: Time,
  updatedAt: Time,
  due: Nullable(Due),
  items: Type.Array(ItemOut),
};
/** One version of a resource with its items, and its deadline while a case is open. */
export const Version = Type.Object(versionProperties);
export const ExportedVersion = Type.Object({
  ...versionProperties,
  orgName: Type.String(),
  systemName: Nullable(Type.String()),
});

export const ResourceOut = Type.Object({
  id: Uuid,
  code: Type.String(),
  orgId: Uuid,
  current: Nullable(Version),
  working: Nullable(Version),
});

export const VersionSummary = Type.Object({
  version: Type.Integer(),
  kind: VersionKind,
  status: VersionStatus,
  name: Type.String(),
  changeDate: NullableDate,
  changeReason: Nullable(Type.String()),
  submittedAt: Nullable(Time),
  reviewedAt: Nullable(Time),
  createdAt: Time,
  policyVersion: Type.Integer(),
});

const FieldChange = Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() });
export const VersionDiff = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  fields: Type.Array(FieldChange),
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      change: OneOf(['added', 'removed', 'changed']),
      fields: Type.Array(FieldChange),
    }),
  ),
});

export const TimelineEvent = Type.Object({
  at: Time,
  version: Type.Integer(),
  actor: Nullable(Type.String()),
  action: Type.String(),
  comment: Nullable(Type.String()),
  details: Type.Unknown(),
});

const Facet = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));
export const SearchResult = Type.Object({
  total: Type.Integer(),
  items: Type.Array(
    Type.Object({
      id: Uuid,
      code: Type.String(),
      orgId: Uuid,
      orgName: Type.String(),
      version: Type.Integer(),
      name: Type.String(),
      summary: Type.String(),
      category: Type.String(),
      baseLibrary: Type.String(),
      shareType: Type.String(),
      openAttribute: Type.String(),
      updateCycle: Type.String(),
      securityGrade: Type.String(),
      format: Type.String(),
      itemCount: Type.Integer(),
    }),
  ),
  facets: Type.Object({
    orgId: Facet,
    category: Facet,
    baseLibrary: Facet,
    shareType: Facet,
    openAttribute: Facet,
    updateCycle: Facet,
    securityGrade: Facet,
  }),
});

export const MineRow = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  currentVersion: Nullable(Type.Integer()),
  workingVersion: Nullable(Type.Integer()),
  workingStatus: Nullable(VersionStatus),
  workingKind: Nullable(VersionKind),
  status: Type.String({ description: 'the working status, or approved' }),
  reviewDue: NullableDate,
  filingDue: NullableDate,
  due: Nullable(Due),
  updatedAt: Nullable(Time),
});

export const QueueRow = Type.Object({
  id: Uuid,
  code: Type.String(),
  orgId: Uuid,
  orgName: Type.String(),
  version: Type.Integer(),
  kind: VersionKind,
  name: Type.String(),
  submittedAt: Nullable(Time),
  reviewDue: NullableDate,
  changeDate: NullableDate,
  policyVersion: Type.Integer(),
  due: Nullable(Due),
});

export const OverdueRow = Type.Object({
  id: Uuid,
  code: Type.String(),
  orgId: Uuid,
  orgName: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  status: VersionStatus,
  kind: OneOf(['review', 'filing']),
  dueDate: NullableDate,
  due: Nullable(Due),
});

export const ImportReport = Type.Object({
  accepted: Type.Array(
    Type.Object({
      rows: Type.Array(Type.Integer(), { description: 'first and last spreadsheet row' }),
      code: Type.String(),
      name: Type.String(),
      action: OneOf(['created', 'updated']),
    }),
  ),
  rejected: Type.Array(
    Type.Object({
      rows: Type.Array(Type.Integer()),
      name: Type.String(),
      errors: Type.Array(
        Type.Object({
          row: Nullable(Type.Integer()),
          field: Type.String(),
          message: Type.Object({ zh: Type.String(), en: Type.String() }),
        }),
      ),
    }),
  ),
});

export const CodeTable = Type.Object({
  key: Type.String(),
  zh: Type.String(),
  en: Type.String(),
  extendable: Type.Boolean(),
  codes: Type.Array(
    Type.Object({
      code: Type.String(),
      zh: Type.String(),
      en: Type.String(),
      sort: Type.Integer(),
      active: Type.Boolean(),
      builtin: Type.Boolean(),
    }),
  ),
});

export const CodeFormat = Type.Object({
  itemLength: Type.Integer(),
  subItemLength: Type.Integer(),
  sequenceLength: Type.Integer(),
});

export const InfoSystem = Type.Object({
  id: Uuid,
  orgId: Uuid,
  orgName: Nullable(Type.String()),
  name: Type.String(),
  description: Nullable(Type.String()),
  active: Type.Boolean(),
});
