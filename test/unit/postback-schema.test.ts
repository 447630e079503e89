import { postbackSchema } from '../../api/schemas/postback';

const issuesOf = (input: unknown) => {
  const parsed = postbackSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('postbackSchema', () => {
  it('accepts a minimal postback and normalises values', () => {
    expect(postbackSchema.parse({ click_id: ' abc ', currency: 'eur', amount: 12.5, extra: 'ignored' })).toEqual({
      click_id: 'abc',
      currency: 'EUR',
      amount: '12.5',
    });
  });

  it.each([
    [{}, /^click_id: is required/],
    [{ click_id: '' }, /^click_id: must not be empty/],
    [{ click_id: ['a', 'b'] }, /^click_id: must be given once, not repeated/],
    [{ click_id: { $gt: '' } }, /^click_id: /],
    [{ click_id: 'a', amount: '-1' }, /^amount: must be a non-negative decimal/],
    [{ click_id: 'a', amount: '1.2.3' }, /^amount: /],
    [{ click_id: 'a', currency: 'US' }, /^currency: must be a three-letter ISO 4217 code/],
    [{ click_id: 'a', status: 'paid' }, /^status: must be one of approved, pending, declined, reversed/],
  ])('refuses %p naming the field', (input, message) => {
    const issues = issuesOf(input);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(message);
  });

  // The fraud rules read the ip as domain/ip.ts does; a form they cannot read would be compared
  // as text and never match the click's address.
  it.each(['2130706433', '127.1', '0x7f.0.0.1', '::ffff:127.1'])('refuses the IPv4 shorthand ip=%j', (ip) => {
    expect(issuesOf({ click_id: 'a', ip })).toEqual(['ip: must be an IPv4 or IPv6 address']);
  });

  it.each(['203.0.113.7', ' 203.0.113.7 ', '010.0.0.1', '::ffff:203.0.113.7', '2001:db8::1', 'fe80::1%eth0'])('accepts ip=%j', (ip) => {
    expect(issuesOf({ click_id: 'a', ip })).toEqual([]);
  });
});
