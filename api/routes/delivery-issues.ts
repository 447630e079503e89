import { deliveryErrorClass } from '../../domain/delivery-error-class';
import type { Models } from '../../models';
import { undelivered } from '../deliveries/undelivered';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { deliveryIssues, deliveryIssuesQuery, endpointHealthList, endpointHealthQuery } from '../schemas/delivery-issues';

/** Issues are counted over at most this many undelivered deliveries (the oldest); the answer says when it stopped. */
const ISSUE_SCAN_LIMIT = 100_000;
const RECENT = 5;
const HEALTH_ENDPOINTS = 500;

/** The host of an endpoint's URL template (macros are refused in the host, so it parses once they are filled). */
function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url.replace(/\{[^}]*\}/g, 'x')).host;
  } catch {
    return null;
  }
}

interface EndpointDoc {
  _id: string;
  affiliate_id: string;
  url: string;
  active: boolean;
  deactivated_reason?: string | null;
  consecutive_failures?: number;
  paused_until?: Date | null;
}

/** Dead letters grouped into issues, and each endpoint's health: the console's Deliveries screen. */
export function deliveryIssueRoutes(deps: { models: Models; now: () => Date }): Route[] {
  const { models } = deps;
  const base = { tag: 'Deliveries', access: 'admin', realms: { ops: true, affiliate: { filter: 'affiliate_id' } } } as const;
  const endpointsById = async (ids: string[]) =>
    new Map(
      (
        await models.PostbackEndpoint.find(
          { _id: { $in: ids } },
          { affiliate_id: 1, url: 1, active: 1, deactivated_reason: 1, consecutive_failures: 1, paused_until: 1 },
        ).lean<EndpointDoc[]>()
      ).map((e) => [e._id, e]),
    );

  const issues = route(
    {
      ...base,
      method: 'get',
      path: '/api/delivery-issues',
      summary: 'Undelivered deliveries grouped by endpoint, error class and status',
      description:
        "Failed and dead-lettered deliveries, grouped by (endpoint, the class of the last attempt's error, status). " +
        'To redeliver one group, send its endpoint_id, error_class and status to POST /api/deliveries/redeliver.',
      query: deliveryIssuesQuery,
      responses: { 200: json(deliveryIssues, 'The issues') },
      errors: [400],
    },
    async (ctx, { query }) => {
      type Group = {
        endpoint_id: string;
        affiliate_id: string;
        error_class: string;
        status: string;
        count: number;
        first_seen: Date;
        last_seen: Date;
        last_error: string;
        recent: { id: string; conversion_id: string; failed_at: Date; message: string }[];
      };
      const groups = new Map<string, Group>();
      let scanned = 0;
      let truncated = false;
      for await (const d of undelivered(models, { ...query, statuses: ['failed', 'dead_lettered'] })) {
        if (scanned === ISSUE_SCAN_LIMIT) {
          truncated = true;
          break;
        }
        scanned += 1;
        const key = `${d.endpoint_id}\u0000${d.error_class}\u0000${d.status}`;
        let g = groups.get(key);
        if (!g) {
          g = { ...d, count: 0, first_seen: d.failed_at, last_seen: d.failed_at, last_error: d.message, recent: [] };
          groups.set(key, g);
        }
        g.count += 1;
        if (d.failed_at < g.first_seen) g.first_seen = d.failed_at;
        if (d.failed_at >= g.last_seen) {
          g.last_seen = d.failed_at;
          g.last_error = d.message;
        }
        g.recent.push({ id: d.id, conversion_id: d.conversion_id, failed_at: d.failed_at, message: d.message });
        if (g.recent.length > RECENT * 4) g.recent = newest(g.recent);
      }
      const endpoints = await endpointsById([...new Set([...groups.values()].map((g) => g.endpoint_id))]);
      ctx.body = {
        data: [...groups.values()]
          .sort((a, b) => b.count - a.count || b.last_seen.getTime() - a.last_seen.getTime())
          .map((g) => ({
            endpoint_id: g.endpoint_id,
            affiliate_id: g.affiliate_id,
            endpoint_host: hostOf(endpoints.get(g.endpoint_id)?.url),
            error_class: g.error_class,
            status: g.status,
            count: g.count,
            first_seen: g.first_seen.toISOString(),
            last_seen: g.last_seen.toISOString(),
            last_error: g.last_error,
            recent: newest(g.recent).map((r) => ({ ...r, failed_at: r.failed_at.toISOString() })),
          })),
        scanned,
        truncated,
      };
    },
  );

  const health = route(
    {
      ...base,
      method: 'get',
      path: '/api/delivery-health',
      summary: "Each endpoint's health: success rate in a window, last error, breaker",
      description: 'Endpoints with attempts in the window, and endpoints paused now. The success rate counts attempts, not deliveries.',
      query: endpointHealthQuery,
      responses: { 200: json(endpointHealthList, 'Health per endpoint') },
      errors: [400],
    },
    async (ctx, { query }) => {
      const to = deps.now();
      const from = new Date(to.getTime() - query.window_hours * 3_600_000);
      const counts = await models.DeliveryAttempt.aggregate<{ _id: { endpoint_id: string; outcome: string }; n: number }>([
        { $match: { at: { $gte: from, $lte: to } } },
        { $group: { _id: { endpoint_id: '$endpoint_id', outcome: '$outcome' }, n: { $sum: 1 } } },
      ]);
      const tally = new Map<string, { attempts: number; succeeded: number }>();
      for (const c of counts) {
        const t = tally.get(c._id.endpoint_id) ?? { attempts: 0, succeeded: 0 };
        t.attempts += c.n;
        if (c._id.outcome === 'success') t.succeeded += c.n;
        tally.set(c._id.endpoint_id, t);
      }
      const paused = await models.PostbackEndpoint.find({ paused_until: { $gt: to } }, { _id: 1 }).lean<{ _id: string }[]>();
      const ids = [...new Set([...tally.keys(), ...paused.map((p) => p._id)])];
      const endpoints = await endpointsById(ids);
      const rows = await Promise.all(
        ids
          .map((id) => endpoints.get(id))
          .filter((e): e is EndpointDoc => e !== undefined && (!query.affiliate_id || e.affiliate_id === query.affiliate_id))
          .map(async (e) => {
            const t = tally.get(e._id) ?? { attempts: 0, succeeded: 0 };
            const lastFailure = await models.DeliveryAttempt.findOne({ endpoint_id: e._id, outcome: { $ne: 'success' } })
              .sort({ at: -1 })
              .lean<{ outcome: string; status_code?: number; error?: string; at: Date }>();
            const isPaused = Boolean(e.paused_until && e.paused_until > to);
            return {
              endpoint_id: e._id,
              affiliate_id: e.affiliate_id,
              endpoint_host: hostOf(e.url),
              active: e.active !== false,
              deactivated_reason: e.deactivated_reason ?? null,
              attempts: t.attempts,
              succeeded: t.succeeded,
              success_rate: t.attempts > 0 ? Math.round((t.succeeded / t.attempts) * 10_000) / 10_000 : null,
              last_error: lastFailure
                ? {
                    at: lastFailure.at.toISOString(),
                    error_class: deliveryErrorClass(lastFailure),
                    message:
                      typeof lastFailure.status_code === 'number'
                        ? `HTTP ${lastFailure.status_code}`
                        : (lastFailure.error ?? lastFailure.outcome),
                  }
                : null,
              consecutive_failures: e.consecutive_failures ?? 0,
              paused: isPaused,
              paused_until: isPaused ? e.paused_until!.toISOString() : null,
            };
          }),
      );
      rows.sort((a, b) => Number(b.paused) - Number(a.paused) || (a.success_rate ?? 2) - (b.success_rate ?? 2));
      ctx.body = {
        window: { from: from.toISOString(), to: to.toISOString(), hours: query.window_hours },
        data: rows.slice(0, HEALTH_ENDPOINTS),
      };
    },
  );
  return [issues, health];
}

function newest<T extends { failed_at: Date }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => b.failed_at.getTime() - a.failed_at.getTime()).slice(0, RECENT);
}
