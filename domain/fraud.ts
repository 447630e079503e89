import { normaliseIp } from './ip';
import { type ClickRecord, type OfferConfig } from './offer';

export type FraudReasonCode =
  | 'offer_inactive'
  | 'click_offer_mismatch'
  | 'attribution_window_expired'
  | 'too_fast'
  | 'too_slow'
  | 'ip_limit_exceeded'
  | 'ip_mismatch'
  | 'blocked_sub_id';

export interface FraudReason {
  code: FraudReasonCode;
  detail: string;
}

export interface FraudInput {
  offer: OfferConfig;
  click: ClickRecord;
  convertedAt: Date;
  conversionIp?: string;
  /** Earlier conversions on this offer from conversionIp in the last 24 h, counted by the caller. */
  conversionsFromIpToday: number;
}

export interface FraudScreening {
  verdict: 'pass' | 'reject' | 'hold';
  reasons: FraudReason[];
}

/** Not a judgement call: the conversion cannot be booked against this offer at all, so review cannot help. */
const alwaysReject: ReadonlySet<FraudReasonCode> = new Set(['offer_inactive', 'click_offer_mismatch']);

const subKeys = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

/** Runs every rule, so ops see all that is wrong with a conversion, not only the first thing. */
export function screenConversion(input: FraudInput): FraudScreening {
  const { offer, click } = input;
  const fraud = offer.fraud;
  const reasons: FraudReason[] = [];
  const add = (code: FraudReasonCode, detail: string): void => void reasons.push({ code, detail });

  if (!offer.active) add('offer_inactive', `offer ${offer.id} is not active`);
  if (click.offer_id !== offer.id || click.advertiser_id !== offer.advertiser_id) {
    add(
      'click_offer_mismatch',
      `click ${click.id} belongs to offer ${click.offer_id} of advertiser ${click.advertiser_id}, ` +
        `not offer ${offer.id} of advertiser ${offer.advertiser_id}`,
    );
  }

  const ageMs = input.convertedAt.getTime() - Date.parse(click.created_at);
  // A NaN age would silently pass every time rule below; corrupt data must fail loudly instead.
  if (Number.isNaN(ageMs)) throw new Error(`cannot screen: invalid click time ${JSON.stringify(click.created_at)} or conversion time`);
  const converted = ageMs >= 0 ? `converted ${duration(ageMs)} after the click` : `converted ${duration(-ageMs)} before the click`;
  if (ageMs > offer.attribution_window_hours * 3_600_000) {
    add('attribution_window_expired', `${converted}; attribution window ${offer.attribution_window_hours} h`);
  }
  if (fraud.min_seconds_to_convert !== undefined && ageMs < fraud.min_seconds_to_convert * 1000) {
    add('too_fast', `${converted}; minimum ${duration(fraud.min_seconds_to_convert * 1000)}`);
  }
  if (fraud.max_seconds_to_convert !== undefined && ageMs > fraud.max_seconds_to_convert * 1000) {
    add('too_slow', `${converted}; maximum ${duration(fraud.max_seconds_to_convert * 1000)}`);
  }

  // Without a conversion IP there is no "same IP" to count, whatever count the caller passed.
  const limit = fraud.max_conversions_per_ip_per_day;
  if (limit !== undefined && input.conversionIp !== undefined && input.conversionsFromIpToday >= limit) {
    add(
      'ip_limit_exceeded',
      `${input.conversionsFromIpToday} earlier conversions from ${input.conversionIp} in the last 24 h; limit ${limit}`,
    );
  }
  if (
    fraud.require_same_ip &&
    click.ip !== undefined &&
    input.conversionIp !== undefined &&
    normaliseIp(click.ip) !== normaliseIp(input.conversionIp)
  ) {
    add('ip_mismatch', `conversion came from ${input.conversionIp}, the click from ${click.ip}`);
  }

  const blocked = new Set(fraud.blocked_sub_ids ?? []);
  // An empty sub means "no sub", so it never matches (even if "" slipped into the block list).
  const hits = subKeys.filter((key) => {
    const value = click.subs[key];
    return value !== undefined && value !== '' && blocked.has(value);
  });
  if (hits.length > 0)
    add('blocked_sub_id', `blocked sub ids: ${hits.map((key) => `${key}=${JSON.stringify(click.subs[key])}`).join(', ')}`);

  if (reasons.length === 0) return { verdict: 'pass', reasons };
  if (reasons.some((r) => alwaysReject.has(r.code))) return { verdict: 'reject', reasons };
  return { verdict: fraud.action ?? 'reject', reasons };
}

/** "3 s", "1.5 s", "2 h 5 min", "48 h 0.25 s": exact, so a limit and a value just past it never read the same. */
function duration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const min = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const parts = [h > 0 ? `${h} h` : '', min > 0 ? `${min} min` : '', s > 0 ? `${s} s` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/**
 * Every rule screenConversion runs, keyed by the code it reports when it fails, with whether the
 * offer turns it on: the timeline lists each rule and its verdict, not only the failures. Keyed
 * by code so a new rule cannot be added to the union without a line here.
 */
export const fraudRules: Record<
  FraudReasonCode,
  { rule: string; enabled: (offer: OfferConfig) => boolean; describe: (offer: OfferConfig) => string }
> = {
  offer_inactive: { rule: 'offer_active', enabled: () => true, describe: () => 'the offer is active' },
  click_offer_mismatch: {
    rule: 'click_matches_offer',
    enabled: () => true,
    describe: () => 'the click belongs to this offer and advertiser',
  },
  attribution_window_expired: {
    rule: 'attribution_window',
    enabled: () => true,
    describe: (o) => `converted within ${o.attribution_window_hours} h of the click`,
  },
  too_fast: {
    rule: 'min_seconds_to_convert',
    enabled: (o) => o.fraud.min_seconds_to_convert !== undefined,
    describe: (o) => `at least ${o.fraud.min_seconds_to_convert} s after the click`,
  },
  too_slow: {
    rule: 'max_seconds_to_convert',
    enabled: (o) => o.fraud.max_seconds_to_convert !== undefined,
    describe: (o) => `at most ${o.fraud.max_seconds_to_convert} s after the click`,
  },
  ip_limit_exceeded: {
    rule: 'max_conversions_per_ip_per_day',
    enabled: (o) => o.fraud.max_conversions_per_ip_per_day !== undefined,
    describe: (o) => `at most ${o.fraud.max_conversions_per_ip_per_day} conversions per IP in 24 h`,
  },
  ip_mismatch: {
    rule: 'require_same_ip',
    enabled: (o) => o.fraud.require_same_ip === true,
    describe: () => 'the conversion comes from the click IP',
  },
  blocked_sub_id: {
    rule: 'blocked_sub_ids',
    enabled: (o) => (o.fraud.blocked_sub_ids?.length ?? 0) > 0,
    describe: () => 'no blocked sub id on the click',
  },
};
