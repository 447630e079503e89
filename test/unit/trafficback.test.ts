import { clickCapState } from '../../api/click-caps';
import type { ClickTargetOffer } from '../../api/click-targets';
import { capCounterId, capWindow } from '../../domain/cap-window';
import {
  chainProblem,
  resolveClick,
  staticReason,
  type ClickOffer,
  type TrafficbackTarget,
  type TurnedAway,
} from '../../domain/trafficback';
import type { Models } from '../../models';

const now = new Date('2026-12-02T12:00:00Z');
const live = (id: string, extra: Partial<ClickOffer> = {}): ClickOffer => ({
  _id: id,
  url: `https://${id}.example/`,
  advertiser_id: 'adv',
  active: true,
  ...extra,
});
const paused = (id: string, extra: Partial<ClickOffer> = {}) => live(id, { active: false, ...extra });
const toOffer = (offer_id: string): TrafficbackTarget => ({ type: 'offer', offer_id });
const aff = { _id: 'aff_1', active: true };

function lookups(offers: ClickOffer[], global: TrafficbackTarget = { type: 'not_found' }, dynamic: Record<string, TurnedAway> = {}) {
  const byId = new Map(offers.map((o) => [o._id, o]));
  return {
    offer: (id: string) => byId.get(id) ?? null,
    dynamicReason: (o: ClickOffer) => dynamic[o._id] ?? null,
    globalTarget: () => global,
  };
}

describe('staticReason: the first reason in the documented order', () => {
  it.each([
    ['offer_unknown', null, aff, {}],
    ['offer_paused', paused('o'), null, {}],
    ['offer_expired', live('o', { expires_at: new Date('2026-12-02T12:00:00Z') }), aff, {}],
    ['affiliate_unknown', live('o'), null, {}],
    ['affiliate_inactive', live('o'), { _id: 'a', active: false }, {}],
    ['blocked_sub', live('o', { blocked_sub_ids: ['x'] }), aff, { sub2: 'x' }],
  ] as const)('%s', (reason, offer, affiliate, subs) => {
    expect(staticReason(offer, affiliate, subs, now)?.reason).toBe(reason);
  });
  it('a live offer, an active affiliate, an unexpired date and clean subs: no reason', () => {
    expect(
      staticReason(live('o', { expires_at: new Date('2026-12-02T12:00:01Z'), blocked_sub_ids: ['x'] }), aff, { sub1: 'y' }, now),
    ).toBeNull();
  });
});

describe('resolveClick', () => {
  it('a live offer takes the click: no hops', async () => {
    expect(await resolveClick('o', aff, 'aff_1', {}, now, lookups([live('o')]))).toEqual({
      hops: [],
      end: { kind: 'offer', offer: live('o') },
    });
  });

  it('affiliate level, then offer level, then global', async () => {
    const o = paused('o', {
      trafficback: { target: { type: 'blank' }, affiliates: [{ affiliate_id: 'aff_1', target: { type: 'url', url: 'https://a/' } }] },
    });
    expect((await resolveClick('o', aff, 'aff_1', {}, now, lookups([o]))).end).toEqual({ kind: 'url', url: 'https://a/' });
    expect((await resolveClick('o', { _id: 'aff_2', active: true }, 'aff_2', {}, now, lookups([o]))).end).toEqual({ kind: 'blank' });
    const bare = paused('b');
    const r = await resolveClick('b', aff, 'aff_1', {}, now, lookups([bare], { type: 'url', url: 'https://g/' }));
    expect(r).toEqual({ hops: [{ offer_id: 'b', reason: 'offer_paused', level: 'global' }], end: { kind: 'url', url: 'https://g/' } });
  });

  it('an offer target is skipped for an affiliate that cannot be credited: the global target instead', async () => {
    const o = live('o', { trafficback: { target: toOffer('f') } });
    const r = await resolveClick('o', { _id: 'x', active: false }, 'x', {}, now, lookups([o, live('f')], { type: 'blank' }));
    expect(r.end).toEqual({ kind: 'blank' });
    expect(r.hops).toEqual([{ offer_id: 'o', reason: 'affiliate_inactive', level: 'global' }]);
  });

  it('three hops are taken; a fourth ends at the global target, or a 404 when that is an offer', async () => {
    const chain = [
      paused('a', { trafficback: { target: toOffer('b') } }),
      paused('b', { trafficback: { target: toOffer('c') } }),
      paused('c', { trafficback: { target: toOffer('d') } }),
    ];
    const three = await resolveClick('a', aff, 'aff_1', {}, now, lookups([...chain, live('d')]));
    expect(three.end).toEqual({ kind: 'offer', offer: live('d') });
    expect(three.hops.map((h) => h.offer_id)).toEqual(['a', 'b', 'c']);
    const four = lookups([...chain, paused('d', { trafficback: { target: toOffer('e') } }), live('e')], { type: 'url', url: 'https://g/' });
    expect(await resolveClick('a', aff, 'aff_1', {}, now, four)).toMatchObject({
      end: { kind: 'url', url: 'https://g/' },
      stopped: 'max_hops',
    });
    const fourToOffer = lookups([...chain, paused('d', { trafficback: { target: toOffer('e') } }), live('e')], toOffer('e'));
    expect(await resolveClick('a', aff, 'aff_1', {}, now, fourToOffer)).toMatchObject({ end: { kind: 'not_found' }, stopped: 'max_hops' });
  });

  it('a cycle (saved before the rules, or through the global target) stops at the first repeat', async () => {
    const looped = lookups(
      [paused('a', { trafficback: { target: toOffer('b') } }), paused('b', { trafficback: { target: toOffer('a') } })],
      { type: 'blank' },
    );
    expect(await resolveClick('a', aff, 'aff_1', {}, now, looped)).toMatchObject({ end: { kind: 'blank' }, stopped: 'cycle' });
    const viaGlobal = lookups([paused('g')], toOffer('g'));
    const r = await resolveClick('g', aff, 'aff_1', {}, now, viaGlobal);
    expect(r).toMatchObject({ end: { kind: 'not_found' }, stopped: 'cycle' });
  });

  it('dynamic reasons (a full cap) turn a live offer away; the fallback may take the click', async () => {
    const l = lookups(
      [live('a', { trafficback: { target: toOffer('b') } }), live('b')],
      { type: 'not_found' },
      { a: { reason: 'cap_reached', cap_id: 'c1' } },
    );
    const r = await resolveClick('a', aff, 'aff_1', {}, now, l);
    expect(r.hops).toEqual([{ offer_id: 'a', reason: 'cap_reached', cap_id: 'c1', level: 'offer' }]);
    expect(r.end).toEqual({ kind: 'offer', offer: live('b') });
  });
});

describe('chainProblem', () => {
  const edges = (pairs: [string, string[]][]) => new Map(pairs);
  it('no problem up to 3 hops', () => {
    expect(
      chainProblem(
        edges([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['d']],
        ]),
      ),
    ).toBeNull();
  });
  it('a chain of 4 hops, named from its start', () => {
    expect(
      chainProblem(
        edges([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['d']],
          ['d', ['e']],
        ]),
        'd',
      ),
    ).toEqual({ kind: 'too_long', chain: ['a', 'b', 'c', 'd', 'e'] });
  });
  it('a cycle, named from the offer saved', () => {
    expect(
      chainProblem(
        edges([
          ['a', ['b']],
          ['b', ['a']],
        ]),
        'b',
      ),
    ).toEqual({ kind: 'cycle', chain: ['b', 'a', 'b'] });
    expect(chainProblem(edges([['a', ['a']]]))).toEqual({ kind: 'cycle', chain: ['a', 'a'] });
  });
  it('branches: the longest branch counts', () => {
    expect(
      chainProblem(
        edges([
          ['a', ['x', 'b']],
          ['b', ['c']],
          ['c', ['d']],
          ['d', ['e']],
        ]),
      )?.kind,
    ).toBe('too_long');
  });
});

describe('clickCapState: the click path sees a reservation within the TTL', () => {
  const offer: ClickTargetOffer = {
    ...live('o'),
    currency: 'USD',
    default_goal: 'sale',
    caps: [
      { id: 'conversions:day:*:offer:UTC', metric: 'conversions', period: 'day', limit: '2', on_exceed: 'reject' },
      { id: 'conversions:day:lead:offer:UTC', goal: 'lead', metric: 'conversions', period: 'day', limit: '0', on_exceed: 'reject' },
    ],
  };
  const counterId = capCounterId({ offerId: 'o', capId: 'conversions:day:*:offer:UTC', windowKey: capWindow('day', 'UTC', now).key });

  function fakeModels(reserved: () => number) {
    let reads = 0;
    const models = {
      CapCounter: {
        collection: {
          find: (filter: { _id: { $in: string[] } }) => ({
            toArray: async () => {
              reads += 1;
              return filter._id.$in.filter((id) => id === counterId).map((_id) => ({ _id, reserved: reserved() }));
            },
          }),
        },
      },
    } as unknown as Models;
    return { models, reads: () => reads };
  }

  it('reads once, answers from memory within the TTL, and sees a filled cap after it (stale-while-revalidate)', async () => {
    let reserved = 1;
    let t = 0;
    const { models, reads } = fakeModels(() => reserved);
    const state = clickCapState(models, 1_000, () => t);
    expect(await state.fullCap(offer, 'aff_1', now)).toBeNull(); // first sight: read (a cap on another goal does not count)
    reserved = 2; // a conversion took the last place
    t = 999;
    expect(state.fullCap(offer, 'aff_1', now)).toBeNull(); // within the TTL: the state read at 0
    expect(reads()).toBe(1);
    t = 1_000;
    expect(state.fullCap(offer, 'aff_1', now)).toBeNull(); // stale: answers at once, re-reads behind
    await new Promise((r) => setImmediate(r));
    expect(reads()).toBe(2);
    expect(state.fullCap(offer, 'aff_1', now)).toEqual({ reason: 'cap_reached', cap_id: 'conversions:day:*:offer:UTC' });
  });

  it('the next window is a new counter: the cap is open again at midnight', async () => {
    const { models } = fakeModels(() => 2);
    const state = clickCapState(models, 1_000, () => 0);
    expect(await state.fullCap(offer, 'aff_1', now)).toMatchObject({ reason: 'cap_reached' });
    expect(await state.fullCap(offer, 'aff_1', new Date('2026-12-03T00:00:00Z'))).toBeNull();
  });
});
