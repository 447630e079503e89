import { partnerTimeline } from '../../api/access/partner-timeline';
import { codesAt, reasonCategories, reasonDetailCutter } from '../../api/access/reason-detail';
import { fraudRules } from '../../domain/fraud';
import type { Models } from '../../models';
import type { Principal } from '../../api/access/principal';
import type { Timeline } from '../../api/timeline/load';

const affiliate: Principal = {
  realm: 'affiliate',
  party_id: 'aff_a',
  name: 'affiliate:aff_a',
  read_only: false,
  capabilities: [],
  via: 'api_key',
};
const advertiser: Principal = { ...affiliate, realm: 'advertiser', party_id: 'adv_a', name: 'advertiser:adv_a' };

/** Offers' levels as the database would answer them. */
const modelsWith = (levels: Record<string, string | undefined>) =>
  ({
    Offer: {
      find: (q: { _id: { $in: string[] } }) => ({
        lean: async () => q._id.$in.filter((id) => id in levels).map((id) => ({ _id: id, partner_reason_detail: levels[id] })),
      }),
    },
  }) as unknown as Models;

describe('reason detail for partners', () => {
  it('every fraud rule has a category, so none shows as "other"', () => {
    for (const code of Object.keys(fraudRules)) expect(reasonCategories[code]).toBeDefined();
  });

  it('cuts codes to categories, once each, or to nothing; a category stays itself', () => {
    expect(codesAt('full', ['too_fast', 'ip_mismatch'])).toEqual(['too_fast', 'ip_mismatch']);
    expect(codesAt('category', ['too_fast', 'ip_mismatch', 'cap_reached'])).toEqual(['fraud', 'cap']);
    expect(codesAt('category', ['fraud', 'something_new'])).toEqual(['fraud', 'other']);
    expect(codesAt('none', ['too_fast'])).toEqual([]);
  });

  it("applies each row's offer level to an affiliate's conversions, history and fraud evidence; advertisers see them whole", async () => {
    const models = modelsWith({ off_full: 'full', off_none: 'none', off_default: undefined });
    const row = (offer_id: string) => ({
      offer_id,
      reason_codes: ['too_fast'],
      fraud: { verdict: 'reject', reasons: [{ code: 'too_fast', detail: 'converted in 2 s; minimum 30 s' }] },
      status_history: [{ to: 'rejected', reason: 'converted in 2 s; minimum 30 s', reason_codes: ['too_fast'] }],
    });
    const body = { data: [row('off_full'), row('off_none'), row('off_default'), row('off_missing')] };
    const cut = await reasonDetailCutter(models, affiliate)(body);
    expect(cut.data[0]).toEqual(row('off_full'));
    expect(cut.data[1]).toEqual({ offer_id: 'off_none', reason_codes: [], status_history: [{ to: 'rejected', reason_codes: [] }] });
    for (const r of [cut.data[2], cut.data[3]])
      expect(r).toEqual({
        offer_id: r!.offer_id,
        reason_codes: ['fraud'],
        fraud: { verdict: 'reject' },
        status_history: [{ to: 'rejected', reason_codes: ['fraud'] }],
      });
    expect(await reasonDetailCutter(models, advertiser)(body)).toBe(body);
  });
});

describe("a partner's timeline", () => {
  const entry = (kind: string, title: string, detail: Record<string, unknown>, outcome = 'ok') =>
    ({ at: '2026-12-01T00:00:00.000Z', duration_ms: null, source: 'conversion', workflow_id: 'wf', kind, title, outcome, detail }) as const;
  const timeline = {
    conversion_id: 'cv_1',
    workflow_id: 'wf',
    run_id: 'r',
    workflow_status: 'RUNNING',
    status: 'approved',
    temporal_ui_url: 'http://temporal/wf',
    history_available: true,
    entries: [
      entry('received', 'postback received: amount 120.00, ip 203.0.113.9', { parameters: { amount: '120.00', ip: '203.0.113.9' } }),
      entry('fraud_check', 'fraud rule min_seconds_to_convert (at least 30 s): passed', { rule: 'min_seconds_to_convert' }),
      entry('fraud_verdict', 'fraud screening: passed', { verdict: 'pass', reasons: [] }),
      entry('attribution', 'attributed to affiliate aff_a on offer off_1: payout 12.00 USD, revenue 18.00 USD', {
        ok: true,
        payoutMinor: 1200,
        revenueMinor: 1800,
        currency: 'USD',
      }),
      entry('cap', 'reserved 1 cap slot(s): conversions:day', { reservations: [{ counterId: 'x' }] }),
      entry('status_change', 'processing → approved by system', { from: 'processing', to: 'approved', actor: 'system', reason_codes: [] }),
      entry('ledger', 'ledger: affiliate_payable +12.00 USD, advertiser_receivable +18.00 USD', {
        entries: [
          { account: 'affiliate_payable', amount_minor: 1200, currency: 'USD' },
          { account: 'advertiser_receivable', amount_minor: 1800, currency: 'USD' },
        ],
      }),
      entry('delivery_result', 'delivered to https://aff.example/pb', { status: 'succeeded' }),
      entry('step', 'loadConversionState done', {}),
    ],
  } as unknown as Timeline;

  it("shows an affiliate its payout, its ledger line and its deliveries, never revenue, caps or the workflow's internals", () => {
    const seen = partnerTimeline(timeline, 'affiliate', 'category');
    const text = JSON.stringify(seen);
    expect(text).not.toMatch(/revenue|18\.00|advertiser_receivable|203\.0\.113\.9|reservations|min_seconds/);
    expect(seen.temporal_ui_url).toBeNull();
    expect(seen.entries.map((e) => e.kind)).toEqual([
      'received',
      'fraud_verdict',
      'attribution',
      'status_change',
      'ledger',
      'delivery_result',
    ]);
    expect(seen.entries[2]!.title).toBe('attributed: payout 12.00 USD');
  });

  it('shows an advertiser its revenue and receivable, and no affiliate delivery', () => {
    const seen = partnerTimeline(timeline, 'advertiser', 'full');
    expect(JSON.stringify(seen)).not.toMatch(/payout|12\.00|affiliate_payable|aff\.example/);
    expect(seen.entries.map((e) => e.kind)).toEqual(['received', 'fraud_check', 'fraud_verdict', 'attribution', 'status_change', 'ledger']);
  });
});
