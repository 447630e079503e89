import type { Client } from '@temporalio/client';
import { staffOnly } from '../access/authorize';
import type { RetentionSweepInput } from '../../domain/steps/retention';
import { retentionScheduleId } from '../../domain/workflow-ids';
import type { Models } from '../../models';
import { retentionRules, ruleDays } from '../../retention/policy';
import { describeRetentionSchedule, triggerRetentionSweep } from '../../retention/schedule';
import { readLastRun } from '../../retention/sweep';
import { ApiError } from '../errors';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { retentionOut, retentionRunOut } from '../schemas/retention';

/** The data lifecycle (README "Data retention"): the schedule, the policy it applies, the last sweep; and a sweep now. */
export function retentionRoutes(deps: { models: Models; temporal: Client; taskQueue: string }): Route[] {
  return [
    route(
      {
        method: 'get',
        path: '/api/retention',
        tag: 'Operations',
        access: 'admin',
        realms: staffOnly,
        summary: 'The data retention policy, its schedule and the last sweep',
        description:
          'What each rule deletes and keeps, as the Temporal Schedule the worker created applies it (its RETENTION_* variables), ' +
          'when the schedule runs next, and what the last sweep deleted per rule.',
        responses: { 200: json(retentionOut, 'The retention state') },
      },
      async (ctx) => {
        const [schedule, lastRun] = await Promise.all([describeRetentionSchedule(deps.temporal, deps.taskQueue), readLastRun(deps.models)]);
        const input = schedule?.action.args?.[0] as RetentionSweepInput | undefined;
        ctx.body = {
          schedule: schedule
            ? {
                id: schedule.scheduleId,
                paused: schedule.state.paused,
                note: schedule.state.note ?? null,
                next_runs: schedule.info.nextActionTimes.map((t) => t.toISOString()),
                recent_runs: schedule.info.recentActions.map((a) => ({
                  scheduled_at: a.scheduledAt.toISOString(),
                  started_at: a.takenAt.toISOString(),
                  workflow_id: a.action.workflow.workflowId,
                })),
                running: schedule.info.runningActions.length,
              }
            : null,
          policy: input?.days
            ? {
                rules: retentionRules.map((r) => ({
                  rule: r.rule,
                  collection: r.collection,
                  age: r.age,
                  variable: r.variable ?? null,
                  days: r.kind === 'expiry' ? null : (ruleDays(r, input.days) ?? null),
                  guard: r.guard ?? null,
                })),
                reversal_window_days: input.reversalWindowDays,
                batch_size: input.batchSize,
              }
            : null,
          last_run: lastRun
            ? { started_at: lastRun.startedAt, finished_at: lastRun.finishedAt, deleted: lastRun.deleted, rules: lastRun.rules }
            : null,
        };
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/retention/run',
        tag: 'Operations',
        access: 'admin',
        realms: staffOnly,
        summary: 'Run the retention sweep now',
        description:
          'Triggers the retention schedule: a sweep starts at once (seen among its runs), unless one is running. ' +
          '409 `no_schedule` when no worker has created the schedule yet.',
        responses: { 202: json(retentionRunOut, 'The sweep was started') },
        errors: [409],
        audit: { action: 'retention.run', target: 'none' },
      },
      async (ctx) => {
        if (!(await triggerRetentionSweep(deps.temporal, deps.taskQueue)))
          throw new ApiError(409, 'no_schedule', 'there is no retention schedule yet: the worker creates it when it starts');
        ctx.status = 202;
        ctx.body = { schedule_id: retentionScheduleId(deps.taskQueue), triggered: true };
      },
    ),
  ];
}
