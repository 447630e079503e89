import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';
import { delivery } from './delivery';
import { at, idParam, nonBlank } from './common';

/** What ops may set by hand: the statuses a person decides (not processing or rejected). */
export const statusChangeBody = z
  .object({
    status: z.enum(['approved', 'pending', 'declined', 'reversed']),
    reason: nonBlank(500).optional(),
  })
  .strict();

const statusChange = z.object({
  seq: z.number().int(),
  from: z.string(),
  to: z.enum(lifecycleStatuses),
  reason: z.string().optional(),
  actor: z.string().optional(),
  at,
});

export const conversion = z
  .object({
    id: idParam,
    status: z.enum(lifecycleStatuses),
    reason_codes: z.array(z.string()).meta({ example: ['too_fast'] }),
    click_id: idParam,
    offer_id: idParam,
    affiliate_id: idParam,
    advertiser_id: idParam,
    workflow_id: z.string(),
    goal: z.string(),
    txid: z.string().optional(),
    amount: z.string().optional().meta({ description: 'the sale amount the advertiser sent' }),
    payout: z.string().nullable().meta({ description: 'decimal in the currency; null until attributed', example: '12.00' }),
    revenue: z.string().nullable().meta({ example: '18.00' }),
    currency: z.string().optional().meta({ example: 'USD' }),
    subs: z.record(z.string(), z.string()),
    ip: z.string().optional(),
    fraud: z.record(z.string(), z.unknown()).optional().meta({ description: 'the fraud verdict with each failing rule and its evidence' }),
    status_history: z.array(statusChange),
    cap_reservations: z.array(z.string()),
    test: z.boolean().meta({ description: 'a test conversion\'s (README "Test postbacks"): in no report, cap or ledger' }),
    created_at: at.meta({ description: 'when the postback was received' }),
    updated_at: at,
  })
  .meta({ id: 'Conversion' });
export const conversionWithDeliveries = conversion.extend({ deliveries: z.array(delivery) }).meta({ id: 'ConversionWithDeliveries' });
export const conversionStatusChanged = conversion
  .extend({ changed: z.boolean().meta({ description: 'false when the conversion already had this status' }) })
  .meta({ id: 'ConversionStatusChanged' });

export const balance = z
  .object({
    affiliate_id: idParam,
    balances: z.array(
      z.object({
        currency: z.string().meta({ example: 'USD' }),
        payable: z.string().meta({ example: '12.00' }),
        entries: z.number().int(),
      }),
    ),
    split: z
      .array(
        z.object({
          currency: z.string().meta({ example: 'USD' }),
          approved: z.string().meta({ example: '12.00', description: "approved payout, net of reversals: the ledger's payable" }),
          pending: z.string().meta({ example: '5.00', description: "payout of conversions awaiting the advertiser's validation" }),
          held: z.string().meta({ example: '0.00', description: 'payout of conversions held for review (fraud rules or a cap)' }),
          pending_conversions: z.number().int(),
          held_conversions: z.number().int(),
        }),
      )
      .meta({
        description:
          'per currency, what is owed (approved) and what may become owed (pending, held: not booked until approved); ' +
          'test conversions never count',
      }),
  })
  .meta({ id: 'AffiliateBalance' });
