import { actingParty } from '../../api/acting-party';
import { ApiError } from '../../api/errors';
import { statusChangeActor, type StatusChangeTarget } from '../../api/status-change-access';
import { checkAdvertiserReview } from '../../domain/advertiser-review';
import { allowedTransitions, lifecycleStatuses } from '../../domain/status';

describe('actingParty: who is acting, whichever shape the principal has', () => {
  it('reads the admin key principal of today', () => {
    expect(actingParty({ role: 'admin', via: 'key' })).toEqual({ realm: 'admin' });
    expect(actingParty({ role: 'admin', via: 'session' })).toEqual({ realm: 'admin' });
  });

  it('reads the partner-access principal', () => {
    const base = { read_only: false, capabilities: [], via: 'api_key' };
    expect(actingParty({ ...base, realm: 'ops', name: 'ops' })).toEqual({ realm: 'ops' });
    expect(actingParty({ ...base, realm: 'advertiser', party_id: 'adv_1', name: 'advertiser:adv_1' })).toEqual({
      realm: 'advertiser',
      partyId: 'adv_1',
    });
    expect(actingParty({ ...base, realm: 'affiliate', party_id: 'aff_1' })).toEqual({ realm: 'affiliate', partyId: 'aff_1' });
  });

  it.each([[undefined], [{}], [{ role: 'root' }], [{ realm: 'god' }], [{ realm: 'advertiser' }], [{ realm: 'affiliate', party_id: '' }]])(
    'refuses what it cannot tell: %p',
    (principal) => {
      expect(() => actingParty(principal)).toThrow();
    },
  );
});

describe('checkAdvertiserReview: approve or decline a pending conversion where the offer allows it', () => {
  it('allows pending → approved and pending → declined, both legal lifecycle moves', () => {
    for (const to of ['approved', 'declined'] as const) {
      expect(allowedTransitions.pending).toContain(to);
      expect(checkAdvertiserReview({ offerAllows: true, from: 'pending', to })).toEqual({ ok: true });
    }
  });

  it('refuses everything when the offer does not allow review (403 review_not_allowed)', () => {
    for (const from of lifecycleStatuses)
      for (const to of ['approved', 'declined', 'reversed', 'pending'])
        expect(checkAdvertiserReview({ offerAllows: false, from, to })).toMatchObject({
          ok: false,
          status: 403,
          code: 'review_not_allowed',
        });
  });

  it('refuses any other status (403 status_not_allowed), even from pending', () => {
    for (const to of ['reversed', 'pending', 'held', 'rejected', 'processing'])
      expect(checkAdvertiserReview({ offerAllows: true, from: 'pending', to })).toMatchObject({
        ok: false,
        status: 403,
        code: 'status_not_allowed',
      });
  });

  it('refuses a conversion that is not pending (409 not_pending): held is ops review, approved is reversed by postback', () => {
    expect(checkAdvertiserReview({ offerAllows: true, from: 'held', to: 'approved' })).toMatchObject({ status: 409, code: 'not_pending' });
    expect(checkAdvertiserReview({ offerAllows: true, from: 'approved', to: 'declined' })).toMatchObject({ code: 'not_pending' });
    expect(checkAdvertiserReview({ offerAllows: true, from: 'processing', to: 'approved' })).toMatchObject({ code: 'not_pending' });
  });

  it('lets a repeat through (the workflow answers changed: false)', () => {
    expect(checkAdvertiserReview({ offerAllows: true, from: 'approved', to: 'approved' })).toEqual({ ok: true });
    expect(checkAdvertiserReview({ offerAllows: true, from: 'declined', to: 'declined' })).toEqual({ ok: true });
  });
});

describe('statusChangeActor: who may call POST /api/conversions/:id/status, recorded as whom', () => {
  const conversion: StatusChangeTarget = { id: 'cv_1', status: 'pending', advertiser_id: 'adv_a', offer_id: 'off_1' };
  const advertiser = (id: string) => ({ realm: 'advertiser', party_id: id, name: `advertiser:${id}`, read_only: false, capabilities: [] });
  const offers = (allows: boolean) => jest.fn(async (offerId: string) => (expect(offerId).toBe('off_1'), allows));
  const refusal = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    return { status: (err as ApiError).status, code: (err as ApiError).code };
  };

  it('records admin and ops as ops, whatever the offer says, without reading it', async () => {
    const read = offers(false);
    expect(await statusChangeActor({ role: 'admin', via: 'key' }, conversion, 'reversed', read)).toBe('ops');
    expect(await statusChangeActor({ realm: 'ops', name: 'ops' }, conversion, 'approved', read)).toBe('ops');
    expect(read).not.toHaveBeenCalled();
  });

  it('records the advertiser by id when its offer allows review', async () => {
    expect(await statusChangeActor(advertiser('adv_a'), conversion, 'approved', offers(true))).toBe('advertiser:adv_a');
    expect(await statusChangeActor(advertiser('adv_a'), conversion, 'declined', offers(true))).toBe('advertiser:adv_a');
  });

  it("refuses the advertiser with 403 review_not_allowed when the offer's setting is off", async () => {
    expect(await refusal(statusChangeActor(advertiser('adv_a'), conversion, 'approved', offers(false)))).toEqual({
      status: 403,
      code: 'review_not_allowed',
    });
  });

  it('answers another advertiser exactly as a missing conversion (404)', async () => {
    expect(await refusal(statusChangeActor(advertiser('adv_b'), conversion, 'approved', offers(true)))).toEqual({
      status: 404,
      code: 'not_found',
    });
  });

  it('refuses a reversal or a held conversion to the advertiser, and every change to an affiliate', async () => {
    expect(await refusal(statusChangeActor(advertiser('adv_a'), conversion, 'reversed', offers(true)))).toEqual({
      status: 403,
      code: 'status_not_allowed',
    });
    expect(await refusal(statusChangeActor(advertiser('adv_a'), { ...conversion, status: 'held' }, 'approved', offers(true)))).toEqual({
      status: 409,
      code: 'not_pending',
    });
    expect(await refusal(statusChangeActor({ realm: 'affiliate', party_id: 'aff_1' }, conversion, 'approved', offers(true)))).toEqual({
      status: 403,
      code: 'out_of_realm',
    });
  });
});
