import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Nullable, Obj, OneOf, Uuid } from '../../platform/http.ts';
import { RULES } from './masking.rules.ts';
import { ROLES } from '../../platform/context.ts';
import type { MaskingService } from './masking.service.ts';

const RuleSchema = Obj({
  // any word here: the service names every unknown rule and item at once (a schema enum would stop at the first)
  rule: Type.String({ maxLength: 20, pattern: '^[a-z_]+$' }),
  keepFirst: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
  keepLast: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
  fill: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
  to: Type.Optional(Type.String({ maxLength: 20, pattern: '^[a-z_]+$' })),
  bucket: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
});
const Rules = Type.Record(Type.String({ maxLength: 63 }), RuleSchema);
/** A rule as stored and shown (the rule's name and its parameters). */
const RuleOut = Type.Object({
  rule: OneOf(RULES, { title: 'MaskingRule', description: 'stored rules are checked against these when saved' }),
  keepFirst: Type.Optional(Type.Integer()),
  keepLast: Type.Optional(Type.Integer()),
  fill: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  bucket: Type.Optional(Type.Integer()),
});
const Words = Type.Object({ zh: Type.String(), en: Type.String() });
const Profile = Type.Object({
  id: Type.String({ description: 'a profile id, or "default"' }),
  name: Type.String(),
  purpose: OneOf(['default', 'grant', 'release', 'custom'], { title: 'MaskingPurpose' }),
  status: OneOf(['active', 'pending_approval'], {
    title: 'MaskingProfileStatus',
    description: 'active, or pending_approval (it loosens the default)',
  }),
  rules: Type.Record(Type.String(), RuleOut),
  words: Type.Record(Type.String(), Words, { description: "each item's rule in words, with its parameters" }),
  looserItems: Type.Array(Type.String()),
});
const Suggestion = Type.Object({
  kind: Type.String(),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  source: Type.Union([Type.Literal('name'), Type.Literal('values'), Type.Literal('both')]),
  matched: Type.Optional(Type.Integer()),
  sampled: Type.Optional(Type.Integer()),
});
const PreviewOut = Type.Object({
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      piiKind: Nullable(Type.String()),
      rule: Nullable(RuleOut),
    }),
  ),
  rows: Type.Array(Type.Record(Type.String(), Type.Object({ before: Type.Unknown(), after: Type.Unknown() }))),
});
const Cell = Type.Union([Type.String({ maxLength: 10000 }), Type.Number(), Type.Boolean(), Type.Null()]);

export const maskingRoutes =
  (svc: MaskingService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['masking'];
    app.get(
      '/api/masking/resources/:id/profiles',
      {
        schema: {
          tags,
          summary: "A resource's masking profiles: the default (from PII kinds and grade) and stored ones",
          params: Obj({ id: Uuid }),
          response: { 200: Type.Array(Profile) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.profiles(req.ctx, req.params.id),
    );
    app.post(
      '/api/masking/resources/:id/profiles',
      {
        schema: {
          tags,
          summary: 'A profile for a grant or release: tighter rules apply at once, looser ones wait for the Center',
          params: Obj({ id: Uuid }),
          body: Obj({
            name: Type.String({ minLength: 1, maxLength: 100 }),
            purpose: Type.Union([Type.Literal('grant'), Type.Literal('release'), Type.Literal('custom')]),
            rules: Rules,
          }),
          response: {
            201: Type.Object({ id: Uuid, status: Type.String(), looserItems: Type.Array(Type.String()) }),
          },
        },
        config: { allow: ['center_admin', 'center_reviewer', 'unit_admin'] },
      },
      async (req, reply) => reply.status(201).send(await svc.createProfile(req.ctx, req.params.id, req.body)),
    );
    app.post(
      '/api/masking/profiles/:id/approve',
      {
        schema: {
          tags,
          summary: 'Approve a profile that loosens the default (Center admin)',
          params: Obj({ id: Uuid }),
          response: { 204: Type.Null() },
        },
        config: { allow: ['center_admin'] },
      },
      async (req, reply) => {
        await svc.approveProfile(req.ctx, req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/masking/preview',
      {
        schema: {
          tags,
          summary: 'Sample rows before and after masking with a profile',
          body: Obj({
            resourceId: Uuid,
            profileId: Type.Optional(Type.String({ maxLength: 40 })),
            scope: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            rows: Type.Array(Type.Record(Type.String({ maxLength: 63 }), Cell), { minItems: 1, maxItems: 50 }),
          }),
          response: { 200: PreviewOut },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.preview(req.ctx, req.body),
    );
    app.post(
      '/api/masking/scan',
      {
        schema: {
          tags,
          summary: 'PII scan: which columns look personal, from names and validated values',
          body: Obj({
            columns: Type.Array(
              Obj({
                name: Type.String({ minLength: 1, maxLength: 100 }),
                values: Type.Array(Cell, { maxItems: 1000 }),
              }),
              { minItems: 1, maxItems: 200 },
            ),
          }),
          response: {
            200: Type.Array(
              Type.Object({
                name: Type.String(),
                suggestion: Nullable(Suggestion),
                personalValues: Type.Integer({ description: 'values that passed a PII validator' }),
                sampled: Type.Integer({ description: 'values looked at (empty ones aside)' }),
              }),
            ),
          },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.scan(req.body.columns),
    );
    app.post(
      '/api/masking/suggest',
      {
        schema: {
          tags,
          summary: 'PII kinds suggested for item names (used while cataloguing)',
          body: Obj({
            names: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 1000 }),
          }),
          response: { 200: Type.Array(Type.Object({ name: Type.String(), suggestion: Nullable(Suggestion) })) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.suggestNames(req.body.names),
    );
    app.post(
      '/api/masking/detokenize',
      {
        schema: {
          tags,
          summary: 'Reverse a token (Center admin only; audited)',
          body: Obj({
            scope: Type.String({ minLength: 1, maxLength: 100 }),
            token: Type.String({ minLength: 5, maxLength: 20000 }),
          }),
          response: { 200: Type.Object({ value: Type.String() }) },
        },
        config: { allow: ['center_admin'] },
      },
      async (req) => ({ value: await svc.detokenize(req.ctx, req.body.scope, req.body.token) }),
    );
  };
