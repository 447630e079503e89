import { allowlistAdmits, isIp, isNetwork, normaliseIp, parseIp, parseNetwork } from '../../domain/ip';

describe('normaliseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['001.002.003.004', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::1.2.3.4', '::102:304'], // IPv4-compatible, deprecated: not the same host as 1.2.3.4
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952: the first of two equal zero runs is the one elided
  ])('%j → %j', (raw, normal) => {
    expect(normaliseIp(raw)).toBe(normal);
  });

  it.each(['1.2.3.256', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::1', 'not-an-ip', '', ':1', '1:2:3:4:5:6:7'])(
    'leaves unparseable %j as lower-case text',
    (raw) => {
      expect(normaliseIp(raw)).toBe(raw.toLowerCase());
    },
  );

  it('keeps different addresses different', () => {
    expect(normaliseIp('::ffff:1.2.3.4')).not.toBe(normaliseIp('::ffff:1.2.3.5'));
    expect(normaliseIp('2001:db8::1')).not.toBe(normaliseIp('2001:db8::1:0'));
  });
});

// The fraud rules, the advertiser allowlist and the SSRF guard each read addresses their own way
// before domain/ip.ts; each case below is one they disagreed on.
describe('one reading for every caller', () => {
  it('reads leading zeros as decimal, where ipaddr.js (advertiser allowlist, SSRF CIDRs) read octal', () => {
    expect(normaliseIp('010.000.000.001')).toBe('10.0.0.1');
    expect(allowlistAdmits(['010.0.0.1'], '10.0.0.1')).toBe(true);
    expect(allowlistAdmits(['010.0.0.1'], '8.0.0.1')).toBe(false);
    expect(parseNetwork('010.0.0.0/8')[0].toString()).toBe('10.0.0.0');
    expect(normaliseIp('::ffff:010.0.0.1')).toBe('10.0.0.1');
  });

  it.each(['127.1', '2130706433', '0x7f.0.0.1', '0177.0.0.1.', '::ffff:0x7f.0.0.1', '::ffff:127.1', '1.2.3.4.5'])(
    'refuses the shorthand %j that ipaddr.js accepted for the allowlist and the postback ip',
    (text) => {
      expect(isIp(text)).toBe(false);
      expect(isNetwork(text)).toBe(false);
      expect(isNetwork(`${text}/8`)).toBe(false);
      expect(allowlistAdmits([text], '127.0.0.1')).toBe(false);
    },
  );

  it('keeps the IPv4-compatible ::1.2.3.4 apart from 1.2.3.4 (the allowlist took it for mapped)', () => {
    expect(allowlistAdmits(['198.51.100.7'], '::198.51.100.7')).toBe(false);
    expect(allowlistAdmits(['198.51.100.0/24'], '::198.51.100.7')).toBe(false);
    expect(parseIp('::198.51.100.7')?.kind()).toBe('ipv6');
    expect(allowlistAdmits(['198.51.100.7'], '::ffff:198.51.100.7')).toBe(true);
  });

  it('reads an IPv4-mapped CIDR as the IPv4 network (the allowlist matched nothing with it)', () => {
    expect(allowlistAdmits(['::ffff:203.0.113.0/120'], '203.0.113.9')).toBe(true);
    expect(allowlistAdmits(['::ffff:203.0.113.0/120'], '::ffff:203.0.113.9')).toBe(true);
    expect(allowlistAdmits(['::ffff:203.0.113.0/120'], '203.0.114.9')).toBe(false);
    expect(allowlistAdmits(['::ffff:203.0.113.9'], '203.0.113.9')).toBe(true);
  });

  it('ignores zone ids, brackets and surrounding whitespace on both sides (the allowlist compared text)', () => {
    expect(allowlistAdmits(['fe80::1'], 'fe80::1%eth0')).toBe(true);
    expect(allowlistAdmits(['fe80::1%eth0'], 'fe80::1')).toBe(true);
    expect(allowlistAdmits(['fe80::/64'], '[fe80::1]')).toBe(true);
    expect(allowlistAdmits([' 203.0.113.0/24 '], ' 203.0.113.9 ')).toBe(true);
    expect(allowlistAdmits(['2001:db8::1'], '2001:DB8:0:0:0:0:0:1')).toBe(true);
  });

  it('admits nothing for an entry that does not read, instead of throwing', () => {
    expect(allowlistAdmits(['bogus', '10.0.0.0/33'], '10.0.0.1')).toBe(false);
    expect(allowlistAdmits(['bogus', '10.0.0.0/8'], '10.0.0.1')).toBe(true);
    expect(allowlistAdmits(['10.0.0.0/8'], 'not-an-ip')).toBe(false);
  });

  it.each([
    ['10.0.0.0/33', false],
    ['::1/129', false],
    ['1.2.3.4/', false],
    ['10.0.0.0/8/8', false],
    ['10.0.0.0/ 8', false],
    ['', false],
    ['*', false],
    ['10.0.0.1/8', true], // host bits set: the network is what is meant
    ['::ffff:10.0.0.0/104', true],
    ['::ffff:0:0/80', true],
    ['2001:db8::/32', true],
    ['2001:db8::1', true],
  ])('isNetwork(%j) → %p', (entry, ok) => {
    expect(isNetwork(entry)).toBe(ok);
  });
});
