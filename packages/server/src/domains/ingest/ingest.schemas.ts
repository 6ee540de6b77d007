// The ingest API's request schemas (TypeBox): what a route accepts is declared here, once.
import { Type } from 'typebox';
import { Obj } from '../../platform/http.ts';

export const Uuid = Type.String({ format: 'uuid' });

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

export const Mode = Type.Union([Type.Literal('upsert'), Type.Literal('append'), Type.Literal('replace')]);

export const OverviewQuery = Obj({
  orgId: Type.Optional(Uuid),
  freshness: Type.Optional(
    Type.Union(['fresh', 'due', 'overdue', 'never', 'irregular', 'no_table'].map((x) => Type.Literal(x))),
  ),
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
