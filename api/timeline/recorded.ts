import type { StatusChange } from '../../domain/conversion';
import {
  setStatusUpdate,
  type StatusUpdateResult,
  type StepInput,
  type StepName,
  type StepResult,
  type WorkflowSignatures,
} from '../../workflows/contract';
import type { HistoryStep } from './history-steps';

/**
 * Typed views of what a history recorded, by the contract's names (workflows/contract.ts). The
 * payloads were written by the steps and workflows of that name, so the contract is their type:
 * the casts below are the only ones, made once a name has been matched. What older histories
 * hold in another shape is spelled out here, so a reader has to handle it.
 */

export type ActivityStep = Extract<HistoryStep, { type: 'activity' }>;

/** Results as histories recorded before the database steps became local activities hold them. */
interface LegacyResults {
  /** The transition is in the input (remote activities keep it). */
  recordTransition: { bookedMinor: number };
  /** Returned nothing: the reservations are in the input. */
  releaseCaps: undefined;
  /** Returned nothing: the reason is in the input. */
  finishDelivery: undefined;
}

export type RecordedResult<N extends StepName> = N extends keyof LegacyResults ? StepResult<N> | LegacyResults[N] : StepResult<N>;

/** One step as recorded: its input only when it ran as a remote activity (a local activity's marker keeps none). */
export interface RecordedStep<N extends StepName> {
  name: N;
  input?: StepInput<N>;
  result?: RecordedResult<N>;
}

/** The step, typed by its name in the contract; undefined if the history ran another step. */
export function recorded<N extends StepName>(step: ActivityStep, name: N): RecordedStep<N> | undefined {
  if (step.name !== name) return undefined;
  return { name, input: step.input as StepInput<N> | undefined, result: step.result as RecordedResult<N> | undefined };
}

type WorkflowName = keyof WorkflowSignatures;
type WorkflowInput<N extends WorkflowName> = Parameters<WorkflowSignatures[N]>[0];
type WorkflowResult<N extends WorkflowName> = Awaited<ReturnType<WorkflowSignatures[N]>>;

/** A workflow's input, if the history is a run of `name`. */
export function workflowInput<N extends WorkflowName>(
  step: Extract<HistoryStep, { type: 'started' }>,
  name: N,
): WorkflowInput<N> | undefined {
  return step.workflowType === name ? (step.input[0] as WorkflowInput<N> | undefined) : undefined;
}

/** A completed run's result, typed by the workflow the run belongs to. */
export function workflowResult<N extends WorkflowName>(
  step: Extract<HistoryStep, { type: 'closed' }>,
  _name: N,
): WorkflowResult<N> | undefined {
  return step.result as WorkflowResult<N> | undefined;
}

/** The setStatus update (workflows/contract.ts setStatusUpdate): what was asked, and the answer. */
export function statusUpdate(step: Extract<HistoryStep, { type: 'update' }>): { change?: StatusChange; result?: StatusUpdateResult } {
  if (step.name !== setStatusUpdate.name) return {};
  return { change: step.input[0] as StatusChange | undefined, result: step.result as StatusUpdateResult | undefined };
}
