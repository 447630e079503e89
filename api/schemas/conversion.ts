import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';
import { idParam, paging } from './common';

export const conversionListQuery = paging.extend({
  offer_id: idParam.optional(),
  affiliate_id: idParam.optional(),
  advertiser_id: idParam.optional(),
  status: z.enum(lifecycleStatuses).optional(),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-25T00:00:00Z' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-26T00:00:00Z' }).optional(),
});

/** What ops may set by hand: the statuses a person decides (not processing or rejected). */
export const statusChangeBody = z
  .object({
    status: z.enum(['approved', 'pending', 'declined', 'reversed']),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
