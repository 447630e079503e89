import type { Context, Next } from 'koa';
import { type z } from 'zod';
import { callbackLogger, type Logger } from '../observability/logger';
import { requestLog } from './request-context';

/** An error the client caused or may act on: becomes `{ error, message, issues? }` with its 4xx/5xx status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: unknown[],
    /** Response headers that go with it (Retry-After on a 503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function validationError(error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.join('.'),
    code: issue.code,
    message: issue.message,
  }));
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new ApiError(400, 'invalid_request', message, issues);
}

/** Parses with a zod schema or throws a 400 that names every wrong field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** Status codes raised by Koa or its body parser that we pass through with their own message. */
const httpErrorCodes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

const DEPENDENCY_RETRY_AFTER_S = 5;
const SOCKET_GONE = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT']);

/**
 * MongoDB or Temporal unreachable (server selection, a dropped connection, gRPC UNAVAILABLE):
 * the request did nothing durable, so the caller may simply retry.
 */
export function isDependencyDown(err: unknown): boolean {
  // A socket the server closed under the driver (MongoDB stopped mid-request): node's own error,
  // not wrapped by the driver (the fault suite's MongoDB outage once answered one with a 500).
  const socketCode = (err as { code?: unknown } | undefined)?.code;
  if (typeof socketCode === 'string' && SOCKET_GONE.has(socketCode)) return true;
  const name = (err as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string') return false;
  if (
    /^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(name) ||
    name === 'MongooseServerSelectionError'
  )
    return true;
  // A batch write (the click writer's insertMany) wraps the driver's error; the original is its errorResponse.
  if (name === 'MongoBulkWriteError') return isDependencyDown((err as { errorResponse?: unknown }).errorResponse);
  // @temporalio/client wraps gRPC failures in ServiceError; code 14 is UNAVAILABLE.
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return name === 'ServiceError' && code === 14;
}

/**
 * Wraps every route (only the request context, api/request-context.ts, is outside it): every
 * failure becomes a JSON error body. An unreachable MongoDB or Temporal is a 503 with
 * Retry-After. Other unknown errors are a 500 with a generic message (details
 * go to the log, with the request id, never to the client).
 */
export function errorHandler(sink: Logger | ((line: string) => void)) {
  // A plain callback (tests) receives the error lines as JSON.
  const logger = typeof sink === 'function' ? callbackLogger(sink) : sink;
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.headers) ctx.set(err.headers);
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) };
        return;
      }
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && httpErrorCodes[status] && (err as { expose?: boolean }).expose) {
        ctx.status = status;
        ctx.body = { error: httpErrorCodes[status], message: (err as Error).message };
        return;
      }
      const { log, fields } = requestLog(ctx, logger);
      if (isDependencyDown(err)) {
        // Not the client's fault and not a bug: say so, and when to try again (advertisers retry on 503).
        log.warn({ err, method: ctx.method, path: ctx.path, ...fields }, 'a dependency is unreachable; answered 503');
        ctx.status = 503;
        ctx.set('Retry-After', String(DEPENDENCY_RETRY_AFTER_S));
        ctx.body = {
          error: 'unavailable',
          message: 'a database or workflow server is unreachable; nothing was stored, send the request again later',
        };
        return;
      }
      log.error({ err, method: ctx.method, path: ctx.path, ...fields }, 'unhandled error; answered 500');
      ctx.status = 500;
      ctx.body = { error: 'internal', message: 'internal error; the request was not processed' };
    }
  };
}
