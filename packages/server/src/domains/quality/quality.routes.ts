// The quality API: rules, runs and scores (/api/quality/rules|runs|scores|resources/…), and problem-data tickets
// (/api/quality/tickets/…). Thin: each route calls one service method; the services check units and steps.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OPEN_STATUSES, type TicketService } from './ticket/ticket.service.ts';
import type { RuleService } from './rule/rule.service.ts';
import { sendXlsx, XLSX_TYPE } from '../../platform/xlsx.ts';
import { CENTER_DECIDERS, QUALITY_READERS, REPORTERS, RULE_MANAGERS } from './quality.policy.ts';
import * as S from './quality.schemas.ts';

const DEFAULT_LIMIT = 50;
const TICKET_WORKERS = ['center_admin', 'center_reviewer', 'unit_admin', 'unit_user'] as const;

export const qualityRoutes =
  (rules: RuleService, tickets: TicketService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['quality'];

    // ------------------------------------------------------------------ rules
    app.get(
      '/api/quality/rules',
      {
        schema: {
          tags,
          summary: "Quality rules with their latest run: a unit sees its resources', the Center all",
          querystring: S.RuleListQuery,
          response: { 200: S.RuleList },
        },
        config: { allow: QUALITY_READERS },
      },
      async (req) => rules.list(req.ctx, req.query),
    );
    app.post(
      '/api/quality/rules',
      {
        schema: {
          tags,
          summary: 'Define a rule on a resource (the Center: a district rule; a unit: a rule on its own resource)',
          body: S.RuleBody,
          response: { 201: S.Rule },
        },
        config: { allow: RULE_MANAGERS },
      },
      async (req, reply) => reply.status(201).send(await rules.create(req.ctx, req.body)),
    );
    app.get(
      '/api/quality/rules/:id',
      {
        schema: { tags, summary: 'A rule with its latest run', params: S.IdParams, response: { 200: S.Rule } },
        config: { allow: QUALITY_READERS },
      },
      async (req) => rules.get(req.ctx, req.params.id),
    );
    app.patch(
      '/api/quality/rules/:id',
      {
        schema: {
          tags,
          summary: 'Change a rule, or switch it off (runs are kept)',
          params: S.IdParams,
          body: S.RulePatch,
          response: { 200: S.Rule },
        },
        config: { allow: RULE_MANAGERS },
      },
      async (req) => rules.update(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/quality/rules/:id/run',
      {
        schema: { tags, summary: 'Run a rule now', params: S.IdParams, response: { 200: S.RunResult } },
        config: { allow: RULE_MANAGERS },
      },
      async (req) => rules.runRule(req.ctx, req.params.id),
    );
    app.get(
      '/api/quality/runs',
      {
        schema: {
          tags,
          summary: "A rule's or a resource's runs, newest first (failing keys masked unless the owner's officers ask)",
          querystring: S.RunsQuery,
          response: { 200: S.Runs },
        },
        config: { allow: QUALITY_READERS },
      },
      async (req) => {
        const { limit = DEFAULT_LIMIT, offset = 0, ...f } = req.query;
        return rules.runs(req.ctx, { ...f, limit, offset });
      },
    );
    app.get(
      '/api/quality/resources/:id/suggestions',
      {
        schema: {
          tags,
          summary: 'Rules the resource\u2019s items call for that it does not have yet',
          params: S.ResourceParams,
          response: { 200: S.Suggestions },
        },
        config: { allow: RULE_MANAGERS },
      },
      async (req) => rules.suggestions(req.ctx, req.params.id),
    );
    app.post(
      '/api/quality/resources/:id/suggestions',
      {
        schema: {
          tags,
          summary: 'Create every suggested rule of the resource',
          params: S.ResourceParams,
          response: { 201: S.CreatedRules },
        },
        config: { allow: RULE_MANAGERS },
      },
      async (req, reply) => reply.status(201).send(await rules.acceptSuggestions(req.ctx, req.params.id)),
    );
    app.post(
      '/api/quality/resources/:id/run',
      {
        schema: {
          tags,
          summary: 'Run every active rule of the resource now',
          params: S.ResourceParams,
          response: { 200: S.RunResults },
        },
        config: { allow: RULE_MANAGERS },
      },
      async (req) => rules.runNow(req.ctx, req.params.id),
    );

    // ------------------------------------------------------------------ scores
    app.get(
      '/api/quality/scores',
      {
        schema: {
          tags,
          summary: 'Scores by resource and unit with the trend: the Center all units (ranked), a unit its own',
          querystring: S.DashboardQuery,
          response: { 200: S.Dashboard },
        },
        config: { allow: QUALITY_READERS },
      },
      async (req) => rules.dashboard(req.ctx, { orgId: req.query.orgId, days: req.query.days ?? 30 }),
    );
    app.get(
      '/api/quality/resources/:id/scores',
      {
        schema: {
          tags,
          summary: "A resource's scores by dimension, its trend, and the rules behind them",
          params: S.ResourceParams,
          querystring: S.ResourceScoresQuery,
          response: { 200: S.ResourceScores },
        },
        config: { allow: QUALITY_READERS },
      },
      async (req) => rules.resourceScores(req.ctx, req.params.id, req.query.days ?? 30),
    );

    // ------------------------------------------------------------------ tickets
    app.post(
      '/api/quality/tickets',
      {
        schema: {
          tags,
          summary: 'Report problem data (a consumer unit with a grant, its system, or the Center)',
          body: S.ReportBody,
          response: { 201: S.Reported },
        },
        config: { allow: REPORTERS },
      },
      async (req, reply) => reply.status(201).send((await tickets.report(req.ctx, req.body))!),
    );
    app.get(
      '/api/quality/tickets',
      {
        schema: {
          tags,
          summary: "Tickets: a unit sees those on its data and those it reported (another's privacy report: never)",
          querystring: S.TicketListQuery,
          response: { 200: S.TicketList },
        },
        config: { allow: QUALITY_READERS },
      },
      async (req) => {
        const { limit = DEFAULT_LIMIT, offset = 0, status, open, ...f } = req.query;
        return tickets.list(req.ctx, {
          ...f,
          status: status ? [status] : open ? OPEN_STATUSES : undefined,
          limit,
          offset,
        });
      },
    );
    app.get(
      '/api/quality/inbox',
      {
        schema: { tags, summary: 'How many tickets wait for the caller, by side', response: { 200: S.Inbox } },
        config: { allow: QUALITY_READERS },
      },
      async (req) => tickets.inbox(req.ctx),
    );
    app.get(
      '/api/quality/tickets/register.xlsx',
      {
        schema: {
          tags,
          summary: 'The problem-data register as XLSX (the Center\u2019s monthly report)',
          querystring: S.RegisterQuery,
          produces: [XLSX_TYPE],
        },
        config: { allow: CENTER_DECIDERS },
      },
      async (req, reply) => sendXlsx(reply, '问题数据台账', await tickets.register(req.ctx, req.query)),
    );
    app.get(
      '/api/quality/tickets/:id',
      {
        schema: {
          tags,
          summary: 'A ticket with its clocks and timeline',
          params: S.IdParams,
          response: { 200: S.Ticket },
        },
        config: { allow: QUALITY_READERS },
      },
      async (req) => tickets.get(req.ctx, req.params.id),
    );
    app.post(
      '/api/quality/tickets/:id/triage',
      {
        schema: {
          tags,
          summary: "The Center's triage: accept and assign to the owner, merge as a duplicate, or reject",
          params: S.IdParams,
          body: S.TriageBody,
          response: { 200: S.Moved },
        },
        config: { allow: CENTER_DECIDERS },
      },
      async (req) => tickets.triage(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/quality/tickets/:id/urgent',
      {
        schema: {
          tags,
          summary: 'The Center marks a ticket urgent with its own deadline',
          params: S.IdParams,
          body: S.UrgentBody,
          response: { 200: S.Moved },
        },
        config: { allow: CENTER_DECIDERS },
      },
      async (req) => tickets.urgent(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/quality/tickets/:id/extension',
      {
        schema: {
          tags,
          summary: 'The owner asks for more working days, with a reason',
          params: S.IdParams,
          body: S.ExtensionBody,
          response: { 200: S.Moved },
        },
        config: { allow: TICKET_WORKERS },
      },
      async (req) => tickets.requestExtension(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/quality/tickets/:id/extension/decision',
      {
        schema: {
          tags,
          summary: 'The Center approves (up to the cap) or refuses an extension',
          params: S.IdParams,
          body: S.ExtensionDecisionBody,
          response: { 200: S.Moved },
        },
        config: { allow: CENTER_DECIDERS },
      },
      async (req) => tickets.decideExtension(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/quality/tickets/:id/fix',
      {
        schema: {
          tags,
          summary: 'The owner states the fix: a note, and the correcting batch or that the data was right',
          params: S.IdParams,
          body: S.FixBody,
          response: { 200: S.Moved },
        },
        config: { allow: TICKET_WORKERS },
      },
      async (req) => tickets.fix(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/quality/tickets/:id/verify',
      {
        schema: {
          tags,
          summary: 'The reporter (or the Center) confirms the fix, or reopens the ticket with a reason',
          params: S.IdParams,
          body: S.VerifyBody,
          response: { 200: S.Moved },
        },
        config: { allow: TICKET_WORKERS },
      },
      async (req) => tickets.verify(req.ctx, req.params.id, req.body),
    );
  };
