import Router from '@koa/router';

export type ReadinessCheck = () => Promise<void>;

/** /healthz: the process answers. /readyz: every dependency answers, else 503 naming what is down. */
export function healthRoutes(checks: Record<string, ReadinessCheck>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!(), 3_000)));
    const report: Record<string, string> = {};
    results.forEach((result, i) => {
      report[names[i]!] = result.status === 'fulfilled' ? 'ok' : `unavailable: ${(result.reason as Error)?.message ?? result.reason}`;
    });
    const ready = results.every((r) => r.status === 'fulfilled');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', checks: report };
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
