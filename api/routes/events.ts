import { staffOnly } from '../access/authorize';
import { envelopeOf, eventFeed } from '../../events/feed';
import type { Models } from '../../models';
import { ApiError, parseOr400 } from '../errors';
import { openEventStream, type EventStream } from '../live/event-stream';
import type { EventTail } from '../live/event-tail';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import {
  eventEnvelope,
  eventFeedQuery,
  eventPage,
  eventStreamHeaders,
  eventStreamQuery,
  eventTypeList,
  eventTypesAnswer,
  expandTypes,
} from '../schemas/event';

/** Proxies commonly drop a connection idle for a minute; a comment every 15 s keeps it busy. */
const HEARTBEAT_MS = 15_000;
/** How long EventSource waits before it reconnects (its default is about 3 s). */
const RETRY_MS = 1_000;

/** The event catalogue, the pull feed and its live stream (README "Events"): what warehouses and dashboards read. */
export function eventRoutes(models: Models, tail: EventTail): Route[] {
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
    route(
      {
        ...base,
        method: 'get',
        path: '/api/events/stream',
        summary: 'The event feed as it grows (Server-Sent Events): what the console tails',
        description: `A \`text/event-stream\` that stays open and sends each new event of the feed as it is settled, typically
within a second of the state change: one SSE message per event, whose \`data\` is the event exactly as \`GET /api/events\`
pages it and a subscription receives it (same \`id\`), and whose SSE \`id\` is its feed position. The position is a
cursor of the pull feed too: on reconnecting, EventSource sends the last one as \`Last-Event-ID\` and the stream goes on
after it, on any API process, with nothing missed or repeated; \`GET /api/events?after=<it>\` pages on from the same
place. A comment every 15 s keeps proxies from closing the stream and carries the position reached when \`types\`
skipped events. Without \`after\` or Last-Event-ID the stream starts with what is settled from now on.`,
        query: eventStreamQuery,
        headers: eventStreamHeaders,
        responses: {
          200: {
            description: 'The stream; every `data` is an Event',
            content: { 'text/event-stream': { schema: eventEnvelope } },
          },
        },
        errors: [400],
      },
      async (ctx, { query: q }) => {
        const headers = parseOr400(eventStreamHeaders, ctx.headers);
        const from = headers['last-event-id'] ?? q.after;
        if (ctx.method === 'HEAD') return openEventStream(ctx, { retryMs: RETRY_MS }).end();
        if (tail.closed) throw new ApiError(503, 'unavailable', 'the server is stopping: reconnect in a moment');

        const after = from === undefined ? undefined : Number(from);
        if (after !== undefined && after > (await tail.head()))
          throw new ApiError(400, 'invalid_request', 'the stream has no event at this position yet', [
            {
              path: headers['last-event-id'] ? 'Last-Event-ID' : 'after',
              code: 'too_big',
              message: 'must be a position the feed has reached',
            },
          ]);
        // Subscribed before the stream opens, so a refusal is still a JSON error; nothing is handed over before the next tick.
        let stream: EventStream | undefined;
        const subscription = await tail.subscribe(
          q.types ? expandTypes(q.types) : undefined,
          {
            deliver: (events) => {
              for (const e of events) stream?.event(String(e.position), undefined, envelopeOf(e));
            },
            end: () => stream?.end(),
          },
          after,
        );
        const opened = (stream = openEventStream(ctx, { retryMs: RETRY_MS }));
        // The starting position at once, so a client cut off before any event still resumes from it.
        let lastId = subscription.position;
        opened.heartbeat(String(lastId));
        // The client's resume point moves on even when `types` lets nothing through.
        const beat = setInterval(() => {
          const id = subscription.position;
          opened.heartbeat(id === lastId ? undefined : String(id));
          lastId = id;
        }, HEARTBEAT_MS);
        void opened.done.then(() => {
          clearInterval(beat);
          subscription.close();
        });
      },
    ),
  ];
}
