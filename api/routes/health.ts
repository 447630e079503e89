import { z } from 'zod';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';

export type ReadinessCheck = () => Promise<void>;

const health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const readiness = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.string()).meta({ example: { mongodb: 'ok', temporal: 'ok' } }),
  })
  .meta({ id: 'Readiness' });

/** /healthz: the process answers. /readyz: every dependency answers, else 503 naming what is down. */
export function healthRoutes(checks: Record<string, ReadinessCheck>): Route[] {
  return [
    route(
      {
        method: 'get',
        path: '/healthz',
        tag: 'Operations',
        access: 'public',
        summary: 'Liveness',
        responses: { 200: json(health, 'The process is up') },
      },
      (ctx) => {
        ctx.body = { status: 'ok' };
      },
    ),
    route(
      {
        method: 'get',
        path: '/readyz',
        tag: 'Operations',
        access: 'public',
        summary: 'Readiness',
        responses: {
          200: json(readiness, 'MongoDB and Temporal answer'),
          503: json(readiness, '`checks` names what is down'),
        },
      },
      async (ctx) => {
        const names = Object.keys(checks);
        const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!(), 3_000)));
        const report: Record<string, string> = {};
        results.forEach((result, i) => {
          report[names[i]!] = result.status === 'fulfilled' ? 'ok' : `unavailable: ${(result.reason as Error)?.message ?? result.reason}`;
        });
        const ready = results.every((r) => r.status === 'fulfilled');
        ctx.status = ready ? 200 : 503;
        ctx.body = { status: ready ? 'ready' : 'unavailable', checks: report };
      },
    ),
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
