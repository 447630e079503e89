import type { Models } from '../../models';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { ingressLogPage, ingressLogQuery } from '../schemas/ingress-log';
import { serializer } from '../serialize';

// Rows hold no secret by construction (api/ingress-log/params.ts); the allow-list keeps it that way.
const ingressLogEntryToApi = serializer(
  'at',
  'advertiser_id',
  'authenticated',
  'route',
  'method',
  'params',
  'http_status',
  'result',
  'message',
  'conversion_id',
  'ip',
  'request_id',
);

/** The lowest id a row written at `ms` can have: ids start with the time (models/ingress-log-entry.ts). */
const idAt = (ms: number) => `ing_${ms.toString(16).padStart(12, '0')}`;

export function ingressLogRoutes(deps: { models: Models; now: () => Date; retentionMs: number }): Route[] {
  return [
    route(
      {
        tag: 'Ingress log',
        access: 'admin',
        // An advertiser sees the rows under its id: its token's calls and its clicks' (rows of no advertiser are staff's).
        realms: { ops: true, advertiser: { filter: 'advertiser_id' } },
        method: 'get',
        path: '/api/ingress-log',
        summary: "Calls to the advertisers' postback routes, accepted or refused, newest first",
        description:
          'One row per call to `/postback` and `/postback/status` that reached the route, with what it sent (secrets masked), ' +
          'the HTTP status and result code it was answered, and the conversion it made. Rows older than ' +
          '`INGRESS_LOG_RETENTION_DAYS` are never returned. Pages by keyset: pass `next_cursor` as `cursor`.',
        query: ingressLogQuery,
        responses: { 200: json(ingressLogPage, 'One page') },
        errors: [400],
      },
      async (ctx, { query: q }) => {
        // The retention applies to reads at once; the rows themselves go at the next sweep (api/ingress-log/prune.ts).
        const bounds = [idAt(deps.now().getTime() - deps.retentionMs), q.from && idAt(new Date(q.from).getTime())];
        const lower = bounds
          .filter((v): v is string => Boolean(v))
          .sort()
          .at(-1)!;
        const upper = [q.to && idAt(new Date(q.to).getTime()), q.cursor].filter((v): v is string => Boolean(v)).sort()[0];
        const filter: Record<string, unknown> = { _id: { $gte: lower, ...(upper ? { $lt: upper } : {}) } };
        if (q.advertiser_id) filter.advertiser_id = q.advertiser_id;
        if (q.result) filter.result = q.result;
        if (q.http_status !== undefined) filter.http_status = q.http_status;
        const docs = await deps.models.IngressLogEntry.find(filter)
          .sort({ _id: -1 })
          .limit(q.limit + 1)
          .lean<Record<string, unknown>[]>();
        const data = docs.slice(0, q.limit);
        ctx.body = {
          data: data.map((d) => ({ ...ingressLogEntryToApi(d), advertiser_id: d.advertiser_id ?? null })),
          next_cursor: docs.length > q.limit ? (data[data.length - 1]!._id as string) : null,
        };
      },
    ),
  ];
}
