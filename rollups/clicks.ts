import { clicked, type RollupCounts, type RollupDelta } from '../domain/rollup';
import type { Models } from '../models';
import { createLogger } from '../observability/logger';
import { addRollupDeltas } from './apply';

const log = createLogger({ level: 'warn', service: 'api' });

const HOUR_MS = 3_600_000;

export interface CountedClick {
  created_at: Date;
  offer_id: string;
  affiliate_id: string;
  /** Set on a click not sent to its offer: it counts as trafficback in its reason, not as a click (domain/rollup.ts `clicked`). */
  trafficback?: { reason: string } | null;
}

/**
 * Counts stored clicks into the report roll-ups, in one bulk write: the click route calls it
 * once per batch of inserted clicks (api/click-writer.ts), before any of them is answered. The
 * buckets' finest part is the UTC hour, so the clicks of one hour, offer and affiliate are one
 * delta of n clicks (and trafficback clicks, by reason): a batch costs one update per bucket, not
 * the paths of every click. Never rejects: the clicks are stored and their redirects must go out;
 * a failed count (a write, or a click it refuses) is logged, and `npm run rollups:rebuild`
 * recounts from the click rows.
 */
export async function countClicks(models: Models, clicks: readonly CountedClick[]): Promise<void> {
  try {
    await addRollupDeltas(models, hourlyDeltas(clicks));
  } catch (err) {
    log.warn({ err, clicks: clicks.length }, 'report roll-up: clicks not counted; npm run rollups:rebuild recounts them');
  }
}

/** The clicks of each hour, offer and affiliate as one delta, their counts summed. */
function hourlyDeltas(clicks: readonly CountedClick[]): RollupDelta[] {
  const byHour = new Map<string, RollupDelta>();
  for (const click of clicks) {
    const one = clicked(click.created_at, click.offer_id, click.affiliate_id, click.trafficback);
    const key = JSON.stringify([Math.floor(click.created_at.getTime() / HOUR_MS), click.offer_id, click.affiliate_id]);
    const delta = byHour.get(key);
    if (delta) addCounts(delta.counts, one.counts);
    else byHour.set(key, one);
  }
  return [...byHour.values()];
}

function addCounts(into: RollupCounts, counts: RollupCounts): void {
  for (const [field, n] of Object.entries(counts) as [keyof RollupCounts, number][]) into[field] = (into[field] ?? 0) + n;
}

/** One click, counted alone (tests and tools; the route counts whole batches with countClicks). */
export function countClick(models: Models, click: CountedClick): Promise<void> {
  return countClicks(models, [click]);
}
