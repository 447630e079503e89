import Router from '@koa/router';
import { parseOr400 } from '../errors';
import { idParam } from '../schemas/common';
import { loadTimeline, type TimelineDeps } from '../timeline/load';

/** "Where is my conversion?": its whole story, from the workflow histories (api/timeline/). */
export function conversionHistoryRoutes(deps: TimelineDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.get('/conversions/:id/history', async (ctx) => {
    ctx.body = await loadTimeline(deps, parseOr400(idParam, ctx.params.id));
  });
  return router;
}
