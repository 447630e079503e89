/**
 * Baseline workflows for bench/end-to-end.ts: the least a workflow can cost on the same Temporal
 * server, to compare postflow's conversion pipeline with. Bundled on their own by
 * bench/baseline/worker.ts, never with workflows/, so they never ship. Deterministic like workflow
 * code (no Node built-ins; the activity by type only).
 */
import { proxyActivities } from '@temporalio/workflow';
import { DATABASE_STEP } from '../../workflows/activity-profiles';
import type { BaselineActivities } from './activities';

// The options of postflow's own short steps, so the activity is scheduled the same way.
const { noop } = proxyActivities<BaselineActivities>(DATABASE_STEP);

/** Start → complete with no command at all: one workflow task. */
export async function emptyWorkflow(): Promise<void> {}

/** One activity that does nothing: two workflow tasks and one activity task. */
export async function singleActivityWorkflow(): Promise<void> {
  await noop();
}

export const baselineWorkflowTypes = ['emptyWorkflow', 'singleActivityWorkflow'] as const;
export type BaselineWorkflowType = (typeof baselineWorkflowTypes)[number];
