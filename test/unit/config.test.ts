import { ConfigError, loadConfig } from '../../config';

describe('loadConfig', () => {
  it('gives development defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      nodeEnv: 'development',
      api: { port: 3000 },
      mongo: { url: 'mongodb://127.0.0.1:27017/postflow' },
      temporal: { address: 'localhost:7233', namespace: 'default', taskQueue: 'postflow' },
      embedded: { dataDir: '.postflow' },
    });
  });

  it('keeps events 90 days unless EVENTS_RETENTION_DAYS says otherwise (fractions allowed)', () => {
    expect(loadConfig({}).events.retentionMs).toBe(90 * 24 * 3600 * 1000);
    expect(loadConfig({ EVENTS_RETENTION_DAYS: '0.5' }).events.retentionMs).toBe(12 * 3600 * 1000);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).api.port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['MONGO_URL', 'postgres://x'],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233'],
    ['LOG_LEVEL', 'loud'],
    ['EVENTS_RETENTION_DAYS', '0'],
  ])('names %s in the error when it is %p', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration: ${name} `));
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', TEMPORAL_ADDRESS: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(' ')[0]).sort()).toEqual(['PORT', 'TEMPORAL_ADDRESS']);
    }
  });

  it('requires ADMIN_API_KEY in production and never echoes a secret value', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_API_KEY is required when NODE_ENV=production/);
    expect(() => loadConfig({ ADMIN_API_KEY: 'short-secret' })).toThrow(/ADMIN_API_KEY must be at least 16 characters/);
    expect(() => loadConfig({ ADMIN_API_KEY: 'short-secret' })).not.toThrow(/short-secret/);
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_API_KEY: 'k'.repeat(32) }).api.adminApiKey).toBe('k'.repeat(32));
  });

  it('parses each value once, into the typed sections the system reads', () => {
    const config = loadConfig({
      DELIVERY_SCHEDULE: '0s, 5s,2m',
      DELIVERY_ALLOWED_NETWORKS: ' 127.0.0.0/8 ,::1/128',
      REVERSAL_WINDOW_DAYS: '30',
      WORKER_METRICS_ADDRESS: 'off',
      RATE_LIMIT_PER_IP: '7',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
    });
    expect(config.delivery).toEqual({
      scheduleMs: [0, 5_000, 120_000],
      timeoutMs: 10_000,
      allowedNetworks: ['127.0.0.0/8', '::1/128'],
      pauseAfterFailures: 5,
      pauseMs: 60_000,
    });
    expect(config.lifecycle.reversalWindowHours).toBe(720);
    expect(config.worker).toEqual({
      maxCachedWorkflows: 500,
      workflowBundle: 'dist/workflow-bundle.js',
      metricsAddress: undefined,
      healthAddress: '0.0.0.0:9465',
      maxConcurrentWorkflowTasks: 8,
      maxConcurrentActivities: 100,
      maxConcurrentLocalActivities: 100,
    });
    expect(config.api.rateLimits).toEqual({ perIp: 7, perAdvertiser: 1000 });
  });

  it.each([
    ['DELIVERY_SCHEDULE', '0s,soon'],
    ['DELIVERY_ALLOWED_NETWORKS', '127.0.0.0/33'],
    ['WORKER_METRICS_ADDRESS', 'localhost:9464'],
    // The SDK needs two: one for the sticky queue, one for the normal one.
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1'],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', '0'],
  ])('names %s when its parser refuses %p', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration: ${name} `));
    expect(() => loadConfig({ [name]: value })).toThrow(`(got "${value}")`);
  });
});
