import { z } from 'zod';
import { decimalString, idParam, nonBlank } from './common';

const sub = z.string().max(500, 'must be at most 500 characters').optional().meta({ description: "the test click's sub id" });

/** POST /api/affiliates/{id}/test-postbacks: what to fire a test conversion for. */
export const affiliateTestPostbackRequest = z
  .object({
    offer_id: idParam.meta({ description: 'the offer the test click and conversion are for' }),
    goal: nonBlank(100).optional().meta({ description: "goal key; default: the offer's default_goal", example: 'sale' }),
    amount: decimalString
      .optional()
      .meta({ description: 'sale amount; required when the goal pays a percent of the sale', example: '120.00' }),
    sub1: sub,
    sub2: sub,
    sub3: sub,
    sub4: sub,
    sub5: sub,
  })
  .strict()
  .meta({ id: 'AffiliateTestPostbackRequest' });

export const testPostbackFired = z
  .object({
    conversion_id: idParam.meta({ description: 'follow it: GET /api/conversions/{id} and /history' }),
    click_id: idParam.meta({ description: 'the test click made for it' }),
    result: z.literal('accepted').meta({ description: 'its workflow start is durable' }),
    test: z.literal(true),
  })
  .meta({ id: 'TestPostbackFired' });

/** POST /api/advertisers/{id}/test-postbacks: a test click for the advertiser's server to post back. */
export const advertiserTestPostbackRequest = z
  .object({
    offer_id: idParam.meta({ description: "one of the advertiser's offers" }),
    affiliate_id: idParam.meta({ description: "the affiliate the test click is for (its endpoints get the test conversion's postbacks)" }),
  })
  .strict()
  .meta({ id: 'AdvertiserTestPostbackRequest' });

export const testClickMinted = z
  .object({
    click_id: idParam,
    test: z.literal(true),
    postback_url: z.string().meta({
      description: "the advertiser's postback for this click, ready to fill in: its conversion is a test conversion",
      example: '/postback?click_id=clk_0123&txid={txid}&amount={amount}&token={token}',
    }),
  })
  .meta({ id: 'TestClickMinted' });
