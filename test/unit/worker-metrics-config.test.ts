import { loadConfig } from '../../config';
import { parseSocketAddress } from '../../observability/socket-address';
import { conversionReasonLabel } from '../../observability/worker-metrics';

describe('WORKER_METRICS_ADDRESS', () => {
  it('takes ip:port, [ipv6]:port or off', () => {
    expect(parseSocketAddress('0.0.0.0:9464')).toBe('0.0.0.0:9464');
    expect(parseSocketAddress('[::]:9464')).toBe('[::]:9464');
    expect(parseSocketAddress('127.0.0.1:0')).toBe('127.0.0.1:0');
    expect(parseSocketAddress('off')).toBeUndefined();
  });

  it('refuses what the SDK exporter cannot bind, saying why', () => {
    expect(() => parseSocketAddress('localhost:9464')).toThrow('"localhost" is not an IP address');
    expect(() => parseSocketAddress('0.0.0.0')).toThrow('is not ip:port');
    expect(() => parseSocketAddress('::1:9464')).toThrow('is not ip:port');
    expect(() => parseSocketAddress('0.0.0.0:70000')).toThrow('out of range');
    expect(() => loadConfig({ WORKER_METRICS_ADDRESS: 'metrics.local:9464' })).toThrow(
      /WORKER_METRICS_ADDRESS must be ip:port such as 0\.0\.0\.0:9464, or off \("metrics\.local" is not an IP address\)/,
    );
  });

  it('defaults to 0.0.0.0:9464, and to any free port for test processes, which run in parallel', () => {
    expect(loadConfig({}).worker.metricsAddress).toBe('0.0.0.0:9464');
    expect(loadConfig({ NODE_ENV: 'test' }).worker.metricsAddress).toBe('127.0.0.1:0');
    expect(loadConfig({ NODE_ENV: 'test', WORKER_METRICS_ADDRESS: '127.0.0.1:9999' }).worker.metricsAddress).toBe('127.0.0.1:9999');
    expect(loadConfig({ WORKER_METRICS_ADDRESS: 'off' }).worker.metricsAddress).toBeUndefined();
  });
});

describe('the reason label of postflow_conversions_total', () => {
  it("is the system's first reason code, and who asked for any other change (their reasons are free text)", () => {
    expect(conversionReasonLabel('system', ['cap_reached'])).toBe('cap_reached');
    expect(conversionReasonLabel('system', ['too_fast', 'ip_mismatch'])).toBe('too_fast');
    expect(conversionReasonLabel('system', [])).toBe('none');
    expect(conversionReasonLabel('ops', ['chargeback after the customer called'])).toBe('ops_request');
    expect(conversionReasonLabel('advertiser', ['advertiser_postback'])).toBe('advertiser_request');
    expect(conversionReasonLabel('someone', ['x'])).toBe('other_request');
  });
});
