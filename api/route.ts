import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Readable } from 'node:stream';
import Router, { type RouterContext } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import type { Models } from '../models';
import { authorize, checkRealmsDeclared, type RouteRealms } from './access/authorize';
import { isPartner, type Capability } from './access/principal';
import { projectFor } from './access/projection';
import { reasonDetailApplied, withReasonDetail } from './access/reason-detail';
import type { AuditSpec } from './audit';
import { principalOf } from './auth';
import { ApiError, parseOr400 } from './errors';

/**
 * One route, declared once: the schemas here are what the router validates with and what
 * /openapi.json (api/openapi/document.ts) describes, so the two cannot drift apart.
 */
export interface RouteSpec<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form: `/api/offers/{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /**
   * admin: Bearer ADMIN_API_KEY or the console session (everything under /api); postback: the
   * advertiser's token; session: the console session cookie only, checked by the handler
   * (reading and ending a session, api/routes/session.ts).
   */
  access: 'public' | 'admin' | 'postback' | 'session';
  /**
   * For `admin` routes (everything under /api, any authenticated principal): who besides the
   * admin may call it, and how a partner is confined on it (api/access/authorize.ts). Required:
   * the app refuses to start with an /api route that does not say.
   */
  realms?: RouteRealms;
  /** A capability a principal must hold to call it (a partner's key or portal link may lack it). */
  capability?: Capability;
  params?: P;
  query?: Q;
  /** Request headers the route reads, for the document; its handler parses them with the same schema. */
  headers?: z.ZodObject;
  /** A JSON body (required), or with `form` the same fields as JSON or a form (optional, merged with the query). */
  body?: B;
  form?: boolean;
  /**
   * The handler validates with these schemas itself, because its input is merged from several
   * places first (query, body, a header, parameter aliases): the postback routes.
   */
  mergedInput?: boolean;
  /** Success answers (and the error answers the route describes itself) by status. */
  responses: Record<number, ResponseConfig>;
  /** Error statuses this route answers; admin, credential and body-related ones are added. */
  errors?: readonly number[];
  /** The ops action this route is: every success writes one audit entry (api/audit.ts). */
  audit?: AuditSpec;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
export interface RouteInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

export interface Route {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec: RouteSpec<any, any, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handle: (ctx: RouterContext, input: RouteInput<any, any, any>) => unknown;
}

export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>, handle: (ctx: RouterContext, input: RouteInput<P, Q, B>) => unknown): Route {
  return { spec, handle: handle as Route['handle'] };
}

/** A JSON route's body is required: no body (or one of a type the parser skips) is refused, never read as `{}`. */
function hasBody(ctx: RouterContext): boolean {
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  return typeof raw === 'string' && raw.trim() !== '';
}

function validate(ctx: RouterContext, spec: Route['spec']): RouteInput<unknown, unknown, unknown> {
  const params = spec.params ? parseOr400(spec.params, ctx.params) : undefined;
  if (spec.mergedInput) return { params, query: undefined, body: undefined };
  const query = spec.query ? parseOr400(spec.query, ctx.query) : undefined;
  if (spec.body && !spec.form && !hasBody(ctx))
    throw new ApiError(400, 'invalid_request', 'a JSON body is required (Content-Type: application/json)', [
      { path: '', code: 'body_required', message: 'a JSON body is required' },
    ]);
  const body = spec.body ? parseOr400(spec.body, (ctx.request as { body?: unknown }).body) : undefined;
  return { params, query, body };
}

/**
 * `/api/deliveries/redeliver` also matches `/api/deliveries/:id`; the document lists the first as
 * its own resource, so Allow names the methods of the literal path when one matches.
 */
function preferStaticPath(ctx: Context): void {
  const layers = ((ctx as { matched?: { path: string; methods: string[] }[] }).matched ?? []).filter((l) => l.methods.length > 0);
  const literal = layers.filter((l) => !l.path.includes(':'));
  if (literal.length === 0 || literal.length === layers.length) return;
  ctx.set('Allow', [...new Set(literal.flatMap((l) => l.methods))].join(', '));
}

/**
 * Serves one route ahead of the middleware it does not need (the body parser, the console's
 * files, the router's matching of every path): GET /click comes thousands of times a second.
 * Only the exact method and path are served here; any other spelling (/CLICK, /click/, HEAD)
 * goes on to the router, which mounts the same route and serves it the same way. The route
 * reads no body and has no path parameters, so nothing it needs is skipped.
 */
export function servedAhead(r: Route): Middleware {
  const { spec, handle } = r;
  if (spec.access !== 'public' || spec.body || spec.params || spec.path.includes('{'))
    throw new Error(`${spec.method} ${spec.path}: only public routes without a body or path parameters are served ahead`);
  const method = spec.method.toUpperCase();
  return async (ctx, next) => {
    if (ctx.method !== method || ctx.path !== spec.path) return next();
    // What the router records, so the access line and the metrics name the route as it would.
    (ctx as { _matchedRoute?: string })._matchedRoute = spec.path;
    await handle(ctx as RouterContext, validate(ctx as RouterContext, spec) as RouteInput<unknown, unknown, unknown>);
  };
}

/**
 * Mounts routes on one router. A known path with a method it does not serve answers a JSON 405
 * with the `Allow` header (RFC 9110); the routes sharing a path sit on one router, so it lists all.
 */
export function mountRoutes(routes: readonly Route[], access?: { models: Models }): Middleware {
  const router = new Router();
  for (const { spec, handle } of routes) {
    const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
    if (spec.access !== 'admin') {
      router[spec.method](path, async (ctx) => {
        await handle(ctx, validate(ctx, spec) as RouteInput<unknown, unknown, unknown>);
      });
      continue;
    }
    if (!access) throw new Error(`${spec.path}: /api routes are mounted with the models their realms are checked against`);
    checkRealmsDeclared(spec);
    router[spec.method](path, async (ctx) => {
      const input = validate(ctx, spec) as RouteInput<unknown, unknown, unknown>;
      await authorize(access.models, spec, ctx, input);
      await handle(ctx, input);
      // A partner's JSON answer loses what it may not see; streams project their own rows.
      const body: unknown = ctx.body;
      const principal = principalOf(ctx);
      if (isPartner(principal) && typeof body === 'object' && body !== null && !(body instanceof Readable)) {
        const detailed = reasonDetailApplied(ctx) ? body : await withReasonDetail(access.models, principal, body);
        const projected = projectFor(principal, detailed);
        if (projected !== body) ctx.body = projected;
      }
    });
  }
  const dispatch = router.routes();
  const allowed = router.allowedMethods();
  const middleware: Middleware = async (ctx, next) =>
    dispatch(ctx as never, async () => {
      await allowed(ctx as never, next);
      // allowedMethods sets the status and Allow but no body: 501 for a method no route here
      // knows (TRACE), 405 for a known one. To the client both are "not on this path".
      if (ctx.response.get('Allow')) preferStaticPath(ctx);
      if ((ctx.status !== 405 && ctx.status !== 501) || ctx.body !== undefined) return;
      const allow = ctx.response.get('Allow');
      if (!allow) {
        ctx.status = 404; // an unknown method on an unknown path: the path is what is wrong
        return;
      }
      throw new ApiError(405, 'method_not_allowed', `${ctx.method} is not allowed on this path; allowed: ${allow}`);
    });
  // Like @koa/router's own middleware, it carries its router, so tests can list what is served.
  return Object.assign(middleware, { router });
}
