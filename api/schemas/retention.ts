import { z } from 'zod';

const dateTime = z.iso.datetime();
const days = z.number().nullable().meta({ description: 'days kept (fractions allowed); null: kept forever' });

export const retentionRuleOut = z
  .object({
    rule: z.string().meta({ example: 'clicks' }),
    collection: z.string().meta({ example: 'clicks' }),
    age: z.string().meta({ description: 'the field whose age decides', example: 'created_at' }),
    variable: z.string().nullable().meta({ description: 'the variable that sets its days; null: each row carries its expiry' }),
    days: days.meta({ description: "days kept under the schedule's policy; null: kept forever (or, with no variable, until its expiry)" }),
    guard: z.string().nullable().meta({ description: 'what is kept whatever its age' }),
  })
  .meta({ id: 'RetentionRule' });

export const retentionRunRuleOut = z.object({
  rule: z.string(),
  collection: z.string(),
  cutoff: dateTime.nullable().meta({ description: 'rows older than this were due; null: kept forever' }),
  deleted: z.number().int(),
  skipped: z.string().optional().meta({ description: 'why the rule deleted nothing although it has a retention' }),
});

export const retentionOut = z
  .object({
    schedule: z
      .object({
        id: z.string().meta({ example: 'postflow-retention' }),
        paused: z.boolean(),
        note: z.string().nullable().meta({ description: 'the RETENTION_SCHEDULE the worker configured' }),
        next_runs: z.array(dateTime),
        recent_runs: z.array(z.object({ scheduled_at: dateTime, started_at: dateTime, workflow_id: z.string() })),
        running: z.number().int().meta({ description: 'sweeps running now (0 or 1: a due sweep skips while one runs)' }),
      })
      .nullable()
      .meta({ description: 'the Temporal Schedule; null until a worker has started (it creates the schedule)' }),
    policy: z
      .object({
        rules: z.array(retentionRuleOut),
        reversal_window_days: z.number().meta({ description: 'an approved conversion counts as open this long (its click is kept)' }),
        batch_size: z.number().int(),
      })
      .nullable()
      .meta({ description: "what the scheduled sweep applies (the schedule's argument); null without a schedule" }),
    last_run: z
      .object({
        started_at: dateTime,
        finished_at: dateTime,
        deleted: z.number().int(),
        rules: z.array(retentionRunRuleOut),
      })
      .nullable()
      .meta({ description: 'the last sweep that finished; null before the first' }),
  })
  .meta({ id: 'Retention' });

export const retentionRunOut = z
  .object({
    schedule_id: z.string(),
    triggered: z.literal(true),
  })
  .meta({ id: 'RetentionRun' });
