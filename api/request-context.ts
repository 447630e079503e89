import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { ApiMetrics } from '../observability/api-metrics';
import type { Logger } from '../observability/logger';
import { maskRequestUrl } from '../observability/redact';

/** A caller's id is kept if it is short and plain: it is echoed in a header and written to logs. */
const saneRequestId = /^[\w.:@/+=-]{1,128}$/;

/** Probes and scrapes arrive every few seconds; their lines are debug, not info. */
const quietRoutes = new Set(['/healthz', '/readyz', '/metrics']);

interface RequestInfo {
  requestId: string;
  log: Logger;
  /** Extra fields for the access line (and error lines): conversion_id, workflow_id, … */
  fields: Record<string, unknown>;
}

const stateKey = 'postflowRequest';
const info = (ctx: Context): RequestInfo | undefined => (ctx.state as Record<string, RequestInfo | undefined>)[stateKey];

/** Adds fields to this request's access line, e.g. the conversion a postback concerns. */
export function annotateRequest(ctx: Context, fields: Record<string, unknown>): void {
  const current = info(ctx);
  if (current) Object.assign(current.fields, fields);
}

/** This request's id (the X-Request-Id it was answered with), for records that point back to its log lines. */
export function requestIdOf(ctx: Context): string | undefined {
  return info(ctx)?.requestId;
}

/** The request's logger (it carries request_id), plus the fields annotated so far. */
export function requestLog(ctx: Context, fallback: Logger): { log: Logger; fields: Record<string, unknown> } {
  const current = info(ctx);
  return current ? { log: current.log, fields: { ...current.fields } } : { log: fallback, fields: {} };
}

/** The route pattern the router matched (`/api/conversions/:id`); never the URL, which holds ids and tokens. */
export function routeOf(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? 'unmatched' : String(matched);
}

/** What a postback answered: its `result`, or the error code of a refusal. */
function postbackResult(ctx: Context): string {
  const body = ctx.body as { result?: unknown; error?: unknown } | undefined;
  const value = body && typeof body === 'object' ? (body.result ?? body.error) : undefined;
  return typeof value === 'string' ? value : `status_${ctx.status}`;
}

/**
 * Outermost middleware: assigns the request id (a sane incoming X-Request-Id, else a UUID) and
 * echoes it, then, once the answer is final, writes one access line and records the HTTP and
 * postback metrics. Runs outside errorHandler, so it sees the status and body the client gets.
 */
export function requestContext(deps: { logger: Logger; metrics: ApiMetrics }) {
  return async (ctx: Context, next: Next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = saneRequestId.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    // The child logger is made on first use: most requests log one line, and at thousands of
    // clicks a second a child per request is measurable.
    let log: Logger | undefined;
    const request: RequestInfo = {
      requestId,
      get log() {
        return (log ??= deps.logger.child({ request_id: requestId }));
      },
      fields: {},
    };
    (ctx.state as Record<string, RequestInfo>)[stateKey] = request;
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(ctx);
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      deps.metrics.httpRequests.inc(labels);
      deps.metrics.httpDuration.observe(labels, seconds);
      if (ctx.path === '/postback') deps.metrics.postbacks.inc({ result: postbackResult(ctx) });

      // Probes that answer well are debug, and so is a click that redirected: at thousands a
      // second the line would cost more than the click, and the click itself is stored in
      // MongoDB. Everything else, and any failure, is info.
      const quiet = (quietRoutes.has(ctx.path) && ctx.status < 500) || (ctx.path === '/click' && ctx.status === 302);
      const level = quiet ? 'debug' : 'info';
      if (deps.logger.isLevelEnabled(level)) {
        request.log[level](
          {
            method: ctx.method,
            route,
            status: ctx.status,
            duration_ms: Math.round(seconds * 10_000) / 10,
            url: maskRequestUrl(ctx.originalUrl),
            ip: ctx.ip,
            ...request.fields,
          },
          'request',
        );
      }
    }
  };
}
