import type { Context, Next } from 'koa';
import type { Models } from '../models';
import { ApiError } from './errors';
import { secretMatches, sha256 } from './access/secrets';
import { keyPattern, keyStillValid, principalOfKey } from './access/keys';
import { adminPrincipal, principalFrom, type Principal } from './access/principal';
import { csrfHeader, readSession, sessionCookie } from './session';

export type { Principal } from './access/principal';

export { secretMatches, sha256 } from './access/secrets';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isSafeMethod = (method: string): boolean => SAFE_METHODS.has(method);

/** Who made this request (set by `authenticate` for everything under /api). */
export function principalOf(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (!principal) throw new Error('no principal: the route is not behind authenticate()');
  return principal;
}

const refuse = (ctx: Context, message: string): never => {
  ctx.set('WWW-Authenticate', 'Bearer');
  throw new ApiError(401, 'unauthorized', message);
};

/**
 * Everything under /api: `Authorization: Bearer <key>` with ADMIN_API_KEY or a scoped key
 * (api/access/keys.ts), or the console's session cookie. A cookie is sent by the browser on its
 * own, so a state-changing call made with one must also carry the session's CSRF token in
 * X-CSRF-Token (a page on another site cannot read it); a bearer key is never sent by a browser
 * unasked, so it needs none. What the principal may do on each route is api/access/authorize.ts.
 * Keys and sessions are read from the database on every request, so revoking one holds at once
 * in every API process.
 */
export function authenticate(opts: { adminApiKey: string | undefined; models: Models; now: () => Date }) {
  const expected = opts.adminApiKey ? sha256(opts.adminApiKey) : undefined;
  return async (ctx: Context, next: Next) => {
    const authorization = ctx.get('authorization');
    if (authorization) {
      const match = /^Bearer\s+(.+)$/i.exec(authorization);
      const presented = match?.[1]!.trim() ?? '';
      if (keyPattern.test(presented)) {
        const principal = await principalOfKey(opts.models, presented, opts.now());
        if (!principal) refuse(ctx, 'unknown, revoked or expired key');
        ctx.state.principal = principal;
        return next();
      }
      if (!expected)
        throw new ApiError(503, 'admin_disabled', 'the admin key is disabled: ADMIN_API_KEY is not set (scoped pf_ keys still work)');
      if (!match || !secretMatches(presented, expected))
        refuse(ctx, 'missing or wrong key: send Authorization: Bearer <ADMIN_API_KEY or a pf_ key>');
      ctx.state.principal = adminPrincipal('key');
      return next();
    }
    const now = opts.now();
    const session = await readSession(opts.models, ctx.cookies.get(sessionCookie), now);
    // A session bounds what it mints by its end, except the admin's own (ADMIN_API_KEY never ends): a 12-hour console
    // session must not cap every partner key the admin makes at 12 hours.
    const bounded = session && (session.key_id || session.principal !== 'admin');
    const principal =
      session &&
      principalFrom(session, 'session', {
        ...(session.key_id ? { key_id: session.key_id } : {}),
        ...(bounded ? { expires_at: session.expiresAt } : {}),
      });
    if (!session || !principal || (session.key_id && !(await keyStillValid(opts.models, session.key_id, now))))
      return refuse(ctx, 'missing or wrong key: send Authorization: Bearer <key>, or sign in to the console (POST /api/session)');
    if (!SAFE_METHODS.has(ctx.method) && !session.csrfMatches(ctx.get(csrfHeader)))
      throw new ApiError(403, 'csrf_failed', `a state-changing call with the session cookie needs the session's ${csrfHeader} header`);
    ctx.state.principal = principal;
    return next();
  };
}
