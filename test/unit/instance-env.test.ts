import { loadConfig } from '../../config';
import { instanceEnv, withDatabase } from '../../system/instance-env';

const base = { database: 'it_1', taskQueue: 'test-it_1', adminKey: 'k'.repeat(20), temporalAddress: '127.0.0.1:7233' };

describe('instanceEnv: one isolated postflow on shared servers', () => {
  it('puts the database into any MongoDB URL, keeping credentials, hosts and options', () => {
    // The e2e processes once appended "/<name>" to the URL, which broke on a URL that named a database.
    expect(withDatabase('mongodb://127.0.0.1:27017', 'x')).toBe('mongodb://127.0.0.1:27017/x');
    expect(withDatabase('mongodb://u:p@a:1,b:2/other?replicaSet=rs0', 'x')).toBe('mongodb://u:p@a:1,b:2/x?replicaSet=rs0');
    expect(instanceEnv({ ...base, mongoUrl: 'mongodb://h:27017/postflow?w=majority' }).MONGO_URL).toBe('mongodb://h:27017/it_1?w=majority');
  });

  it('is what loadConfig reads: unset settings take their defaults from config/index.ts', () => {
    const env = instanceEnv({
      ...base,
      mongoUrl: 'mongodb://h:27017',
      port: 4321,
      settings: { NODE_ENV: 'test', TRUST_PROXY_HOPS: undefined },
    });
    expect(env).not.toHaveProperty('TRUST_PROXY_HOPS');
    const config = loadConfig(env);
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 4321, adminApiKey: base.adminKey, trustProxyHops: 0 });
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', taskQueue: 'test-it_1', namespace: 'default' });
  });
});
