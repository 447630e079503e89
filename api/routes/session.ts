import type { Context } from 'koa';
import type { Models } from '../../models';
import { secretMatches, sha256 } from '../auth';
import { ApiError } from '../errors';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { sessionInfo, signInBody } from '../schemas/session';
import { createSession, csrfHeader, endSession, readSession, sessionCookie, type SessionGrant } from '../session';
import { keyPattern, keyStillValid, principalOfKey } from '../access/keys';
import { consumePortalLink } from '../access/portal-links';
import { isPartner, principalFrom } from '../access/principal';

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
    const now = deps.now();
    const session = await readSession(deps.models, ctx.cookies.get(sessionCookie), now);
    if (!session || (session.key_id && !(await keyStillValid(deps.models, session.key_id, now))))
      throw new ApiError(401, 'unauthorized', 'not signed in, or the session has ended: POST /api/session with a key or a sign-in link');
    return session;
  };
  /** A key (the admin's or a scoped one) or a portal link, as what the session will be. */
  const grantFor = async (body: { key?: string; link?: string }, now: Date): Promise<{ grant: SessionGrant; ttlMs: number }> => {
    if (body.link !== undefined) {
      const used = await consumePortalLink(deps.models, body.link, now);
      if (!used) throw new ApiError(401, 'unauthorized', 'this sign-in link is unknown, already used or expired: ask for a new one');
      return { grant: used.grant, ttlMs: used.sessionTtlMs };
    }
    const key = body.key!;
    if (keyPattern.test(key)) {
      const principal = await principalOfKey(deps.models, key, now);
      if (!principal) throw new ApiError(401, 'unauthorized', 'unknown, revoked or expired key');
      const grant: SessionGrant = {
        principal: principal.name,
        read_only: principal.read_only,
        ...(isPartner(principal) ? { capabilities: principal.capabilities } : {}),
        key_id: principal.key_id!,
        ...(principal.expires_at ? { notAfter: principal.expires_at } : {}),
      };
      return { grant, ttlMs: deps.ttlMs };
    }
    if (!expected)
      throw new ApiError(503, 'admin_disabled', 'the admin key is disabled: ADMIN_API_KEY is not set (scoped pf_ keys still work)');
    if (!secretMatches(key, expected)) throw new ApiError(401, 'unauthorized', 'wrong admin key');
    return { grant: { principal: 'admin' }, ttlMs: deps.ttlMs };
  };
  const describe = (s: { principal: string; read_only: boolean; capabilities?: readonly string[]; expiresAt: Date; csrfToken: string }) => {
    const principal = principalFrom(s, 'session')!;
    return {
      principal: principal.name,
      realm: principal.realm,
      ...(principal.party_id ? { party_id: principal.party_id } : {}),
      read_only: principal.read_only,
      capabilities: [...principal.capabilities],
      expires_at: s.expiresAt.toISOString(),
      csrf_token: s.csrfToken,
    };
  };

  const signIn = route(
    {
      ...base,
      access: 'public',
      method: 'post',
      summary: 'Sign in to the console with a key or a single-use sign-in link',
      description:
        'With the admin key, a scoped pf_ key or a portal link token (each link signs in once). Answers with an HttpOnly, ' +
        'SameSite=Strict session cookie (Path=/api) and the CSRF token that state-changing calls made with it must send as ' +
        'X-CSRF-Token. The key is not kept by the browser. A session opened with a scoped key ends when that key is revoked or expires.',
      body: signInBody,
      responses: { 201: json(sessionInfo, 'Signed in; Set-Cookie carries the session') },
      errors: [401, 503],
    },
    async (ctx, { body }) => {
      const now = deps.now();
      const { grant, ttlMs } = await grantFor(body, now);
      const session = await createSession(deps.models, grant, ttlMs, now);
      ctx.cookies.set(sessionCookie, session.cookieValue, cookieOptions(ctx, session.expiresAt));
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 201;
      ctx.body = describe({ ...grant, read_only: grant.read_only ?? false, expiresAt: session.expiresAt, csrfToken: session.csrfToken });
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
      ctx.body = describe(session);
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
