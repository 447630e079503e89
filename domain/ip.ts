import ipaddr from 'ipaddr.js';

/**
 * The one reading of IP addresses and networks, for the fraud rules, the advertiser IP allowlist
 * and the SSRF guard of outbound postbacks (DELIVERY_ALLOWED_NETWORKS). Pure (ipaddr.js is plain
 * JavaScript), so workflow code may import it.
 *
 * One address, one reading, wherever it is checked:
 * - surrounding whitespace, [brackets] and an IPv6 zone id (%eth0) are ignored;
 * - IPv4 is four decimal parts only; leading zeros are decimal (010.0.0.1 is 10.0.0.1, as
 *   fixed-width logs pad it). ipaddr.js reads them as octal and also accepts "127.1", hex and
 *   integer forms, which no advertiser or proxy means and which would slip past a check;
 * - IPv4-mapped IPv6 (::ffff:1.2.3.4, ::ffff:102:304) is that IPv4 address; the deprecated
 *   IPv4-compatible ::1.2.3.4 is not (ipaddr.js reads it as mapped: RFC 4291 §2.5.5.1 says otherwise).
 */

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
/** An address and its prefix length (32 or 128 for a single address). */
export type IpNetwork = readonly [IpAddress, number];

const dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** An IPv6 address that ends in a dotted quad (::ffff:1.2.3.4): the quad and what precedes it. */
const embeddedQuad = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/;

function cleaned(raw: string): string {
  return raw
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '');
}

function parseIpv4(text: string): ipaddr.IPv4 | undefined {
  const parts = dottedQuad.exec(text)?.slice(1).map(Number);
  if (parts === undefined || parts.some((octet) => octet > 255)) return undefined;
  return new ipaddr.IPv4(parts);
}

/** IPv6 as written, IPv4-mapped addresses still IPv6 (a network's prefix length depends on it). */
function parseIpv6(text: string): ipaddr.IPv6 | undefined {
  let hex = text;
  if (text.includes('.')) {
    // The quad becomes two hex groups, so it is read by the IPv4 rules above, not ipaddr.js's.
    const match = embeddedQuad.exec(text);
    const quad = match?.[2] === undefined ? undefined : parseIpv4(match[2]);
    if (match?.[1] === undefined || quad === undefined) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = quad.octets;
    hex = `${match[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(hex) ? ipaddr.IPv6.parse(hex) : undefined;
}

function unmapped(address: IpAddress): IpAddress {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

function parseWritten(text: string): IpAddress | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** The address, or undefined when the text is not one by the rules above. */
export function parseIp(raw: string): IpAddress | undefined {
  const address = parseWritten(cleaned(raw));
  return address && unmapped(address);
}

export function isIp(raw: string): boolean {
  return parseIp(raw) !== undefined;
}

/**
 * One spelling per address, for comparing, counting and showing: IPv4 dotted decimal, IPv6 in
 * the RFC 5952 form people and Node's sockets write ("2001:db8::1"). Text that is no address is
 * compared as itself, trimmed and lower-cased.
 */
export function normaliseIp(raw: string): string {
  const address = parseIp(raw);
  if (address === undefined) return cleaned(raw).toLowerCase();
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

/** "203.0.113.0/24", "2001:db8::/32", or a single address; undefined when it is neither. */
function readNetwork(entry: string): IpNetwork | undefined {
  const [text = '', bitsText, ...rest] = entry.trim().split('/');
  if (rest.length > 0 || (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText))) return undefined;
  const address = parseWritten(cleaned(text));
  if (address === undefined) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) return undefined;
  // ::ffff:127.0.0.0/104 is 127.0.0.0/8: addresses are compared after the same mapping.
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) return [address.toIPv4Address(), bits - 96];
  return [address, bits];
}

export function isNetwork(entry: string): boolean {
  return readNetwork(entry) !== undefined;
}

/** The network an allowlist entry names; throws naming the entry when it names none. */
export function parseNetwork(entry: string): IpNetwork {
  const network = readNetwork(entry);
  if (network !== undefined) return network;
  throw new Error(
    `invalid address allowlist entry ${JSON.stringify(entry)}: expected an IP address or a CIDR such as 127.0.0.0/8 or ::1/128`,
  );
}

/**
 * Comma-separated CIDRs or addresses ("127.0.0.0/8,::1") → trimmed entries; empty entries are
 * skipped, a malformed one throws naming it. Unset or blank means none (DELIVERY_ALLOWED_NETWORKS).
 */
export function parseNetworkList(spec: string | undefined): string[] {
  if (spec === undefined) return [];
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) parseNetwork(entry);
  return entries;
}

export function inNetworks(ip: string | IpAddress, networks: readonly IpNetwork[]): boolean {
  const address = typeof ip === 'string' ? parseIp(ip) : ip;
  // ipaddr.js throws when matching an IPv4 address against an IPv6 range, so compare kinds first.
  return address !== undefined && networks.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

/**
 * Whether an allowlist (addresses and CIDRs, as stored) admits the address. An entry that does
 * not read (stored before the rules above were the only ones) admits nothing.
 */
export function allowlistAdmits(entries: readonly string[], ip: string): boolean {
  const networks = entries.map(readNetwork).filter((network) => network !== undefined);
  return inNetworks(ip, networks);
}

// ::/96 holds the deprecated IPv4-compatible addresses (::127.0.0.1); ipaddr.js calls them
// 'unicast', but they embed an IPv4 address and are never a legitimate public destination.
const IPV4_COMPATIBLE: IpNetwork = [ipaddr.IPv6.parse('::'), 96];

/**
 * Only global unicast counts: loopback, private, link-local, unique-local, CGNAT, multicast,
 * unspecified, broadcast, reserved/documentation, 6to4, Teredo, NAT64 and every other special
 * range ipaddr.js knows are refused, as is anything that does not parse.
 */
export function isPublicAddress(ip: string): boolean {
  const address = parseIp(ip);
  if (address === undefined || address.range() !== 'unicast') return false;
  return !inNetworks(address, [IPV4_COMPATIBLE]);
}
