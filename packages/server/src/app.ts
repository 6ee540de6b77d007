// buildApp(): the whole HTTP application without listen(), so tests use inject().
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import type { BulkSession, CopyIn, CopyOut, Db } from './db/database.ts';
import { currentMigration, latestMigration } from './db/migrator.ts';
import { ping } from './db/health.repository.ts';
import { checkResponses } from './platform/response-check.ts';
import { abilitiesOf } from './abilities.policy.ts';
import { AppError } from './platform/errors.ts';
import { checkRequestText, installErrorHandling, installValidators, sendProblem, type Allow } from './platform/http.ts';
import { admits, type CallerRole } from './platform/context.ts';
import { AuthService, authLabels, authRoutes, SESSION_COOKIE, type Keys } from './domains/auth/index.ts';
import { auditRoutes, writeAudit } from './domains/audit/index.ts';
import { CalendarService, calendarRoutes } from './domains/calendar/index.ts';
import { CatalogService, catalogLabels, catalogRoutes, ListsService, listsRoutes } from './domains/catalog/index.ts';
import { MaskingService, maskingLabels, maskingRoutes } from './domains/masking/index.ts';
import {
  IngestService,
  ingestLabels,
  BrowseService,
  ingestRoutes,
  OneSourceService,
  PullService,
  registerIngestJobs,
  DataServer,
} from './domains/ingest/index.ts';
import {
  ApplicationService,
  GrantService,
  ShareServer,
  TraceService,
  DbSyncService,
  sharingLabels,
  sharingRoutes,
  traceRoutes,
  registerSharingJobs,
  shareRoutes,
} from './domains/sharing/index.ts';
import {
  qualityLabels,
  qualityRoutes,
  registerQualityJobs,
  QUALITY_JOBS,
  RuleService,
  TicketService,
} from './domains/quality/index.ts';
import { NotifyService, notifyRoutes } from './domains/notify/index.ts';
import { maskingMaster } from './platform/crypto.ts';
import { OutboundGuard } from './platform/outbound.ts';
import { JobQueue, type JobBackend } from './platform/jobs.ts';
import { jobsRoutes } from './platform/jobs.routes.ts';
import { databaseRateLimitStore } from './platform/rate-limit.ts';
import { countRequest, pruneCounters } from './platform/rate-limit.repository.ts';

/** The headers a helmet configuration sets (they do not depend on the request). */
function headersOf(options: Parameters<typeof helmet>[0]): [string, string][] {
  const set: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: unknown) => void set.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet(options)({} as never, res as never, (err?: unknown) => {
    if (err) throw err;
  });
  return set;
}

export interface AppDeps {
  db: Db;
  /** The data services' group commit (Database.commitDb). */
  commitDb: Db;
  dbKind: 'pglite' | 'postgres';
  keys: Keys;
  /** Bulk COPY into data tables (the ingest pipeline). */
  copyIn: CopyIn;
  /** COPY out of a query (sharing's file exports, through the DataServer). */
  copyOut: CopyOut;
  /** PostgreSQL: a dedicated connection per batch (absent on PGlite). */
  bulkSession?: (() => Promise<BulkSession>) | undefined;
  /** The outbound address guard (tests give one with their own resolver). */
  outbound?: OutboundGuard | undefined;
  /** How the job queue reaches the database (Database.jobBackend). */
  jobBackend: JobBackend;
}

export interface Services {
  auth: AuthService;
  calendar: CalendarService;
  catalog: CatalogService;
  lists: ListsService;
  masking: MaskingService;
  ingest: IngestService;
  browse: BrowseService;
  pull: PullService;
  oneSource: OneSourceService;
  applications: ApplicationService;
  grants: GrantService;
  notify: NotifyService;
  share: ShareServer;
  trace: TraceService;
  dbSync: DbSyncService;
  rules: RuleService;
  tickets: TicketService;
}

export interface RouteInfo {
  method: string;
  url: string;
  allow: Allow;
  allowPendingMfa: boolean;
  schema: { body?: unknown; querystring?: unknown; params?: unknown } | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    /** Background and scheduled work; started by the server process (startServer), not by buildApp. */
    jobs: JobQueue;
    routeTable: RouteInfo[];
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The platform's mark for the API documentation's header: the console's red square and name. */
const API_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="220" height="40" viewBox="0 0 220 40"><rect width="40" height="40" rx="6" fill="#b8312f"/><text x="52" y="27" font-family="sans-serif" font-size="20" fill="#ffffff">公数 Gongshu API</text></svg>`;

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      config.env === 'test'
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'],
          },
    genReqId: () => randomUUID(),
    // One line per request (the onResponse hook below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A URL the router cannot read (bad percent-encoding, an over-long path parameter) is a problem+json 400 too.
    frameworkErrors: (err, _req, reply) =>
      err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? sendProblem(
            reply,
            414,
            'request.path_too_long',
            '请求路径中的参数过长',
            'A path parameter of the request is too long',
          )
        : sendProblem(
            reply,
            400,
            'request.bad_url',
            '请求地址无法解析（百分号编码无效）',
            'The request URL cannot be read (invalid percent-encoding)',
          ),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const calendar = new CalendarService(deps.db);
  const catalog = new CatalogService(deps.db, calendar);
  const masking = new MaskingService(deps.db, catalog, maskingMaster(deps.keys.hmac));
  const ingest = new IngestService(deps.db, deps.copyIn, calendar, deps.bulkSession);
  // Approving a tabular resource creates (or migrates) its data table in the same transaction.
  catalog.onApproved((trx, id) => ingest.ensureTable(trx, id));
  // every outbound connection (pulls now; sync and webhooks later) goes through this one guard
  const outbound =
    deps.outbound ??
    new OutboundGuard({ allowLoopback: config.pullAllowLoopback, platformDatabase: config.databaseUrl });
  // sharing reads loaded data through ingest's DataServer, masks with the masking domain's rules
  // (PGlite hands a COPY's result over whole: exports read it in parts of 20,000 rows)
  const dataServer = new DataServer(deps.db, deps.copyOut, deps.dbKind === 'pglite' ? 20_000 : null);
  const applications = new ApplicationService(deps.db, calendar, catalog, masking);
  const grants = new GrantService(deps.db, calendar, catalog, masking, dataServer);
  const notifications = new NotifyService(deps.db);
  applications.grants = grants;
  const share = new ShareServer(deps.db, masking, dataServer, deps.commitDb);
  // a grant changed here is read again by this node's data services at once (other nodes within GRANT_TTL_MS)
  grants.onChanged = (id) => share.forget(id);
  catalog.onApproved(async (_trx, id) => share.versionApproved(id));
  // quality reads loaded data through ingest (tables, freshness, the one-source comparison) and sharing (grants)
  const oneSource = new OneSourceService(deps.db);
  const rules = new RuleService(deps.db, calendar, ingest, dataServer, oneSource, masking);
  const tickets = new TicketService(deps.db, calendar, ingest, grants, share, rules);
  rules.onRuns = (runs) => tickets.onRuns(runs);
  const services: Services = {
    auth: new AuthService({ db: deps.db, config, keys: deps.keys }),
    calendar,
    catalog,
    lists: new ListsService(deps.db, (ids) => ingest.loadsOf(ids)),
    masking,
    ingest,
    browse: new BrowseService(deps.db, masking),
    pull: new PullService(deps.db, ingest, deps.keys.sm4, outbound),
    oneSource,
    applications,
    grants,
    notify: notifications,
    share,
    trace: new TraceService(deps.db, masking),
    dbSync: new DbSyncService(deps.db, share, deps.keys.sm4, outbound),
    rules,
    tickets,
  };
  const jobs = new JobQueue(deps.jobBackend, {
    pollingSeconds: config.jobPollSeconds,
    cronMonitorSeconds: config.jobCronCheckSeconds,
  });
  registerIngestJobs(jobs, services.pull, services.oneSource, config);
  // 08:00 Asia/Shanghai, before the working day starts
  registerSharingJobs(jobs, services.applications, services.grants, services.dbSync, '0 8 * * *');
  registerQualityJobs(jobs, rules, tickets);
  // a batch that succeeded queues its resource's rules; without a running queue (a CLI command, a test) they run here
  ingest.onBatchSucceeded(async ({ batchId, resourceId }) => {
    try {
      if (jobs.running) await jobs.send(QUALITY_JOBS.afterBatch, { resourceId, batchId }, { singletonKey: resourceId });
      else
        await rules.runResource({ actor: null, requestId: 'quality.after_batch', ip: null }, resourceId, 'batch', {
          batchId,
        });
    } catch (e) {
      app.log.error({ err: e, batchId }, 'quality rules after a batch could not run');
    }
  });
  jobs.register({
    name: 'platform.rate_limit.prune',
    title: { zh: '清理过期的限流计数', en: 'Prune expired rate-limit counters' },
    cron: '17 * * * *',
    policy: 'singleton',
    run: async () => {
      await pruneCounters(deps.db);
    },
  });
  app.decorate('services', services);
  app.decorate('jobs', jobs);
  app.decorate('routeTable', [] as RouteInfo[]);
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);
  app.decorateRequest('ctx', null as never);

  installValidators(app);
  installErrorHandling(
    app,
    async (req, r) => {
      // Refusals and server errors are part of the trail: who tried what, and what failed.
      const objectId = `${req.method} ${req.routeOptions.url ?? req.url}`.slice(0, 100);
      await deps.db.transaction().execute((trx) =>
        writeAudit(trx, req.ctx, {
          action: r.kind === 'forbidden' ? 'access.denied' : r.kind === 'refused' ? 'access.refused' : 'server.error',
          objectType: 'route',
          objectId,
          outcome: r.kind === 'server_error' ? 'failure' : 'denied',
          diff:
            r.kind === 'server_error'
              ? { code: r.code, error: r.error }
              : {
                  code: r.code,
                  ...(r.reason ? { reason: r.reason } : {}),
                  ...(r.detail ? { refused: r.detail } : {}),
                  ...(r.fields.length ? { fields: r.fields.map((f) => f.field) } : {}),
                },
        }),
      );
    },
    async (key, windowMs) => (await countRequest(deps.db, `audit-once|${key}`, windowMs)).current === 1,
  );

  // In tests, a reply with a property its schema leaves out fails (the serializer would drop it silently).
  if (config.env === 'test') checkResponses(app);

  // Every API route must say who may call it; a route without a declaration is a programming error.
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/api/') || r.method === 'HEAD') return;
    const allow = r.config?.allow;
    if (!allow && !r.url.startsWith('/api/docs'))
      throw new Error(`route ${String(r.method)} ${r.url} declares no config.allow`);
    for (const m of [r.method].flat())
      app.routeTable.push({
        method: String(m),
        url: r.url,
        allow: allow ?? 'public',
        allowPendingMfa: !!r.config?.allowPendingMfa,
        schema: r.schema as RouteInfo['schema'],
      });
  });

  // Security headers on every reply (console, API, docs): a CSP without inline script, no framing, no sniffing,
  // no referrer. No upgrade-insecure-requests: a district may serve the console over plain HTTP on its intranet.
  // The headers never vary, so they are worked out once (Fastify's helmet plugin builds helmet anew for every
  // request: 4% of a data service call's time).
  const securityHeaders = headersOf({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        // Ant Design and ECharts set styles at run time (CSS-in-JS): inline styles, never inline script
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'worker-src': ["'self'", 'blob:'],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of securityHeaders) raw.setHeader(name, value);
    raw.removeHeader('X-Powered-By');
    done();
  });
  await app.register(cookie);
  // Throttled guessing is a security refusal: audited once per client and route per minute across all app nodes (not
  // once per request, so a flood does not become a flood of audit records).
  await app.register(rateLimit, {
    global: false,
    // counted in the database, so the limit holds across every app node
    store: databaseRateLimitStore(deps.db),
    errorResponseBuilder: (req, ctx) =>
      new AppError(
        429,
        'request.rate_limited',
        `请求过于频繁，请在 ${Math.ceil(ctx.ttl / 1000)} 秒后重试`,
        `rate limit exceeded, retry in ${ctx.after}`,
      ).auditedOncePer('rate_limited', `${req.ip} ${req.routeOptions.url ?? ''}`, 60_000),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gongshu 公数 API',
        version: '0.1.0',
        description:
          'Public data platform of a district government. Errors are RFC 9457 application/problem+json with a stable `code` and messages in zh-CN and en.',
      },
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'Console session; unsafe methods also need the X-CSRF-Token header from /api/auth/session',
          },
          credential: {
            type: 'http',
            scheme: 'bearer',
            description: 'API credential of an information system: "<keyId>.<secret>"',
          },
        },
      },
      security: [{ session: [] }, { credential: [] }],
    },
  });
  // the API's pages carry the platform's name and mark, not Swagger's
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { docExpansion: 'list', validatorUrl: null },
    theme: { title: '公数 Gongshu · API 文档' },
    logo: { type: 'image/svg+xml', content: Buffer.from(API_LOGO), href: '/', target: '_self' },
  });

  app.addHook('onRequest', async (req) => {
    req.ctx = { actor: null, requestId: req.id, ip: req.ip };
    const authz = req.headers.authorization;
    if (authz !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(authz);
      const actor = m ? await services.auth.resolveCredential(m[1]!.trim(), req.ip) : null;
      if (!actor)
        throw new AppError(
          401,
          'auth.bad_credential',
          'API 凭据无效、已过期或已吊销',
          'The API credential is invalid, expired or revoked',
        );
      req.actor = actor;
    } else {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        const s = await services.auth.resolveSession(token);
        if (s) {
          req.session = s;
          if (s.mfaState === 'complete') req.actor = services.auth.actorOf(s);
        }
      }
    }
    req.ctx.actor = req.actor;
    const cfg = req.routeOptions.config;
    if (!cfg?.allow) return;
    // Cookie-authenticated changes need the session's CSRF token (API credentials carry no cookie).
    if (req.session && UNSAFE.has(req.method) && req.url !== '/api/auth/login') {
      if (req.headers['x-csrf-token'] !== req.session.csrfToken)
        throw new AppError(
          403,
          'auth.csrf',
          '请求缺少有效的 CSRF 令牌，请刷新页面后重试',
          'Missing or wrong X-CSRF-Token header; reload the page and retry',
        );
    }
    if (req.session && req.session.mfaState !== 'complete' && !cfg.allowPendingMfa)
      throw new AppError(401, 'auth.mfa_required', '请先完成动态口令验证', 'Complete the one-time-code step first');
    if (cfg.allow === 'public') return;
    if (!req.actor) throw new AppError(401, 'auth.unauthenticated', '请先登录', 'Please log in first');
    if (req.session?.user.must_change_password && req.routeOptions.url !== '/api/auth/password')
      throw new AppError(
        403,
        'auth.password_change_required',
        '请先修改初始密码',
        'Change your initial password first',
      );
    if (cfg.allow !== 'authenticated' && !admits(req.actor, cfg.allow as readonly CallerRole[]))
      throw new AppError(403, 'auth.forbidden', '您的角色无权执行此操作', 'Your role may not do this');
  });

  app.addHook('preValidation', async (req) => {
    // Streamed bodies (file uploads, NDJSON) are checked row by row by their reader instead.
    checkRequestText(
      req,
      req.body instanceof Readable ? 'skip' : req.routeOptions.config?.bodyTextPerRow ? 'depth' : 'all',
    );
  });

  // Every call by an information system is a data access: one audit record per call.
  app.addHook('onResponse', async (req, reply) => {
    if (req.actor?.kind !== 'credential' || req.routeOptions.config?.auditedByRoute) return;
    try {
      await deps.db.transaction().execute((trx) =>
        writeAudit(trx, req.ctx, {
          action: 'api.call',
          objectType: 'route',
          objectId: `${req.method} ${req.routeOptions.url ?? req.url}`.slice(0, 100),
          outcome: reply.statusCode < 400 ? 'success' : reply.statusCode === 403 ? 'denied' : 'failure',
          diff: { status: reply.statusCode },
        }),
      );
    } catch (err) {
      req.log.error({ err }, 'could not write the api.call audit record');
    }
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    req.log[level](
      {
        method: req.method,
        url: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        actor: req.actor ? (req.actor.kind === 'user' ? req.actor.username : req.actor.keyId) : null,
      },
      'request',
    );
  });

  app.get(
    '/api/health',
    {
      schema: {
        tags: ['platform'],
        summary: 'Database reachability and migration version',
        response: { 200: healthSchema, 503: healthSchema },
      },
      config: { allow: 'public' },
    },
    async (_req, reply) => {
      let migration: string | null = null;
      let ok = true;
      try {
        await ping(deps.db);
        migration = await currentMigration(deps.db);
      } catch {
        ok = false;
      }
      const body = {
        status: ok && migration === latestMigration ? 'ok' : 'degraded',
        database: { kind: deps.dbKind, reachable: ok },
        migration: { current: migration, latest: latestMigration },
      };
      return reply.status(body.status === 'ok' ? 200 : 503).send(body);
    },
  );

  app.get('/api/openapi.json', { schema: { hide: true }, config: { allow: 'public' } }, async () => app.swagger());

  await app.register(authRoutes(services.auth, config.sessionAbsoluteHours, abilitiesOf));
  // the trail names objects by name and code: each domain says how to name its own
  await app.register(
    auditRoutes(deps.db, {
      ...authLabels(deps.db),
      ...catalogLabels(deps.db),
      ...ingestLabels(deps.db),
      ...maskingLabels(deps.db),
      ...sharingLabels(deps.db),
      ...qualityLabels(deps.db),
    }),
  );
  await app.register(calendarRoutes(services.calendar));
  await app.register(catalogRoutes(services.catalog));
  await app.register(listsRoutes(services.lists, services.catalog));
  await app.register(maskingRoutes(services.masking));
  await app.register(ingestRoutes(services.ingest, services.browse, services.pull, services.oneSource));
  await app.register(sharingRoutes(services.applications, services.grants, services.dbSync));
  await app.register(traceRoutes(services.trace));
  await app.register(qualityRoutes(services.rules, services.tickets));
  await app.register(notifyRoutes(services.notify));
  await app.register(shareRoutes(services.share));
  await app.register(jobsRoutes(jobs, deps.db));
  app.addHook('onClose', async () => {
    await jobs.stop();
  });

  const webDist = config.webDist ?? path.resolve(import.meta.dirname, '../../web/dist');
  const hasWeb = existsSync(path.join(webDist, 'index.html'));
  // Files are looked up per request, so a rebuilt console is served without a restart.
  if (hasWeb) await app.register(fastifyStatic, { root: webDist, index: ['index.html'] });

  app.setNotFoundHandler((req, reply) => {
    // Console routes (/users, /audit …) get the app; a missing file (/assets/x.js) is a plain 404.
    const isFile = /\.[A-Za-z0-9]+$/.test(req.url.split('?')[0]!);
    if (!req.url.startsWith('/api/') && req.method === 'GET' && hasWeb && !isFile)
      return reply.type('text/html').sendFile('index.html');
    if (!req.url.startsWith('/api/') && req.method === 'GET')
      return reply
        .type('text/plain; charset=utf-8')
        .status(404)
        .send(hasWeb ? 'Not found' : 'The console is not built: run `npm run build` (npm start does this for you).');
    return sendProblem(
      reply,
      404,
      'request.not_found',
      `没有这个接口：${req.method} ${req.url.split('?')[0]}`,
      `No such endpoint: ${req.method} ${req.url.split('?')[0]}`,
    );
  });

  return app as unknown as FastifyInstance;
}

import { Type } from 'typebox';
const healthSchema = Type.Object({
  status: Type.String(),
  database: Type.Object({ kind: Type.String(), reachable: Type.Boolean() }),
  migration: Type.Object({ current: Type.Union([Type.String(), Type.Null()]), latest: Type.String() }),
});

/** The masking master key (platform/crypto.ts), re-exported for the CLI. */
export { maskingMaster };
