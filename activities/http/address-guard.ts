import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF protection for outbound postbacks: affiliates choose the URLs, so a postback must not
 * reach loopback, the private network, cloud metadata (169.254.169.254) and the like.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** Parses an address; an IPv4-mapped IPv6 address (::ffff:10.0.0.1) becomes its IPv4. */
function parseAddress(ip: string): Address | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  const address = ipaddr.parse(ip);
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) {
    // ipaddr.js reads "::8.8.8.8" as ::ffff:8.8.8.8, but it is the IPv4-compatible ::808:808
    // (RFC 4291 §2.5.5.1), which is how Node prints such an AAAA answer. A mapped address
    // always spells out its ffff.
    if (!/ffff/i.test(ip)) return new ipaddr.IPv6([0, 0, 0, 0, 0, 0, address.parts[6] ?? 0, address.parts[7] ?? 0]);
    return address.toIPv4Address();
  }
  return address;
}

// ::/96 holds the deprecated IPv4-compatible addresses (::127.0.0.1); ipaddr.js calls them
// 'unicast', but they embed an IPv4 address and are never a legitimate public destination.
const IPV4_COMPATIBLE: Range = [ipaddr.IPv6.parse('::'), 96];

/**
 * Only global unicast counts: loopback, private, link-local, unique-local, CGNAT, multicast,
 * unspecified, broadcast, reserved/documentation, 6to4, Teredo, NAT64 and every other special
 * range ipaddr.js knows are refused, as is anything that does not parse.
 */
export function isPublicAddress(ip: string): boolean {
  const address = parseAddress(ip);
  if (address === undefined || address.range() !== 'unicast') return false;
  return !(address instanceof ipaddr.IPv6 && address.match(IPV4_COMPATIBLE));
}

function parseRange(entry: string): Range {
  if (ipaddr.isValidCIDR(entry)) {
    const [address, bits] = ipaddr.parseCIDR(entry);
    // ::ffff:127.0.0.0/104 means 127.0.0.0/8: addresses are compared after the same mapping.
    if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) return [address.toIPv4Address(), bits - 96];
    return [address, bits];
  }
  // ipaddr.js also reads "127.1" and "2130706433" as IPv4; an allowlist entry must be explicit.
  const address = ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry) ? parseAddress(entry) : undefined;
  if (address !== undefined) return [address, address.kind() === 'ipv4' ? 32 : 128];
  throw new Error(
    `invalid address allowlist entry ${JSON.stringify(entry)}: expected an IP address or a CIDR such as 127.0.0.0/8 or ::1/128`,
  );
}

function inRanges(address: Address, ranges: readonly Range[]): boolean {
  // ipaddr.js throws when matching an IPv4 address against an IPv6 range, so compare kinds first.
  return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

function allowedBy(ip: string, ranges: readonly Range[]): boolean {
  if (isPublicAddress(ip)) return true;
  const address = parseAddress(ip);
  return address !== undefined && inRanges(address, ranges);
}

/**
 * Comma-separated CIDRs or addresses ("127.0.0.0/8,::1") → trimmed entries; empty entries are
 * skipped, a malformed one throws naming it. Unset or blank means no exceptions.
 */
export function parseAllowlist(spec: string | undefined): string[] {
  if (spec === undefined) return [];
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) parseRange(entry);
  return entries;
}

/** Public, or inside one of the allowlisted ranges (tests allow 127.0.0.0/8; a malformed entry throws). */
export function addressAllowed(ip: string, allowlist: string[]): boolean {
  return allowedBy(ip, allowlist.map(parseRange));
}

export class AddressNotAllowedError extends Error {
  readonly code = 'EADDRNOTALLOWED';

  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`postback host ${hostname} resolves to ${address}, which is not a public address and not in the allowlist`);
    this.name = 'AddressNotAllowedError';
  }
}

/**
 * A `dns.lookup` replacement for undici's `connect: { lookup }` (net/tls.connect): it resolves
 * every address, refuses them all with EADDRNOTALLOWED if any one is not allowed, and otherwise
 * answers in the shape the caller asked for (one address, or all with `options.all`). The check
 * applies to the very addresses the socket connects to, so DNS rebinding between a check and the
 * connect is impossible.
 *
 * Caveat: Node's net.connect does not call `lookup` for an IP-literal host
 * (http://127.0.0.1/), so the caller must check a literal host with `addressAllowed` itself.
 */
export function guardedLookup(allowlist: string[]): LookupFunction {
  const ranges = allowlist.map(parseRange); // a bad entry fails at construction, not mid-delivery
  return (hostname: string, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '');
      const refused = addresses.find(({ address }) => !allowedBy(address, ranges));
      if (refused !== undefined) return callback(new AddressNotAllowedError(hostname, refused.address), '');
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      return callback(null, first.address, first.family);
    });
  };
}
