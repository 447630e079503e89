import type { Registry } from 'prom-client';
import { text } from '../openapi/operation';
import { route, type Route } from '../route';

/**
 * GET /metrics: Prometheus text exposition of the API process's registry. Public like /healthz:
 * it holds counts by route pattern and result code, no ids and no secrets.
 */
export function metricsRoutes(registry: Registry): Route[] {
  return [
    route(
      {
        method: 'get',
        path: '/metrics',
        tag: 'Operations',
        access: 'public',
        summary: 'Prometheus metrics',
        responses: { 200: text('text/plain; version=0.0.4; charset=utf-8', 'Prometheus text exposition format') },
      },
      async (ctx) => {
        ctx.type = registry.contentType;
        ctx.body = await registry.metrics();
      },
    ),
  ];
}
