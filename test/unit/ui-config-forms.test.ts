import { mmpTemplates, TOKEN_PLACEHOLDER } from '../../domain/mmp/templates';
import { changes } from '../../ui/src/screens/config/changes';
import { getAt, placeErrors, setAt, slotsOf } from '../../ui/src/screens/config/form-paths';
import { postbackUrlTemplate, trackingLink } from '../../ui/src/screens/config/links';
import {
  formToMmpCreate,
  formToMmpPatch,
  hasTokenPlaceholder,
  mmpToForm,
  newMmpForm,
  tokenInOfferUrl,
  withToken,
  type MmpIntegration,
} from '../../ui/src/screens/config/mmp-form-state';
import {
  formToOffer,
  formToOfferPatch,
  fromLocalInput,
  newAffiliateTarget,
  newOffer,
  offerToForm,
  toLocalInput,
  type Offer,
} from '../../ui/src/screens/config/offer-form-state';

// What GET /api/offers/:id answers for an offer with every optional part set.
const offer = {
  id: 'off_1',
  advertiser_id: 'adv_1',
  name: 'Acme sale',
  url: 'https://shop.example/land?cid={click_id}',
  currency: 'USD',
  attribution_window_hours: 720,
  default_goal: 'sale',
  goals: [
    {
      key: 'sale',
      name: 'Sale',
      payout: { type: 'percent', amount: '10' },
      revenue: { type: 'fixed', amount: '15.50' },
      default_status: 'pending',
      hold_hours: 0.5,
      allow_multiple: true,
    },
  ],
  caps: [
    {
      id: 'conversions:day:*:offer:America/New_York',
      metric: 'conversions',
      period: 'day',
      limit: '100',
      per_affiliate: false,
      timezone: 'America/New_York',
      on_exceed: 'hold',
    },
  ],
  fraud: { min_seconds_to_convert: 5, require_same_ip: true, blocked_sub_ids: ['bad-1', 'bad-2'], action: 'hold' },
  affiliate_overrides: [{ affiliate_id: 'aff_1', goal: 'sale', payout: { type: 'fixed', amount: '6.00' } }],
  active: true,
  trafficback: {
    target: { type: 'url', url: 'https://fallback.example/?c={click_id}&why={reason}' },
    affiliates: [
      { affiliate_id: 'aff_1', target: { type: 'offer', offer_id: 'off_2' } },
      { affiliate_id: 'aff_2', target: { type: 'blank' } },
    ],
  },
  expires_at: '2026-06-30T22:00:00.000Z',
  blocked_click_subs: ['spam-1', 'spam-2'],
  duplicate_click_seconds: 60,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
} as unknown as Offer;

describe('console forms: paths shared by state, inputs and API errors', () => {
  const state = { name: 'x', goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5' } }], events: ['approved'], fraud: { ids: '' } };

  it('reads and writes a value by its API path, copying only the branch it changes', () => {
    expect(getAt(state, 'goals.0.payout.amount')).toBe('5');
    const next = setAt(state, 'goals.0.payout.amount', '7.50');
    expect(getAt(next, 'goals.0.payout.amount')).toBe('7.50');
    expect(getAt(state, 'goals.0.payout.amount')).toBe('5');
    expect(next.fraud).toBe(state.fraud);
    expect(Array.isArray(next.goals)).toBe(true);
  });

  it('offers every field and group as a slot, but not the items of a list of plain values', () => {
    expect([...slotsOf(state)].sort()).toEqual(
      [
        'events',
        'fraud',
        'fraud.ids',
        'goals',
        'goals.0',
        'goals.0.key',
        'goals.0.payout',
        'goals.0.payout.amount',
        'goals.0.payout.type',
        'name',
      ].sort(),
    );
  });

  it('puts each API error at the deepest slot holding its path, and none is dropped', () => {
    const slots = slotsOf({ url: '', ip_allowlist: '', caps: [{ limit: '' }] });
    expect(
      placeErrors(
        {
          url: 'must be an http(s) URL',
          'ip_allowlist.2': 'must be an IP address',
          'caps.0': 'duplicate',
          'caps.3.limit': 'x',
          '': 'whole body',
        },
        slots,
      ),
    ).toEqual([
      { slot: 'url', message: 'must be an http(s) URL' },
      { slot: 'ip_allowlist', message: 'entry 3: must be an IP address' },
      { slot: 'caps.0', message: 'duplicate' },
      { slot: 'caps', message: 'entry 4 limit: x' },
      { message: 'whole body' },
    ]);
  });
});

describe('console offer form', () => {
  it('prefills from the API and sends back the same offer (without ids and timestamps)', () => {
    const form = offerToForm(offer);
    expect(form.goals[0]!.payout).toEqual({ type: 'percent', amount: '10' });
    expect(form.fraud.blocked_sub_ids).toBe('bad-1\nbad-2');
    const { body } = formToOffer(form);
    const {
      id: _id,
      created_at: _c,
      updated_at: _u,
      caps,
      ...rest
    } = offer as unknown as Record<string, unknown> & { caps: Record<string, unknown>[] };
    expect(body).toEqual({ ...rest, caps: caps.map(({ id: _capId, ...cap }) => cap) });
  });

  it('sends numbers as numbers, leaves empty optional fields out and passes text it cannot read to the API as typed', () => {
    const form = newOffer('adv_1');
    form.attribution_window_hours = '48';
    form.fraud.max_seconds_to_convert = 'soon';
    form.goals[0]!.payout.amount = '5,00';
    const { body } = formToOffer(form);
    expect(body!.attribution_window_hours).toBe(48);
    expect(body!.fraud!.max_seconds_to_convert).toBe('soon');
    expect(body!.goals[0]!.payout.amount).toBe('5,00');
    expect(JSON.parse(JSON.stringify(body!.fraud))).toEqual({ max_seconds_to_convert: 'soon', action: 'reject' });
    expect(JSON.parse(JSON.stringify(body!.goals[0]))).not.toHaveProperty('hold_hours');
  });

  it('names the overrides field when its JSON does not parse, and never sends the advertiser in a PATCH', () => {
    const form = offerToForm(offer);
    expect(formToOfferPatch(form).body).not.toHaveProperty('advertiser_id');
    form.affiliate_overrides = '[{';
    expect(formToOffer(form).errors).toEqual({ affiliate_overrides: expect.stringMatching(/^is not valid JSON/) });
  });
});

describe('console offer form: trafficback', () => {
  it('holds each target as a type with its value, and sends only the value of the chosen type', () => {
    const form = offerToForm(offer);
    expect(form.trafficback.target).toEqual({ type: 'url', offer_id: '', url: 'https://fallback.example/?c={click_id}&why={reason}' });
    expect(form.trafficback.affiliates[0]).toEqual({ affiliate_id: 'aff_1', target: { type: 'offer', offer_id: 'off_2', url: '' } });
    expect(form.blocked_click_subs).toBe('spam-1\nspam-2');
    expect(form.duplicate_click_seconds).toBe('60');
    // Switching the type keeps what was typed for the other one, and sends only the chosen one.
    form.trafficback.target.type = 'blank';
    form.trafficback.affiliates.push({ ...newAffiliateTarget(), affiliate_id: 'aff_3' });
    expect(formToOffer(form).body!.trafficback).toEqual({
      target: { type: 'blank' },
      affiliates: [...offer.trafficback.affiliates, { affiliate_id: 'aff_3', target: { type: 'url', url: '' } }],
    });
    // "None" leaves the offer's target out: the global one applies.
    form.trafficback.target.type = '';
    expect(formToOffer(form).body!.trafficback).not.toHaveProperty('target');
  });

  it('reads the expiry in the browser zone and sends it back as the same instant; text that is no date goes as typed', () => {
    const local = toLocalInput('2026-06-30T22:00:00.000Z');
    expect(local).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    expect(fromLocalInput(local)).toBe('2026-06-30T22:00:00.000Z');
    expect(toLocalInput('2026-06-30T22:00:05.000Z')).toMatch(/:05$/);
    expect(toLocalInput(null)).toBe('');
    expect(fromLocalInput('  ')).toBeUndefined();
    expect(fromLocalInput('next week')).toBe('next week');
  });

  it('leaves empty trafficback fields out of a new offer', () => {
    const body = JSON.parse(JSON.stringify(formToOffer(newOffer('adv_1')).body));
    expect(body.trafficback).toEqual({ affiliates: [] });
    expect(body).not.toHaveProperty('expires_at');
    expect(body).not.toHaveProperty('blocked_click_subs');
    expect(body).not.toHaveProperty('duplicate_click_seconds');
  });

  it('PATCHes only the fields changed since the read, and an emptied one as the API’s unset', () => {
    const saved = offerToForm(offer);
    expect(formToOfferPatch(saved, saved).body).toEqual({});
    const form = offerToForm(offer);
    form.name = 'Acme sale 2';
    form.expires_at = '';
    form.blocked_click_subs = '';
    form.duplicate_click_seconds = '';
    form.trafficback.affiliates = [];
    expect(formToOfferPatch(form, saved).body).toEqual({
      name: 'Acme sale 2',
      expires_at: null,
      blocked_click_subs: [],
      duplicate_click_seconds: null,
      trafficback: { target: offer.trafficback.target, affiliates: [] },
    });
    // Without what was read, every field goes (never the advertiser).
    expect(Object.keys(formToOfferPatch(form).body!)).toEqual(
      expect.arrayContaining(['goals', 'caps', 'fraud', 'trafficback', 'expires_at']),
    );
  });
});

describe('console: what a save changed', () => {
  it('lists changed values by API path, entry by entry in lists of objects, and ignores timestamps', () => {
    const after = {
      ...offer,
      updated_at: '2026-02-01T00:00:00.000Z',
      goals: [{ ...offer.goals[0]!, payout: { type: 'percent', amount: '12' } }],
      caps: [],
      fraud: { ...offer.fraud, blocked_sub_ids: ['bad-1'] },
    };
    expect(changes(offer, after)).toEqual([
      { path: 'goals.0.payout.amount', before: '10', after: '12' },
      { path: 'caps.0', before: 'present', after: 'removed' },
      { path: 'fraud.blocked_sub_ids', before: 'bad-1, bad-2', after: 'bad-1' },
    ]);
    expect(changes(offer, { ...offer })).toEqual([]);
    // A nested object set where there was none (an offer's own trafficback target) reads value by value.
    const before = { ...offer, trafficback: { affiliates: [] } };
    expect(changes(before, offer)).toEqual([
      { path: 'trafficback.affiliates.0', before: '(none)', after: 'added' },
      { path: 'trafficback.affiliates.1', before: '(none)', after: 'added' },
      { path: 'trafficback.target.type', before: '(none)', after: 'url' },
      { path: 'trafficback.target.url', before: '(none)', after: 'https://fallback.example/?c={click_id}&why={reason}' },
    ]);
    expect(changes(offer, before)).toContainEqual({ path: 'trafficback.target.type', before: 'url', after: '(none)' });
  });
});

describe('console: links partners paste', () => {
  it('builds the tracking link with sub placeholders and the postback URL with or without the token', () => {
    expect(trackingLink('http://h:3000', 'off_1', 'aff_1', 2)).toBe(
      'http://h:3000/click?offer_id=off_1&aff_id=aff_1&sub1={sub1}&sub2={sub2}',
    );
    expect(postbackUrlTemplate('http://h', 'pt_a+b')).toBe(
      'http://h/postback?click_id={click_id}&txid={txid}&amount={amount}&token=pt_a%2Bb',
    );
    expect(postbackUrlTemplate('http://h')).toMatch(/&token=\{token\}$/);
  });
});

describe('console MMP integration form', () => {
  const integration = {
    id: 'mmp_1',
    offer_id: 'off_1',
    vendor: 'appsflyer',
    token_prefix: 'mmp_abcdef',
    install_goal: 'install',
    events: [{ event: 'af_purchase', goal: 'purchase' }],
    kind_goals: { reinstall: 'install' },
    post_install_window_hours: null,
    link_base: 'https://app.appsflyer.com/id1?pid=net_int',
    ip_allowlist: ['45.92.116.0/22'],
    active: true,
    templates: { tracking_link: '', postbacks: [], instructions: '' },
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  } as MmpIntegration;

  it('creates with only what was filled in, every mapping row as typed (a row without a goal goes, for the API to name)', () => {
    const form = newMmpForm('install');
    expect(formToMmpCreate(form)).toEqual({ vendor: 'appsflyer', install_goal: 'install', events: [], kind_goals: {} });
    const filled = {
      ...form,
      vendor: 'branch' as const,
      events: [
        { event: 'PURCHASE', goal: 'purchase' },
        { event: 'LEVEL', goal: '' },
      ],
      kind_goals: { reattribution: '', reinstall: 'install', reengagement: '' },
      post_install_window_hours: ' 48 ',
      link_base: ' https://app.app.link/x ',
      ip_allowlist: '203.0.113.0/24\n\n198.51.100.1',
      vendor_ip_ranges: true, // Branch publishes none: not sent
    };
    expect(formToMmpCreate(filled)).toEqual({
      vendor: 'branch',
      install_goal: 'install',
      events: [
        { event: 'PURCHASE', goal: 'purchase' },
        { event: 'LEVEL', goal: '' },
      ],
      kind_goals: { reinstall: 'install' },
      post_install_window_hours: 48,
      link_base: 'https://app.app.link/x',
      ip_allowlist: ['203.0.113.0/24', '198.51.100.1'],
    });
    expect(formToMmpCreate({ ...filled, vendor: 'adjust' }).vendor_ip_ranges).toBe(true);
    // Not a number: sent as typed, so the API names the field.
    expect(formToMmpCreate({ ...form, post_install_window_hours: 'two days' }).post_install_window_hours).toBe('two days');
  });

  it('patches only what changed since the read, an emptied window or link as null', () => {
    const saved = mmpToForm(integration);
    expect(saved).toMatchObject({
      kind_goals: { reattribution: '', reinstall: 'install', reengagement: '' },
      ip_allowlist: '45.92.116.0/22',
    });
    expect(formToMmpPatch(saved, saved)).toEqual({});
    const edited = {
      ...saved,
      events: [...saved.events, { event: 'af_level', goal: 'install' }],
      post_install_window_hours: '168',
      link_base: '',
    };
    expect(formToMmpPatch(edited, saved)).toEqual({
      events: [
        { event: 'af_purchase', goal: 'purchase' },
        { event: 'af_level', goal: 'install' },
      ],
      post_install_window_hours: 168,
      link_base: null,
    });
    expect(formToMmpPatch({ ...saved, kind_goals: { ...saved.kind_goals, reinstall: '' }, active: false }, saved)).toEqual({
      kind_goals: {},
      active: false,
    });
    expect(formToMmpPatch({ ...edited, post_install_window_hours: '' }, { ...saved, post_install_window_hours: '24' })).toMatchObject({
      post_install_window_hours: null,
    });
  });

  it("puts the token back into Adjust's link read later, from the offer URL saved when it was created", () => {
    const token = 'mmp_abcdefGHIJ-_0123456789abcdefghijkl';
    const input = { vendor: 'adjust' as const, origin: 'https://pf.example', linkBase: 'https://app.adjust.com/abc123', events: ['ev1'] };
    const created = mmpTemplates({ ...input, token }).tracking_link;
    const later = mmpTemplates({ ...input, token: TOKEN_PLACEHOLDER });
    expect(hasTokenPlaceholder(later.tracking_link)).toBe(true);
    expect(hasTokenPlaceholder(later.postbacks[0]!.url)).toBe(true);
    expect(hasTokenPlaceholder(created)).toBe(false);
    expect(withToken(later.tracking_link, token)).toBe(created);
    expect(withToken(later.postbacks[0]!.url, token)).toBe(mmpTemplates({ ...input, token }).postbacks[0]!.url);

    expect(tokenInOfferUrl(created, 'adjust', token.slice(0, 10))).toBe(token);
    expect(tokenInOfferUrl(created, 'adjust', 'mmp_other1')).toBeUndefined();
    expect(tokenInOfferUrl(created, 'appsflyer', token.slice(0, 10))).toBeUndefined();
    expect(tokenInOfferUrl('https://shop.example/?c={click_id}', 'adjust', 'mmp_')).toBeUndefined();
    // A new mapping's link, with the token of the link the offer already has.
    const remapped = mmpTemplates({ ...input, events: ['ev1', 'ev2'], token: TOKEN_PLACEHOLDER }).tracking_link;
    expect(withToken(remapped, tokenInOfferUrl(created, 'adjust', token.slice(0, 10))!)).toBe(
      mmpTemplates({ ...input, events: ['ev1', 'ev2'], token }).tracking_link,
    );
  });
});
