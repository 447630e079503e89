import { selectEvent, type SelectableEvent } from '../../subscriptions/select';

const conversion = (affiliate: string, status = 'approved'): SelectableEvent => ({
  id: `evt_${affiliate}_${status}`,
  type: 'conversion.status_changed',
  occurred_at: '2026-12-01T10:00:00.000Z',
  schema_version: 1,
  affiliate_id: affiliate,
  data: { conversion_id: 'cv_1', affiliate_id: affiliate, advertiser_id: 'adv_1', status, payout: '12.00', revenue: '18.00' },
});
const capReached: SelectableEvent = {
  id: 'evt_cap',
  type: 'offer.cap_reached',
  occurred_at: '2026-12-01T10:00:00.000Z',
  schema_version: 1,
  data: { offer_id: 'off_1', affiliate_id: 'aff_A' },
};

describe('which events a subscription gets', () => {
  it("never another affiliate's conversion, whatever its filter says", () => {
    const scoped = { event_types: ['conversion.*'], affiliate_id: 'aff_A', filter: { affiliate_id: 'aff_B' } };
    expect(selectEvent(scoped, conversion('aff_B'))).toBeUndefined();
    expect(selectEvent({ ...scoped, filter: {} }, conversion('aff_B'))).toBeUndefined();
    expect(selectEvent({ ...scoped, filter: {} }, conversion('aff_A'))?.id).toBe('evt_aff_A_approved');
  });

  it('a scoped subscription gets conversion events only, even if its stored types say more', () => {
    expect(selectEvent({ event_types: ['*'], affiliate_id: 'aff_A' }, capReached)).toBeUndefined();
    expect(selectEvent({ event_types: ['*'] }, capReached)?.id).toBe('evt_cap');
  });

  it("projects a scoped subscription's data as the affiliate's answers are: no revenue, no advertiser", () => {
    const sent = selectEvent({ event_types: ['conversion.*'], affiliate_id: 'aff_A' }, conversion('aff_A'))!;
    expect(sent.data).toEqual({ conversion_id: 'cv_1', affiliate_id: 'aff_A', status: 'approved', payout: '12.00' });
    // …and a filter cannot probe what it may not see.
    expect(selectEvent({ event_types: ['conversion.*'], affiliate_id: 'aff_A', filter: { revenue: '18.00' } }, conversion('aff_A'))).toBe(
      undefined,
    );
    // The network's subscriptions see everything.
    expect(selectEvent({ event_types: ['conversion.*'] }, conversion('aff_A'))!.data.revenue).toBe('18.00');
  });

  it('applies types, filter and fields, and keeps the envelope', () => {
    const sub = { event_types: ['conversion.status_changed'], filter: { status: { in: ['approved', 'reversed'] } }, fields: ['status'] };
    expect(selectEvent(sub, conversion('aff_A', 'approved'))).toEqual({
      id: 'evt_aff_A_approved',
      type: 'conversion.status_changed',
      occurred_at: '2026-12-01T10:00:00.000Z',
      schema_version: 1,
      data: { status: 'approved' },
    });
    expect(selectEvent(sub, conversion('aff_A', 'declined'))).toBeUndefined();
    expect(selectEvent({ ...sub, event_types: ['conversion.created'] }, conversion('aff_A'))).toBeUndefined();
  });
});
