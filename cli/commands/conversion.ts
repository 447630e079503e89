import type { Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { fields, formatDuration, formatElapsed, formatTime, right, table } from '../format';
import { segment } from '../options';

/** GET /api/conversions/:id (the fields the summary shows). */
export interface ConversionSummary {
  id: string;
  status: string;
  reason_codes?: string[];
  offer_id?: string;
  goal?: string;
  affiliate_id?: string;
  advertiser_id?: string;
  click_id?: string;
  txid?: string | null;
  subs?: Record<string, string | null | undefined>;
  amount?: string | null;
  payout?: string | null;
  revenue?: string | null;
  currency?: string | null;
  fraud?: { verdict?: string } | null;
  created_at?: string;
  updated_at?: string;
  deliveries?: DeliveryRow[];
}

export interface DeliveryRow {
  id: string;
  status: string;
  event?: string;
  run?: number;
  attempt_count?: number;
  last_status_code?: number | null;
  last_error?: string | null;
  status_reason?: string | null;
  endpoint_id?: string;
}

/** GET /api/conversions/:id/history. */
export interface ConversionHistory {
  conversion_id: string;
  workflow_id: string;
  run_id?: string | null;
  workflow_status?: string | null;
  status?: string;
  temporal_ui_url?: string | null;
  /** False once Temporal's retention has dropped the history: the entries come from MongoDB. */
  history_available?: boolean;
  entries: HistoryEntry[];
}

export interface HistoryEntry {
  at: string;
  duration_ms?: number | null;
  source?: string;
  kind: string;
  title: string;
  outcome?: string;
  attempt?: number;
}

const money = (value: string | null | undefined, currency: string | null | undefined) =>
  value ? `${value} ${currency ?? ''}`.trim() : undefined;

export function renderSummary(c: ConversionSummary, h: ConversionHistory | undefined): string {
  return fields([
    ['conversion', c.id],
    ['status', c.status],
    ['reason codes', c.reason_codes?.join(', ')],
    ['fraud verdict', c.fraud?.verdict],
    ['workflow', h ? `${h.workflow_id}${h.workflow_status ? `  ${h.workflow_status}` : ''}` : undefined],
    ['offer', c.offer_id && (c.goal ? `${c.offer_id}  goal ${c.goal}` : c.offer_id)],
    ['affiliate', c.affiliate_id],
    ['advertiser', c.advertiser_id],
    ['click', c.click_id],
    ['txid', c.txid],
    [
      'subs',
      Object.entries(c.subs ?? {})
        .filter(([, v]) => v)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
    ['amount', money(c.amount, c.currency)],
    ['payout', money(c.payout, c.currency)],
    ['revenue', money(c.revenue, c.currency)],
    ['received (UTC)', formatTime(c.created_at)],
    ['updated (UTC)', formatTime(c.updated_at)],
  ]);
}

/** The last answer a delivery got: the HTTP status, else the error (first line, shortened). */
export function lastAnswer(d: DeliveryRow): string {
  const text = d.last_status_code ? String(d.last_status_code) : (d.last_error ?? d.status_reason ?? '');
  const line = text.split('\n')[0]!;
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

export function renderDeliveries(deliveries: DeliveryRow[]): string {
  return table(
    ['delivery', 'event', 'status', 'run', 'attempts', 'last answer'],
    deliveries.map((d) => [d.id, d.event, d.status, right(d.run), right(d.attempt_count), lastAnswer(d)]),
  );
}

/** Time, time since the first entry, the step's own duration, kind (with the attempt), outcome, title. */
export function renderTimeline(entries: HistoryEntry[]): string {
  const start = entries.length > 0 ? Date.parse(entries[0]!.at) : NaN;
  return table(
    ['time (UTC)', '+elapsed', 'took', 'kind', 'outcome', 'title'],
    entries.map((e) => [
      formatTime(e.at),
      formatElapsed(Date.parse(e.at) - start),
      formatDuration(e.duration_ms),
      e.attempt && e.attempt > 1 ? `${e.kind} #${e.attempt}` : e.kind,
      e.outcome,
      e.title,
    ]),
  );
}

export function registerConversion(program: Command, io: CliIo): void {
  program
    .command('conversion')
    .description('a conversion: its summary, its deliveries and its timeline (every workflow step), with the Temporal UI link')
    .argument('<id>', 'conversion id (cv_…)')
    .addHelpText(
      'after',
      `
Calls GET /api/conversions/:id and GET /api/conversions/:id/history.
--json prints {"conversion": …, "history": …}, the two answers as the API gave them.

Example:
  npx postflow conversion cv_406a0e9d7c0cc8af4b764329e77e8efb`,
    )
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const path = `/api/conversions/${segment(id, 'the conversion id')}`;
      const api = ctx.api();
      const [conversion, history] = await Promise.allSettled([
        api.get<ConversionSummary>(path),
        api.get<ConversionHistory>(`${path}/history`),
      ]);
      if (conversion.status === 'rejected') throw conversion.reason;
      if (ctx.json) {
        if (history.status === 'rejected') throw history.reason;
        return ctx.printJson({ conversion: conversion.value, history: history.value });
      }
      const h = history.status === 'fulfilled' ? history.value : undefined;
      ctx.print(renderSummary(conversion.value, h));
      const deliveries = conversion.value.deliveries ?? [];
      if (deliveries.length > 0) ctx.print(`\nDeliveries (${deliveries.length})\n${renderDeliveries(deliveries)}`);
      // The summary is worth showing even when the timeline cannot be had; the exit code still says it failed.
      if (!h) throw (history as PromiseRejectedResult).reason;
      ctx.print(
        h.entries.length > 0 ? `\nTimeline (${h.entries.length} entries)\n${renderTimeline(h.entries)}` : '\nTimeline: no entries yet',
      );
      if (h.history_available === false)
        ctx.print("Temporal no longer has this workflow's history (retention): the timeline is rebuilt from MongoDB.");
      if (h.temporal_ui_url) ctx.print(`\nTemporal UI: ${h.temporal_ui_url}`);
    });
}
