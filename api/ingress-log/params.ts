import type { Context } from 'koa';
import { CENSOR, isSecretParam } from '../../domain/secret-names';
import { scrubText } from '../../observability/redact';
import { normalisePostbackParams } from '../schemas/postback';

const MAX_PARAMS = 30;
const MAX_NAME = 64;
const MAX_VALUE = 200;
const MAX_REPEATS = 5;
const TOKEN_HEADER = 'x-postback-token';

/** Query string, then body (a form or a JSON object): the parameters as the routes merge them. */
function queryAndBody(ctx: Context): Record<string, unknown> {
  const body: unknown = (ctx.request as { body?: unknown }).body;
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return { ...ctx.query, ...fromBody };
}

/** The postback token the call presented, read as the routes read it (aliases, then the header), if one. */
export function presentedToken(ctx: Context): string | undefined {
  const header = ctx.get(TOKEN_HEADER);
  const token = normalisePostbackParams({ ...(header ? { token: header } : {}), ...queryAndBody(ctx) }).token;
  return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
}

/** One parameter as received; a repeated one keeps its values (the routes refuse it). */
export interface ReceivedParam {
  name: string;
  value: string | string[];
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return String(value);
}

/**
 * The parameters as the caller sent them, in order, the token header last (names as sent, so an
 * alias such as `clickid` reads as it was written; pairs, not an object, so no name the caller
 * chose can be a field path to the database), bounded: at most 30 names, 200 characters a value. A parameter whose name looks
 * secret (token, secure, key, sig…: domain/secret-names.ts) is masked whole, secrets inside other
 * values (a `pt_…` token, a Bearer header) are scrubbed, and a value equal to the presented token
 * or contained in one is masked wherever it was put: the token itself is never stored.
 */
export function recordedParams(ctx: Context): ReceivedParam[] {
  const header = ctx.get(TOKEN_HEADER);
  const raw: Record<string, unknown> = { ...queryAndBody(ctx), ...(header ? { [TOKEN_HEADER]: header } : {}) };
  const token = presentedToken(ctx);
  const out: ReceivedParam[] = [];
  const mask = (name: string, value: unknown): string => {
    const text = shown(value);
    if (isSecretParam(name) || (token !== undefined && text.trim() === token)) return CENSOR;
    // The token inside another value (a click id that swallowed the query string): cut out before anything else.
    return clip(scrubText(token === undefined ? text : text.split(token).join(CENSOR)), MAX_VALUE);
  };
  for (const [rawName, value] of Object.entries(raw)) {
    if (out.length >= MAX_PARAMS) break;
    if (value === undefined) continue;
    const name = clip(scrubText(rawName), MAX_NAME);
    out.push({ name, value: Array.isArray(value) ? value.slice(0, MAX_REPEATS).map((v) => mask(rawName, v)) : mask(rawName, value) });
  }
  return out;
}
