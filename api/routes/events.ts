import { staffOnly } from '../access/authorize';
import { envelopeOf, eventFeed } from '../../events/feed';
import type { Models } from '../../models';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { eventFeedQuery, eventPage, eventTypeList, eventTypesAnswer, expandTypes } from '../schemas/event';

/** The event catalogue and the pull feed (README "Events"): what warehouses and dashboards page through. */
export function eventRoutes(models: Models): Route[] {
  const feed = eventFeed(models);
  const types = eventTypesAnswer();
  const base = { tag: 'Events', access: 'admin', realms: staffOnly } as const;
  return [
    route(
      {
        ...base,
        method: 'get',
        path: '/api/event-types',
        summary: 'The event catalogue: every type, its version and the JSON Schema of its data',
        description: 'The same schemas are listed under `webhooks` in this document, as a subscription receives them.',
        responses: { 200: json(eventTypeList, 'Every type') },
        errors: [],
      },
      (ctx) => {
        ctx.body = types;
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/events',
        summary: 'The event feed: every event in one order that never changes, paged by cursor',
        description:
          "Start without `after` (or with `0`) and pass each page's `next` as the next `after`; " +
          'an empty page keeps the cursor, so a consumer polls with it. ' +
          'Every event appears once, in the same order for every reader, with the id a subscription receives it under. ' +
          'Events older than EVENTS_RETENTION_DAYS are gone.',
        query: eventFeedQuery,
        responses: { 200: json(eventPage, 'One page, oldest first') },
        errors: [400],
      },
      async (ctx, { query: q }) => {
        const page = await feed.readEventsAfter(q.after, { types: q.types ? expandTypes(q.types) : undefined, limit: q.limit });
        ctx.body = { data: page.events.map(envelopeOf), next: page.next };
      },
    ),
  ];
}
