import { filterSchema, matchesFilter, type Filter } from '../../subscriptions/filter';
import { selectsType, typeMatches, typePatternSchema, unknownPatterns } from '../../subscriptions/event-types';
import { fieldsSchema, selectFields } from '../../subscriptions/fields';

const data = {
  conversion_id: 'cv_1',
  offer_id: 'off_1',
  affiliate_id: 'aff_1',
  goal: 'sale',
  status: 'approved',
  payout: '12.50',
  payout_minor: 1250,
  test: false,
  txid: null,
  subs: { sub1: 'campaign-a' },
};

/** Parses like the API does at save, then matches. */
const match = (filter: unknown) => matchesFilter(filterSchema.parse(filter), data);

describe('filter operators, each both ways', () => {
  it.each<[string, unknown, unknown]>([
    ['shorthand equality', { offer_id: 'off_1' }, { offer_id: 'off_2' }],
    ['eq', { status: { eq: 'approved' } }, { status: { eq: 'reversed' } }],
    ['eq on a boolean', { test: false }, { test: true }],
    ['eq null', { txid: null }, { txid: 'x' }],
    ['eq of a number and a decimal string', { payout: 12.5 }, { payout: 12.51 }],
    ['ne', { status: { ne: 'reversed' } }, { status: { ne: 'approved' } }],
    ['ne on a missing field (matches, as MongoDB)', { nothing: { ne: 'x' } }, { goal: { ne: 'sale' } }],
    ['in', { status: { in: ['approved', 'reversed'] } }, { status: { in: ['declined', 'reversed'] } }],
    ['in with numbers against a decimal string', { payout: { in: [1, 12.5] } }, { payout: { in: [1, 2] } }],
    ['nin', { status: { nin: ['declined', 'rejected'] } }, { status: { nin: ['approved'] } }],
    ['nin on a missing field', { nothing: { nin: ['x'] } }, { goal: { nin: ['sale', 'lead'] } }],
    ['gt', { payout: { gt: 12 } }, { payout: { gt: 12.5 } }],
    ['gte', { payout: { gte: 12.5 } }, { payout: { gte: 12.51 } }],
    ['lt', { payout: { lt: 13 } }, { payout: { lt: 12.5 } }],
    ['lte', { payout: { lte: 12.5 } }, { payout: { lte: 12.49 } }],
    ['a range (operators ANDed)', { payout: { gte: 5, lt: 100 } }, { payout: { gte: 5, lt: 10 } }],
    ['a decimal-string bound', { payout_minor: { gt: '1249.99' } }, { payout_minor: { gt: '1250' } }],
    ['exists: true', { txid: { exists: true } }, { click_id: { exists: true } }],
    ['exists: false', { click_id: { exists: false } }, { goal: { exists: false } }],
    ['dotted path', { 'subs.sub1': 'campaign-a' }, { 'subs.sub1': 'campaign-b' }],
    ['keys ANDed', { offer_id: 'off_1', status: 'approved' }, { offer_id: 'off_1', status: 'reversed' }],
    ['all', { all: [{ offer_id: 'off_1' }, { payout: { gt: 10 } }] }, { all: [{ offer_id: 'off_1' }, { payout: { gt: 20 } }] }],
    ['any', { any: [{ offer_id: 'off_9' }, { goal: 'sale' }] }, { any: [{ offer_id: 'off_9' }, { goal: 'lead' }] }],
    [
      'nested any inside all',
      { all: [{ any: [{ status: 'approved' }, { status: 'reversed' }] }, { affiliate_id: 'aff_1' }] },
      { all: [{ any: [{ status: 'declined' }, { status: 'reversed' }] }, { affiliate_id: 'aff_1' }] },
    ],
  ])('%s', (_name, matching, notMatching) => {
    expect(match(matching)).toBe(true);
    expect(match(notMatching)).toBe(false);
  });

  it('the empty filter matches every event', () => {
    expect(match({})).toBe(true);
  });

  it('range operators never match a value that is not a number', () => {
    expect(match({ status: { gt: 0 } })).toBe(false);
    expect(match({ status: { lt: 1e9 } })).toBe(false);
    expect(match({ nothing: { gte: 0 } })).toBe(false);
  });

  it('a string operand does not equal a number field (no loose equality)', () => {
    expect(match({ payout_minor: '1250' })).toBe(false);
    expect(match({ payout_minor: 1250 })).toBe(true);
  });

  it('a path through a non-object is missing, not an error', () => {
    expect(match({ 'status.deeper': { exists: false } })).toBe(true);
    expect(match({ 'offer_id.x': 'off_1' })).toBe(false);
  });
});

describe('filter validation at save', () => {
  const issues = (filter: unknown) => {
    const result = filterSchema.safeParse(filter);
    if (result.success) throw new Error(`expected ${JSON.stringify(filter)} to be refused`);
    return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it.each<[string, unknown, string]>([
    ['an unknown operator', { payout: { gtt: 5 } }, 'payout'],
    ['an empty operator object', { payout: {} }, 'payout'],
    ['a range bound that is not a number', { payout: { gt: 'five' } }, 'payout.gt'],
    ['an in list that is empty', { status: { in: [] } }, 'status.in'],
    ['an object inside an in list', { status: { in: [{ a: 1 }] } }, 'status.in.0'],
    ['exists that is not a boolean', { txid: { exists: 'yes' } }, 'txid.exists'],
    ['a field path with capitals', { OfferId: 'x' }, 'OfferId'],
    ['a list as a value', { status: ['approved'] }, 'status'],
    ['any that is not a list', { any: { status: 'approved' } }, 'any'],
    [
      'a bad operator deep inside any/all',
      { all: [{ offer_id: 'off_1' }, { any: [{ payout: { between: [1, 2] } }] }] },
      'all.1.any.0.payout',
    ],
    ['all nested too deep', { all: [{ all: [{ all: [{ all: [{ all: [{ a: 1 }] }] }] }] }] }, 'all.0.all.0.all.0.all.0.all'],
  ])('refuses %s, naming the path', (_name, filter, path) => {
    expect(issues(filter).map((i) => i.path)).toContain(path);
  });

  it('refuses a filter that is not an object', () => {
    expect(filterSchema.safeParse(['a']).success).toBe(false);
    expect(filterSchema.safeParse('status=approved').success).toBe(false);
  });

  it('refuses more than 50 conditions', () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, i]));
    expect(issues(many)[0]!.message).toMatch(/at most 50/);
  });

  it('accepts the documented examples unchanged', () => {
    const filter: Filter = { offer_id: 'off_1', status: { in: ['approved', 'reversed'] }, payout: { gte: 5, lt: 100 } };
    expect(filterSchema.parse(filter)).toEqual(filter);
  });
});

describe('event-type patterns', () => {
  const optIn = new Set(['click.created']);

  it.each<[string, string, boolean]>([
    ['conversion.created', 'conversion.created', true],
    ['conversion.created', 'conversion.reversed', false],
    ['conversion.*', 'conversion.status_changed', true],
    ['conversion.*', 'delivery.succeeded', false],
    ['conversion.*', 'conversionx.created', false],
    ['*', 'offer.cap_reached', true],
    ['*', 'click.created', false],
    ['click.*', 'click.created', true],
    ['click.created', 'click.created', true],
  ])('%s selects %s: %s', (pattern, type, expected) => {
    expect(typeMatches(pattern, type, optIn)).toBe(expected);
  });

  it('a list selects a type when any pattern does', () => {
    expect(selectsType(['offer.*', 'conversion.created'], 'conversion.created')).toBe(true);
    expect(selectsType(['offer.*', 'conversion.created'], 'conversion.reversed')).toBe(false);
  });

  it('names the patterns that select nothing in the catalogue', () => {
    const catalogue = ['conversion.created', 'conversion.reversed', 'offer.cap_reached'];
    expect(unknownPatterns(['*', 'conversion.*', 'offer.cap_reached', 'conversion.creatd', 'nothing.*'], catalogue)).toEqual([
      'conversion.creatd',
      'nothing.*',
    ]);
  });

  it.each(['*', 'conversion.*', 'conversion.status_changed'])('accepts %s', (p) =>
    expect(typePatternSchema.safeParse(p).success).toBe(true),
  );
  it.each(['conversion*', '*.created', 'Conversion.created', 'conversion..x', ''])('refuses %j', (p) =>
    expect(typePatternSchema.safeParse(p).success).toBe(false),
  );
});

describe('field selection', () => {
  it('keeps only the selected paths, nesting kept', () => {
    expect(selectFields(data, ['offer_id', 'subs.sub1', 'missing', 'status.x'])).toEqual({
      offer_id: 'off_1',
      subs: { sub1: 'campaign-a' },
    });
  });

  it('sends everything without a selection', () => {
    expect(selectFields(data, undefined)).toBe(data);
  });

  it('never writes into the event data', () => {
    const event = { subs: { sub1: 'a', sub2: 'b' } };
    const out = selectFields(event, ['subs', 'subs.sub1']);
    (out.subs as Record<string, unknown>).sub2 = 'changed';
    expect(event.subs.sub2).toBe('b');
  });

  it('validates paths', () => {
    expect(fieldsSchema.safeParse(['payout', 'subs.sub1']).success).toBe(true);
    expect(fieldsSchema.safeParse(['Payout']).success).toBe(false);
    expect(fieldsSchema.safeParse([]).success).toBe(false);
  });
});
