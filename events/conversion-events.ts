import type { z } from 'zod';
import { fromMinor } from '../domain/money';
import type { TransitionInput } from '../domain/steps';
import { conversionCreated, conversionRejected, conversionReversed, conversionStatusChanged } from './catalogue';
import type { NewEvent } from './envelope';
import { eventId } from './ids';

/** The conversion fields the events carry beyond what a transition's input has: the projection recordTransition reads. */
export const conversionEventFields = {
  click_id: 1,
  goal: 1,
  amount: 1,
  txid: 1,
  subs: 1,
  received_at: 1,
  currency: 1,
  test: 1,
} as const;

export interface ConversionForEvents {
  click_id: string;
  goal: string;
  amount?: string | null;
  txid?: string | null;
  subs?: Record<string, unknown> | null;
  received_at: Date;
  currency?: string | null;
}

/**
 * The events of one status transition: conversion.status_changed always; conversion.created with
 * the first status (seq 0, from processing: the conversion is screened and attributed, so the
 * event carries its payout); conversion.rejected / conversion.reversed when that is the new status.
 * Ids are (type, conversion, seq): a retried or replayed transition records the same events.
 */
export function transitionEvents(t: TransitionInput, c: ConversionForEvents, at: Date): NewEvent[] {
  const currency = t.currency || c.currency || null;
  const money = (minor: number) => (currency ? fromMinor(minor, currency) : null);
  const conversion: z.input<typeof conversionCreated.schema> = {
    conversion_id: t.conversionId,
    offer_id: t.offerId,
    affiliate_id: t.affiliateId,
    advertiser_id: t.advertiserId,
    click_id: c.click_id,
    goal: c.goal,
    status: t.to,
    reason_codes: t.reasonCodes,
    payout: money(t.payoutMinor),
    revenue: money(t.revenueMinor),
    currency,
    amount: c.amount ?? null,
    txid: c.txid ?? null,
    subs: Object.fromEntries(Object.entries(c.subs ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
    received_at: c.received_at.toISOString(),
    test: t.test === true,
  };
  const change: z.input<typeof conversionStatusChanged.schema> = {
    ...conversion,
    seq: t.seq,
    from: t.from,
    to: t.to,
    actor: t.actor,
    reason: t.reason ?? null,
  };
  const event = (type: { type: string; version: number }, data: Record<string, unknown>): NewEvent => ({
    id: eventId(type.type, t.conversionId, t.seq),
    type: type.type,
    schema_version: type.version,
    occurred_at: at,
    data,
    subject: t.conversionId,
    offer_id: t.offerId,
    affiliate_id: t.affiliateId,
    advertiser_id: t.advertiserId,
    ...(t.test ? { test: true } : {}),
  });
  return [
    ...(t.seq === 0 && t.from === 'processing'
      ? [{ ...event(conversionCreated, conversion), id: eventId(conversionCreated.type, t.conversionId) }]
      : []),
    event(conversionStatusChanged, change),
    ...(t.to === 'rejected' ? [event(conversionRejected, change)] : []),
    ...(t.to === 'reversed' ? [event(conversionReversed, change)] : []),
  ];
}
