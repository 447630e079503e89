import { isNetwork } from '../../domain/ip';
import { z } from 'zod';
import { at, idParam, name, timestamps } from './common';

const octet = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** For the document: what the check below accepts, as formats and patterns a client can generate from. */
const ipOrRange = [
  { type: 'string', format: 'ipv4' },
  { type: 'string', format: 'ipv6' },
  { type: 'string', pattern: `^(${octet}\\.){3}${octet}/(3[0-2]|[12]?[0-9])$` },
] as const;

export const cidr = z
  .string()
  .trim()
  .refine(isNetwork, 'must be an IP address or CIDR range such as 203.0.113.0/24')
  .meta({ anyOf: ipOrRange, example: '203.0.113.0/24' });

export const advertiserCreateSchema = z.object({
  name,
  ip_allowlist: z.array(cidr).max(100).default([]),
});
// Built without defaults: zod applies a default inside .partial(), so a PATCH of the name alone
// would reset the allowlist to [].
export const advertiserUpdateSchema = z
  .object({ name: name.optional(), ip_allowlist: z.array(cidr).max(100).optional(), active: z.boolean().optional() })
  .strict();

export const affiliateCreateSchema = z.object({ name });
export const affiliateUpdateSchema = affiliateCreateSchema.partial().extend({ active: z.boolean().optional() }).strict();

export const advertiser = advertiserCreateSchema
  .extend({
    id: idParam,
    active: z.boolean(),
    rotated_at: at.optional().meta({ description: 'when the postback token was last rotated' }),
    rotation_overlap_ends_at: at.optional().meta({ description: 'until when the token it replaced is still accepted' }),
    ...timestamps,
  })
  .meta({ id: 'Advertiser' });
export const advertiserCreated = advertiser
  .extend({
    postback_token: z.string().meta({ description: 'shown once, here; only its SHA-256 is stored', example: 'pt_…' }),
  })
  .meta({ id: 'AdvertiserCreated' });
export const affiliate = affiliateCreateSchema.extend({ id: idParam, active: z.boolean(), ...timestamps }).meta({ id: 'Affiliate' });
