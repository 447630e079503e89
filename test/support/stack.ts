import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type Koa from 'koa';
import type { Connection as MongoConnection } from 'mongoose';
import { loadConfig, type Config } from '../../config';
import type { Models } from '../../models';
import { instanceEnv } from '../../system/instance-env';
import { startSystem } from '../../system/start';
import type { Workers } from '../../worker/worker';
import { testEnv } from './test-env';

/** Variables as the environment spells them; undefined unsets one (its default from config/index.ts applies). */
export type Settings = Record<string, string | undefined>;

export interface TestStack {
  /** Unique per test file: its own database and task queue, so files run in parallel. */
  name: string;
  taskQueue: string;
  /** What the app and workers were built with: TEST_SETTINGS and the file's own, through loadConfig. */
  config: Config;
  /** This stack's configuration with more settings, for a test that builds its own app. */
  configWith(settings: Settings): Config;
  mongo: MongoConnection;
  models: Models;
  client: Client;
  /** The conversion and delivery workers (their connection serves tests that add a worker). */
  workers: Workers;
  app: Koa;
  stop(): Promise<void>;
}

let runtimeInstalled = false;
const runtimeLogTaps = new Set<(entry: LogEntry) => void>();

/** Every line the workers log through the SDK runtime from now on (activities' INFO lines too), until the returned stop is called. */
export function tapWorkerLog(tap: (entry: LogEntry) => void): () => void {
  runtimeLogTaps.add(tap);
  return () => runtimeLogTaps.delete(tap);
}

/** The SDK's INFO lines (worker state changes) drown test output; warnings and errors stay. Taps see every line. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const printed = new DefaultLogger('WARN');
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      for (const tap of runtimeLogTaps) tap(entry);
      printed.log(entry.level, entry.message, entry.meta);
    }),
  });
}

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * What tests change from the production defaults: deliveries on a schedule of milliseconds
 * (attempts at once, then 200, 400 and 800 ms later) with loopback receivers allowed, the
 * breaker out of the way unless a test turns it on, no rate limits, and the test client's
 * X-Forwarded-For believed (it stands in for a load balancer).
 */
export const TEST_SETTINGS: Settings = {
  NODE_ENV: 'test',
  DELIVERY_SCHEDULE: '0ms,200ms,400ms,800ms',
  DELIVERY_TIMEOUT_MS: '1000',
  DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
  DELIVERY_PAUSE_AFTER_FAILURES: '1000',
  DELIVERY_PAUSE_MS: '500',
  RATE_LIMIT_PER_IP: '0',
  RATE_LIMIT_PER_ADVERTISER: '0',
  TRUST_PROXY_HOPS: '1',
};

/**
 * The deployment's delivery defaults (config/index.ts), with loopback receivers still allowed:
 * for the tests of the schedule and the breaker at their real lengths (time-skipping.ts).
 */
export const PRODUCTION_DELIVERY: Settings = {
  DELIVERY_SCHEDULE: undefined,
  DELIVERY_TIMEOUT_MS: undefined,
  DELIVERY_PAUSE_AFTER_FAILURES: undefined,
  DELIVERY_PAUSE_MS: undefined,
};

export interface TestStackOptions {
  /** The file's own settings over TEST_SETTINGS. */
  settings?: Settings;
  /** Default: the run's dev server. The timer tests pass their time-skipping server. */
  temporalAddress?: string;
  /** The activities' clock; default the wall clock. */
  now?: () => Date;
  /** Creates the Temporal Schedules as the worker process does (retention/schedule.ts); off by default. */
  schedules?: boolean;
}

/** The real system in-process: app (never listening), worker on its own task queue, real servers. */
export async function startTestStack(prefix: string, opts: TestStackOptions = {}): Promise<TestStack> {
  installQuietRuntime();
  const name = uniqueName(prefix);
  const taskQueue = `test-${name}`;
  const configWith = (more: Settings) =>
    loadConfig(
      instanceEnv({
        database: name,
        taskQueue,
        adminKey: TEST_ADMIN_KEY,
        mongoUrl: testEnv('mongoUrl'),
        temporalAddress: opts.temporalAddress ?? testEnv('temporalAddress'),
        settings: { ...TEST_SETTINGS, ...opts.settings, ...more },
      }),
    );
  const config = configWith({});
  const system = await startSystem(config, {
    workers: { workflowBundle: { codePath: testEnv('workflowBundle') }, now: opts.now },
    schedules: opts.schedules,
    // Unexpected (5xx) errors are printed, so a failing test shows why.
    app: { log: (line: string) => process.stderr.write(`${line}\n`) },
    dropDatabaseOnStop: true,
  });
  const { mongo, models, client, workers, app, stop } = system;
  return { name, taskQueue, config, configWith, mongo, models, client, workers, app, stop };
}
