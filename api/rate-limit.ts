import ipaddr from 'ipaddr.js';
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

export const rateLimitsOff: RateLimitSettings = { perIp: 0, perAdvertiser: 0 };

/** Throws a 429 (with Retry-After set on ctx) when `key` is over its limit; undefined when off. */
export type RateLimit = (ctx: Context, key: string) => Promise<void>;

export function rateLimit(perSecond: number, describe: (key: string) => string): RateLimit | undefined {
  if (!(perSecond > 0)) return undefined;
  const limiter = new RateLimiterMemory({ points: Math.floor(perSecond), duration: 1 });
  return async (ctx, key) => {
    try {
      await limiter.consume(key);
    } catch (rejected) {
      if (!(rejected instanceof RateLimiterRes)) throw rejected;
      // Whole seconds (RFC 9110), never 0: "retry at once" would invite the same burst again.
      const retryAfter = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
      ctx.set('Retry-After', String(retryAfter));
      throw new ApiError(429, 'rate_limited', `too many requests from ${describe(key)}: at most ${Math.floor(perSecond)} per second; retry after ${retryAfter} s`);
    }
  };
}

/**
 * The key for a caller's address. IPv4-mapped IPv6 counts as the IPv4 address, and IPv6 by its
 * /64: one subscriber usually holds a whole /64, so per-address keys would let it rotate freely.
 */
export function ipKey(ip: string): string {
  if (!ip.includes(':')) return ip; // IPv4 (or garbage from a proxy header): used as it is
  if (!ipaddr.IPv6.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/** The public ingress paths; the admin API (/api, behind its key) and health checks are not limited. */
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
    if (limitedPaths.has(path.toLowerCase())) await limit(ctx, ipKey(ctx.ip));
    return next();
  };
}
