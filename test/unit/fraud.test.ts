import { screenConversion, type FraudInput, type FraudReasonCode } from '../../domain/fraud';
import { type ClickRecord, type FraudSettings, type OfferConfig } from '../../domain/offer';

const clickedAt = Date.parse('2026-11-25T10:00:00Z');
const afterSeconds = (s: number): Date => new Date(clickedAt + s * 1000);

function offer(fraud: FraudSettings = {}, over: Partial<OfferConfig> = {}): OfferConfig {
  return {
    id: 'of1',
    advertiser_id: 'adv1',
    name: 'Offer',
    url: 'https://adv.example/?c={click_id}',
    currency: 'USD',
    attribution_window_hours: 24,
    default_goal: 'sale',
    goals: [],
    caps: [],
    fraud,
    affiliate_overrides: [],
    active: true,
    ...over,
  };
}

const click = (over: Partial<ClickRecord> = {}): ClickRecord => ({
  id: 'clk1',
  offer_id: 'of1',
  affiliate_id: 'af1',
  advertiser_id: 'adv1',
  subs: { sub1: 'ok1', sub2: 'ok2' },
  ip: '203.0.113.7',
  created_at: new Date(clickedAt).toISOString(),
  ...over,
});

// Every rule configured and satisfied: each test changes one thing.
const strict: FraudSettings = {
  min_seconds_to_convert: 15,
  max_seconds_to_convert: 3600,
  max_conversions_per_ip_per_day: 3,
  require_same_ip: true,
  blocked_sub_ids: ['bad1', 'bad2'],
};

function input(over: Partial<FraudInput> = {}): FraudInput {
  return {
    offer: offer(strict),
    click: click(),
    convertedAt: afterSeconds(60),
    conversionIp: '203.0.113.7',
    conversionsFromIpToday: 2,
    ...over,
  };
}

const codes = (i: FraudInput): FraudReasonCode[] => screenConversion(i).reasons.map((r) => r.code);

describe('screenConversion', () => {
  it('passes a conversion that satisfies every rule, with no reasons', () => {
    expect(screenConversion(input())).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('passes anything timely when no optional rule is configured', () => {
    expect(
      screenConversion(
        input({
          offer: offer({}),
          convertedAt: afterSeconds(0),
          conversionIp: '198.51.100.1',
          conversionsFromIpToday: 1000,
        }),
      ).verdict,
    ).toBe('pass');
  });

  describe('offer_inactive', () => {
    it('rejects for an inactive offer, even when the action is hold', () => {
      const result = screenConversion(input({ offer: offer({ ...strict, action: 'hold' }, { active: false }) }));
      expect(result).toEqual({
        verdict: 'reject',
        reasons: [{ code: 'offer_inactive', detail: 'offer of1 is not active' }],
      });
    });
  });

  describe('click_offer_mismatch', () => {
    it.each([
      ['another offer', { offer_id: 'of2' }],
      ['another advertiser', { advertiser_id: 'adv2' }],
    ])('rejects a click of %s, even when the action is hold', (_, over) => {
      const result = screenConversion(input({ offer: offer({ ...strict, action: 'hold' }), click: click(over) }));
      expect(result.verdict).toBe('reject');
      expect(result.reasons.map((r) => r.code)).toEqual(['click_offer_mismatch']);
      expect(result.reasons[0]?.detail).toContain('not offer of1 of advertiser adv1');
    });
  });

  describe('attribution_window_expired', () => {
    it('accepts a conversion exactly at the end of the window', () => {
      expect(codes(input({ offer: offer({}), convertedAt: afterSeconds(24 * 3600) }))).toEqual([]);
    });

    it('flags one a millisecond past it', () => {
      const result = screenConversion(input({ offer: offer({}), convertedAt: new Date(clickedAt + 24 * 3_600_000 + 1) }));
      expect(result.reasons).toEqual([
        {
          code: 'attribution_window_expired',
          detail: 'converted 24 h 0.001 s after the click; attribution window 24 h',
        },
      ]);
      expect(result.verdict).toBe('reject');
    });
  });

  describe('too_fast', () => {
    it('flags a conversion before the minimum, saying how fast it was', () => {
      expect(screenConversion(input({ convertedAt: afterSeconds(3) })).reasons).toEqual([
        { code: 'too_fast', detail: 'converted 3 s after the click; minimum 15 s' },
      ]);
    });

    it('accepts one exactly at the minimum', () => {
      expect(codes(input({ convertedAt: afterSeconds(15) }))).toEqual([]);
    });

    it('flags a conversion timestamped before its click', () => {
      expect(screenConversion(input({ convertedAt: afterSeconds(-2) })).reasons).toEqual([
        { code: 'too_fast', detail: 'converted 2 s before the click; minimum 15 s' },
      ]);
    });

    it('applies a minimum of 0 only to conversions before the click', () => {
      expect(codes(input({ offer: offer({ min_seconds_to_convert: 0 }), convertedAt: afterSeconds(0) }))).toEqual([]);
      expect(codes(input({ offer: offer({ min_seconds_to_convert: 0 }), convertedAt: afterSeconds(-1) }))).toEqual(['too_fast']);
    });
  });

  describe('too_slow', () => {
    it('flags a conversion after the maximum', () => {
      expect(screenConversion(input({ convertedAt: afterSeconds(3601) })).reasons).toEqual([
        { code: 'too_slow', detail: 'converted 1 h 1 s after the click; maximum 1 h' },
      ]);
    });

    it('accepts one exactly at the maximum', () => {
      expect(codes(input({ convertedAt: afterSeconds(3600) }))).toEqual([]);
    });
  });

  describe('ip_limit_exceeded', () => {
    it('flags the conversion that reaches the limit, not the ones before it', () => {
      expect(codes(input({ conversionsFromIpToday: 2 }))).toEqual([]);
      expect(screenConversion(input({ conversionsFromIpToday: 3 })).reasons).toEqual([
        { code: 'ip_limit_exceeded', detail: '3 earlier conversions from 203.0.113.7 in the last 24 h; limit 3' },
      ]);
    });

    it('does not apply without a conversion IP, since there is nothing to count', () => {
      expect(codes(input({ conversionIp: undefined, conversionsFromIpToday: 99 }))).toEqual([]);
    });
  });

  describe('ip_mismatch', () => {
    it('flags a conversion from another IP', () => {
      expect(screenConversion(input({ conversionIp: '198.51.100.1' })).reasons).toEqual([
        { code: 'ip_mismatch', detail: 'conversion came from 198.51.100.1, the click from 203.0.113.7' },
      ]);
    });

    it('matches the same address however it is written', () => {
      expect(codes(input({ conversionIp: '::ffff:203.0.113.7' }))).toEqual([]);
      expect(codes(input({ click: click({ ip: '2001:db8::1' }), conversionIp: '2001:0DB8:0:0:0:0:0:1' }))).toEqual([]);
    });

    it('cannot compare when either IP is unknown', () => {
      expect(codes(input({ conversionIp: undefined }))).toEqual([]);
      expect(codes(input({ click: click({ ip: undefined }), conversionIp: '198.51.100.1' }))).toEqual([]);
    });

    it('is off unless require_same_ip is set', () => {
      expect(codes(input({ offer: offer({ ...strict, require_same_ip: false }), conversionIp: '198.51.100.1' }))).toEqual([]);
      expect(codes(input({ offer: offer({ ...strict, require_same_ip: undefined }), conversionIp: '198.51.100.1' }))).toEqual([]);
    });
  });

  describe('blocked_sub_id', () => {
    it.each(['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const)('flags a blocked value in %s', (key) => {
      expect(screenConversion(input({ click: click({ subs: { [key]: 'bad2' } }) })).reasons).toEqual([
        { code: 'blocked_sub_id', detail: `blocked sub ids: ${key}="bad2"` },
      ]);
    });

    it('reports every blocked sub in one reason', () => {
      expect(screenConversion(input({ click: click({ subs: { sub1: 'bad1', sub2: 'fine', sub5: 'bad2' } }) })).reasons).toEqual([
        { code: 'blocked_sub_id', detail: 'blocked sub ids: sub1="bad1", sub5="bad2"' },
      ]);
    });

    it('matches whole values exactly', () => {
      expect(codes(input({ click: click({ subs: { sub1: 'bad10', sub2: 'BAD1', sub3: 'xbad1' } }) }))).toEqual([]);
    });

    it('never blocks an empty sub', () => {
      expect(codes(input({ offer: offer({ blocked_sub_ids: [''] }), click: click({ subs: { sub1: '' } }) }))).toEqual([]);
    });
  });

  describe('verdict', () => {
    it('rejects a failed rule by default and when the action is reject', () => {
      expect(screenConversion(input({ convertedAt: afterSeconds(3) })).verdict).toBe('reject');
      expect(screenConversion(input({ offer: offer({ ...strict, action: 'reject' }), convertedAt: afterSeconds(3) })).verdict).toBe(
        'reject',
      );
    });

    it('holds a failed rule when the action is hold', () => {
      expect(screenConversion(input({ offer: offer({ ...strict, action: 'hold' }), convertedAt: afterSeconds(3) })).verdict).toBe('hold');
    });

    it('passes when the action is hold and nothing failed', () => {
      expect(screenConversion(input({ offer: offer({ ...strict, action: 'hold' }) })).verdict).toBe('pass');
    });

    it('reports every failed rule, not just the first', () => {
      const everything = input({
        offer: offer({ ...strict, action: 'hold' }, { active: false, attribution_window_hours: 1 }),
        click: click({ offer_id: 'of2', subs: { sub3: 'bad1' } }),
        convertedAt: afterSeconds(7200),
        conversionIp: '198.51.100.1',
        conversionsFromIpToday: 3,
      });
      expect(codes(everything)).toEqual([
        'offer_inactive',
        'click_offer_mismatch',
        'attribution_window_expired',
        'too_slow',
        'ip_limit_exceeded',
        'ip_mismatch',
        'blocked_sub_id',
      ]);
      expect(screenConversion(everything).verdict).toBe('reject');
    });
  });

  it('refuses to screen a click with an unreadable time rather than pass it', () => {
    expect(() => screenConversion(input({ click: click({ created_at: 'yesterday' }) }))).toThrow('invalid click time');
  });
});
