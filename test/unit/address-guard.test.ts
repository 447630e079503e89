import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { addressAllowed, guardedLookup } from '../../activities/http/address-guard';
import { isPublicAddress, parseNetworkList } from '../../domain/ip';

const testAllowlist = parseNetworkList('127.0.0.0/8,::1/128');

describe('isPublicAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above CGNAT
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above 172.16/12
    '2606:4700:4700::1111',
    '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8', // IPv4-mapped: judged as 8.8.8.8
  ])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with zone'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'documentation'],
    ['2002:7f00:1::1', '6to4'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated), which ipaddr.js misreads as mapped'],
    ['::808:808', 'IPv4-compatible (deprecated)'],
    ['2130706433', 'loopback written as a number'],
    ['0x7f.1', 'loopback in hex shorthand'],
    ['not-an-ip', 'garbage'],
    ['', 'empty'],
    ['localhost', 'a host name'],
  ])('%s (%s) is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('addressAllowed', () => {
  it('allows public addresses with or without an allowlist', () => {
    expect(addressAllowed('8.8.8.8', [])).toBe(true);
    expect(addressAllowed('2606:4700:4700::1111', testAllowlist)).toBe(true);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::ffff:127.0.0.1', true],
    ['::1', true],
    ['10.0.0.1', false],
    ['169.254.169.254', false],
    ['::2', false],
    ['fe80::1', false],
    ['::127.0.0.1', false], // IPv4-compatible, not IPv4: an IPv6 address outside both ranges
  ])('with 127.0.0.0/8,::1/128: %s → %p', (ip, allowed) => {
    expect(addressAllowed(ip, testAllowlist)).toBe(allowed);
    expect(addressAllowed(ip, [])).toBe(false);
  });

  it('matches single addresses and IPv4-mapped CIDRs', () => {
    expect(addressAllowed('10.1.2.3', ['10.1.2.3'])).toBe(true);
    expect(addressAllowed('10.1.2.4', ['10.1.2.3'])).toBe(false);
    expect(addressAllowed('10.1.2.4', ['::ffff:10.1.2.0/120'])).toBe(true);
    expect(addressAllowed('::ffff:10.1.2.4', ['10.1.2.0/24'])).toBe(true);
    expect(addressAllowed('fd00::5', ['fd00::/8'])).toBe(true);
  });

  it('throws on a malformed allowlist entry', () => {
    expect(() => addressAllowed('10.0.0.1', ['10.0.0.0/33'])).toThrow('"10.0.0.0/33"');
  });
});

describe('parseNetworkList (DELIVERY_ALLOWED_NETWORKS)', () => {
  it('splits, trims and skips empty entries', () => {
    expect(parseNetworkList(' 127.0.0.0/8 , ::1/128,,10.0.0.1,fd00::/8, ')).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.1', 'fd00::/8']);
  });

  it('is empty when unset or blank', () => {
    expect(parseNetworkList(undefined)).toEqual([]);
    expect(parseNetworkList('')).toEqual([]);
    expect(parseNetworkList(' , ')).toEqual([]);
  });

  it.each(['10.0.0.0/33', '::1/129', 'localhost', '127.1', '2130706433', '10.0.0.0/', '10.0.0.0/8/8', '300.1.1.1', '*'])(
    'refuses %j, naming it',
    (bad) => {
      expect(() => parseNetworkList(`127.0.0.0/8,${bad}`)).toThrow(`invalid address allowlist entry ${JSON.stringify(bad)}`);
    },
  );
});

type LookupResult = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function callLookup(allowlist: string[], hostname: string, options: { all?: boolean; family?: number }): Promise<LookupResult> {
  return new Promise((resolve) => guardedLookup(allowlist)(hostname, options, (err, address, family) => resolve({ err, address, family })));
}

describe('guardedLookup', () => {
  let localhostAddresses: LookupAddress[];

  beforeAll(async () => {
    localhostAddresses = await new Promise((resolve, reject) =>
      dnsLookup('localhost', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
    );
  });

  it('refuses localhost without an allowlist, naming host and address', async () => {
    const { err } = await callLookup([], 'localhost', { all: true });
    expect(err?.code).toBe('EADDRNOTALLOWED');
    expect(err?.message).toContain('localhost');
    expect(err?.message).toContain(localhostAddresses[0]!.address);
  });

  it('refuses localhost when only part of its addresses are allowlisted', async () => {
    // 127.0.0.1 allowed but not ::1 (when localhost has both), or nothing matching at all.
    const { err } = await callLookup(['127.0.0.2/32'], 'localhost', {});
    expect(err?.code).toBe('EADDRNOTALLOWED');
  });

  it('answers all addresses when the caller asks for all (net.connect with autoSelectFamily)', async () => {
    const { err, address } = await callLookup(testAllowlist, 'localhost', { all: true });
    expect(err).toBeNull();
    expect(address).toEqual(localhostAddresses);
  });

  it('answers one address and its family otherwise', async () => {
    const { err, address, family } = await callLookup(testAllowlist, 'localhost', {});
    expect(err).toBeNull();
    expect(address).toBe(localhostAddresses[0]!.address);
    expect(family).toBe(localhostAddresses[0]!.family);
  });

  it("passes the caller's options on (family 4 gives IPv4 only)", async () => {
    const { err, address, family } = await callLookup(testAllowlist, 'localhost', { family: 4 });
    expect(err).toBeNull();
    expect(address).toMatch(/^127\./);
    expect(family).toBe(4);
  });

  it('refuses a malformed allowlist when built, not when used', () => {
    expect(() => guardedLookup(['nope'])).toThrow('"nope"');
  });

  describe("as undici's connect lookup", () => {
    let server: Server;
    let port: number;

    beforeAll(async () => {
      server = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    async function get(allowlist: string[], host = 'localhost') {
      const agent = new Agent({ connect: { lookup: guardedLookup(allowlist) } });
      try {
        const res = await request(`http://${host}:${port}/`, { dispatcher: agent });
        return { status: res.statusCode, body: await res.body.text() };
      } finally {
        await agent.close();
      }
    }

    it('never connects to localhost without an allowlist', async () => {
      await expect(get([])).rejects.toMatchObject({ code: 'EADDRNOTALLOWED' });
    });

    it('connects with 127.0.0.0/8,::1/128 allowlisted', async () => {
      await expect(get(testAllowlist)).resolves.toEqual({ status: 200, body: 'ok' });
    });

    it('is never consulted for an IP-literal host, so callers must check literals with addressAllowed', async () => {
      // Node's net.connect skips lookup when the host is an IP address. If this starts to fail,
      // Node or undici began resolving literals through lookup, and the guard covers them too.
      const { address, family } = server.address() as AddressInfo;
      const literal = family === 'IPv6' ? `[${address}]` : address;
      await expect(get([], literal)).resolves.toEqual({ status: 200, body: 'ok' });
      expect(addressAllowed(address, [])).toBe(false);
    });
  });
});
