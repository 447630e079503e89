import { createHash } from 'node:crypto';
import { fromMinor } from '../domain/money';
import type { MacroValues } from '../domain/postback-macros';
import type { PlanDeliveriesInput, PlannedDelivery } from '../domain/steps';
import type { StepDeps } from './deps';

const digest = (...parts: Array<string | number>) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);

const planFields = {
  affiliate_id: 1,
  offer_id: 1,
  goal: 1,
  click_id: 1,
  payout_minor: 1,
  currency: 1,
  txid: 1,
  subs: 1,
  test: 1,
} as const;

export function deliveryPlanActivities({ models, now }: StepDeps) {
  return {
    /**
     * The deliveries one status event needs: the affiliate's active endpoints subscribed to the
     * event, the most specific scope winning (offer + goal, then offer, then global). Ids are
     * digests, so a retried call plans the same deliveries (and never fewer).
     */
    async planDeliveries(input: PlanDeliveriesInput): Promise<PlannedDelivery[]> {
      // Only what the plan and the macros read: the projection also carries the status history and fraud evidence.
      const conv = await models.Conversion.findById(input.conversionId, planFields).lean();
      if (!conv) return [];
      const endpoints = await models.PostbackEndpoint.find({
        affiliate_id: conv.affiliate_id,
        active: true,
        events: input.event,
      }).lean();
      const byGoal = endpoints.filter((e) => e.offer_id === conv.offer_id && e.goal === conv.goal);
      const byOffer = endpoints.filter((e) => e.offer_id === conv.offer_id && !e.goal);
      const global = endpoints.filter((e) => !e.offer_id);
      const chosen = byGoal.length > 0 ? byGoal : byOffer.length > 0 ? byOffer : global;

      const eventId = `evt_${digest(input.conversionId, input.seq, input.event)}`;
      const occurredAt = now();
      const values: MacroValues = {
        event_id: eventId,
        conversion_id: conv._id,
        click_id: conv.click_id,
        offer_id: conv.offer_id,
        aff_id: conv.affiliate_id,
        goal: conv.goal,
        status: input.event,
        payout:
          conv.payout_minor !== undefined && conv.payout_minor !== null && conv.currency ? fromMinor(conv.payout_minor, conv.currency) : '',
        currency: conv.currency ?? '',
        txid: conv.txid ?? '',
        ...Object.fromEntries(Object.entries(conv.subs ?? {}).filter(([, v]) => typeof v === 'string')),
        timestamp: String(Math.floor(occurredAt.getTime() / 1000)),
        is_test: conv.test ? '1' : '0',
      };
      for (const endpoint of chosen) {
        const deliveryId = `dl_${digest(eventId, endpoint._id)}`;
        await models.Delivery.updateOne(
          { _id: deliveryId },
          {
            $setOnInsert: {
              event_id: eventId,
              event: input.event,
              conversion_id: conv._id,
              affiliate_id: conv.affiliate_id,
              endpoint_id: endpoint._id,
              offer_id: conv.offer_id,
              status: 'pending',
              run: 0,
              attempt_count: 0,
              values,
              occurred_at: occurredAt,
              ...(conv.test ? { test: true } : {}),
            },
          },
          { upsert: true },
        );
      }
      // Every delivery of this event, including any an earlier attempt of this activity created
      // before the endpoints changed: each gets its workflow, so none stays pending forever.
      const stored = await models.Delivery.find({ event_id: eventId }, { _id: 1, endpoint_id: 1 }).sort({ _id: 1 }).lean();
      return stored.map((d) => ({ deliveryId: d._id, endpointId: d.endpoint_id }));
    },
  };
}
