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

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).api.port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['MONGO_URL', 'postgres://x'],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233'],
    ['LOG_LEVEL', 'loud'],
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
});
