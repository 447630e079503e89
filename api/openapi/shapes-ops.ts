import { z } from 'zod';
import { reportDimensions, reportStatuses } from '../../domain/report';
import { lifecycleStatuses } from '../../domain/status';

/** Ops read models: a conversion's timeline (api/timeline/types.ts) and the reports (api/routes/reports.ts). */
const at = z.iso.datetime();

export const historyEntry = z
  .object({
    at,
    duration_ms: z.number().nullable(),
    source: z
      .enum(['conversion', 'delivery', 'late_status_change', 'projection'])
      .meta({ description: 'which workflow told us (projection: the stored document)' }),
    workflow_id: z.string(),
    kind: z.string().meta({
      description:
        'received, fraud_check, attribution, cap, ledger, status_change, ' +
        'delivery_planned, delivery_attempt, delivery_result, workflow, …',
      example: 'fraud_check',
    }),
    title: z.string().meta({ description: 'one human-readable line' }),
    outcome: z.enum(['ok', 'failed', 'retrying', 'waiting', 'info']),
    attempt: z.number().int().optional().meta({ description: 'for retried steps' }),
    detail: z.record(z.string(), z.unknown()).meta({ description: 'kind-specific; secrets masked' }),
  })
  .meta({ id: 'HistoryEntry' });

export const conversionHistory = z
  .object({
    conversion_id: z.string(),
    workflow_id: z.string(),
    run_id: z.string().nullable(),
    workflow_status: z.string().nullable().meta({
      description: "the workflow's execution status; null when Temporal no longer has it",
      example: 'RUNNING',
    }),
    status: z.enum(lifecycleStatuses).meta({ description: "the conversion's business status" }),
    temporal_ui_url: z.string().nullable().meta({ description: "this workflow's history in the Temporal UI" }),
    history_available: z.boolean().meta({
      description: "false once Temporal's retention has removed the workflow; entries then come from the stored conversion",
    }),
    entries: z.array(historyEntry).meta({ description: 'ordered by time' }),
  })
  .meta({ id: 'ConversionHistory' });

const conversionCounts = z
  .object({
    total: z.number().int(),
    ...Object.fromEntries(reportStatuses.map((status) => [status, z.number().int()])),
  })
  .meta({ id: 'ReportConversionCounts', description: 'by current status; total is their sum' });

// Mirrors ReportFigures (domain/report.ts): null where a figure does not apply (no currency known,
// clicks when grouped by goal, rates without clicks).
const figures = {
  currency: z.string().nullable().meta({ example: 'EUR' }),
  clicks: z.number().int().nullable().meta({ description: 'null on rows grouped by goal (clicks have no goal)' }),
  conversions: conversionCounts,
  payout: z.string().nullable().meta({ example: '12.50' }),
  revenue: z.string().nullable().meta({ example: '20.00' }),
  margin: z.string().nullable().meta({ example: '7.50' }),
  conversion_rate: z.number().nullable().meta({ description: 'conversions per click; null without clicks', example: 0.0583 }),
  epc: z.string().nullable().meta({ description: 'earnings per click; null without clicks', example: '0.10' }),
};

export const report = z
  .object({
    group_by: z.array(z.enum(reportDimensions)),
    from: at,
    to: at,
    timezone: z.string().meta({ example: 'Europe/Berlin' }),
    rows: z.array(
      z
        .object({
          day: z.string().optional().meta({ example: '2026-11-24' }),
          offer_id: z.string().optional(),
          affiliate_id: z.string().optional(),
          goal: z.string().nullable().optional(),
          ...figures,
        })
        .meta({ id: 'ReportRow', description: 'one per group and currency; only the grouped keys are present' }),
    ),
    totals: z.array(z.object(figures).meta({ id: 'ReportTotal', description: 'one per currency' })),
  })
  .meta({ id: 'Report' });
