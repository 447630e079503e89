import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';

/** Ops read models: a conversion's timeline and the reports (see /work/coord/CONTRACTS.md). */
const at = z.iso.datetime();

export const historyEntry = z
  .object({
    at,
    duration_ms: z.number().nullable(),
    source: z.enum(['conversion', 'delivery']),
    workflow_id: z.string(),
    kind: z.string().meta({
      description: 'received, fraud_check, attribution, cap, ledger, status_change, delivery_planned, delivery_attempt, delivery_result, workflow, …',
      example: 'fraud_check',
    }),
    title: z.string().meta({ description: 'one human-readable line' }),
    outcome: z.enum(['ok', 'failed', 'retrying', 'waiting', 'info']),
    attempt: z.number().int().optional().meta({ description: 'for retried steps' }),
    detail: z.record(z.string(), z.unknown()).optional().meta({ description: 'kind-specific; secrets masked' }),
  })
  .meta({ id: 'HistoryEntry' });

export const conversionHistory = z
  .object({
    conversion_id: z.string(),
    workflow_id: z.string(),
    run_id: z.string(),
    workflow_status: z.string().meta({ description: "the workflow's execution status", example: 'RUNNING' }),
    status: z.enum(lifecycleStatuses).meta({ description: "the conversion's business status" }),
    temporal_ui_url: z.string().meta({ description: "this workflow's history in the Temporal UI" }),
    entries: z.array(historyEntry).meta({ description: 'ordered by time' }),
  })
  .meta({ id: 'ConversionHistory' });

const conversionCounts = z
  .object({
    total: z.number().int(),
    approved: z.number().int(),
    pending: z.number().int(),
    held: z.number().int(),
    declined: z.number().int(),
    reversed: z.number().int(),
    rejected: z.number().int(),
  })
  .meta({ id: 'ReportConversionCounts' });

const measures = {
  currency: z.string().meta({ example: 'EUR' }),
  clicks: z.number().int(),
  conversions: conversionCounts,
  payout: z.string().meta({ example: '12.50' }),
  revenue: z.string().meta({ example: '20.00' }),
  margin: z.string().meta({ example: '7.50' }),
  conversion_rate: z.number().nullable().meta({ description: 'conversions per click; null without clicks', example: 0.0583 }),
  epc: z.string().nullable().meta({ description: 'earnings per click; null without clicks', example: '0.10' }),
};

export const report = z
  .object({
    group_by: z.array(z.enum(['day', 'offer', 'affiliate', 'goal'])),
    from: at,
    to: at,
    timezone: z.string().meta({ example: 'Europe/Berlin' }),
    rows: z.array(
      z
        .object({
          day: z.string().optional().meta({ example: '2026-11-24' }),
          offer_id: z.string().optional(),
          affiliate_id: z.string().optional(),
          goal: z.string().optional(),
          ...measures,
        })
        .meta({ id: 'ReportRow', description: 'one per group and currency; only the grouped keys are present' }),
    ),
    totals: z.array(z.object(measures).meta({ id: 'ReportTotal', description: 'one per currency' })),
  })
  .meta({ id: 'Report' });
