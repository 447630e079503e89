import type { Config } from '../../config';

/**
 * Worker i's (from 0) metrics and health addresses under `npm start`: the configured ones (or
 * their defaults) with the port moved up by 2i, so several workers on one machine never race for
 * a port and the defaults interleave (worker 1: 9464 and 9465, worker 2: 9466 and 9467). `off`
 * stays off; port 0 (any free port) stays 0.
 */
export function workerProcessAddresses(worker: Pick<Config['worker'], 'metricsAddress' | 'healthAddress'>, i: number) {
  const shift = (address: string | undefined) => {
    if (!address) return 'off';
    const at = address.lastIndexOf(':');
    const port = Number(address.slice(at + 1));
    return port === 0 ? address : `${address.slice(0, at)}:${port + 2 * i}`;
  };
  return { metrics: shift(worker.metricsAddress), health: shift(worker.healthAddress) };
}

/** A listen address as a local URL's host: the wildcard addresses are reached on loopback. */
export function localUrlHost(address: string): string {
  return address.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
}
