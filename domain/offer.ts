/**
 * Offer configuration as the workflow and the pure rules see it (plain JSON, snake_case as in
 * the admin API). Money amounts are decimal strings in major units, never floats.
 */
export type AmountRule = { type: 'fixed'; amount: string } | { type: 'percent'; amount: string };

export interface Goal {
  key: string;
  name?: string;
  payout: AmountRule;
  revenue: AmountRule;
  default_status: 'approved' | 'pending';
  hold_hours?: number;
  allow_multiple?: boolean;
}

export type CapPeriod = 'day' | 'week' | 'month' | 'total';

export interface Cap {
  /** Stable id within the offer (assigned when the offer is saved). */
  id: string;
  /** undefined: the cap counts every goal of the offer. */
  goal?: string;
  metric: 'conversions' | 'payout';
  period: CapPeriod;
  /** conversions: a count; payout: a decimal string in the offer's currency. */
  limit: string;
  per_affiliate?: boolean;
  /** IANA zone in which day/week/month windows are cut; default UTC. */
  timezone?: string;
  on_exceed: 'reject' | 'hold';
}

export interface FraudSettings {
  min_seconds_to_convert?: number;
  max_seconds_to_convert?: number;
  max_conversions_per_ip_per_day?: number;
  require_same_ip?: boolean;
  blocked_sub_ids?: string[];
  /** What a failed rule does to the conversion; default reject. */
  action?: 'reject' | 'hold';
}

export interface AffiliateOverride {
  affiliate_id: string;
  goal: string;
  payout: AmountRule;
}

export interface OfferConfig {
  id: string;
  advertiser_id: string;
  name: string;
  url: string;
  currency: string;
  attribution_window_hours: number;
  default_goal: string;
  goals: Goal[];
  caps: Cap[];
  fraud: FraudSettings;
  affiliate_overrides: AffiliateOverride[];
  active: boolean;
}

export interface ClickRecord {
  id: string;
  offer_id: string;
  affiliate_id: string;
  advertiser_id: string;
  subs: { sub1?: string; sub2?: string; sub3?: string; sub4?: string; sub5?: string };
  ip?: string;
  user_agent?: string;
  /** ISO 8601 UTC */
  created_at: string;
}
