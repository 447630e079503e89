import { FeedWatch } from '../../events/feed-watch';
import { eventFeed } from '../../events/feed';
import { eventId } from '../../events/ids';
import { eventRecorder } from '../../events/record';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/**
 * The feed watch (events/feed-watch.ts): every subscription dispatcher waiting in a process is
 * woken by one shared poll when the feed grows past its cursor, and otherwise when its own time
 * limit ends; the poll stops when nobody waits.
 */
const { stack } = useTestStack('feed_watch');

test('wakes every waiter once the feed grows past its position, and stops polling when none waits', async () => {
  const watch = new FeedWatch(stack.models, { intervalMs: 50 });
  const head = Number(await eventFeed(stack.models).head());
  let woken = 0;
  // Time limits far beyond the test's deadline: a waiter that settles was woken by the feed.
  const waits = Array.from({ length: 20 }, () => watch.waitPast(head, 600_000).then((grew) => ((woken += 1), grew)));
  const ahead = watch.waitPast(head + 1_000_000, 600_000);
  expect(watch.waiting).toBe(21);
  await new Promise((r) => setImmediate(r));
  expect(woken).toBe(0);

  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  await record([
    {
      id: eventId('conversion.created', 'watch', 0),
      type: 'conversion.created',
      schema_version: 1,
      occurred_at: new Date(),
      data: {},
      subject: 'w',
    },
  ]);
  expect(await Promise.all(waits)).toEqual(Array(20).fill(true));
  expect(woken).toBe(20);
  // One whose position the feed has not reached goes on waiting.
  expect(watch.waiting).toBe(1);
  void ahead;
});

test("a waiter's own time limit ends its wait when the feed does not grow", async () => {
  const watch = new FeedWatch(stack.models, { intervalMs: 50 });
  const head = Number(await eventFeed(stack.models).head());
  let result: boolean | undefined;
  void watch.waitPast(head, 200).then((grew) => (result = grew));
  await waitFor('the wait to end at its limit', () => result !== undefined);
  expect(result).toBe(false);
  expect(watch.waiting).toBe(0);
});
