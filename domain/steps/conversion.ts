/**
 * What the conversion workflow's steps take and return: the contract between the workflows (which
 * call them), the activities (which implement them) and the ops timeline (which reads them back
 * from recorded histories). Types only; plain JSON, one input object per step.
 */
import type { ConversionInput, ConversionView } from '../conversion';
import type { FraudScreening } from '../fraud';
import type { Cap, ClickRecord, OfferConfig } from '../offer';
import type { LifecycleStatus } from '../status';

export interface ScreenOutcome {
  screen: FraudScreening;
  /** The offer as it was configured when the conversion was screened (kept in the history). */
  offer: OfferConfig;
  click: ClickRecord;
  /** Set when another conversion already holds this click and goal (a race the edge could not see). */
  duplicateOf?: string;
}

export interface AttributeInput {
  conversionId: string;
  offer: OfferConfig;
  click: ClickRecord;
  goal: string;
  amount?: string;
  currency?: string;
}

export type Attribution =
  | { ok: true; payoutMinor: number; revenueMinor: number; currency: string; override: boolean }
  | { ok: false; reason: 'unknown_goal' | 'amount_required' | 'currency_mismatch'; detail: string };

export interface CapReservation {
  counterId: string;
  amount: number;
}

export interface ReserveCapsInput {
  conversionId: string;
  offer: OfferConfig;
  goal: string;
  affiliateId: string;
  payoutMinor: number;
  /** ISO instant the windows are computed for: when the postback was accepted. */
  at: string;
}

export type CapOutcome =
  { ok: true; reservations: CapReservation[] } | { ok: false; capId: string; onExceed: Cap['on_exceed']; detail: string };

export interface ReleaseCapsInput {
  conversionId: string;
  reservations: CapReservation[];
}

/** Echoes what it gave back: local activities keep no input in the history, and the timeline shows it. */
export interface CapRelease {
  released: CapReservation[];
}

export interface TransitionInput {
  conversionId: string;
  /** The transition's number within the conversion: part of the ledger keys. */
  seq: number;
  from: LifecycleStatus;
  to: LifecycleStatus;
  reasonCodes: string[];
  reason?: string;
  actor: string;
  payoutMinor: number;
  revenueMinor: number;
  currency: string;
  affiliateId: string;
  advertiserId: string;
  offerId: string;
  test?: boolean;
}

/** The change recordTransition applied, as its result shows it. */
export type AppliedTransition = Pick<TransitionInput, 'seq' | 'from' | 'to' | 'actor' | 'reason' | 'reasonCodes'>;

/** Returns what it applied, not only the amount: local activities keep no input, and the timeline reads the transition here. */
export interface TransitionRecord {
  bookedMinor: number;
  transition: AppliedTransition;
}

export interface ConversionParties {
  affiliateId: string;
  advertiserId: string;
  offerId: string;
  /** A test conversion: its transitions book nothing and move no report (ConversionInput.test). */
  test?: boolean;
}

export interface ConversionState {
  view: ConversionView;
  parties: ConversionParties;
  reservations: CapReservation[];
}

export interface PlanDeliveriesInput {
  conversionId: string;
  /** The status event the deliveries announce. */
  event: LifecycleStatus;
  seq: number;
}

export interface PlannedDelivery {
  deliveryId: string;
  endpointId: string;
}

/**
 * Every step of the conversion workflows. Property (not method) signatures, so an implementation
 * that takes a narrower input fails the check instead of slipping through bivariance.
 */
export interface ConversionSteps {
  screenConversion: (input: ConversionInput) => Promise<ScreenOutcome>;
  attributeConversion: (input: AttributeInput) => Promise<Attribution>;
  reserveCaps: (input: ReserveCapsInput) => Promise<CapOutcome>;
  releaseCaps: (input: ReleaseCapsInput) => Promise<CapRelease>;
  recordTransition: (input: TransitionInput) => Promise<TransitionRecord>;
  loadConversionState: (input: { conversionId: string }) => Promise<ConversionState>;
  planDeliveries: (input: PlanDeliveriesInput) => Promise<PlannedDelivery[]>;
}
