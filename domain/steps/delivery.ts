/** What the delivery workflow's steps take and return (see ./conversion.ts for why this is a contract). */

/** One run of one delivery: the delivery workflow's input, and what its first step is told. */
export interface DeliveryRun {
  deliveryId: string;
  /** 0 for the first delivery, +1 for each redelivery (attempt rows are per run). */
  run: number;
}

/** This deployment's retry schedule, handed to the workflow when a run begins. */
export interface DeliverySchedule {
  /** Delay before attempt 1, 2, … in ms. */
  scheduleMs: number[];
  timeoutMs: number;
}

export interface AttemptInput extends DeliveryRun {
  attempt: number;
  /** The delay before the next attempt, stored on the attempt row as its next-attempt time. */
  nextDelayMs?: number;
}

export type AttemptOutcome =
  | { outcome: 'paused'; waitMs: number }
  | {
      outcome: 'success' | 'retry' | 'permanent' | 'gone' | 'inactive';
      statusCode?: number;
      retryAfterMs?: number;
      error?: string;
    };

export type DeliveryStatus = 'succeeded' | 'failed' | 'dead_lettered';

export interface FinishInput {
  deliveryId: string;
  status: DeliveryStatus;
  reason?: string;
}

/** Echoes its input: local activities keep none in the history, and the timeline shows the reason. */
export interface FinishRecord {
  status: DeliveryStatus;
  reason?: string;
}

export interface DeliverySteps {
  beginDelivery: (input: DeliveryRun) => Promise<DeliverySchedule>;
  attemptDelivery: (input: AttemptInput) => Promise<AttemptOutcome>;
  finishDelivery: (input: FinishInput) => Promise<FinishRecord>;
}
