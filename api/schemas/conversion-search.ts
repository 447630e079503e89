import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';
import { idParam } from './common';
import { conversion } from './conversion';
import { deliveryStatuses } from './delivery';

/** Koa hands a repeated parameter over as an array: say so instead of "expected string". */
const once = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : Array.isArray(issue.input) ? 'must be given once, not repeated' : message;

const text = (max: number, what: string) =>
  z
    .string({ error: once(`must be ${what}`) })
    .max(max, `must be at most ${max} characters`)
    .regex(/\S/, 'must not be empty')
    .trim();

const instant = (example: string) =>
  z.iso.datetime({ offset: true, error: once(`must be an ISO 8601 date-time such as ${example}`) }).optional();

/**
 * What a search narrows by, shared by the list and the CSV export so that both read the same set.
 * Every filter is an exact match; `q` is any id the conversion has.
 */
export const conversionFilters = z.object({
  q: text(200, 'an id')
    .optional()
    .meta({
      description:
        'any id of the conversion, matched exactly: conversion id, click id, advertiser transaction id (txid), ' +
        'delivery id, delivery event id, or a conversion or delivery workflow id',
      example: 'clk_0123abcd',
    }),
  offer_id: idParam.optional(),
  affiliate_id: idParam.optional(),
  advertiser_id: idParam.optional(),
  status: z.enum(lifecycleStatuses, { error: once(`must be one of ${lifecycleStatuses.join(', ')}`) }).optional(),
  goal: text(100, 'a goal key').optional().meta({ example: 'sale' }),
  reason_code: z
    .string({ error: once('must be a reason code') })
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a reason code such as too_fast (letters, digits, "_", ".", ":" and "-")')
    .optional()
    .meta({ description: 'conversions whose reason codes include this one', example: 'ip_mismatch' }),
  delivery_state: z
    .enum(deliveryStatuses, { error: once(`must be one of ${deliveryStatuses.join(', ')}`) })
    .optional()
    .meta({ description: 'conversions with at least one affiliate postback delivery now in this state' }),
  test: z
    .enum(['true', 'false'], { error: once('must be true or false') })
    .optional()
    .meta({
      description: 'only test conversions (true) or only real ones (false); by default both are listed, each with its `test` flag',
    }),
  from: instant('2026-11-25T00:00:00Z').meta({ description: 'received at or after, inclusive' }),
  to: instant('2026-11-26T00:00:00Z').meta({ description: 'received before, exclusive' }),
});
export type ConversionFilters = z.output<typeof conversionFilters>;

const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

export const conversionListQuery = conversionFilters
  .extend({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(0)
      .meta({ description: 'rows to skip; prefer `cursor`, which has no limit and does not shift when rows arrive' }),
    cursor: z
      .string({ error: once('must be the next_cursor of the previous page') })
      .regex(CURSOR, 'must be the next_cursor of the previous page')
      .optional()
      .meta({ description: "the previous page's `next_cursor`: the page after it, with the same filters" }),
    with_total: z
      .enum(['true', 'false'], { error: once('must be true or false') })
      .optional()
      .transform((v) => v === 'true')
      .meta({ description: 'also count every conversion that matches (`total`)' }),
  })
  .superRefine((q, ctx) => {
    if (q.cursor !== undefined && q.offset > 0)
      ctx.addIssue({ code: 'custom', path: ['offset'], message: 'give cursor or offset, not both' });
  });

export const conversionSearchPage = z
  .object({
    data: z.array(conversion),
    next_offset: z.number().int().nullable().meta({ description: 'offset of the next page; null on the last page' }),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'pass as `cursor` for the next page (newest first, then by id); null on the last page' }),
    total: z.number().int().optional().meta({ description: 'every match, when asked with with_total=true' }),
  })
  .meta({ id: 'ConversionPage' });
