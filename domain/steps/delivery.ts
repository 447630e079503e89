/** What the delivery workflow's steps take and return (see ./conversion.ts for why this is a contract). */

/** One run of one delivery: the delivery workflow's input, and what its first step is told. */
export interface DeliveryRun {
  deliveryId: string;
  /** 0 for the first delivery, +1 for each redelivery (attempt rows are per run). */
  run: number;
}

/** This deployment's retry schedule, handed to the workflow when a run begins. */
/** Where a run goes on from when the conversion workflow made its first attempt (workflows/notify.ts). */
export interface DeliveryContinuation {
  /** Attempts already spent (0 when the first attempt was not made: paused endpoint, or the schedule waits first). */
  attempts: number;
  /** What the last attempt's Retry-After asked for. */
  retryAfterMs?: number;
  /** The endpoint was paused: wait this long before the next attempt, without spending one. */
  pausedMs?: number;
}

/** The delivery workflow's input: a run, continued from the first attempt when the conversion workflow made it. */
export interface DeliveryRunInput extends DeliveryRun {
  continueFrom?: DeliveryContinuation;
}

export interface BeginInput extends DeliveryRun {
  /** The run was begun by the first attempt: keep its attempt count. */
  continued?: boolean;
}

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
  /** `manual`: paused by hand, with no end of its own; waitMs is only when to look again (the resume signal wakes it sooner). */
  | { outcome: 'paused'; waitMs: number; manual?: boolean }
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

/**
 * The first attempt of a run, made inside the conversion workflow (a local activity): it begins the
 * run, attempts, and finishes the delivery when that attempt ends it. Echoes the delivery and run,
 * since a local activity's marker keeps no input and the timeline reads this back.
 */
export interface FirstAttemptRecord extends DeliveryRun {
  /** Absent when no attempt was made: the schedule waits before attempt 1, so the retry workflow makes it. */
  attempt?: AttemptOutcome;
  /** How the run ended, when this attempt ended it; otherwise the retry workflow goes on. */
  finished?: FinishRecord & { attempts: number };
  /** Set when the retry workflow must go on: where it starts from. */
  continueFrom?: DeliveryContinuation;
}

export interface DeliverySteps {
  beginDelivery: (input: BeginInput) => Promise<DeliverySchedule>;
  attemptDelivery: (input: AttemptInput) => Promise<AttemptOutcome>;
  finishDelivery: (input: FinishInput) => Promise<FinishRecord>;
  firstDeliveryAttempt: (input: DeliveryRun) => Promise<FirstAttemptRecord>;
}
