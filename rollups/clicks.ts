import { clicked, type RollupDelta } from '../domain/rollup';
import type { Models } from '../models';
import { createLogger } from '../observability/logger';
import { addRollupDeltas } from './apply';

const log = createLogger({ level: 'warn', service: 'api' });

const HOUR_MS = 3_600_000;

export interface CountedClick {
  created_at: Date;
  offer_id: string;
  affiliate_id: string;
}

/**
 * Counts stored clicks into the report roll-ups, in one bulk write: the click route calls it
 * once per batch of inserted clicks (api/click-writer.ts), before any of them is answered. The
 * buckets' finest part is the UTC hour, so the clicks of one hour, offer and affiliate are one
 * delta of n clicks: a batch costs one update per bucket, not the paths of every click. Never
 * rejects: the clicks are stored and their redirects must go out; a failed count is logged, and
 * `npm run rollups:rebuild` recounts from the click rows.
 */
export async function countClicks(models: Models, clicks: readonly CountedClick[]): Promise<void> {
  const byHour = new Map<string, RollupDelta>();
  for (const click of clicks) {
    const key = JSON.stringify([Math.floor(click.created_at.getTime() / HOUR_MS), click.offer_id, click.affiliate_id]);
    const delta = byHour.get(key);
    if (delta) delta.counts.clicks! += 1;
    else byHour.set(key, clicked(click.created_at, click.offer_id, click.affiliate_id));
  }
  try {
    await addRollupDeltas(models, [...byHour.values()]);
  } catch (err) {
    log.warn({ err, clicks: clicks.length }, 'report roll-up: clicks not counted; npm run rollups:rebuild recounts them');
  }
}

/** One click, counted alone (tests and tools; the route counts whole batches with countClicks). */
export function countClick(models: Models, click: CountedClick): Promise<void> {
  return countClicks(models, [click]);
}
