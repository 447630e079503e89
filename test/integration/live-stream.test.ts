import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { compareCursors, formatCursor, horizon, parseCursor, type Cursor } from '../../api/live/cursor';
import { readChanges, type Change } from '../../api/live/read-changes';
import { LiveFeed, SWEEP_MS } from '../../api/live/feed';
import { openStream, type OpenStream, type StreamEvent } from '../../bench/lib/sse-client';
import { listen } from '../support/listen';
import { useTestStack } from '../support/preamble';
import { processEnv, startEntry } from '../support/processes';
import { startReceiver, type Receiver } from '../support/receiver';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('live');
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

let main: { server: Server; url: string };
/** A second app on the same database with a feed of its own, whose pages hold two changes of a kind: catch-up takes several reads. */
let small: { server: Server; url: string; feed: LiveFeed };
let receiver: Receiver;
const streams: OpenStream[] = [];
const open = async (base: string, query = '', headers: Record<string, string> = {}) => {
  const s = await openStream(`${base}/api/stream${query}`, { ...auth, ...headers });
  streams.push(s);
  return s;
};

beforeAll(async () => {
  main = await listen(stack.app);
  const feed = new LiveFeed({ models: stack.models, pageSize: 2 });
  const app = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models, live: feed });
  small = { ...(await listen(app)), feed };
  receiver = await startReceiver();
});
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
});
afterAll(async () => {
  await small?.feed.close();
  for (const { server } of [main, small]) if (server) await new Promise((resolve) => server.close(resolve));
  await receiver?.close();
});

const ofConversion = (id: string, status?: string) => (e: StreamEvent) => {
  const data = JSON.parse(e.data) as { kind: string; id: string; status: string };
  return e.event === 'conversion' && data.id === id && (!status || data.status === status);
};
const data = (e: StreamEvent) => JSON.parse(e.data) as Record<string, unknown>;

describe('GET /api/stream', () => {
  it('refuses a caller without a session or the admin key (401), and a Last-Event-ID it never sent (400)', async () => {
    const anonymous = await openStream(`${main.url}/api/stream`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text!)).toMatchObject({ error: 'unauthorized' });
    const wrong = await openStream(`${main.url}/api/stream`, { authorization: 'Bearer not-the-key-0123456789' });
    expect(wrong.status).toBe(401);
    const forged = await open(main.url, '', { 'last-event-id': '12-5-cv_x' });
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text!)).toMatchObject({ error: 'invalid_request' });
  });

  it('streams a new conversion, its status, and the outcome of its delivery, as documented', async () => {
    const stream = await open(main.url);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toContain('no-cache');

    const s = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const id = await f.convert(s, { txid: 'live-1' });
    const approved = await stream.waitForEvent('the approved conversion', ofConversion(id, 'approved'));
    expect(data(approved)).toEqual({
      kind: 'conversion',
      id,
      at: expect.any(String),
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
      advertiser_id: s.advertiser.id,
      status: 'approved',
      reason_codes: [],
      goal: 'sale',
      txid: 'live-1',
      payout: '5.00',
      revenue: '8.00',
      currency: 'USD',
      received_at: expect.any(String),
    });
    const delivered = await stream.waitForEvent('the delivery outcome', (e) => e.event === 'delivery' && data(e).conversion_id === id);
    expect(data(delivered)).toMatchObject({ kind: 'delivery', status: 'succeeded', last_status_code: 200, attempt_count: 1, run: 0 });
    // In the order they were stored. A change read after the next one replaced it is not sent: the
    // stream carries each document's latest state, so "processing" shows only if a read fell between.
    const seen = stream.events.filter((e) => e.data.includes(id)).map((e) => `${e.event}:${data(e).status as string}`);
    expect(seen.filter((x) => x !== 'conversion:processing')).toEqual(['conversion:approved', 'delivery:succeeded']);
    expect(seen.indexOf('conversion:processing')).toBeLessThanOrEqual(0);
    expect(stream.events.map((e) => e.id)).toEqual([...new Set(stream.events.map((e) => e.id))]);
  });

  it('a failed attempt that will be retried is an event too, with when it is tried again', async () => {
    const stream = await open(main.url, '?kind=delivery');
    const s = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    receiver.reply({ status: 503 });
    const id = await f.convert(s);
    const retry = await stream.waitForEvent('the retry', (e) => data(e).conversion_id === id && data(e).status === 'delivering');
    expect(data(retry)).toMatchObject({ last_status_code: 503, attempt_count: 1, next_attempt_at: expect.any(String) });
    await stream.waitForEvent('the success after it', (e) => data(e).conversion_id === id && data(e).status === 'succeeded');
  });

  it('sends only what the filters ask for: kind, offer, affiliate and status', async () => {
    const everything = await open(main.url);
    const [a, b] = [await f.setup(), await f.setup()];
    await f.endpoint(a.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    await f.endpoint(b.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const byOffer = await open(main.url, `?offer_id=${a.offer.id}&status=approved`);
    const byAffiliate = await open(main.url, `?affiliate_id=${a.affiliate.id}&kind=delivery`);
    const approvedAnywhere = await open(main.url, '?kind=conversion&status=approved');

    // b's changes are stored before a's, and every stream is served in that one order: once a
    // stream has a's last change, it has already been offered all of b's.
    const otherId = await f.convert(b);
    await everything.waitForEvent("b's delivery", (e) => e.event === 'delivery' && data(e).conversion_id === otherId);
    const id = await f.convert(a);
    await everything.waitForEvent("a's delivery", (e) => e.event === 'delivery' && data(e).conversion_id === id);

    await byOffer.waitForEvent("a's approval", ofConversion(id, 'approved'));
    await byAffiliate.waitForEvent("a's delivery", (e) => data(e).conversion_id === id);
    await approvedAnywhere.waitForEvent("a's approval", ofConversion(id, 'approved'));
    const seen = (s: OpenStream) =>
      s.events.map((e) => `${e.event}:${data(e).status as string}:${(data(e).conversion_id ?? data(e).id) as string}`);
    expect(seen(byOffer)).toEqual([`conversion:approved:${id}`]);
    expect(seen(byAffiliate)).toEqual([`delivery:succeeded:${id}`]);
    expect(seen(approvedAnywhere)).toEqual([`conversion:approved:${otherId}`, `conversion:approved:${id}`]);
  });

  it('refuses a filter it does not know (400 with the field)', async () => {
    const res = await f.admin('get', '/api/stream?status=lost');
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'status' })]);
  });
});

describe('resuming with Last-Event-ID', () => {
  it('goes on after the last event received, on another API process, with nothing missed or repeated', async () => {
    const client = await open(main.url);
    const s = await f.setup();
    const other = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const convert = async (setup: typeof s, txid: string) =>
      f.convert({ ...setup, clickId: await f.click(setup.offer.id, setup.affiliate.id) }, { txid });
    const delivered = (id: string) => (e: StreamEvent) => e.event === 'delivery' && data(e).conversion_id === id;
    const first = await convert(s, 'r-1');
    await client.waitForEvent('the first delivery', delivered(first));
    const resumeFrom = client.lastId()!;
    expect(resumeFrom).toBe(client.events.at(-1)!.id);
    const before = new Set(client.events.map((e) => e.id));
    client.close();

    // While it is away: conversions of two affiliates, one with deliveries. The process it comes
    // back to reads two changes of a kind at a time, so catching up takes several reads.
    const away: string[] = [];
    for (let i = 0; i < 3; i++) away.push(await convert(s, `r-${i + 2}`), await convert(other, `o-${i}`));
    const ofS = away.filter((_, i) => i % 2 === 0);
    await waitFor('every conversion approved and delivered', async () => {
      const approved = await stack.models.Conversion.countDocuments({ _id: { $in: away }, status: 'approved' });
      return (
        approved === away.length && (await stack.models.Delivery.countDocuments({ conversion_id: { $in: ofS }, status: 'succeeded' })) === 3
      );
    });

    const back = await open(small.url, '', { 'last-event-id': resumeFrom });
    for (const id of away) await back.waitForEvent(`${id} approved`, ofConversion(id, 'approved'));
    for (const id of ofS) await back.waitForEvent(`${id} delivered`, delivered(id));
    const ids = back.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => before.has(id!))).toEqual([]);
    expect(back.events.some(ofConversion(first))).toBe(false);
    // Each one's latest state, in the order stored: 3 × 2 conversions and 3 deliveries.
    expect(
      back.events
        .slice(0, 9)
        .map((e) => `${e.event}:${data(e).status as string}`)
        .sort(),
    ).toEqual([...Array(6).fill('conversion:approved'), ...Array(3).fill('delivery:succeeded')].sort());
  });

  it('a client whose filter matched nothing resumes from the position the stream gave it when it opened', async () => {
    const quiet = await open(small.url, '?status=reversed');
    await waitFor('the opening position', () => quiet.lastId());
    const s = await f.setup();
    const id = await f.convert(s);
    quiet.close();
    const back = await open(small.url, '', { 'last-event-id': quiet.lastId()! });
    await back.waitForEvent('the conversion made while it was connected', ofConversion(id, 'approved'));
  });
});

describe('changes that become visible late (stamped behind the poller)', () => {
  const at = (e: StreamEvent) => Date.parse(data(e).at as string);
  const cursorOf = (id: string | undefined): Cursor => parseCursor(id!)!;
  /** Its own key as the id: the change was read in order, not found late by the sweep. */
  const ownKey = (e: StreamEvent) => `${at(e)}-${e.event === 'conversion' ? 0 : 1}-${data(e).id as string}`;
  const sweptPast = (t: number) =>
    waitFor(`the sweep window to pass ${t}`, () => small.feed.position && small.feed.position.t > t + SWEEP_MS);
  const convert = async (s: Awaited<ReturnType<typeof f.setup>>) => f.convert({ ...s, clickId: await f.click(s.offer.id, s.affiliate.id) });

  it('one stamped behind the poller is delivered once, at the position where it was found, and ids stay in order', async () => {
    const stream = await open(small.url);
    const s = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const id = await f.convert(s);
    const delivered = await stream.waitForEvent('the delivery', (e) => e.event === 'delivery' && data(e).conversion_id === id);
    // A commit that became visible long after its stamp: the poller's cursor is past the delivery
    // (same millisecond, later kind), so the conversion's new key is behind it when it appears.
    const lateAt = new Date(at(delivered));
    await stack.models.Conversion.updateOne({ _id: id }, { $set: { changed_at: lateAt } });
    const isLate = (e: StreamEvent) => ofConversion(id)(e) && data(e).at === lateAt.toISOString();
    const late = await stream.waitForEvent('the late change', isLate);
    expect(late.id).not.toBe(`${lateAt.getTime()}-0-${id}`);
    expect(compareCursors(cursorOf(late.id), cursorOf(delivered.id))).toBeGreaterThanOrEqual(0);

    await sweptPast(lateAt.getTime());
    expect(stream.events.filter(isLate)).toHaveLength(1);
    const ids = stream.events.map((e) => cursorOf(e.id));
    for (let i = 1; i < ids.length; i++) expect(compareCursors(ids[i - 1]!, ids[i]!)).toBeLessThanOrEqual(0);

    // Resuming from the late change's id repeats neither it nor what came before it.
    const back = await open(small.url, '', { 'last-event-id': late.id! });
    const next = await convert(s);
    await back.waitForEvent('the next conversion', ofConversion(next, 'approved'));
    expect(back.events.filter((e) => e.data.includes(id))).toEqual([]);
  });

  it('a stream resuming from before it gets it once, though its catch-up and the sweep both find it in one tick', async () => {
    // A slow poller: the write below and the resumed stream's arrival fall between two of its ticks.
    const feed = new LiveFeed({ models: stack.models, intervalMs: 1_500 });
    const app = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models, live: feed });
    const served = await listen(app);
    try {
      const first = await open(served.url);
      const from = await waitFor('the opening position', () => first.lastId());
      const s = await f.setup();
      const [late, after] = [await convert(s), await convert(s)];
      // Both settled first: a workflow's later write would stamp over the one made here.
      await first.waitForEvent('the first conversion', ofConversion(late, 'approved'));
      const seen = await first.waitForEvent('the other conversion', ofConversion(after, 'approved'));
      const lateAt = new Date(at(seen));
      await stack.models.Conversion.updateOne({ _id: late }, { $set: { changed_at: lateAt } });
      const resumed = await open(served.url, '', { 'last-event-id': from });
      const isLate = (e: StreamEvent) => ofConversion(late)(e) && data(e).at === lateAt.toISOString();
      for (const stream of [first, resumed]) await stream.waitForEvent('the late change', isLate);
      await waitFor('the sweep window to pass it', () => feed.position && feed.position.t > lateAt.getTime() + SWEEP_MS);
      expect(first.events.filter(isLate)).toHaveLength(1);
      expect(resumed.events.filter(isLate)).toHaveLength(1);
      expect(resumed.events.filter(ofConversion(after))).toHaveLength(1);
    } finally {
      await feed.close();
      await new Promise((resolve) => served.server.close(resolve));
    }
  });

  it(`one stamped more than SWEEP_MS (${SWEEP_MS} ms) behind the poller is not sent: it is in the data, not in the tail`, async () => {
    const stream = await open(small.url);
    const from = await waitFor('the opening position', () => stream.lastId());
    const s = await f.setup();
    const [old, marker] = [await convert(s), await convert(s)];
    for (const id of [old, marker]) await stream.waitForEvent(`${id} approved`, ofConversion(id, 'approved'));
    await sweptPast(cursorOf(from).t + 1_000);

    // Both after the stream opened; one already out of the sweep window, the other in it, written after.
    const oldAt = new Date(cursorOf(from).t + 500);
    await stack.models.Conversion.updateOne({ _id: old }, { $set: { changed_at: oldAt } });
    const markerAt = new Date(small.feed.position!.t - 1_000);
    await stack.models.Conversion.updateOne({ _id: marker }, { $set: { changed_at: markerAt } });
    await stream.waitForEvent('the change in the window', (e) => ofConversion(marker)(e) && data(e).at === markerAt.toISOString());
    expect(stream.events.filter((e) => ofConversion(old)(e) && data(e).at === oldAt.toISOString())).toEqual([]);
  });

  it('normal writes arrive once each, with their own keys as ids, however many ticks sweep them', async () => {
    const stream = await open(small.url);
    const s = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await convert(s));
    for (const id of ids) await stream.waitForEvent(`${id} delivered`, (e) => e.event === 'delivery' && data(e).conversion_id === id);
    await sweptPast(Math.max(...stream.events.map(at)));

    const sent = stream.events.map((e) => e.id);
    expect(new Set(sent).size).toBe(sent.length);
    expect(stream.events.filter((e) => e.id !== ownKey(e))).toEqual([]);
    const states = stream.events.map((e) => `${data(e).id as string}:${data(e).status as string}:${data(e).at as string}`);
    expect(new Set(states).size).toBe(states.length);
  });
});

describe('reading changes in windows and pages (api/live/read-changes.ts)', () => {
  it('hands every change once, inside the window it was read for, in key order, wherever the windows and pages end', async () => {
    // Stamped by the store, many in the same millisecond: the embedded store keeps $currentDate
    // finer than a millisecond, while the key (and every date it sends back) is whole milliseconds.
    const prefix = `cv_rc${Date.now().toString(36)}`;
    const ids = Array.from({ length: 120 }, (_, i) => `${prefix}_${(i * 7919) % 1000}`);
    const startedAt = Date.now() - 1;
    for (let i = 0; i < ids.length; i += 30)
      await Promise.all(
        ids.slice(i, i + 30).map((id) =>
          stack.models.Conversion.updateOne(
            { _id: id },
            {
              $setOnInsert: {
                dedupe_key: id,
                single_key: id,
                offer_id: 'off_rc',
                affiliate_id: 'aff_rc',
                advertiser_id: 'adv_rc',
                status: 'approved',
                goal: 'rc',
              },
              $currentDate: { changed_at: true },
            },
            { upsert: true },
          ),
        ),
      );
    const stored = await stack.models.Conversion.find({ _id: { $in: ids } }, { changed_at: 1 }).lean<{ _id: string; changed_at: Date }[]>();
    const millis = [...new Set(stored.map((d) => d.changed_at.getTime()))].sort((a, b) => a - b);
    expect(millis.length).toBeLessThan(ids.length); // some share a millisecond, or the test shows nothing

    // Windows that end at every stamped millisecond (where the poller's horizon may fall), each read two at a time.
    const seen: Change[] = [];
    let after: Cursor = horizon(startedAt - 1);
    for (const upTo of [...millis.map(horizon), horizon(Date.now())]) {
      while (compareCursors(after, upTo) < 0) {
        const page = await readChanges(stack.models, after, upTo, 2);
        for (const c of page.changes) {
          expect({ key: formatCursor(c.key), after: compareCursors(c.key, after) > 0, upTo: compareCursors(c.key, upTo) <= 0 }).toEqual({
            key: formatCursor(c.key),
            after: true,
            upTo: true,
          });
        }
        expect(compareCursors(page.next, after)).toBeGreaterThan(0); // progress
        seen.push(...page.changes);
        after = page.next;
      }
    }
    const ours = seen.filter((c) => c.event.id.startsWith(prefix));
    expect(ours.map((c) => c.event.id).sort()).toEqual([...ids].sort());
    const keys = seen.map((c) => c.key);
    for (let i = 1; i < keys.length; i++) expect(compareCursors(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
  });
});

describe('the poller', () => {
  it('runs only while someone listens', async () => {
    await waitFor('no poller before anyone listens', () => !small.feed.polling);
    const stream = await open(small.url);
    expect(small.feed.listeners).toBe(1);
    expect(small.feed.polling).toBe(true);
    stream.close();
    await waitFor('the listener to be gone', () => small.feed.listeners === 0);
    await waitFor('the poller to stop', () => !small.feed.polling);
  });

  it('ends every open stream when the app closes, and refuses new ones (503)', async () => {
    const feed = new LiveFeed({ models: stack.models });
    const app = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models, live: feed });
    const served = await listen(app);
    try {
      const stream = await open(served.url);
      await waitFor('the stream to be listening', () => feed.listeners === 1);
      await feed.close();
      await stream.ended;
      expect(feed.polling).toBe(false);
      const refused = await open(served.url);
      expect(refused.status).toBe(503);
    } finally {
      await new Promise((resolve) => served.server.close(resolve));
    }
  });
});

describe('api/server.ts', () => {
  it('an open stream does not hold up shutdown: on SIGTERM the stream ends and the process exits 0', async () => {
    const { env, apiUrl } = await processEnv('live-sigterm');
    const api = startEntry('api/server.ts', env);
    try {
      await waitFor('the API to listen', () => api.output().includes('api listening'), 60_000);
      const stream = await openStream(`${apiUrl}/api/stream`, { authorization: `Bearer ${env.ADMIN_API_KEY}` });
      streams.push(stream);
      expect(stream.status).toBe(200);
      api.child.kill('SIGTERM');
      await stream.ended;
      expect(await api.exited).toBe(0);
      expect(api.output()).toContain('api stopped');
    } finally {
      api.child.kill('SIGKILL');
    }
  });
});
