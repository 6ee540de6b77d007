import { Type, type Static } from 'typebox';
import { Obj } from '../../platform/http.ts';

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
