import type { NewEvent } from '../../events/envelope';
import { eventFeed, InvalidCursorError } from '../../events/feed';
import { eventRecorder } from '../../events/record';
import { eventId } from '../../events/ids';
import { useTestStack } from '../support/preamble';

/**
 * The pull feed (events/feed.ts) over the event records: one total order that never changes, and
 * a reader paging from any cursor sees every event exactly once in that order, while concurrent
 * writers record events whose writes commit in any order and concurrent readers sequence them.
 */

const { stack } = useTestStack('event_feed');

const newEvent = (writer: number, n: number, type = 'conversion.status_changed'): NewEvent => ({
  id: eventId(type, `w${writer}`, n),
  type,
  schema_version: 1,
  occurred_at: new Date(),
  data: { writer, n },
  subject: `w${writer}`,
});

/** Pages from `cursor` until `done()` and a page comes back empty; returns every id seen, in order. */
async function pageUntil(cursor: string | undefined, done: () => boolean, opts: { limit: number; types?: string[] }) {
  const feed = eventFeed(stack.models);
  const seen: { id: string; position: number }[] = [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    const finished = done(); // read before the page: a page after the writers ended holds everything
    const page = await feed.readEventsAfter(cursor, opts);
    seen.push(...page.events.map((e) => ({ id: e.id, position: e.position })));
    cursor = page.next;
    if (finished && page.events.length === 0) return { seen, cursor };
    if (Date.now() > deadline) throw new Error(`the reader did not reach the end: ${seen.length} events seen`);
  }
}

beforeEach(async () => {
  await stack.models.Event.deleteMany({});
  await stack.models.EventSequence.deleteMany({});
});

test('concurrent writers and readers: every reader sees every event exactly once, all in the same order', async () => {
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  const writers = 6;
  const perWriter = 60;
  let writing = writers;
  // Each writer records one or two events per step, interleaved with the others and with the readers' sequencing.
  const write = async (w: number) => {
    for (let n = 0; n < perWriter; n += 2) await record([newEvent(w, n), newEvent(w, n + 1)]);
    writing -= 1;
  };
  const readers = [3, 7, 50].map((limit) => pageUntil(undefined, () => writing === 0, { limit }));
  const [, ...results] = await Promise.all([Promise.all(Array.from({ length: writers }, (_, w) => write(w))), ...readers]);

  const expected = writers * perWriter;
  const orders = results.map((r) => r.seen.map((e) => e.id));
  for (const order of orders) {
    expect(order).toHaveLength(expected);
    expect(new Set(order).size).toBe(expected);
  }
  // One order for all, and it is the order of positions.
  expect(orders[1]).toEqual(orders[0]);
  expect(orders[2]).toEqual(orders[0]);
  const positions = results[0]!.seen.map((e) => e.position);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  // One step's events keep their order in the feed.
  const index = new Map(orders[0]!.map((id, i) => [id, i]));
  for (let w = 0; w < writers; w++)
    for (let n = 0; n < perWriter; n += 2) expect(index.get(newEvent(w, n).id)!).toBeLessThan(index.get(newEvent(w, n + 1).id)!);

  // Paging again from a cursor in the middle gives exactly the rest, in the same order.
  const middle = results[0]!.seen[100]!.position;
  const again = await pageUntil(String(middle), () => true, { limit: 13 });
  expect(again.seen.map((e) => e.id)).toEqual(orders[0]!.slice(101));
});

test('an event that commits after a reader passed the newest position is still read, after it', async () => {
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  const feed = eventFeed(stack.models);
  await record([newEvent(1, 1), newEvent(1, 2)]);
  const first = await feed.readEventsAfter(undefined, { limit: 100 });
  expect(first.events.map((e) => e.id)).toEqual([newEvent(1, 1).id, newEvent(1, 2).id]);
  // A slow worker's write, stamped (occurred) before the events above, becomes visible only now.
  const late = { ...newEvent(2, 1), occurred_at: new Date(Date.now() - 60_000) };
  await record([late]);
  const second = await feed.readEventsAfter(first.next, { limit: 100 });
  expect(second.events.map((e) => e.id)).toEqual([late.id]);
  expect(second.events[0]!.position).toBeGreaterThan(first.events[1]!.position);
  // From the start, the order is the one the first reader saw, with the late event after it.
  const all = await feed.readEventsAfter(undefined, { limit: 100 });
  expect(all.events.map((e) => e.id)).toEqual([newEvent(1, 1).id, newEvent(1, 2).id, late.id]);
});

test('a plan left by a sequencer that died mid-way is finished by the next reader, with the positions it planned', async () => {
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  await record([newEvent(1, 1), newEvent(1, 2), newEvent(1, 3)]);
  // A sequencer installed a plan (2 before 1), wrote one position and died.
  const plan = { from: 1, ids: [newEvent(1, 2).id, newEvent(1, 1).id] };
  await stack.models.EventSequence.create({ _id: 'events', settled: 0, plan });
  await stack.models.Event.updateOne({ _id: plan.ids[0] }, { $set: { position: 1 }, $unset: { unpositioned: 1 } });
  // Nothing past the horizon (0) is read while the plan is unfinished: the reader finishes it first.
  const page = await eventFeed(stack.models).readEventsAfter(undefined, { limit: 10 });
  expect(page.events.map((e) => [e.id, e.position])).toEqual([
    [newEvent(1, 2).id, 1],
    [newEvent(1, 1).id, 2],
    [newEvent(1, 3).id, 3],
  ]);
  expect(page.next).toBe('3');
});

test('a retried step records its events once; the types filter reads only those types and moves past the rest', async () => {
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  const step = [newEvent(1, 1, 'conversion.created'), newEvent(1, 1, 'conversion.status_changed')];
  await record(step);
  await record(step); // the step, retried after a crash
  await Promise.all([record(step), record(step)]); // and two attempts racing
  await record([newEvent(1, 2, 'delivery.succeeded')]);
  expect(await stack.models.Event.countDocuments({})).toBe(3);

  const feed = eventFeed(stack.models);
  const created = await feed.readEventsAfter(undefined, { types: ['conversion.created', 'delivery.succeeded'], limit: 10 });
  expect(created.events.map((e) => e.type)).toEqual(['conversion.created', 'delivery.succeeded']);
  const none = await feed.readEventsAfter(undefined, { types: ['offer.cap_reached'], limit: 10 });
  expect(none.events).toEqual([]);
  expect(none.next).toBe('3'); // past the events of other types: the next read does not scan them again
});

test('a cursor the feed did not give is refused', async () => {
  const feed = eventFeed(stack.models);
  for (const bad of ['', '-1', 'abc', '1.5', '01'])
    await expect(feed.readEventsAfter(bad, { limit: 1 })).rejects.toBeInstanceOf(InvalidCursorError);
});
