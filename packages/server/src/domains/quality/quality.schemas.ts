// The quality API's schemas (TypeBox): rules and their runs, scores, and problem-data tickets.
import { Type } from 'typebox';
import {
  QUALITY_DIMENSIONS,
  QUALITY_KINDS,
  QUALITY_OUTCOMES,
  QUALITY_TRIGGERS,
  TICKET_CATEGORIES,
  TICKET_SOURCES,
  TICKET_STATUSES,
} from '../../db/schema.ts';
import { DateTime, Nullable, Obj, OneOf, Uuid } from '../../platform/http.ts';

const Words = Type.Object({ zh: Type.String(), en: Type.String() });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description: 'YYYY-MM-DD' });
const ItemCode = Type.String({ minLength: 1, maxLength: 63 });
const Ref = Type.String({ minLength: 1, maxLength: 60, description: 'resource id, or its catalog code' });

export const QualityKind = OneOf(QUALITY_KINDS, { title: 'QualityKind' });
export const QualityDimension = OneOf(QUALITY_DIMENSIONS, { title: 'QualityDimension' });
export const QualityCheck = OneOf(
  ['not_null', 'row_count', 'validator', 'value_set', 'range', 'pattern', 'not_future'],
  {
    title: 'QualityCheck',
  },
);
export const QualityValidator = OneOf(['id_card', 'uscc', 'mobile', 'email'], { title: 'QualityValidator' });
export const QualityTrigger = OneOf(QUALITY_TRIGGERS, { title: 'QualityTrigger' });
export const QualityOutcome = OneOf(QUALITY_OUTCOMES, { title: 'QualityOutcome' });
export const TicketStatus = OneOf(TICKET_STATUSES, { title: 'TicketStatus' });
export const TicketCategory = OneOf(TICKET_CATEGORIES, { title: 'TicketCategory' });
export const TicketSource = OneOf(TICKET_SOURCES, { title: 'TicketSource' });
export const TicketEventKind = OneOf(
  [
    'report',
    'accept',
    'merge',
    'reject',
    'extension_request',
    'extension_approve',
    'extension_refuse',
    'urgent',
    'fix',
    'close',
    'reopen',
  ],
  { title: 'TicketEventKind' },
);

export const IdParams = Obj({ id: Uuid });
export const ResourceParams = Obj({ id: Ref });

export const RuleParams = Obj({
  check: Type.Optional(QualityCheck),
  minRows: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000_000 })),
  validator: Type.Optional(QualityValidator),
  values: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 })),
  min: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  max: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  pattern: Type.Optional(Type.String({ maxLength: 200 })),
  refResourceId: Type.Optional(Ref),
  refItems: Type.Optional(Type.Array(ItemCode, { maxItems: 20 })),
});

export const RuleBody = Obj({
  resourceId: Ref,
  kind: QualityKind,
  name: Type.Optional(Type.String({ maxLength: 200 })),
  items: Type.Optional(Type.Array(ItemCode, { maxItems: 100 })),
  params: Type.Optional(RuleParams),
  active: Type.Optional(Type.Boolean()),
});
export const RulePatch = Obj({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  items: Type.Optional(Type.Array(ItemCode, { maxItems: 100 })),
  params: Type.Optional(RuleParams),
  active: Type.Optional(Type.Boolean()),
});

const LastRun = Nullable(
  Type.Object({
    id: Type.String(),
    outcome: QualityOutcome,
    checked: Type.Number(),
    failing: Type.Number(),
    score: Nullable(Type.Number()),
    reason: Nullable(Words),
    at: DateTime,
  }),
);
const RuleProps = {
  id: Type.String(),
  resourceId: Type.String(),
  resourceName: Nullable(Type.String()),
  orgName: Nullable(Type.String()),
  orgId: Type.String(),
  scope: OneOf(['district', 'unit'], { title: 'QualityRuleScope' }),
  kind: QualityKind,
  dimension: QualityDimension,
  name: Type.String(),
  items: Type.Array(Type.String()),
  params: RuleParams,
  active: Type.Boolean(),
  suggested: Type.Boolean(),
  createdAt: DateTime,
  lastRun: LastRun,
};
export const Rule = Type.Object({ ...RuleProps, mayManage: Type.Boolean() });
export const RuleList = Type.Array(Type.Object(RuleProps));
export const CreatedRules = Type.Array(Rule);
export const RuleListQuery = Obj({
  resourceId: Type.Optional(Ref),
  orgId: Type.Optional(Uuid),
  kind: Type.Optional(QualityKind),
});

export const Suggestion = Type.Object({
  resourceId: Type.String(),
  kind: QualityKind,
  name: Type.Optional(Type.String()),
  items: Type.Optional(Type.Array(Type.String())),
  params: Type.Optional(RuleParams),
});
export const Suggestions = Type.Array(Suggestion);

export const RunResult = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  resourceId: Type.String(),
  orgId: Type.String(),
  kind: QualityKind,
  outcome: QualityOutcome,
  checked: Type.Number(),
  failing: Type.Number(),
  score: Nullable(Type.Number()),
  sample: Type.Array(Type.String()),
  reason: Nullable(Words),
});
export const RunResults = Type.Array(RunResult);

export const RunsQuery = Obj({
  ruleId: Type.Optional(Uuid),
  resourceId: Type.Optional(Ref),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});
export const Runs = Type.Object({
  total: Type.Integer(),
  rawSamples: Type.Boolean(),
  runs: Type.Array(
    Type.Object({
      id: Type.String(),
      ruleId: Type.String(),
      kind: QualityKind,
      trigger: QualityTrigger,
      batchId: Nullable(Type.String()),
      outcome: QualityOutcome,
      checked: Type.Number(),
      failing: Type.Number(),
      score: Nullable(Type.Number()),
      sample: Type.Array(Type.String()),
      reason: Nullable(Words),
      durationMs: Type.Integer(),
      actorName: Nullable(Type.String()),
      at: DateTime,
    }),
  ),
});

const Trend = Type.Array(Type.Object({ day: Type.String(), score: Type.Number(), resources: Type.Integer() }));
const Scores = Type.Record(Type.String(), Type.Number());
export const DashboardQuery = Obj({
  orgId: Type.Optional(Uuid),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })),
});
export const Dashboard = Type.Object({
  weights: Scores,
  policyVersion: Type.Integer(),
  resources: Type.Array(
    Type.Object({
      resourceId: Type.String(),
      code: Nullable(Type.String()),
      name: Nullable(Type.String()),
      orgId: Type.String(),
      orgName: Nullable(Type.String()),
      day: Type.String(),
      scores: Scores,
    }),
  ),
  units: Type.Array(
    Type.Object({
      orgId: Type.String(),
      orgName: Nullable(Type.String()),
      resources: Type.Integer(),
      score: Type.Number(),
    }),
  ),
  trend: Trend,
});
export const ResourceScoresQuery = Obj({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })),
});
export const ResourceScores = Type.Object({
  resourceId: Type.String(),
  code: Type.String(),
  name: Type.String(),
  orgId: Type.String(),
  scores: Scores,
  day: Nullable(Type.String()),
  policyVersion: Nullable(Type.Integer()),
  trend: Trend,
  rules: RuleList,
});

// ---------------------------------------------------------------------------------------------- tickets
export const ReportBody = Obj({
  resourceId: Ref,
  category: TicketCategory,
  description: Text(2000),
  keys: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000, description: 'the keys of the rows' }),
  ),
  items: Type.Optional(Type.Array(ItemCode, { maxItems: 100, description: 'the items that are wrong' })),
  grantId: Type.Optional(Uuid),
  refs: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 400 }), {
      maxItems: 1000,
      description: 'rows as seen in the console (the refs of GET /api/sharing/grants/{id}/rows), with their grant',
    }),
  ),
});
export const Reported = Type.Object({
  id: Type.String(),
  no: Type.String(),
  status: TicketStatus,
  due: Nullable(Type.String()),
});
export const Moved = Type.Object({ status: TicketStatus, due: Nullable(Type.String()) });

const TicketProps = {
  id: Type.String(),
  no: Type.String(),
  resourceId: Type.String(),
  resourceName: Nullable(Type.String()),
  resourceCode: Nullable(Type.String()),
  ownerOrgId: Type.String(),
  ownerName: Nullable(Type.String()),
  reporterOrgId: Nullable(Type.String()),
  reporterName: Nullable(Type.String()),
  source: TicketSource,
  ruleId: Nullable(Type.String()),
  verifyRuleId: Nullable(Type.String()),
  category: TicketCategory,
  private: Type.Boolean(),
  description: Type.String(),
  status: TicketStatus,
  waitingFor: Nullable(OneOf(['center', 'owner', 'verifier'], { title: 'TicketWaiting' })),
  urgent: Type.Boolean(),
  urgentDue: Nullable(Type.String()),
  dueDate: Nullable(Type.String()),
  daysLeft: Nullable(Type.Integer()),
  overdue: Type.Boolean(),
  daysOverdue: Type.Integer(),
  receivedOn: Nullable(Type.String()),
  extensionDays: Type.Integer(),
  policyVersion: Type.Integer(),
  createdAt: DateTime,
  closedAt: Nullable(DateTime),
};
export const TicketListQuery = Obj({
  status: Type.Optional(TicketStatus),
  open: Type.Optional(Type.Boolean({ description: 'only tickets not yet closed, rejected or merged' })),
  side: Type.Optional(OneOf(['owner', 'reporter'])),
  resourceId: Type.Optional(Uuid),
  category: Type.Optional(TicketCategory),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});
export const TicketList = Type.Object({ total: Type.Integer(), tickets: Type.Array(Type.Object(TicketProps)) });
export const Ticket = Type.Object({
  ...TicketProps,
  ruleName: Nullable(Type.String()),
  keys: Type.Array(Type.String()),
  items: Type.Array(Type.String()),
  mergedInto: Nullable(Type.String()),
  extensionRequest: Nullable(Type.Object({ days: Type.Integer(), reason: Type.String() })),
  fix: Nullable(Type.Object({ note: Type.String(), batchId: Nullable(Type.String()), dataWasRight: Type.Boolean() })),
  events: Type.Array(
    Type.Object({
      at: DateTime,
      actorName: Nullable(Type.String()),
      orgName: Nullable(Type.String()),
      action: TicketEventKind,
      fromStatus: Nullable(TicketStatus),
      toStatus: Nullable(TicketStatus),
      comment: Nullable(Type.String()),
      dueDate: Nullable(Type.String()),
    }),
  ),
  verifyRules: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), {
    description: 'for the Center at triage: the rules that can verify the reported rows',
  }),
  may: Type.Object({
    triage: Type.Boolean(),
    urgent: Type.Boolean(),
    decideExtension: Type.Boolean(),
    requestExtension: Type.Boolean(),
    fix: Type.Boolean(),
    verify: Type.Boolean(),
  }),
});
export const Inbox = Type.Object({
  center: Type.Integer(),
  owner: Type.Integer(),
  verifier: Type.Integer(),
  overdue: Type.Integer(),
});

export const TriageBody = Obj({
  decision: OneOf(['accept', 'merge', 'reject']),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
  mergeInto: Type.Optional(Uuid),
  ruleId: Type.Optional(Uuid),
});
export const UrgentBody = Obj({ dueDate: Day, comment: Type.Optional(Type.String({ maxLength: 2000 })) });
export const ExtensionBody = Obj({ days: Type.Integer({ minimum: 1, maximum: 120 }), reason: Text(2000) });
export const ExtensionDecisionBody = Obj({
  approve: Type.Boolean(),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});
export const FixBody = Obj({
  note: Text(2000),
  batchId: Type.Optional(Nullable(Uuid)),
  dataWasRight: Type.Optional(Type.Boolean()),
});
export const VerifyBody = Obj({
  decision: OneOf(['confirm', 'reopen']),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});
export const RegisterQuery = Obj({ from: Type.Optional(Day), to: Type.Optional(Day) });
