import { z } from 'zod';
import { idParam } from './common';

const amountRule = z.object({
  type: z.enum(['fixed', 'percent']),
  amount: z.string().meta({ example: '5.00', description: 'a decimal string in the offer currency, or a percent of the sale amount' }),
});

export const affiliateOffer = z
  .object({
    id: idParam,
    name: z.string(),
    currency: z.string().meta({ example: 'USD' }),
    attribution_window_hours: z.number().int(),
    default_goal: z.string(),
    goals: z.array(
      z.object({
        key: z.string(),
        name: z.string().optional(),
        payout: amountRule.meta({ description: "this affiliate's payout for the goal, after its own override when the offer has one" }),
        default_status: z.enum(['approved', 'pending']),
        hold_hours: z.number().optional(),
      }),
    ),
    tracking_url: z.string().meta({
      example: 'https://track.example/click?offer_id=off_1&aff_id=aff_1',
      description: "the affiliate's tracking link: GET /click with this offer and affiliate, answering 302 to the landing page",
    }),
    sub_params: z.array(z.string()).meta({
      example: ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'],
      description: 'query parameters the click route keeps with the click and hands back as {sub1}… macros in postbacks',
    }),
  })
  .meta({ id: 'AffiliateOffer' });

export const affiliateOffers = z.object({ data: z.array(affiliateOffer) }).meta({ id: 'AffiliateOfferList' });
