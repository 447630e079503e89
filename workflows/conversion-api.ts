import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ConversionView, StatusChange } from '../domain/conversion';

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
