import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Obj, OneOf } from '../../platform/http.ts';
import { errors } from '../../platform/errors.ts';
import type { CalendarService } from './calendar.service.ts';
import { POLICY_PARAMS } from './policy.ts';
import { isValidDate, todayInShanghai } from './working-days.ts';

const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Shanghai)' });

/** The pattern lets 2026-02-30 through; this names the field when the date does not exist. */
function realDate(field: string, v: string | undefined) {
  if (v !== undefined && !isValidDate(v)) throw errors.field(field, `${v} 不是有效日期`, `${v} is not a calendar date`);
}

const Policy = Type.Object({
  version: Type.Integer(),
  params: Type.Record(Type.String(), Type.Integer()),
  note: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
});

export const calendarRoutes =
  (svc: CalendarService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['calendar'];
    app.get(
      '/api/calendar/working-days',
      {
        schema: {
          tags,
          summary: 'The date N working days after FROM (N may be negative; 0 = FROM or the next working day)',
          querystring: Obj({ from: DateStr, add: Type.Integer({ minimum: -1000, maximum: 1000 }) }),
          response: { 200: Type.Object({ date: Type.String() }) },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => {
        realDate('from', req.query.from);
        return { date: await svc.addWorkingDays(req.query.from, req.query.add) };
      },
    );

    app.get(
      '/api/calendar/between',
      {
        schema: {
          tags,
          summary: 'Working days after FROM up to and including TO',
          querystring: Obj({ from: DateStr, to: DateStr }),
          response: { 200: Type.Object({ workingDays: Type.Integer() }) },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => {
        realDate('from', req.query.from);
        realDate('to', req.query.to);
        const span = Math.abs(Date.parse(req.query.to) - Date.parse(req.query.from)) / 86_400_000;
        if (span > 3660) throw errors.field('to', '区间不能超过 10 年', 'the range may span at most 10 years');
        return { workingDays: await svc.workingDaysBetween(req.query.from, req.query.to) };
      },
    );

    app.get(
      '/api/calendar/due',
      {
        schema: {
          tags,
          summary: 'Due-date status: working days left, or overdue',
          querystring: Obj({ due: DateStr, today: Type.Optional(DateStr) }),
          response: {
            200: Type.Object({
              due: Type.String(),
              today: Type.String(),
              state: Type.String(),
              daysLeft: Type.Integer(),
              daysOverdue: Type.Integer(),
            }),
          },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => {
        realDate('due', req.query.due);
        realDate('today', req.query.today);
        return svc.dueStatus(req.query.due, req.query.today ?? todayInShanghai());
      },
    );

    app.get(
      '/api/calendar/years/:year',
      {
        schema: {
          tags,
          summary: 'Every day of a year with whether it is a working day and why',
          params: Obj({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }),
          response: {
            200: Type.Object({
              year: Type.Integer(),
              source: Type.String(),
              days: Type.Array(
                Type.Object({
                  date: Type.String(),
                  working: Type.Boolean(),
                  reason: OneOf(['weekday', 'weekend', 'holiday', 'makeup_workday', 'override']),
                  name: Type.Union([Type.String(), Type.Null()]),
                }),
              ),
            }),
          },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => svc.year(req.params.year),
    );

    app.get(
      '/api/calendar/overrides',
      {
        schema: {
          summary: "The Center's working-day overrides",
          tags,
          querystring: Obj({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })) }),
          response: {
            200: Type.Array(
              Type.Object({ date: Type.String(), kind: Type.String(), note: Type.String(), createdAt: Type.String() }),
            ),
          },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => svc.listOverrides(req.query.year),
    );

    app.put(
      '/api/calendar/overrides/:date',
      {
        schema: {
          tags,
          summary: 'Mark a date as a working day or a rest day (Center admin)',
          params: Obj({ date: DateStr }),
          body: Obj({
            kind: Type.Union([Type.Literal('workday'), Type.Literal('restday')]),
            note: Type.String({ minLength: 1, maxLength: 200 }),
          }),
          response: { 200: Type.Object({ date: Type.String(), kind: Type.String(), note: Type.String() }) },
        },
        config: { allow: ['center_admin'] },
      },
      async (req) => {
        realDate('date', req.params.date);
        return svc.setOverride(req.ctx, req.params.date, req.body.kind, req.body.note);
      },
    );

    app.delete(
      '/api/calendar/overrides/:date',
      {
        schema: {
          tags,
          summary: 'Remove an override: the day follows the State Council schedule again',
          params: Obj({ date: DateStr }),
          response: { 204: Type.Null() },
        },
        config: { allow: ['center_admin'] },
      },
      async (req, reply) => {
        realDate('date', req.params.date);
        await svc.removeOverride(req.ctx, req.params.date);
        return reply.status(204).send(null);
      },
    );

    const ptags = ['policy'];
    app.get(
      '/api/policy',
      {
        schema: {
          tags: ptags,
          summary: 'The policy in force, with the parameter definitions',
          response: {
            200: Type.Object({
              current: Policy,
              definitions: Type.Array(
                Type.Object({
                  key: Type.String(),
                  default: Type.Integer(),
                  unit: Type.String(),
                  min: Type.Integer(),
                  max: Type.Integer(),
                  clause: Type.String(),
                  zh: Type.String(),
                  en: Type.String(),
                }),
              ),
            }),
          },
        },
        config: { allow: 'authenticated' },
      },
      async () => ({ current: await svc.currentPolicy(), definitions: POLICY_PARAMS }),
    );

    app.get(
      '/api/policy/versions',
      {
        schema: { tags: ptags, summary: 'Every policy version, newest first', response: { 200: Type.Array(Policy) } },
        config: { allow: 'authenticated' },
      },
      async () => svc.listPolicies(),
    );

    app.get(
      '/api/policy/versions/:version',
      {
        schema: {
          summary: 'One policy version (a case keeps the version it started under)',
          tags: ptags,
          params: Obj({ version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }),
          response: { 200: Policy },
        },
        config: { allow: 'authenticated' },
      },
      async (req) => svc.policyVersion(req.params.version),
    );

    app.post(
      '/api/policy',
      {
        schema: {
          tags: ptags,
          summary: 'Change parameters: makes a new policy version (Center admin). Cases already started keep theirs.',
          body: Obj({
            params: Type.Record(Type.String({ maxLength: 64 }), Type.Integer(), { minProperties: 1 }),
            note: Type.String({ minLength: 1, maxLength: 500 }),
          }),
          response: { 201: Policy },
        },
        config: { allow: ['center_admin'] },
      },
      async (req, reply) => reply.status(201).send(await svc.updatePolicy(req.ctx, req.body.params, req.body.note)),
    );
  };
