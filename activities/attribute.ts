import { computeAmountMinor } from '../domain/money';
import type { AttributeInput, Attribution } from '../domain/steps';
import type { StepDeps } from './deps';

export function attributeActivities({ models }: StepDeps) {
  return {
    /**
     * Payout and revenue of the conversion from its goal (fixed, or percent of the sale amount),
     * with the affiliate's override if any. Amounts are in the offer's currency: we keep no FX
     * rates, so a postback in another currency is refused rather than mis-booked.
     */
    async attributeConversion(input: AttributeInput): Promise<Attribution> {
      const attribution = attribute(input);
      if (attribution.ok) {
        await models.Conversion.updateOne(
          { _id: input.conversionId },
          {
            $set: {
              payout_minor: attribution.payoutMinor,
              revenue_minor: attribution.revenueMinor,
              currency: attribution.currency,
            },
          },
        );
      }
      return attribution;
    },
  };
}

function attribute({ offer, click, goal: goalKey, amount, currency }: AttributeInput): Attribution {
  const goal = offer.goals.find((g) => g.key === goalKey);
  if (!goal) return { ok: false, reason: 'unknown_goal', detail: `offer ${offer.id} has no goal "${goalKey}"` };
  if (currency && currency !== offer.currency) {
    return {
      ok: false,
      reason: 'currency_mismatch',
      detail: `postback currency ${currency} differs from the offer's ${offer.currency}`,
    };
  }
  const override = offer.affiliate_overrides.find((o) => o.affiliate_id === click.affiliate_id && o.goal === goalKey);
  const payout = computeAmountMinor(override?.payout ?? goal.payout, amount, offer.currency);
  const revenue = computeAmountMinor(goal.revenue, amount, offer.currency);
  if ('error' in payout || 'error' in revenue) {
    return {
      ok: false,
      reason: 'amount_required',
      detail: `goal "${goalKey}" pays a percent of the sale amount, and the postback has no amount`,
    };
  }
  return {
    ok: true,
    payoutMinor: payout.minor,
    revenueMinor: revenue.minor,
    currency: offer.currency,
    override: Boolean(override),
  };
}
