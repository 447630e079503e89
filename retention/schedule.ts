import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import type { Config } from '../config';
import type { RetentionSweepInput } from '../domain/steps/retention';
import { retentionScheduleId } from '../domain/workflow-ids';
import { workflowTypes, type RetentionSweep } from '../workflows/contract';
import type { RetentionSchedule } from './policy';

/** What the schedule is made from (config/index.ts): the policy, when it runs, and where. */
export type RetentionScheduleConfig = Pick<Config, 'retention' | 'lifecycle' | 'temporal'>;

/** The sweep's argument under this configuration: the policy the scheduled runs apply. */
export function retentionSweepInput(config: RetentionScheduleConfig): RetentionSweepInput {
  return {
    days: config.retention.days,
    reversalWindowDays: config.lifecycle.reversalWindowHours / 24,
    batchSize: config.retention.batchSize,
  };
}

/** RETENTION_SCHEDULE as a Temporal schedule spec; `off` keeps the default interval, on a paused schedule. */
export function scheduleSpecOf(schedule: RetentionSchedule): ScheduleSpec {
  if (schedule.kind === 'cron') return { cronExpressions: [schedule.expression] };
  return { intervals: [{ every: schedule.kind === 'interval' ? schedule.everyMs : '1h' }] };
}

function describeSetting(schedule: RetentionSchedule): string {
  if (schedule.kind === 'off') return 'RETENTION_SCHEDULE=off: paused; runs only when triggered (npx postflow retention --run-now)';
  const every = schedule.kind === 'interval' ? `every ${schedule.everyMs / 60_000} min` : `cron "${schedule.expression}" (UTC)`;
  return `RETENTION_SCHEDULE: ${every}; the data lifecycle (README "Data retention")`;
}

/**
 * Creates the retention sweep's Temporal Schedule, or brings an existing one to this worker's
 * configuration (spec, policy, paused or not): idempotent, so every worker start may call it, and
 * the last one started wins. Overlap SKIP: a sweep still running when the next is due makes that
 * one skip, never run twice at once. A small catch-up window: a sweep missed while the server was
 * down is not made up for with a burst, the next one deletes the same.
 */
export async function ensureRetentionSchedule(
  client: Client,
  config: RetentionScheduleConfig,
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = retentionScheduleId(config.temporal.taskQueue);
  const { schedule } = config.retention;
  const action: ScheduleOptionsStartWorkflowAction<RetentionSweep> = {
    type: 'startWorkflow',
    workflowType: workflowTypes.retentionSweep,
    workflowId: scheduleId,
    taskQueue: config.temporal.taskQueue,
    args: [retentionSweepInput(config)],
  };
  const options: ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<RetentionSweep>> = {
    spec: scheduleSpecOf(schedule),
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '5 minutes', pauseOnFailure: false },
    state: { paused: schedule.kind === 'off', note: describeSetting(schedule) },
  };
  try {
    await client.schedule.create({ scheduleId, ...options });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...options }));
  return { scheduleId, created: false };
}

/** The schedule as the API shows it; undefined when there is none (no worker has started with this task queue). */
export async function describeRetentionSchedule(client: Client, taskQueue: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(retentionScheduleId(taskQueue)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Starts a sweep now, through the schedule (it shows among its runs), unless one is running
 * (overlap SKIP again). Returns false when there is no schedule.
 */
export async function triggerRetentionSweep(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(retentionScheduleId(taskQueue)).trigger(ScheduleOverlapPolicy.SKIP);
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}
