import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { idParam } from '../schemas/common';
import type { RouteSpec } from '../route';
import { errorBody } from '../schemas/error';
import { describeRealms } from '../access/authorize';

export const securitySchemes = {
  adminKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <ADMIN_API_KEY>, or a scoped pf_ key (POST /api/keys); each route says which realms it serves',
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'postflow_session',
    description: 'the console session (POST /api/session); state-changing calls also need its X-CSRF-Token header',
  },
  postbackToken: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: "the advertiser's postback token (aliases: secure, security_token, verification_token)",
  },
  postbackTokenHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Postback-Token',
    description: "the advertiser's postback token",
  },
} as const;

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request: `issues` names each wrong field',
  401: 'Missing or wrong credentials',
  403: 'Authenticated, but not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state (e.g. an illegal status change)',
  413: 'Body over 64 KiB',
  422: 'Understood, but too large to answer (e.g. a report window with too many rows)',
  429: 'Over a rate limit (when configured); `Retry-After` says when to try again',
  503:
    'Unavailable, nothing changed: MongoDB or Temporal is unreachable (`unavailable`), a status change was not confirmed in time ' +
    '(`status_update_pending`), or for the admin API ADMIN_API_KEY is not set; `Retry-After` says when to send it again',
};

export const json = (schema: z.ZodType, description: string): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});
export const text = (contentType: string, description: string): ResponseConfig => ({
  description,
  content: { [contentType]: { schema: z.string() } },
});

/** `{id}` in a path, described for this route's entity. */
export const byId = (what: string) => z.object({ id: idParam.meta({ description: `the ${what}'s id` }) });

const realmsOf = (op: Parameters<typeof describeRealms>[0]) => (op.access === 'admin' ? describeRealms(op) : undefined);

/** The route's own description, then who may call it (the same declaration api/access/authorize.ts enforces). */
function withRealms(op: Parameters<typeof describeRealms>[0]): string {
  const realms = realmsOf(op);
  if (!realms) return op.description ?? '';
  const partners = Object.entries(realms.scopes).map(([realm, how]) => `${realm} (${how})`);
  const lines = [
    `**Realms:** ${['admin', ...(realms.realms.includes('ops') ? ['ops'] : []), ...partners].join(', ')}.` +
      (realms.capability ? ` Needs the \`${realms.capability}\` capability.` : '') +
      (op.method === 'get' ? '' : ' Read-only principals are refused (403 read_only).'),
  ];
  return [op.description, ...lines].filter(Boolean).join('\n\n');
}

/** What all routes of a kind share (security, the error answers), added to one route's own description. */
export function toRouteConfig(op: RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>): RouteConfig {
  const errors = new Set(op.errors ?? []);
  if (op.access === 'admin') errors.add(401).add(503);
  // out_of_realm, read_only, missing_capability; a session call without its CSRF token
  if (op.access === 'admin') errors.add(403);
  if (op.access === 'admin' && op.path.includes('{id}')) errors.add(404);
  if (op.access === 'postback' || op.access === 'session') errors.add(401);
  if (op.body) errors.add(400).add(413);
  if (op.params || op.query) errors.add(400); // a parameter its schema refuses
  const responses: Record<number, ResponseConfig> = { ...op.responses };
  for (const status of [...errors].sort((a, b) => a - b)) responses[status] ??= json(errorBody, errorDescriptions[status] ?? 'Error');

  const bodyTypes = op.form ? ['application/json', 'application/x-www-form-urlencoded'] : ['application/json'];
  return {
    method: op.method,
    path: op.path,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description || realmsOf(op) ? { description: withRealms(op) } : {}),
    ...(realmsOf(op) ? { 'x-postflow-realms': realmsOf(op) } : {}),
    ...(op.access === 'admin' ? { security: [{ adminKey: [] }, { consoleSession: [] }] } : {}),
    ...(op.access === 'postback' ? { security: [{ postbackToken: [] }, { postbackTokenHeader: [] }] } : {}),
    ...(op.access === 'session' ? { security: [{ consoleSession: [] }] } : {}),
    request: {
      ...(op.params ? { params: op.params as z.ZodObject } : {}),
      ...(op.query ? { query: op.query as z.ZodObject } : {}),
      ...(op.headers ? { headers: op.headers } : {}),
      ...(op.body
        ? {
            body: {
              required: !op.form,
              content: Object.fromEntries(bodyTypes.map((type) => [type, { schema: op.body! }])),
            },
          }
        : {}),
    },
    responses,
  };
}
