import type { Context } from 'koa';
import type { Models } from '../models';
import { ApiError } from './errors';

/**
 * Test postbacks one affiliate (or advertiser) may fire per UTC hour. A test is for checking an
 * endpoint, not for load: the bound keeps a partner from turning it into a flood of deliveries.
 */
export const TEST_POSTBACKS_PER_HOUR = 20;

const HOUR_MS = 3_600_000;
const DUPLICATE_KEY = 11000;

/**
 * Takes one of the party's test postbacks for this hour, or answers 429 with Retry-After. Counted
 * in MongoDB with one conditional upsert, so the bound holds across API processes: when the hour's
 * counter is full the filter matches nothing and the upsert's insert fails on the existing _id.
 */
export async function takeTestPostback(models: Models, ctx: Context, partyId: string, now: Date): Promise<void> {
  const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const _id = `${partyId}:${new Date(hour).toISOString()}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await models.TestPostbackCounter.updateOne(
        { _id, fired: { $lt: TEST_POSTBACKS_PER_HOUR } },
        { $inc: { fired: 1 }, $setOnInsert: { expires_at: new Date(hour + 2 * HOUR_MS) } },
        { upsert: true },
      );
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      // Full, or another fire created the hour's counter between our match and our insert: then it matches now.
      const counter = await models.TestPostbackCounter.findById(_id, { fired: 1 }).lean();
      if (attempt < 3 && counter && counter.fired < TEST_POSTBACKS_PER_HOUR) continue;
      break;
    }
  }
  const retryAfter = Math.max(1, Math.ceil((hour + HOUR_MS - now.getTime()) / 1000));
  ctx.set('Retry-After', String(retryAfter));
  throw new ApiError(
    429,
    'rate_limited',
    `${partyId} has fired ${TEST_POSTBACKS_PER_HOUR} test postbacks this hour, the most allowed; retry after ${retryAfter} s`,
  );
}
