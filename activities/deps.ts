import type { RecordEvents } from '../events/record';
import type { Models } from '../models';

export interface DeliverySettings {
  /** Delay before attempt 1, 2, … in ms. */
  scheduleMs: number[];
  timeoutMs: number;
  /** CIDRs that may be reached although private or loopback. */
  allowedNetworks: string[];
  pauseAfterFailures: number;
  pauseMs: number;
}

/** What every activity gets from the worker: connections, a clock and settings, nothing global. */
export interface ActivityDeps {
  models: Models;
  now: () => Date;
  delivery?: DeliverySettings;
  /** How long event records are kept (EVENTS_RETENTION_DAYS); 90 days when absent. */
  eventsRetentionMs?: number;
}

/** What the step factories get: the deps plus the one event recorder the steps share (createActivities makes it). */
export interface StepDeps extends ActivityDeps {
  recordEvents: RecordEvents;
}
