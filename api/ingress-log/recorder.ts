import type { RouterContext } from '@koa/router';
import type { Context } from 'koa';
import type { Models } from '../../models';
import { newTimeOrderedId } from '../../models/ids';
import type { Logger } from '../../observability/logger';
import { scrubText } from '../../observability/redact';
import { acceptedMatch, advertiserByToken } from '../advertiser-token';
import { batchedInserter, type InsertManyTarget } from '../click-writer';
import { ApiError, isDependencyDown } from '../errors';
import { requestIdOf } from '../request-context';
import type { Route } from '../route';
import { presentedToken, recordedParams } from './params';
import { ingressPruner } from './prune';

export interface IngressLogDeps {
  models: Models;
  now: () => Date;
  logger: Logger;
  retentionMs: number;
  maxRowsPerAdvertiser: number;
}

/** Whose call the route found this to be, once it knows (api/routes/postback.ts, postback-status.ts). */
interface IngressNote {
  advertiserId: string;
  /** The token was verified as this advertiser's; false: only the click named it. */
  authenticated: boolean;
}

const stateKey = 'postflowIngress';

/**
 * The route tells the log whose call this is: the click's advertiser as soon as the click is found
 * (authenticated false), the same with true once the token has matched.
 */
export function noteIngressAdvertiser(ctx: Context, advertiserId: string, authenticated: boolean): void {
  (ctx.state as Record<string, IngressNote>)[stateKey] = { advertiserId, authenticated };
}

/** Rows waiting to be written, beyond which new ones are dropped (and counted in a warning) rather than held in memory. */
const MAX_PENDING = 10_000;
const MAX_MESSAGE = 500;

interface Outcome {
  http_status: number;
  result: string;
  message?: string;
  conversion_id?: string;
}

/** What the caller was answered, read as errorHandler will answer it (the log is written before that). */
function outcomeOf(ctx: Context, err: unknown): Outcome {
  if (err === undefined) {
    const body = (ctx.body ?? {}) as { result?: unknown; conversion_id?: unknown };
    return {
      http_status: ctx.status,
      result: typeof body.result === 'string' ? body.result : 'ok',
      ...(typeof body.conversion_id === 'string' ? { conversion_id: body.conversion_id } : {}),
    };
  }
  if (err instanceof ApiError) return { http_status: err.status, result: err.code, message: scrubText(err.message).slice(0, MAX_MESSAGE) };
  // An unexpected error's text stays in the API's own log (with the request id), never in a row a partner may read.
  if (isDependencyDown(err)) return { http_status: 503, result: 'unavailable', message: 'a database or workflow server was unreachable' };
  return { http_status: 500, result: 'internal', message: 'internal error' };
}

/**
 * Records every call of the wrapped routes, answered or refused, in the ingress log. The answer
 * never waits for the row and never depends on it: the row is written in the background (in
 * batches, like clicks), and a failed write is a warning in the API's log, not a failed postback.
 * Calls refused before a route runs are not recorded: the per-IP limit's 429 and an unreadable
 * body (a flood must not become writes).
 */
export function ingressLogged(routes: readonly Route[], deps: IngressLogDeps): Route[] {
  const insert = batchedInserter(deps.models.IngressLogEntry.collection as unknown as InsertManyTarget<Record<string, unknown>>);
  const prune = ingressPruner(deps);
  let pending = 0;
  let dropped = 0;

  const warn = (err: unknown, msg: string) => deps.logger.warn({ err }, msg);

  /** Whose call: the token's advertiser when the token is one's (the current, replaced or expired one), else the click's. */
  const attribute = async (note: IngressNote | undefined, token: string | undefined, at: Date) => {
    if (note?.authenticated || !token) return { advertiser_id: note?.advertiserId ?? null, authenticated: note?.authenticated ?? false };
    const owner = await advertiserByToken(deps.models, token, at);
    if (owner) return { advertiser_id: owner.advertiser._id, authenticated: acceptedMatch(owner.match) };
    return { advertiser_id: note?.advertiserId ?? null, authenticated: false };
  };

  const write = async (row: Record<string, unknown>, note: IngressNote | undefined, token: string | undefined, at: Date) => {
    const who = await attribute(note, token, at);
    await insert({ ...row, ...who });
    await prune(who.advertiser_id);
  };

  const record = (ctx: RouterContext, path: string, err?: unknown) => {
    try {
      if (pending >= MAX_PENDING) {
        dropped += 1;
        // One line per thousand: a store that cannot keep up must not also flood the log.
        if (dropped % 1000 === 1) deps.logger.warn({ dropped }, 'ingress log: rows dropped, the database is not keeping up');
        return;
      }
      const at = deps.now();
      const row = {
        _id: newTimeOrderedId('ing', at.getTime()),
        at,
        expires_at: new Date(at.getTime() + deps.retentionMs),
        route: path,
        method: ctx.method,
        params: recordedParams(ctx),
        ...outcomeOf(ctx, err),
        ip: ctx.ip,
        request_id: requestIdOf(ctx),
      };
      const note = (ctx.state as Record<string, IngressNote | undefined>)[stateKey];
      pending += 1;
      void write(row, note, presentedToken(ctx), at)
        .catch((e: unknown) => warn(e, 'ingress log: a row could not be written; the postback was answered regardless'))
        .finally(() => (pending -= 1));
    } catch (e) {
      warn(e, 'ingress log: a row could not be built; the postback was answered regardless');
    }
  };

  return routes.map((r) => ({
    spec: r.spec,
    handle: async (ctx, input) => {
      try {
        await r.handle(ctx, input);
      } catch (err) {
        record(ctx, r.spec.path, err);
        throw err;
      }
      record(ctx, r.spec.path);
    },
  }));
}
