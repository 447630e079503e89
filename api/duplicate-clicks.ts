import type { TurnedAway } from '../domain/trafficback';
import type { Models } from '../models';

const DUPLICATE_KEY = 11000;

/**
 * duplicate_click, for offers with duplicate_click_seconds: the first click of an IP for an offer
 * and affiliate claims the window with one conditional upsert; a click while the claim holds
 * finds the fingerprint's `until` in the future, so the upsert's insert collides on the id and it
 * is the duplicate. Exact across API processes, since the database decides.
 */
export async function duplicateClick(
  models: Models,
  click: { offerId: string; affiliateId: string; ip: string; seconds: number; at: Date },
): Promise<TurnedAway | null> {
  const _id = JSON.stringify([click.offerId, click.affiliateId, click.ip]);
  try {
    await models.ClickFingerprint.collection.updateOne(
      { _id, until: { $lte: click.at } } as never,
      { $set: { until: new Date(click.at.getTime() + click.seconds * 1000) } },
      { upsert: true },
    );
    return null;
  } catch (err) {
    if ((err as { code?: number }).code === DUPLICATE_KEY) return { reason: 'duplicate_click' };
    throw err;
  }
}
