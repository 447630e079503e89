import { payableMinor } from '../domain/status';
import type { TransitionInput, TransitionRecord } from '../domain/steps';
import { observeTransition } from '../observability/worker-metrics';
import type { StepDeps } from './deps';
import { ledgerBooked, statusMoved, type RollupDelta } from '../domain/rollup';
import { applyRollupDeltas } from '../rollups/apply';
import { conversionRollupFields, conversionRollupKey } from '../rollups/conversion-key';
import { conversionEventFields, transitionEvents } from '../events/conversion-events';

const DUPLICATE_KEY = 11000;

/**
 * Inserts `docs` in one unordered insertMany; returns the indexes that already existed (duplicate
 * _id). Any other error is thrown, so the activity is retried.
 */
async function insertEach(collection: { insertMany(docs: object[], options: { ordered: false }): Promise<unknown> }, docs: object[]) {
  try {
    await collection.insertMany(docs, { ordered: false });
    return new Set<number>();
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors ?? [];
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
    return new Set(writeErrors.map((e) => e.index));
  }
}

export function transitionActivities({ models, now, recordEvents }: StepDeps) {
  return {
    /**
     * Books the ledger difference between two statuses and moves the projection. Idempotent:
     * ledger ids are (conversion, seq, account), and the projection only moves forward in seq.
     */
    async recordTransition(input: TransitionInput): Promise<TransitionRecord> {
      const at = now();
      // A test conversion moves no money: no ledger line, so no balance or payout report sees it.
      const money = (minor: number) => (input.test ? 0 : payableMinor(input.to, minor) - payableMinor(input.from, minor));
      const payable = money(input.payoutMinor);
      const receivable = money(input.revenueMinor);
      // When this attempt inserted an entry it carries `at`; one an earlier attempt inserted carries that attempt's time.
      const booked: { _id: string; account: string; amount_minor: number; created_at: Date }[] = [];
      const bookedEarlier: string[] = [];
      if (payable !== 0 || receivable !== 0) {
        const base = {
          conversion_id: input.conversionId,
          seq: input.seq,
          affiliate_id: input.affiliateId,
          advertiser_id: input.advertiserId,
          offer_id: input.offerId,
          currency: input.currency,
          status_from: input.from,
          status_to: input.to,
          created_at: at,
        };
        const entries = [
          {
            _id: `${input.conversionId}:${input.seq}:affiliate_payable`,
            account: 'affiliate_payable',
            amount_minor: payable,
            ...base,
          },
          {
            _id: `${input.conversionId}:${input.seq}:advertiser_receivable`,
            account: 'advertiser_receivable',
            amount_minor: receivable,
            ...base,
          },
        ];
        // Both entries in one unordered insert (one round trip); an entry an earlier attempt booked
        // fails alone on its _id, and the other is still inserted.
        const failed = await insertEach(models.LedgerEntry.collection, entries);
        for (const [i, entry] of entries.entries()) {
          if (failed.has(i)) bookedEarlier.push(entry._id);
          else booked.push(entry);
        }
      }
      const move = () =>
        models.Conversion.updateOne(
          { _id: input.conversionId, status_seq: { $lt: input.seq } },
          {
            $set: { status: input.to, status_seq: input.seq, reason_codes: input.reasonCodes, updated_at: at },
            $currentDate: { changed_at: true }, // the live stream's order (api/live)
            $push: {
              status_history: {
                seq: input.seq,
                from: input.from,
                to: input.to,
                reason: input.reason,
                actor: input.actor,
                at,
              },
            },
          },
        );
      // The report roll-ups take the change in the same step, keyed by the transition: the move
      // above is their gate (applyRollupDeltas), so a retry after it adds nothing.
      const conversion = await models.Conversion.findById(input.conversionId, {
        status_seq: 1,
        ...conversionRollupFields,
        ...conversionEventFields,
      }).lean();
      let moved: Awaited<ReturnType<typeof move>> | undefined;
      if (conversion && conversion.status_seq < input.seq && input.test) {
        moved = await move(); // counted in no report: the status_seq guard alone keeps it idempotent
      } else if (conversion && conversion.status_seq < input.seq) {
        if (bookedEarlier.length > 0) booked.push(...(await models.LedgerEntry.find({ _id: { $in: bookedEarlier } }).lean()));
        const deltas: RollupDelta[] = [
          statusMoved(conversion.received_at, conversionRollupKey(conversion), input.from, input.to),
          ...booked.map((e) =>
            ledgerBooked({
              ...e,
              key: { offer_id: input.offerId, affiliate_id: input.affiliateId, goal: conversion.goal, currency: input.currency },
            }),
          ),
        ];
        await applyRollupDeltas(models, `${input.conversionId}:${input.seq}`, deltas, async () => (moved = await move()));
      }
      if (moved?.modifiedCount === 1) observeTransition(input); // once: a retried attempt finds it applied
      // The change's events, in the same step after the change: also when an earlier attempt made the
      // change and died before recording them (the retry finds status_seq moved, records the same ids).
      if (conversion) await recordEvents(transitionEvents(input, conversion, at));
      return {
        bookedMinor: payable,
        transition: {
          seq: input.seq,
          from: input.from,
          to: input.to,
          actor: input.actor,
          reason: input.reason,
          reasonCodes: input.reasonCodes,
        },
      };
    },
  };
}
