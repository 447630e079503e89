import { clicked, type RollupDelta } from '../domain/rollup';
import type { Models } from '../models';
import { createLogger } from '../observability/logger';
import { addRollupDeltas } from './apply';

const counters = new WeakMap<Models, (delta: RollupDelta) => Promise<void>>();
const log = createLogger({ level: 'warn', service: 'api' });

/**
 * Counts a stored click into the report roll-ups. The clicks of one event-loop turn (the click
 * writer's insertMany batch) share one bulk write per level, so under load a batch of clicks
 * costs one or two writes, not one per click. Never rejects: the click is stored and its
 * redirect must go out; a failed count is logged, and `npm run rollups:rebuild` recounts
 * from the click rows.
 */
export function countClick(models: Models, click: { created_at: Date; offer_id: string; affiliate_id: string }): Promise<void> {
  let count = counters.get(models);
  if (!count) counters.set(models, (count = batchedCounter(models)));
  return count(clicked(click.created_at, click.offer_id, click.affiliate_id));
}

function batchedCounter(models: Models): (delta: RollupDelta) => Promise<void> {
  let queue: { delta: RollupDelta; done: () => void }[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      await addRollupDeltas(
        models,
        batch.map((q) => q.delta),
      );
    } catch (err) {
      log.warn({ err, clicks: batch.length }, 'report roll-up: clicks not counted; npm run rollups:rebuild recounts them');
    }
    for (const q of batch) q.done();
  };
  return (delta) =>
    new Promise<void>((done) => {
      if (queue.push({ delta, done }) === 1) setImmediate(() => void flush());
    });
}
