import { staffOnly } from '../access/authorize';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { conversionHistory } from '../schemas/history';
import { loadTimeline, type TimelineDeps } from '../timeline/load';

/** "Where is my conversion?": its whole story, from the workflow histories (api/timeline/). */
export function conversionHistoryRoutes(deps: TimelineDeps): Route[] {
  return [
    route(
      {
        method: 'get',
        path: '/api/conversions/{id}/history',
        tag: 'Conversions',
        access: 'admin',
        realms: staffOnly,
        summary: "A conversion's timeline, from its workflow histories",
        params: byId('conversion'),
        responses: { 200: json(conversionHistory, 'Every step, ordered by time') },
        errors: [400, 404],
      },
      async (ctx, { params: { id } }) => {
        ctx.body = await loadTimeline(deps, id);
      },
    ),
  ];
}
