import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';
import { at } from './common';

/** A conversion's timeline as GET /api/conversions/{id}/history answers it (api/timeline/). */
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
    test: z.boolean().meta({ description: 'a test conversion (README "Test postbacks"): its received entry says so too' }),
    entries: z.array(historyEntry).meta({ description: 'ordered by time' }),
  })
  .meta({ id: 'ConversionHistory' });
