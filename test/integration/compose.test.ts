import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { allSearchAttributeKeys } from '../../temporal/search-attributes';

/**
 * docker-compose.yml as Docker Compose v2 itself reads it (`docker compose config`: parsed,
 * interpolated, validated against the Compose specification). No Docker engine runs here, so
 * what is checked is the file: both profiles load, each brings up what the README says, and
 * nothing postflow's code also declares (search attributes, health endpoints) has drifted.
 */
const script = path.join(__dirname, '..', 'compose', 'docker-compose.sh');
const env = { ...process.env, ADMIN_API_KEY: 'compose-test-admin-key-0123' };

interface Service {
  profiles?: string[];
  image?: string;
  command?: string[] | null;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  ports?: { target: number; published: string }[];
}

function config(profile: string): Record<string, Service> {
  const out = execFileSync(script, ['--profile', profile, 'config', '--format', 'json'], { env, encoding: 'utf8', timeout: 300_000 });
  return (JSON.parse(out) as { services: Record<string, Service> }).services;
}

const keys = allSearchAttributeKeys.map((k) => k.name).sort();
const commandText = (s: Service) => (s.command ?? []).join(' ');

describe('docker-compose.yml', () => {
  it('the dev profile: the dev server, one MongoDB, one API and one worker, each with a health check', () => {
    const services = config('dev');
    expect(Object.keys(services).sort()).toEqual(['api', 'mongo', 'temporal', 'temporal-data-init', 'worker']);
    const registered = commandText(services.temporal!)
      .match(/Postflow\w+(?==Keyword)/g)!
      .sort();
    expect(registered).toEqual(keys);
    expect(services.api!.healthcheck!.test.join(' ')).toContain('/readyz');
    expect(services.worker!.healthcheck!.test.join(' ')).toContain('127.0.0.1:9465/readyz');
    expect(services.api!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', NODE_ENV: 'production' });
  }, 300_000);

  it('the production profile: four Temporal services on PostgreSQL, a three-member replica set, API and worker replicas', () => {
    const services = config('production');
    const names = Object.keys(services);
    // Nothing of the dev profile comes along.
    expect(names).not.toEqual(expect.arrayContaining(['temporal']));
    expect(names.filter((n) => ['api', 'worker', 'mongo', 'temporal'].includes(n))).toEqual([]);

    const temporal = names.filter((n) => services[n]!.image === 'temporalio/server:1.29.1');
    expect(temporal.map((n) => services[n]!.environment!.SERVICES).sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
    for (const n of temporal) {
      expect(services[n]!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
      expect(services[n]!.depends_on).toHaveProperty('temporal-schema.condition', 'service_completed_successfully');
    }
    // The schema is Temporal's own, set up by its admin tools for both databases.
    const schema = commandText(services['temporal-schema']!);
    expect(schema).toContain('temporal-sql-tool --plugin postgres12');
    // (config prints the file's own $$ escapes: the shell sees $dir)
    expect(schema).toContain('update-schema -d "/etc/temporal/schema/postgresql/v12/$$dir/versioned"');
    expect(schema).toContain('for db in temporal temporal_visibility');
    const namespace = commandText(services['temporal-namespace']!);
    expect(namespace.match(/Postflow\w+/g)!.sort()).toEqual(keys);
    expect(namespace).toContain('--retention "30d"');
    expect(services['temporal-ui']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal-frontend:7233' });

    expect(names.filter((n) => services[n]!.image === 'mongo:7').sort()).toEqual(['mongo1', 'mongo2', 'mongo3']);
    expect(services.mongo1!.healthcheck!.test.join(' ')).toMatch(/mongo1:27017.*mongo2:27017.*mongo3:27017/);

    for (const [name, readyz] of [
      ['postflow-api', '/readyz'],
      ['postflow-worker', '127.0.0.1:9465/readyz'],
    ] as const) {
      const s = services[name]!;
      expect({ name, replicas: s.deploy?.replicas }).toEqual({ name, replicas: 2 });
      expect(s.healthcheck!.test.join(' ')).toContain(readyz);
      expect(s.environment).toMatchObject({
        MONGO_URL: 'mongodb://mongo1:27017,mongo2:27017,mongo3:27017/postflow?replicaSet=rs0',
        TEMPORAL_ADDRESS: 'temporal-frontend:7233',
      });
    }
    expect(services['postflow-api']!.environment).toMatchObject({ TRUST_PROXY_HOPS: '1' });
    expect(services['load-balancer']!.depends_on).toHaveProperty('postflow-api.condition', 'service_healthy');
    expect(services['load-balancer']!.ports).toEqual([expect.objectContaining({ target: 80, published: '3000' })]);
  }, 300_000);

  it('replicas and retention follow the environment; without ADMIN_API_KEY it refuses, naming it', () => {
    const scaled = JSON.parse(
      execFileSync(script, ['--profile', 'production', 'config', '--format', 'json'], {
        env: { ...env, API_REPLICAS: '4', WORKER_REPLICAS: '3', TEMPORAL_RETENTION: '7d' },
        encoding: 'utf8',
      }),
    ) as { services: Record<string, Service> };
    expect(scaled.services['postflow-api']!.deploy!.replicas).toBe(4);
    expect(scaled.services['postflow-worker']!.deploy!.replicas).toBe(3);
    expect(commandText(scaled.services['temporal-namespace']!)).toContain('--retention "7d"');

    const { ADMIN_API_KEY: _omitted, ...withoutKey } = env;
    const refused = spawnSync(script, ['--profile', 'dev', 'config', '-q'], { env: withoutKey, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('set ADMIN_API_KEY');
  }, 300_000);
});
