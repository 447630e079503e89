import { isPartner } from '../access/principal';
import { projectFor } from '../access/projection';
import { reasonDetailCutter } from '../access/reason-detail';
import { principalOf } from '../auth';
import type { Models } from '../../models';
import { ApiError, parseOr400 } from '../errors';
import { formatCursor, parseCursor } from '../live/cursor';
import { openEventStream } from '../live/event-stream';
import type { LiveFeed, LiveListener } from '../live/feed';
import { route, type Route } from '../route';
import { liveEvent, liveHeaders, liveQuery } from '../schemas/live';

/** Proxies commonly drop a connection idle for a minute; a comment every 15 s keeps it busy. */
const HEARTBEAT_MS = 15_000;
/** How long EventSource waits before it reconnects (its default is about 3 s). */
const RETRY_MS = 1_000;

export function liveRoutes(feed: LiveFeed, models: Models): Route[] {
  const streamRoute = route(
    {
      method: 'get',
      path: '/api/stream',
      tag: 'Live',
      access: 'admin',
      realms: { ops: true, affiliate: { filter: 'affiliate_id' }, advertiser: { filter: 'advertiser_id' } },
      summary: 'Stream new conversions and delivery outcomes (Server-Sent Events)',
      description: `A \`text/event-stream\` that stays open: one event per change, named \`conversion\` (a new conversion,
or a change of its status) or \`delivery\` (an attempt that failed and will be retried, or the end of a
delivery run), whose \`data\` is one JSON object (\`LiveEvent\`). Changes arrive in the order they were stored,
typically within a second; a comment every 15 s keeps proxies from closing the stream. Each event's \`id\` is its
position: on reconnecting, EventSource sends the last one as \`Last-Event-ID\` and the stream goes on from there,
on any API process, with nothing missed or repeated. A change that became visible late (behind the stream's position)
is sent once when found, with the stream's current position as its \`id\` (README, "Late changes"). Without
Last-Event-ID the stream starts with what changes from now on.`,
      query: liveQuery,
      headers: liveHeaders,
      responses: {
        200: {
          description: 'The stream; every `data` is a LiveEvent',
          content: { 'text/event-stream': { schema: liveEvent } },
        },
      },
      errors: [400],
    },
    (ctx, { query }) => {
      const headers = parseOr400(liveHeaders, ctx.headers);
      const resumeFrom = headers['last-event-id'];
      const after = resumeFrom === undefined ? undefined : parseCursor(resumeFrom);
      if (resumeFrom !== undefined && !after)
        throw new ApiError(400, 'invalid_request', 'Last-Event-ID is not an id this stream sent', [
          { path: 'Last-Event-ID', code: 'invalid_string', message: 'must be the id of an event this stream sent' },
        ]);
      if (ctx.method === 'HEAD') return openEventStream(ctx, { retryMs: RETRY_MS }).end();

      if (feed.closed) throw new ApiError(503, 'unavailable', 'the server is stopping: reconnect in a moment');
      const stream = openEventStream(ctx, { retryMs: RETRY_MS });
      // A partner's events are cut and projected one by one, as the JSON answers are after a handler;
      // chained, so they still leave in the order the feed hands them over.
      const principal = principalOf(ctx);
      const cut = reasonDetailCutter(models, principal);
      let sending = Promise.resolve();
      const send = (changes: Parameters<LiveListener['deliver']>[0]) => {
        for (const { id, event } of changes) stream.event(formatCursor(id), event.kind, event);
      };
      const subscription = feed.subscribe(
        query,
        {
          deliver: (changes) => {
            if (!isPartner(principal)) return send(changes);
            sending = sending
              .then(async () =>
                send(await Promise.all(changes.map(async (c) => ({ ...c, event: projectFor(principal, await cut(c.event)) })))),
              )
              .catch(() => stream.end());
          },
          end: stream.end,
        },
        after,
      );
      // The starting position at once, so a client cut off before any event still resumes from it.
      let lastId = formatCursor(subscription.cursor);
      stream.heartbeat(lastId);
      // The client's resume point moves on even when its filter lets nothing through.
      // Behind any event still being cut, so the position it names is never ahead of what was sent.
      const beat = setInterval(() => {
        const id = formatCursor(subscription.cursor);
        sending = sending.then(() => stream.heartbeat(id === lastId ? undefined : id));
        lastId = id;
      }, HEARTBEAT_MS);
      void stream.done.then(() => {
        clearInterval(beat);
        subscription.close();
      });
    },
  );
  return [streamRoute];
}
