import { isIPv6 } from 'node:net';
import type { Context, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from './errors';

/**
 * Ingress rate limits, in requests per second; 0 turns a limit off. Counted in this process's
 * memory (rate-limiter-flexible's RateLimiterMemory, fixed one-second windows): with N API
 * processes behind a load balancer a caller gets up to N times the limit.
 */
export interface RateLimitSettings {
  /** Per caller IP on /click, /postback and /postback/status, checked before any database work. */
  perIp: number;
  /** Per advertiser on /postback and /postback/status, once its token has been verified. */
  perAdvertiser: number;
}

/** Throws a 429 (with Retry-After set on ctx) when `key` is over its limit; undefined when off. */
export type RateLimit = (ctx: Context, key: string) => Promise<void>;

export function rateLimit(perSecond: number, describe: (key: string) => string): RateLimit | undefined {
  if (!(perSecond > 0)) return undefined;
  const points = Math.max(1, Math.floor(perSecond));
  const limiter = new RateLimiterMemory({ points, duration: 1 });
  return async (ctx, key) => {
    try {
      await limiter.consume(key);
    } catch (rejected) {
      if (!(rejected instanceof RateLimiterRes)) throw rejected;
      // Whole seconds (RFC 9110), never 0: "retry at once" would invite the same burst again.
      const retryAfter = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
      ctx.set('Retry-After', String(retryAfter));
      throw new ApiError(
        429,
        'rate_limited',
        `too many requests from ${describe(key)}: at most ${points} per second; retry after ${retryAfter} s`,
      );
    }
  };
}

/**
 * The key for a caller's address. IPv4-mapped IPv6 counts as the IPv4 address, and IPv6 by its
 * /64: one subscriber usually holds a whole /64, so per-address keys would let it rotate freely.
 * Hand-rolled rather than ipaddr.js: this runs on every click, and ipaddr's parse costs ~5 µs.
 */
export function ipKey(ip: string): string {
  if (!ip.includes(':')) return ip; // IPv4 (or garbage from a proxy header): used as it is
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  if (!isIPv6(ip)) return ip;
  const zone = ip.indexOf('%');
  const address = zone >= 0 ? ip.slice(0, zone) : ip;
  const gap = address.indexOf('::');
  const head = gap < 0 ? address : address.slice(0, gap);
  const groups = head === '' ? [] : head.split(':', 4);
  if (groups.length < 4 && gap >= 0) {
    // "::" stands for as many zero groups as are missing; a dotted IPv4 tail fills two.
    const tail = address.slice(gap + 2) === '' ? [] : address.slice(gap + 2).split(':');
    let missing = 8 - groups.length - tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    while (groups.length < 4 && missing-- > 0) groups.push('0');
    for (let i = 0; groups.length < 4 && i < tail.length; i += 1) groups.push(tail[i]!);
  }
  // Numeric groups, so that 2001:0DB8:… and 2001:db8:… are one network.
  let prefix = '';
  for (let i = 0; i < 4; i += 1) prefix += `${i === 0 ? '' : ':'}${(Number.parseInt(groups[i]!, 16) || 0).toString(16)}`;
  return `${prefix}::/64`;
}

/** The public ingress paths (and /postback/mmp/*); the admin API (/api, behind its key) and health checks are not limited. */
const limitedPaths = new Set(['/click', '/postback', '/postback/status']);

/**
 * Per-IP limit for the public ingress routes, mounted before the body parser, so a flood is
 * refused before its body is read or the database is asked anything. The path is compared as the
 * router matches it (case-insensitive, trailing slash optional): /POSTBACK/ is /postback.
 */
export function ipRateLimit(perSecond: number) {
  const limit = rateLimit(perSecond, (key) => (key.endsWith('/64') ? `the IPv6 network ${key}` : `the IP address ${key}`));
  if (!limit) return async (_ctx: Context, next: Next) => next();
  return async (ctx: Context, next: Next) => {
    const path = ctx.path.length > 1 && ctx.path.endsWith('/') ? ctx.path.replace(/\/+$/, '') : ctx.path;
    const lower = path.toLowerCase();
    if (limitedPaths.has(lower) || lower.startsWith('/postback/mmp/')) await limit(ctx, ipKey(ctx.ip));
    return next();
  };
}
