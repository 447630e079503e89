/** What the retention sweep's step takes and returns (see ./conversion.ts for why this is a contract). */

/**
 * How long each kind of row is kept, in days (fractions allowed); `null`: kept forever. Set from the
 * RETENTION_* variables (retention/policy.ts) by the worker that creates the schedule, and carried
 * as the scheduled workflow's argument, so what runs is what the schedule shows.
 */
export interface RetentionDays {
  /** RETENTION_CLICKS_DAYS: real (not test) clicks. */
  clicks: number | null;
  /** RETENTION_DELIVERIES_DAYS: postback deliveries that ended. */
  deliveries: number | null;
  /** RETENTION_DELIVERY_ATTEMPTS_DAYS: postback attempt rows of deliveries that ended. */
  deliveryAttempts: number | null;
  /** INGRESS_LOG_RETENTION_DAYS: the advertisers' ingress log. */
  ingressLog: number;
  /** EVENTS_RETENTION_DAYS: events, subscription deliveries, their attempts and claims (events/retention.ts). */
  events: number;
  /** RETENTION_AUDIT_DAYS: the audit log; kept forever unless set. */
  audit: number | null;
  /** RETENTION_TEST_DATA_DAYS: test clicks, test conversions, their deliveries and attempts. */
  testData: number | null;
}

export interface RetentionSweepInput {
  days: RetentionDays;
  /**
   * REVERSAL_WINDOW_DAYS: an approved conversion's workflow stays open this long after approval
   * for a reversal (a later postback names its click), so it counts as open until then.
   */
  reversalWindowDays: number;
  /** Rows read and deleted per round trip (RETENTION_BATCH_SIZE). */
  batchSize: number;
}

/** One rule's part of a sweep: the cutoff it applied (null: nothing is due, kept forever) and what it deleted. */
export interface RetentionRuleResult {
  rule: string;
  collection: string;
  cutoff: string | null;
  deleted: number;
  /** Why the rule deleted nothing although it has a retention (e.g. clicks while reports still read raw rows). */
  skipped?: string;
}

export interface RetentionSweepResult {
  startedAt: string;
  finishedAt: string;
  deleted: number;
  rules: RetentionRuleResult[];
}

export interface RetentionSteps {
  /** Deletes what the policy no longer keeps, in bounded batches, heartbeating; records the result (Setting `retention.last_run`). */
  sweepRetention: (input: RetentionSweepInput) => Promise<RetentionSweepResult>;
}
