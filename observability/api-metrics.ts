import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  postbacks: Counter<'result'>;
}

/**
 * The API process's metrics, on a registry of their own (not prom-client's global one), so
 * several apps in one process, as in the tests, never share or collide. Labels are bounded:
 * `route` is the router's pattern (`/api/conversions/:id`), never a URL, which carries ids and
 * tokens; requests no route matched count as `unmatched`.
 */
export function createApiMetrics(opts: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry }); // process_… and nodejs_…, the names dashboards expect
  return {
    registry,
    httpRequests: new Counter({
      name: 'postflow_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'postflow_http_request_duration_seconds',
      help: 'time from request to response, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    postbacks: new Counter({
      name: 'postflow_postbacks_total',
      help:
        'advertiser postbacks, by result (accepted, duplicate, status_update) ' +
        'or error code (invalid_request, unknown_click, invalid_token, …)',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
