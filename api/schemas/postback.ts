import { isIp } from '../../domain/ip';
import { z } from 'zod';
import { postbackStatuses } from '../../domain/conversion';
import { lifecycleStatuses } from '../../domain/status';
import { at, currencyCode, decimalString, idParam } from './common';

/** A single query/form value; a repeated parameter (an array) is refused with a clear message. */
const param = (max: number) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'is required' : Array.isArray(issue.input) ? 'must be given once, not repeated' : undefined,
    })
    .max(max, `must be at most ${max} characters`)
    .regex(/\S/, 'must not be empty')
    .trim();

/**
 * Inbound postback, from the query string, a form or a JSON body (snake_case, the industry's
 * convention). Unknown parameters are ignored: advertisers send extra macros.
 */
export const postbackSchema = z.object({
  click_id: param(200).meta({ description: "our click id, from the offer URL's {click_id}" }),
  goal: param(100).optional().meta({ description: "goal key; default: the offer's default_goal" }),
  txid: param(200).optional().meta({ description: "the advertiser's transaction or order id; part of the dedupe key" }),
  amount: decimalString.optional().meta({ description: 'sale amount, the base of percent payouts', example: '120.00' }),
  currency: currencyCode.optional().meta({ description: "ISO 4217; must equal the offer's currency", example: 'USD' }),
  status: z
    .enum(postbackStatuses, { error: `must be one of ${postbackStatuses.join(', ')}` })
    .optional()
    .meta({ description: "the advertiser's status; with a known dedupe key, a status update" }),
  token: param(200).optional(),
  // The converting user's IP as the advertiser saw it. A server-to-server postback comes from
  // the advertiser's server, so without this the IP rules see that server's address.
  ip: param(45)
    .refine(isIp, 'must be an IPv4 or IPv6 address')
    .optional()
    .meta({
      description: "the converting user's IP, for the IP fraud rules; default: the caller's IP",
      anyOf: [
        { type: 'string', format: 'ipv4' },
        { type: 'string', format: 'ipv6' },
      ],
    }),
});

export type PostbackInput = z.infer<typeof postbackSchema>;

/**
 * Parameter names other trackers use (see README, "Postback parameters"). An alias is read only
 * when the canonical name is absent, so a URL that carries both still means what it says.
 */
export const postbackAliases: Record<string, readonly string[]> = {
  click_id: ['clickid', 'cid', 'subid', 'transaction_id'],
  txid: ['action_id', 'order_id', 'adv_event_id', 'tid', 'adv_sub'],
  amount: ['sum', 'sale_amount'],
  goal: ['goal_id', 'event'],
  token: ['secure', 'security_token', 'verification_token'],
  ip: ['user_ip', 'ip_address'],
};

const credentialAliases: Record<string, true> = Object.fromEntries(['token', ...postbackAliases.token!].map((n) => [n, true]));
const blank = (value: unknown) => typeof value === 'string' && value.trim() === '';

export function normalisePostbackParams(raw: Record<string, unknown>): Record<string, unknown> {
  const params = { ...raw };
  // An empty credential is no credential: `token=` answers 401 missing_token, as no token does.
  const sent = (name: string) => raw[name] !== undefined && !(name in credentialAliases && blank(raw[name]));
  for (const [canonical, aliases] of Object.entries(postbackAliases)) {
    if (canonical === 'token' && params.token !== undefined && !sent('token')) delete params.token;
    if (params[canonical] !== undefined) continue;
    const alias = aliases.find(sent);
    if (alias) params[canonical] = raw[alias];
  }
  return params;
}

/** GET /postback/status: which conversion (the token is the route's credential, not a filter). */
export const receiptFields = z.object({
  conversion_id: idParam.optional().meta({ description: 'give conversion_id or txid' }),
  txid: z.string().trim().min(1).max(200).optional(),
  token: z.string().min(1).max(200).optional(),
});
export const receiptQuery = receiptFields.refine((q) => q.conversion_id || q.txid, {
  message: 'give conversion_id or txid',
  path: ['conversion_id'],
});

export const postbackResult = z
  .object({
    conversion_id: idParam,
    result: z.enum(['accepted', 'duplicate', 'status_update']),
    status: z.enum(lifecycleStatuses).optional().meta({ description: 'the new status, with result status_update' }),
  })
  .meta({ id: 'PostbackResult' });

export const receipt = z
  .object({
    conversions: z.array(
      z.object({
        conversion_id: idParam,
        status: z.enum(lifecycleStatuses),
        reason_codes: z.array(z.string()),
        click_id: idParam,
        offer_id: idParam,
        goal: z.string(),
        txid: z.string().nullable(),
        received_at: at,
        updated_at: at,
      }),
    ),
  })
  .meta({ id: 'PostbackReceipt' });
