import { localUrlHost, workerProcessAddresses } from '../../scripts/infra/process-addresses';

describe('npm start: the addresses of worker i', () => {
  const defaults = { metricsAddress: '0.0.0.0:9464', healthAddress: '0.0.0.0:9465' };

  it('interleave from the configured ports, so no two workers share one', () => {
    const all = [0, 1, 2].map((i) => workerProcessAddresses(defaults, i));
    expect(all).toEqual([
      { metrics: '0.0.0.0:9464', health: '0.0.0.0:9465' },
      { metrics: '0.0.0.0:9466', health: '0.0.0.0:9467' },
      { metrics: '0.0.0.0:9468', health: '0.0.0.0:9469' },
    ]);
    expect(new Set(all.flatMap((a) => [a.metrics, a.health])).size).toBe(6);
  });

  it('keep off as off, port 0 as any free port, and IPv6 brackets', () => {
    expect(workerProcessAddresses({ metricsAddress: undefined, healthAddress: '127.0.0.1:0' }, 3)).toEqual({
      metrics: 'off',
      health: '127.0.0.1:0',
    });
    expect(workerProcessAddresses({ metricsAddress: '[::]:9000', healthAddress: '[::1]:9001' }, 1)).toEqual({
      metrics: '[::]:9002',
      health: '[::1]:9003',
    });
  });

  it('are reached on loopback when they listen on every interface', () => {
    expect(localUrlHost('0.0.0.0:9465')).toBe('127.0.0.1:9465');
    expect(localUrlHost('[::]:9465')).toBe('[::1]:9465');
    expect(localUrlHost('10.0.0.5:9465')).toBe('10.0.0.5:9465');
  });
});
