import { capCounterId, capWindow, capsFor } from '../domain/cap-window';
import { toMinor } from '../domain/money';
import type { CapOutcome, CapRelease, CapReservation, ReleaseCapsInput, ReserveCapsInput } from '../domain/steps';
import { observeCapRejection } from '../observability/worker-metrics';
import type { ActivityDeps } from './deps';

const DUPLICATE_KEY = 11000;

export function capActivities({ models }: ActivityDeps) {
  /** Takes one unit (or the payout) from the counter, unless that would pass the limit. */
  async function reserveOne(
    conversionId: string,
    counter: Record<string, unknown> & { _id: string },
    limit: number,
    amount: number,
  ): Promise<boolean> {
    try {
      const { _id, ...fields } = counter;
      await models.CapCounter.updateOne({ _id }, { $setOnInsert: { ...fields, reserved: 0, reservations: [] } }, { upsert: true });
    } catch (err) {
      // Two first reservations raced to create the counter: it exists now, which is all we need.
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    }
    // One conditional update: the limit check and the increment cannot be separated by another
    // writer, and the conversion id in the filter makes a retried activity a no-op.
    const result = await models.CapCounter.updateOne(
      { _id: counter._id, 'reservations.id': { $ne: conversionId }, reserved: { $lte: limit - amount } },
      { $inc: { reserved: amount }, $push: { reservations: { id: conversionId, amount } } },
    );
    if (result.modifiedCount === 1) return true;
    return Boolean(await models.CapCounter.exists({ _id: counter._id, 'reservations.id': conversionId }));
  }

  async function release(conversionId: string, reservations: CapReservation[]): Promise<void> {
    for (const r of reservations) {
      // Conditional on our reservation being there: releasing twice gives back nothing twice.
      await models.CapCounter.updateOne(
        { _id: r.counterId, 'reservations.id': conversionId },
        { $inc: { reserved: -r.amount }, $pull: { reservations: { id: conversionId } } },
      );
    }
  }

  return {
    /** Reserves a place in every cap that counts this conversion, or in none of them. */
    async reserveCaps(input: ReserveCapsInput): Promise<CapOutcome> {
      const taken: CapReservation[] = [];
      for (const cap of capsFor(input.offer.caps, input.goal)) {
        const window = capWindow(cap.period, cap.timezone, new Date(input.at));
        const affiliateId = cap.per_affiliate ? input.affiliateId : undefined;
        const counterId = capCounterId({ offerId: input.offer.id, capId: cap.id, windowKey: window.key, affiliateId });
        const limit = cap.metric === 'conversions' ? Number(cap.limit) : toMinor(cap.limit, input.offer.currency);
        const amount = cap.metric === 'conversions' ? 1 : input.payoutMinor;
        const counter = {
          _id: counterId,
          offer_id: input.offer.id,
          cap_id: cap.id,
          window: window.key,
          affiliate_id: affiliateId,
          metric: cap.metric,
          limit,
        };
        if (!(await reserveOne(input.conversionId, counter, limit, amount))) {
          await release(input.conversionId, taken);
          observeCapRejection({
            conversionId: input.conversionId,
            capId: cap.id,
            action: cap.on_exceed,
            metric: cap.metric,
            period: cap.period,
            detail: `${cap.metric} cap of ${cap.limit} per ${cap.period} reached (${window.key})`,
          });
          return {
            ok: false,
            capId: cap.id,
            onExceed: cap.on_exceed,
            detail: `${cap.metric} cap of ${cap.limit} per ${cap.period} reached (${window.key})`,
          };
        }
        taken.push({ counterId, amount });
      }
      // Without caps there is nothing to record: the projection was created with an empty list,
      // and a retry sees the same offer (its input), so it cannot have recorded places either.
      if (taken.length > 0)
        await models.Conversion.updateOne({ _id: input.conversionId }, { $set: { cap_reservations: taken.map((t) => t.counterId) } });
      return { ok: true, reservations: taken };
    },

    /** Gives the conversion's places back (declined, reversed, rejected after reserving). */
    async releaseCaps(input: ReleaseCapsInput): Promise<CapRelease> {
      await release(input.conversionId, input.reservations);
      return { released: input.reservations }; // for the timeline: local activities keep no input
    },
  };
}
