import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { type LookupFunction } from 'node:net';
import { inNetworks, isPublicAddress, parseNetwork, type IpNetwork } from '../../domain/ip';

/**
 * SSRF protection for outbound postbacks: affiliates choose the URLs, so a postback must not
 * reach loopback, the private network, cloud metadata (169.254.169.254) and the like.
 */

function allowedBy(ip: string, networks: readonly IpNetwork[]): boolean {
  return isPublicAddress(ip) || inNetworks(ip, networks);
}

/** Public, or inside one of the allowlisted ranges (tests allow 127.0.0.0/8; a malformed entry throws). */
export function addressAllowed(ip: string, allowlist: string[]): boolean {
  return allowedBy(ip, allowlist.map(parseNetwork));
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
  const ranges = allowlist.map(parseNetwork); // a bad entry fails at construction, not mid-delivery
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
