import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Models } from '../models';
import { ApiError } from './errors';
import { csrfHeader, readSession, sessionCookie } from './session';

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Compares digests, so neither the length nor the content of a secret leaks through timing. */
export function secretMatches(presented: string, expectedHash: string): boolean {
  const a = Buffer.from(sha256(presented), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who made a request under /api, and how: set on ctx.state.principal by requireAdmin. */
export interface Principal {
  role: 'admin';
  /** `key`: Authorization: Bearer; `session`: the console's cookie (api/session.ts). */
  via: 'key' | 'session';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Everything under /api: `Authorization: Bearer <ADMIN_API_KEY>`, or the console's session
 * cookie. A cookie is sent by the browser on its own, so a state-changing call made with one
 * must also carry the session's CSRF token in X-CSRF-Token (a page on another site cannot read
 * it); a bearer key is never sent by a browser unasked, so it needs none.
 */
export function requireAdmin(opts: { adminApiKey: string | undefined; models: Models; now: () => Date }) {
  const expected = opts.adminApiKey ? sha256(opts.adminApiKey) : undefined;
  return async (ctx: Context, next: Next) => {
    if (!expected) throw new ApiError(503, 'admin_disabled', 'the admin API is disabled: ADMIN_API_KEY is not set');
    const authorization = ctx.get('authorization');
    if (authorization) {
      const match = /^Bearer\s+(.+)$/i.exec(authorization);
      if (!match || !secretMatches(match[1]!.trim(), expected)) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new ApiError(401, 'unauthorized', 'missing or wrong admin key: send Authorization: Bearer <ADMIN_API_KEY>');
      }
      ctx.state.principal = { role: 'admin', via: 'key' } satisfies Principal;
      return next();
    }
    const session = await readSession(opts.models, ctx.cookies.get(sessionCookie), opts.now());
    if (!session) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        401,
        'unauthorized',
        'missing or wrong admin key: send Authorization: Bearer <ADMIN_API_KEY>, or sign in to the console (POST /api/session)',
      );
    }
    if (!SAFE_METHODS.has(ctx.method) && !session.csrfMatches(ctx.get(csrfHeader)))
      throw new ApiError(403, 'csrf_failed', `a state-changing call with the session cookie needs the session's ${csrfHeader} header`);
    ctx.state.principal = { role: 'admin', via: 'session' } satisfies Principal;
    return next();
  };
}
