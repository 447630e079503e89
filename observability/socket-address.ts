import ipaddr from 'ipaddr.js';

/**
 * A listen address as the Temporal SDK's exporter takes it: `ip:port` or `[ipv6]:port` (an IP,
 * not a host name). `off` means no exporter. Throws with what is wrong.
 */
export function parseSocketAddress(spec: string): string | undefined {
  if (spec.trim().toLowerCase() === 'off') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(spec.trim());
  if (!match) throw new Error(`"${spec}" is not ip:port`);
  const host = match[1] ?? match[2]!;
  if (!ipaddr.isValid(host)) throw new Error(`"${host}" is not an IP address`);
  if (match[1] !== undefined && ipaddr.parse(host).kind() !== 'ipv6') throw new Error(`"[${host}]" brackets are for IPv6 addresses`);
  if (match[2] !== undefined && ipaddr.parse(host).kind() !== 'ipv4') throw new Error('write an IPv6 address in brackets, e.g. [::]:9464');
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`port ${port} is out of range`);
  return spec.trim();
}
