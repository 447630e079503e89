import type { Context } from 'koa';
import type { Models } from '../../models';
import { secretMatches, sha256 } from '../auth';
import { ApiError } from '../errors';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { sessionInfo, signInBody } from '../schemas/session';
import { createSession, csrfHeader, endSession, readSession, sessionCookie } from '../session';

/**
 * Console sign-in and sign-out (api/session.ts). Public routes: the sign-in itself carries the
 * key, and reading or ending a session checks its cookie here.
 */
export function sessionRoutes(deps: { models: Models; adminApiKey: string | undefined; ttlMs: number; now: () => Date }): Route[] {
  const expected = deps.adminApiKey ? sha256(deps.adminApiKey) : undefined;
  const base = { tag: 'Console session', path: '/api/session' } as const;
  // Path=/api: only API calls carry it. Secure whenever the request came over HTTPS (directly or via a trusted proxy).
  const cookieOptions = (ctx: Context, expires: Date) =>
    ({ httpOnly: true, sameSite: 'strict', path: '/api', secure: ctx.secure, expires, overwrite: true }) as const;
  const current = async (ctx: Context) => {
    const session = await readSession(deps.models, ctx.cookies.get(sessionCookie), deps.now());
    if (!session) throw new ApiError(401, 'unauthorized', 'not signed in, or the session has ended: POST /api/session with the admin key');
    return session;
  };

  const signIn = route(
    {
      ...base,
      access: 'public',
      method: 'post',
      summary: 'Sign in to the console with the admin key',
      description:
        'Answers with an HttpOnly, SameSite=Strict session cookie (Path=/api) and the CSRF token that state-changing calls made ' +
        'with it must send as X-CSRF-Token. The key is not kept by the browser.',
      body: signInBody,
      responses: { 201: json(sessionInfo, 'Signed in; Set-Cookie carries the session') },
      errors: [401, 503],
    },
    async (ctx, { body }) => {
      if (!expected) throw new ApiError(503, 'admin_disabled', 'the admin API is disabled: ADMIN_API_KEY is not set');
      if (!secretMatches(body.key, expected)) throw new ApiError(401, 'unauthorized', 'wrong admin key');
      const session = await createSession(deps.models, 'admin', deps.ttlMs, deps.now());
      ctx.cookies.set(sessionCookie, session.cookieValue, cookieOptions(ctx, session.expiresAt));
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 201;
      ctx.body = { principal: 'admin', expires_at: session.expiresAt.toISOString(), csrf_token: session.csrfToken };
    },
  );

  const read = route(
    {
      ...base,
      access: 'session',
      method: 'get',
      summary: 'The current console session',
      description: 'The console calls this on load to learn whether it is signed in, and to get the CSRF token again after a reload.',
      responses: { 200: json(sessionInfo, 'Signed in') },
      errors: [401],
    },
    async (ctx) => {
      const session = await current(ctx);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { principal: session.principal, expires_at: session.expiresAt.toISOString(), csrf_token: session.csrfToken };
    },
  );

  const signOut = route(
    {
      ...base,
      access: 'session',
      method: 'delete',
      summary: 'Sign out: ends the session in every API process at once',
      description: `Needs the session's ${csrfHeader} header, like every state-changing call made with the cookie.`,
      responses: { 204: { description: 'Signed out; the cookie is cleared' } },
      errors: [401, 403],
    },
    async (ctx) => {
      const session = await current(ctx);
      if (!session.csrfMatches(ctx.get(csrfHeader)))
        throw new ApiError(403, 'csrf_failed', `signing out needs the session's ${csrfHeader} header`);
      await endSession(deps.models, ctx.cookies.get(sessionCookie));
      ctx.cookies.set(sessionCookie, '', cookieOptions(ctx, new Date(0)));
      ctx.status = 204;
    },
  );
  return [signIn, read, signOut];
}
