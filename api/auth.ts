import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { ApiError } from './errors';

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Compares digests, so neither the length nor the content of a secret leaks through timing. */
export function secretMatches(presented: string, expectedHash: string): boolean {
  const a = Buffer.from(sha256(presented), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `Authorization: Bearer <ADMIN_API_KEY>` for everything under /api. */
export function requireAdminKey(adminApiKey: string | undefined) {
  const expected = adminApiKey ? sha256(adminApiKey) : undefined;
  return async (ctx: Context, next: Next) => {
    if (!expected) throw new ApiError(503, 'admin_disabled', 'the admin API is disabled: ADMIN_API_KEY is not set');
    const match = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'));
    if (!match || !secretMatches(match[1]!.trim(), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', 'missing or wrong admin key: send Authorization: Bearer <ADMIN_API_KEY>');
    }
    await next();
  };
}
