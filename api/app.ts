import { bodyParser } from '@koa/bodyparser';
import type { Client } from '@temporalio/client';
import Koa from 'koa';
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { Models } from '../models';
import { pingMongo } from '../models/connect';
import { createApiMetrics, type ApiMetrics } from '../observability/api-metrics';
import { callbackLogger, createLogger, type Logger } from '../observability/logger';
import { pingTemporal } from '../temporal/connect';
import { auditedRoutes } from './audit';
import { authenticate } from './auth';
import { consoleStatic } from './console/static';
import { clickTargetCache } from './click-targets';
import { ApiError, errorHandler } from './errors';
import { ingressLogged } from './ingress-log/recorder';
import { openApiJson } from './openapi/document';
import { ipRateLimit, rateLimit } from './rate-limit';
import { requestContext } from './request-context';
import { mountRoutes, servedAhead, type Route } from './route';
import { offerRoutes } from './routes/admin-offers';
import { trafficbackRoutes } from './routes/trafficback';
import { clickReadRoutes } from './routes/clicks';
import { mmpAdminRoutes, mmpPostbackRoutes } from './routes/mmp';
import { affiliateOfferRoutes } from './routes/affiliate-offers';
import { partyRoutes } from './routes/admin-parties';
import { advertiserTokenRoutes } from './routes/advertiser-token';
import { clickRoutes } from './routes/click';
import { conversionHistoryRoutes } from './routes/conversion-history';
import { auditRoutes } from './routes/audit';
import { apiKeyRoutes } from './routes/api-keys';
import { conversionRoutes } from './routes/conversions';
import { conversionSearchRoutes } from './routes/conversion-search';
import { deliveryRoutes } from './routes/deliveries';
import { deliveryIssueRoutes } from './routes/delivery-issues';
import { docsRoutes } from './routes/docs';
import { postbackEndpointRoutes } from './routes/postback-endpoints';
import { subscriptionRoutes } from './routes/subscriptions';
import { eventRecorder } from '../events/record';
import { eventRoutes } from './routes/events';
import { clickCreated, eventTypes } from '../events/catalogue';
import { postbackMacroRoutes } from './routes/postback-macros';
import { postbackStatusRoutes } from './routes/postback-status';
import { reportRoutes } from './routes/reports';
import { overviewRoutes } from './routes/overview';
import { healthRoutes } from './routes/health';
import { EventTail } from './live/event-tail';
import { LiveFeed } from './live/feed';
import { liveRoutes } from './routes/live';
import { sessionRoutes } from './routes/session';
import { metricsRoutes } from './routes/metrics';
import { postbackRoutes } from './routes/postback';
import { ingressLogRoutes } from './routes/ingress-log';
import { retentionRoutes } from './routes/retention';
import { testPostbackRoutes } from './routes/test-postbacks';

/** The configuration sections the API reads (config/index.ts): every setting is given, none defaulted here. */
export type AppConfig = Pick<Config, 'api' | 'temporal' | 'lifecycle' | 'events'>;

export interface AppDeps {
  config: AppConfig;
  temporal: Client;
  mongo: Connection;
  models: Models;
  now?: () => Date;
  /** Access and error lines (JSON); default: warnings and errors only, on stdout. api/server.ts passes LOG_LEVEL's. */
  logger?: Logger;
  /** Receives each unexpected-error line only (JSON), for callers that just collect them; `logger` wins. */
  log?: (line: string) => void;
  /** The registry /metrics serves; default: a fresh one per app, so apps in one process never share counts. */
  metrics?: ApiMetrics;
  /** The live stream's poller (GET /api/stream); whoever passes it closes it (system/start.ts does on stop). */
  live?: LiveFeed;
  /** The event stream's poller (GET /api/events/stream); closed by whoever passes it, like `live`. */
  eventTail?: EventTail;
}

/** Builds the Koa app; it never listens (api/server.ts does), so tests drive app.callback(). */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const logger = deps.logger ?? (deps.log ? callbackLogger(deps.log) : createLogger({ level: 'warn', service: 'api' }));
  const metrics = deps.metrics ?? createApiMetrics();
  // X-Forwarded-For is believed only for the proxies we run: with N hops, ctx.ip is the Nth
  // address from the right (what our own load balancer saw). The client writes the rest, and an
  // IP the client chose would defeat the per-IP limit, the advertiser allowlist and fraud rules.
  const { api, temporal: temporalConfig, lifecycle } = deps.config;
  const hops = api.trustProxyHops;
  app.proxy = hops > 0;
  app.maxIpsCount = hops;
  app.silent = true; // errorHandler logs; Koa's default handler would print secrets in URLs

  app.use(requestContext({ logger, metrics })); // outermost: sees the final status, times everything
  app.use(errorHandler(logger));
  const limits = api.rateLimits;
  app.use(ipRateLimit(limits.perIp));
  const now = deps.now ?? (() => new Date());
  const targets = clickTargetCache(deps.models);
  const clicks = clickRoutes({
    models: deps.models,
    targets,
    now,
    ...(deps.config.events.clickCreated
      ? { clickEvents: { record: eventRecorder({ models: deps.models, now, retentionMs: deps.config.events.retentionMs }) } }
      : {}),
  });
  // GET /click needs none of what follows (it reads no body; the router would find it last).
  for (const r of clicks) app.use(servedAhead(r));
  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: '64kb',
      formLimit: '64kb',
      onError: (err) => {
        throw new ApiError(
          (err as { status?: number }).status === 413 ? 413 : 400,
          'invalid_body',
          `the body could not be parsed: ${err.message}`,
        );
      },
    }),
  );

  const health = healthRoutes({
    mongodb: () => pingMongo(deps.mongo),
    temporal: () => pingTemporal(deps.temporal),
  });
  const advertiserLimit = rateLimit(limits.perAdvertiser, (id) => `advertiser ${id}`);
  const accept = {
    temporal: deps.temporal,
    models: deps.models,
    taskQueue: temporalConfig.taskQueue,
    reversalWindowHours: lifecycle.reversalWindowHours,
    now,
  };
  const ingressLog = api.ingressLog;
  // Every call that reaches an advertiser's routes is a row of its ingress log (api/ingress-log/).
  const advertiserRoutes = ingressLogged(
    [...postbackRoutes({ ...accept, advertiserLimit }), ...postbackStatusRoutes(deps.models, now, advertiserLimit)],
    { models: deps.models, now, logger, ...ingressLog },
  );
  const publicRoutes: Route[] = [
    ...health,
    ...metricsRoutes(metrics.registry),
    ...advertiserRoutes,
    ...mmpPostbackRoutes(accept),
    ...clicks,
    // Sign-in carries the key itself; reading and ending a session check its cookie.
    ...sessionRoutes({ models: deps.models, adminApiKey: api.adminApiKey, ttlMs: api.sessionTtlMs, now }),
    // The document describes exactly the routes this app mounts (both lists, built below).
    ...docsRoutes(() => openApiJson(routes)),
  ];

  const live = deps.live ?? new LiveFeed({ models: deps.models });
  live.onError ??= (err) => logger.warn({ err }, 'live stream: a read failed; open streams go on once the database answers');
  const eventTail = deps.eventTail ?? new EventTail({ models: deps.models });
  eventTail.onError ??= (err) => logger.warn({ err }, 'event stream: a read failed; open streams go on once the database answers');
  const workflows = { models: deps.models, temporal: deps.temporal, taskQueue: temporalConfig.taskQueue };
  // Everything under /api needs the admin key; checked before any admin route runs. The router
  // matches paths case-insensitively, so this check must too: /API/advertisers is /api/advertisers.
  // Routes that declare an ops action write its audit entry (api/audit.ts).
  const adminRoutes: Route[] = auditedRoutes(
    [
      ...partyRoutes(deps.models, targets.clear),
      ...advertiserTokenRoutes({ models: deps.models, now }),
      ...offerRoutes(deps.models, targets.clear),
      ...trafficbackRoutes(deps.models, targets.clear),
      ...clickReadRoutes(deps.models),
      ...mmpAdminRoutes(deps.models),
      ...affiliateOfferRoutes(deps.models),
      // Before conversionRoutes: /api/conversions/export.csv would otherwise be read as /api/conversions/{id}.
      ...conversionSearchRoutes({ models: deps.models, now }),
      ...conversionRoutes(workflows),
      ...conversionHistoryRoutes({
        models: deps.models,
        temporal: deps.temporal,
        temporalUiUrl: temporalConfig.uiUrl,
      }),
      ...postbackEndpointRoutes({ models: deps.models, temporal: deps.temporal, now }),
      ...postbackMacroRoutes(),
      ...subscriptionRoutes({
        models: deps.models,
        now,
        eventTypes,
        notRecorded: deps.config.events.clickCreated ? [] : [clickCreated.type],
        temporal: deps.temporal,
        taskQueue: temporalConfig.taskQueue,
      }),
      ...eventRoutes(deps.models, eventTail),
      ...testPostbackRoutes(accept),
      ...deliveryRoutes(workflows),
      ...deliveryIssueRoutes({ models: deps.models, now }),
      ...reportRoutes({ models: deps.models, now }),
      ...overviewRoutes({ models: deps.models, now }),
      ...liveRoutes(live, deps.models),
      ...auditRoutes(deps.models),
      ...apiKeyRoutes({ models: deps.models, now, sessionTtlMs: api.sessionTtlMs }),
      ...ingressLogRoutes({ models: deps.models, now, retentionMs: ingressLog.retentionMs }),
      ...retentionRoutes(workflows),
    ],
    { models: deps.models, now },
  );
  const routes = [...publicRoutes, ...adminRoutes];
  app.use(consoleStatic());
  app.use(mountRoutes(publicRoutes));
  const admin = authenticate({ adminApiKey: api.adminApiKey, models: deps.models, now });
  app.use(async (ctx, next) => {
    const path = ctx.path.slice(0, 5).toLowerCase();
    return path === '/api' || path === '/api/' ? admin(ctx, next) : next();
  });
  app.use(mountRoutes(adminRoutes, { models: deps.models }));
  return app;
}
