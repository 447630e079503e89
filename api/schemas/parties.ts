import { z } from 'zod';
import { isNetwork } from '../../domain/ip';
import { name } from './common';

const cidr = z.string().trim().refine(isNetwork, 'must be an IP address or CIDR range such as 203.0.113.0/24');

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
