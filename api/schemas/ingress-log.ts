import { z } from 'zod';
import { at, idParam } from './common';

const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

export const ingressLogQuery = z.object({
  advertiser_id: idParam.optional().meta({ description: "one advertiser's calls (its token's, or its clicks' when the token was wrong)" }),
  result: z
    .string()
    .regex(/^[a-z_]{1,64}$/, 'must be a result code such as accepted, duplicate or invalid_token')
    .optional()
    .meta({
      description: 'accepted, duplicate, status_update, ok (a receipt), or an error code (invalid_request, invalid_token, rate_limited…)',
    }),
  http_status: z.coerce.number().int().min(100).max(599).optional().meta({ description: 'the HTTP status the caller was answered' }),
  from: dateTime.optional().meta({ description: 'at or after' }),
  to: dateTime.optional().meta({ description: 'before' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^ing_[0-9a-f]{32}$/, 'must be the next_cursor of the previous page')
    .optional()
    .meta({ description: "the previous page's `next_cursor`: rows older than its last" }),
});

export const ingressLogEntry = z
  .object({
    id: z.string(),
    at,
    advertiser_id: idParam
      .nullable()
      .meta({ description: "whose call: the token's advertiser, else the click's; null when neither names one (visible to ops only)" }),
    authenticated: z
      .boolean()
      .meta({ description: "true when the token was verified as this advertiser's (current, or replaced and still in its overlap)" }),
    route: z.string().meta({ example: '/postback' }),
    method: z.string().meta({ example: 'GET' }),
    params: z
      .array(z.object({ name: z.string(), value: z.union([z.string(), z.array(z.string())]) }))
      .meta({ description: 'the parameters as sent (at most 30, values clipped to 200 characters); secret-looking ones read `***`' }),
    http_status: z.number().int(),
    result: z
      .string()
      .meta({ description: 'accepted, duplicate, status_update, ok (a receipt), or the error code answered', example: 'accepted' }),
    message: z.string().optional().meta({ description: "the error's message, as the caller got it" }),
    conversion_id: idParam.optional(),
    ip: z.string().optional().meta({ description: "the caller's IP" }),
    request_id: z.string().optional().meta({ description: "the request's X-Request-Id, as in the API's log lines" }),
  })
  .meta({ id: 'IngressLogEntry' });

export const ingressLogPage = z
  .object({
    data: z.array(ingressLogEntry),
    next_cursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next (older) page; null on the last page' }),
  })
  .meta({ id: 'IngressLogPage' });
