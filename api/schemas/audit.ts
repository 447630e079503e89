import { z } from 'zod';
import { auditActions } from '../audit';
import { at, idParam } from './common';
import { bulkRedeliveryFilter } from './delivery';

const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

export const auditListQuery = z.object({
  action: z.enum(auditActions).optional(),
  target_id: idParam.optional().meta({ description: 'what the action was on: a conversion, delivery, advertiser, … id' }),
  from: dateTime.optional().meta({ description: 'at or after' }),
  to: dateTime.optional().meta({ description: 'before' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z
    .string()
    .regex(/^aud_[0-9a-f]{32}$/, 'must be the next_before of a previous page')
    .optional()
    .meta({ description: "the previous page's `next_before`: entries older than it" }),
});

export const auditEntry = z
  .object({
    id: z.string(),
    at,
    actor: z.object({
      role: z.string().meta({ example: 'admin' }),
      via: z.string().meta({ description: 'key: the admin key (Authorization: Bearer); session: the console' }),
    }),
    action: z.enum(auditActions),
    target_type: z.string().meta({ example: 'conversion' }),
    target_id: z.string().optional().meta({ description: 'absent for a bulk action, which has `filter`' }),
    filter: bulkRedeliveryFilter.optional(),
    matched: z.number().int().optional(),
    started: z.number().int().optional(),
    truncated: z.boolean().optional(),
    count: z.number().int().meta({ description: 'how many things the action changed (a bulk action: the runs it started)' }),
    fields: z.array(z.string()).optional().meta({ description: 'configuration changes: the fields sent (names only, never values)' }),
    status: z.string().optional().meta({ description: 'a status change: the status asked for' }),
    reason: z.string().optional(),
    overlap_hours: z.number().optional().meta({ description: 'a token rotation: how long the old token keeps working' }),
    conversion_id: z.string().optional().meta({ description: 'a test postback: the test conversion it started' }),
    request_id: z.string().optional().meta({ description: "the request's X-Request-Id, as in the API's log lines" }),
  })
  .meta({ id: 'AuditEntry' });

export const auditPage = z
  .object({
    data: z.array(auditEntry),
    next_before: z.string().nullable().meta({ description: 'pass as `before` for the next (older) page; null on the last page' }),
  })
  .meta({ id: 'AuditPage' });
