import { capCounterId, capWindow, capsFor } from '../domain/cap-window';
import { toMinor } from '../domain/money';
import type { CapOutcome, CapRelease, CapReservation, ReleaseCapsInput, ReserveCapsInput } from '../domain/steps';
import { observeCapRejection } from '../observability/worker-metrics';
import type { StepDeps } from './deps';
import { capReachedEvent, capResetEvent, type CounterForEvents } from '../events/cap-events';

const DUPLICATE_KEY = 11000;
/** What the cap events carry of a counter. */
const counterFields = { offer_id: 1, cap_id: 1, window: 1, affiliate_id: 1, metric: 1, limit: 1, reserved: 1 } as const;

export function capActivities({ models, now, recordEvents }: StepDeps) {
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
    const taken = await models.CapCounter.findOneAndUpdate(
      { _id: counter._id, 'reservations.id': { $ne: conversionId }, reserved: { $lte: limit - amount } },
      { $inc: { reserved: amount }, $push: { reservations: { id: conversionId, amount } } },
      { new: true, projection: counterFields },
    ).lean<CounterForEvents>();
    // This reservation took the last place: offer.cap_reached, after the write.
    if (taken) {
      if (taken.reserved >= taken.limit) await recordEvents([capReachedEvent(taken, conversionId, now())]);
      return true;
    }
    // Not taken now: taken by an earlier attempt of this step, or refused. Both read the counter
    // (with only its latest reservation, to know whether ours was the one that filled it).
    const found = await models.CapCounter.findById(counter._id, { ...counterFields, reservations: { $slice: -1 } }).lean<
      CounterForEvents & { reservations?: { id: string }[] }
    >();
    const ours = Boolean(await models.CapCounter.exists({ _id: counter._id, 'reservations.id': conversionId }));
    if (!found) return ours;
    if (ours) {
      // An earlier attempt filled the cap and may have died before recording it: the same id again.
      if (found.reserved >= found.limit && found.reservations?.at(-1)?.id === conversionId)
        await recordEvents([capReachedEvent(found, conversionId, now())]);
    } else if (found.metric === 'payout') {
      // A payout cap is full when the next payout does not fit, not only at its exact limit: the
      // first refusal at each total says so (a count cap's filling reservation already did).
      await recordEvents([capReachedEvent(found, conversionId, now(), true)]);
    }
    return ours;
  }

  async function release(conversionId: string, reservations: CapReservation[]): Promise<void> {
    for (const r of reservations) {
      // A full cap getting room back is offer.cap_reset. Recorded before the release, so a crash
      // between the two writes cannot lose it: a retry that still finds our place records the same
      // id again; one that finds it gone finds the event recorded too.
      const held = await models.CapCounter.findOne(
        { _id: r.counterId, 'reservations.id': conversionId },
        counterFields,
      ).lean<CounterForEvents>();
      if (held && held.reserved >= held.limit)
        await recordEvents([capResetEvent({ ...held, reserved: held.reserved - r.amount }, conversionId, now())]);
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
