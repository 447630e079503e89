import Koa from 'koa';
import request from 'supertest';
import { z } from 'zod';
import { errorHandler } from '../../api/errors';
import { routeOf } from '../../api/request-context';
import { route, servedAhead } from '../../api/route';

const quiet = () => undefined;

function appWith(served: ReturnType<typeof route>) {
  const app = new Koa();
  const seen: { route: string; reachedRest: boolean }[] = [];
  app.use(async (ctx, next) => {
    const entry = { route: 'unmatched', reachedRest: false };
    seen.push(entry);
    await next();
    entry.route = routeOf(ctx);
  });
  app.use(errorHandler(quiet));
  app.use(servedAhead(served));
  app.use((ctx) => {
    seen.at(-1)!.reachedRest = true;
    ctx.body = { rest: true };
  });
  return { server: app.callback(), seen };
}

const ping = route(
  {
    method: 'get',
    path: '/ping',
    tag: 't',
    access: 'public',
    summary: 's',
    query: z.object({ n: z.string().regex(/^\d+$/) }),
    responses: { 200: { description: 'ok' } },
  },
  (ctx, { query }) => {
    ctx.body = { n: Number(query.n) };
  },
);

describe('servedAhead (GET /click before the body parser and the router)', () => {
  it('serves the exact method and path, validated, and names the route for the access line and metrics', async () => {
    const { server, seen } = appWith(ping);
    const ok = await request(server).get('/ping?n=7&extra=x');
    expect(ok.body).toEqual({ n: 7 });
    expect(seen[0]).toEqual({ route: '/ping', reachedRest: false });

    const bad = await request(server).get('/ping?n=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
  });

  it('leaves every other spelling and method to the rest of the app (the router serves them)', async () => {
    const { server, seen } = appWith(ping);
    for (const r of [request(server).get('/PING?n=1'), request(server).get('/ping/?n=1'), request(server).post('/ping?n=1')]) {
      expect((await r).body).toEqual({ rest: true });
    }
    expect(seen.map((s) => s.reachedRest)).toEqual([true, true, true]);
  });

  it('refuses routes that read a body or take path parameters', () => {
    const withBody = route({ ...ping.spec, method: 'post', body: z.object({}) }, () => undefined);
    const withParams = route({ ...ping.spec, path: '/ping/{id}', params: z.object({ id: z.string() }) }, () => undefined);
    expect(() => servedAhead(withBody)).toThrow('only public routes');
    expect(() => servedAhead(withParams)).toThrow('only public routes');
  });
});
