/**
 * The workflows' contract, for the API and for workflow code alike: ids, workflow types with
 * their signatures, the update and query a conversion answers, and (re-exported) every step's
 * input and result. Deterministic: types, pure functions and Temporal definitions only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ConversionInput, ConversionView, StatusChange } from '../domain/conversion';
import type { DeliveryRunInput, DeliveryStatus, DispatchInput, RetentionSweepInput, RetentionSweepResult } from '../domain/steps';

export {
  conversionWorkflowId,
  deliveryWorkflowId,
  lateChangeWorkflowId,
  retentionScheduleId,
  subscriptionWorkflowId,
} from '../domain/workflow-ids';
export type * from '../domain/steps';

/** What the API may ask a running conversion workflow. Defined beside it, exported for the API. */
export const conversionQuery = defineQuery<ConversionView>('conversion');

/**
 * A later postback or ops asking for a new status. The validator refuses illegal transitions
 * before anything is written to history, so the caller gets the reason at once (409 at the API).
 */
export const setStatusUpdate = defineUpdate<StatusUpdateResult, [StatusChange]>('setStatus');

export interface StatusUpdateResult {
  changed: boolean;
  conversion: ConversionView;
}

/** Type name of the failure an illegal transition raises, for the API to map to 409. */
export const ILLEGAL_TRANSITION = 'IllegalTransition';

export type DeliveryInput = DeliveryRunInput;

/**
 * The endpoint was resumed after a pause by hand (POST /api/postbacks/:id/resume): a delivery
 * waiting on it tries again at once instead of at its next re-check.
 */
export const endpointResumedSignal = defineSignal('endpointResumed');

export interface DeliveryResult {
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
}

export interface LateStatusChangeInput {
  conversionId: string;
  change: StatusChange;
}

/**
 * Every workflow type the worker registers, with its signature. workflows/index.ts checks the
 * implementations against it; the API starts them through it, so a start's arguments and result
 * are typed without the API loading workflow code.
 */
export interface WorkflowSignatures {
  processConversion: (input: ConversionInput) => Promise<ConversionView>;
  applyLateStatusChange: (input: LateStatusChangeInput) => Promise<StatusUpdateResult>;
  deliverPostback: (input: DeliveryInput) => Promise<DeliveryResult>;
  dispatchSubscription: (input: DispatchInput) => Promise<void>;
  retentionSweep: (input: RetentionSweepInput) => Promise<RetentionSweepResult>;
}

export type ProcessConversion = WorkflowSignatures['processConversion'];
export type ApplyLateStatusChange = WorkflowSignatures['applyLateStatusChange'];
export type DeliverPostback = WorkflowSignatures['deliverPostback'];
export type DispatchSubscription = WorkflowSignatures['dispatchSubscription'];
export type RetentionSweep = WorkflowSignatures['retentionSweep'];

/** The registered name of each workflow type (the names are the exported functions' names). */
export const workflowTypes: { readonly [N in keyof WorkflowSignatures]: N } = {
  processConversion: 'processConversion',
  applyLateStatusChange: 'applyLateStatusChange',
  deliverPostback: 'deliverPostback',
  dispatchSubscription: 'dispatchSubscription',
  retentionSweep: 'retentionSweep',
};
