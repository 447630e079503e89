import Router from '@koa/router';
import type { Registry } from 'prom-client';

/**
 * GET /metrics: Prometheus text exposition of the API process's registry. Public like /healthz:
 * it holds counts by route pattern and result code, no ids and no secrets.
 */
export function metricsRoutes(registry: Registry): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
