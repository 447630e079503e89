/** What the subscription dispatcher's steps take and return (see ./conversion.ts for why this is a contract). */

/** Where a subscription's dispatcher is: its own state, carried across continue-as-new. */
export interface DispatchInput {
  subscriptionId: string;
  /** The feed cursor read up to (opaque; "0" for the start of the retained feed). */
  after: string;
  /** The sequence number the next claimed event gets. */
  nextSequence: number;
}

export interface ClaimBatchInput {
  subscriptionId: string;
  after: string;
  firstSequence: number;
  /** How long to wait for events before answering with none (a long poll inside one activity). */
  waitMs?: number;
}

export interface PlannedSubscriptionDelivery {
  deliveryId: string;
  sequence: number;
}

export interface ClaimBatch {
  /** Where the next claim reads from. */
  next: string;
  /** The claimed events' deliveries in sequence order, already stored (none when the wait ran out). */
  deliveries: PlannedSubscriptionDelivery[];
  /** Send the next only after the previous one ended (the subscription's strict_order, as read now). */
  strictOrder: boolean;
  /** The subscription is gone or deactivated: the dispatcher ends. */
  inactive?: boolean;
}

export interface SubscriptionSteps {
  claimSubscriptionBatch: (input: ClaimBatchInput) => Promise<ClaimBatch>;
}
