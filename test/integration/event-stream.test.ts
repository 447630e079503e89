import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { EventTail } from '../../api/live/event-tail';
import { openStream, type OpenStream, type StreamEvent } from '../../bench/lib/sse-client';
import { listen } from '../support/listen';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The event feed's live stream (GET /api/events/stream, issue 16 part 5): the events the pull feed
 * pages and subscriptions receive, as they settle, with the feed position as the SSE id, so a
 * client resumes from Last-Event-ID (on any process) and the pull feed pages on from the same place.
 */
const { stack, f } = useTestStack('event_stream');
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

let main: { server: Server; url: string };
/** A second app on the same database whose tail reads two events a page: catching up takes several reads. */
let small: { server: Server; url: string; tail: EventTail };
const streams: OpenStream[] = [];
const open = async (base: string, query = '', headers: Record<string, string> = {}) => {
  const s = await openStream(`${base}/api/events/stream${query}`, { ...auth, ...headers });
  streams.push(s);
  return s;
};

beforeAll(async () => {
  main = await listen(stack.app);
  const tail = new EventTail({ models: stack.models, pageSize: 2 });
  const app = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models, eventTail: tail });
  small = { ...(await listen(app)), tail };
});
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
});
afterAll(async () => {
  await small?.tail.close();
  for (const { server } of [main, small]) if (server) await new Promise((resolve) => server.close(resolve));
});

interface Envelope {
  id: string;
  type: string;
  occurred_at: string;
  schema_version: number;
  data: Record<string, unknown>;
}
const envelope = (e: StreamEvent) => JSON.parse(e.data) as Envelope;
const about = (conversionId: string, type: string) => (e: StreamEvent) =>
  envelope(e).type === type && envelope(e).data.conversion_id === conversionId;

/** A conversion through the real pipeline, delivered to nobody (no endpoint), with its status settled. */
async function conversion() {
  const s = await f.setup();
  const id = await f.convert({ clickId: await f.click(s.offer.id, s.affiliate.id), token: s.token });
  return { s, id };
}

/** The pull feed's first `count` events after `after`, every type, paged small. */
async function pull(after: string, count: number) {
  const out: Envelope[] = [];
  let cursor = after;
  while (out.length < count) {
    const res = await f.admin('get', `/api/events?after=${cursor}&limit=3`);
    expect(res.status).toBe(200);
    const page = res.body as { data: Envelope[]; next: string };
    if (page.data.length === 0) break;
    out.push(...page.data);
    cursor = page.next;
  }
  return out.slice(0, count);
}

describe('GET /api/events/stream', () => {
  it('refuses a caller without the admin key (401), a malformed or unreached position and an unknown type (400)', async () => {
    const anonymous = await openStream(`${main.url}/api/events/stream`);
    expect(anonymous.status).toBe(401);
    const forged = await open(main.url, '', { 'last-event-id': 'abc' });
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text!)).toMatchObject({ error: 'invalid_request' });
    const ahead = await open(main.url, '?after=999999999');
    expect(ahead.status).toBe(400);
    expect(JSON.parse(ahead.text!)).toMatchObject({ error: 'invalid_request', issues: [{ path: 'after' }] });
    const unknown = await open(main.url, '?types=conversion.exploded');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(JSON.parse(unknown.text!))).toContain('types');
  });

  it('streams each new event as the pull feed pages it: the same envelope, the feed position as its id', async () => {
    const stream = await open(main.url);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    // The starting position comes at once, before any event: a client cut off now still resumes from it.
    const start = await waitFor('the starting position', () => stream.lastId());
    expect(start).toMatch(/^\d+$/);

    const { id } = await conversion();
    await stream.waitForEvent('its conversion.created', about(id, 'conversion.created'));
    const res = await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'reversed', reason: 'chargeback' });
    expect(res.status).toBe(200);
    const last = await stream.waitForEvent('its conversion.reversed', about(id, 'conversion.reversed'));

    // Ids are ascending feed positions, each message a plain `message` whose data is the envelope only.
    const ids = stream.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(stream.events.every((e) => e.event === undefined || e.event === 'message')).toBe(true);
    for (const e of stream.events) expect(Object.keys(envelope(e)).sort()).toEqual(['data', 'id', 'occurred_at', 'schema_version', 'type']);

    // Everything the feed holds after the stream's start, up to the last event streamed, is what was streamed, in order.
    const streamed = stream.events.map(envelope);
    expect(streamed.at(-1)).toEqual(envelope(last));
    expect(await pull(start, streamed.length)).toEqual(streamed);
    // And the position of each is its SSE id: a one-event page from just before it holds it, and its next is that id.
    const middle = stream.events[Math.floor(stream.events.length / 2)]!;
    const one = await f.admin('get', `/api/events?after=${Number(middle.id) - 1}&limit=1`);
    expect(one.body).toEqual({ data: [envelope(middle)], next: middle.id });
  });

  it('sends only the types asked for (groups expanded)', async () => {
    const reversals = await open(main.url, '?types=conversion.reversed,delivery.*');
    const everything = await open(main.url);
    const { id } = await conversion();
    await everything.waitForEvent('conversion.created', about(id, 'conversion.created'));
    expect((await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'reversed', reason: 'chargeback' })).status).toBe(200);
    await reversals.waitForEvent('its reversal', about(id, 'conversion.reversed'));
    await everything.waitForEvent('its reversal', about(id, 'conversion.reversed'));
    expect(everything.events.some((e) => envelope(e).type === 'conversion.created')).toBe(true);
    expect(reversals.events.map((e) => envelope(e).type).every((t) => t === 'conversion.reversed' || t.startsWith('delivery.'))).toBe(true);
  });

  it('resumes after Last-Event-ID on another process, caught up page by page, with nothing missed or repeated', async () => {
    const first = await open(main.url);
    const { id } = await conversion();
    await first.waitForEvent('conversion.created', about(id, 'conversion.created'));
    expect((await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'reversed', reason: 'chargeback' })).status).toBe(200);
    await first.waitForEvent('its reversal', about(id, 'conversion.reversed'));
    const { id: other } = await conversion();
    await first.waitForEvent('the next conversion', about(other, 'conversion.created'));
    first.close();

    // The first event's id as Last-Event-ID: the resumed stream starts with exactly what followed it.
    const [head, ...rest] = first.events;
    const resumed = await open(small.url, '', { 'last-event-id': head!.id! });
    const lastOfFirst = first.events.at(-1)!;
    await resumed.waitForEvent('the last event the first stream had', (e) => e.id === lastOfFirst.id);
    const got = resumed.events.slice(0, rest.length);
    expect(got.map((e) => e.id)).toEqual(rest.map((e) => e.id));
    expect(got.map((e) => e.data)).toEqual(rest.map((e) => e.data));

    // `after=0` starts at the beginning of the retained events, as the pull feed does.
    const fromStart = await open(small.url, '?after=0');
    await fromStart.waitForEvent('the same last event', (e) => e.id === lastOfFirst.id);
    const page = await f.admin('get', '/api/events?limit=5');
    expect(fromStart.events.slice(0, page.body.data.length).map(envelope)).toEqual(page.body.data);
  });

  it('polls only while someone listens, and ends every stream when the server stops', async () => {
    const tail = new EventTail({ models: stack.models });
    const app = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models, eventTail: tail });
    const server = await listen(app);
    try {
      expect(tail.polling).toBe(false);
      const stream = await open(server.url);
      expect(tail.polling).toBe(true);
      stream.close();
      await waitFor('the tail to stop polling', () => (tail.polling ? undefined : true));
      const again = await open(server.url);
      await tail.close();
      await again.ended;
      const refused = await open(server.url);
      expect(refused.status).toBe(503);
    } finally {
      await new Promise((resolve) => server.server.close(resolve));
    }
  });
});
