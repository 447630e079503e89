import type { AttemptOutcome, DeliveryContinuation, FinishInput } from './steps';

/**
 * How a delivery run ends after an attempt, or undefined while it goes on. One rule for the retry
 * workflow (workflows/delivery.ts) and the first attempt made inside the conversion workflow
 * (activities/deliveries.ts), so a delivery ends the same way wherever its attempt was made.
 */
export function runEnding(result: AttemptOutcome, attempts: number, scheduleLength: number): Omit<FinishInput, 'deliveryId'> | undefined {
  switch (result.outcome) {
    case 'success':
      return { status: 'succeeded' };
    case 'permanent':
      return { status: 'failed', reason: `the endpoint answered ${result.statusCode}` };
    case 'gone':
      return { status: 'dead_lettered', reason: 'the endpoint answered 410 Gone and was deactivated' };
    case 'inactive':
      return { status: 'dead_lettered', reason: result.error ?? 'endpoint inactive' };
    case 'paused':
      return undefined;
    case 'retry':
      return attempts >= scheduleLength ? { status: 'dead_lettered', reason: `no success after ${attempts} attempts` } : undefined;
  }
}

/** Where the retry workflow starts after a first attempt that did not end the run (none made: from attempt 1). */
export function continuation(result: AttemptOutcome | undefined): DeliveryContinuation {
  if (!result) return { attempts: 0 };
  // Paused by hand: the retry workflow looks again at once and then waits for the resume signal,
  // so a resume between this attempt and the workflow's start is not missed.
  if (result.outcome === 'paused') return result.manual ? { attempts: 0 } : { attempts: 0, pausedMs: result.waitMs };
  return { attempts: 1, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
}
