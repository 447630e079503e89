import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type Koa from 'koa';
import type { Connection as MongoConnection } from 'mongoose';
import type { DeliverySettings } from '../../activities/deps';
import { createApp } from '../../api/app';
import { createModels, ensureIndexes, type Models } from '../../models';
import { connectMongo } from '../../models/connect';
import { createWorkers, type Workers } from '../../worker/worker';
import { testEnv } from './test-env';

export interface TestStack {
  /** Unique per test file: its own database and task queue, so files run in parallel. */
  name: string;
  taskQueue: string;
  mongo: MongoConnection;
  models: Models;
  client: Client;
  /** The conversion and delivery workers (their connection serves tests that add a worker). */
  workers: Workers;
  app: Koa;
  stop(): Promise<void>;
}

let runtimeInstalled = false;
/** The SDK's INFO lines (worker state changes) drown test output; warnings and errors stay. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** The real system in-process: app (never listening), worker on its own task queue, real servers. */
/** Delivery settings for tests: a schedule of milliseconds, loopback receivers allowed. */
export const TEST_DELIVERY: DeliverySettings = {
  scheduleMs: [0, 200, 400, 800],
  timeoutMs: 1_000,
  allowedNetworks: ['127.0.0.0/8', '::1/128'],
  pauseAfterFailures: 1_000, // the breaker stays out of the way unless a test turns it on
  pauseMs: 500,
};

export interface TestStackOptions {
  delivery?: Partial<DeliverySettings>;
  /** Default: the run's dev server. The timer tests pass their time-skipping server. */
  temporalAddress?: string;
  /** The activities' clock; default the wall clock. */
  now?: () => Date;
}

export async function startTestStack(prefix: string, opts: TestStackOptions = {}): Promise<TestStack> {
  installQuietRuntime();
  const temporalAddress = opts.temporalAddress ?? testEnv('temporalAddress');
  const name = uniqueName(prefix);
  const taskQueue = `test-${name}`;
  const mongo = await connectMongo(testEnv('mongoUrl'), { dbName: name });
  const models = createModels(mongo);
  await ensureIndexes(models);

  const client = new Client({
    connection: await Connection.connect({ address: temporalAddress }),
    namespace: 'default',
  });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { models, now: opts.now ?? (() => new Date()), delivery: { ...TEST_DELIVERY, ...opts.delivery } },
    workflowBundle: { codePath: testEnv('workflowBundle') },
  });
  const running = workers.run();
  // Unexpected (5xx) errors are printed, so a failing test shows why.
  const app = createApp({
    temporal: client,
    mongo,
    models,
    taskQueue,
    adminApiKey: TEST_ADMIN_KEY,
    trustProxyHops: 1,
    log: (line) => process.stderr.write(`${line}\n`),
  });

  return {
    name,
    taskQueue,
    mongo,
    models,
    client,
    workers,
    app,
    async stop() {
      workers.shutdown();
      await running;
      await nativeConnection.close();
      await client.connection.close();
      await mongo.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
