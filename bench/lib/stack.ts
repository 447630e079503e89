import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type Koa from 'koa';
import type { Connection as MongoConnection } from 'mongoose';
import type { DeliverySettings } from '../../activities/deps';
import { createApp } from '../../api/app';
import type { RateLimitSettings } from '../../api/rate-limit';
import { defaultDeliverySchedule, parseSchedule } from '../../domain/retry-schedule';
import { createModels, ensureIndexes, type Models } from '../../models';
import { connectMongo } from '../../models/connect';
import { provisionInfrastructure, type Infrastructure } from '../../scripts/infra/provision';
import { ensureSearchAttributes } from '../../temporal/ensure-search-attributes';
import { createWorkers, type Workers } from '../../worker/worker';
import { log } from './log';

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port: never a fixed one, never beyond this machine. */
export function listen(app: Koa): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const port = (server.address() as AddressInfo).port;
      const close = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections(); // the load generator's keep-alive sockets would hold close() open
        });
      resolve({ server, port, close });
    });
  });
}

/**
 * The worker's delivery settings: the production defaults (config/index.ts: the Standard Webhooks
 * schedule, a 10 s timeout, the breaker after 5 failures for 60 s), except that loopback is
 * allowed, since the benchmark's affiliate receiver listens on 127.0.0.1.
 */
export const BENCH_DELIVERY: DeliverySettings = {
  scheduleMs: parseSchedule(defaultDeliverySchedule),
  timeoutMs: 10_000,
  allowedNetworks: ['127.0.0.0/8', '::1/128'],
  pauseAfterFailures: 5,
  pauseMs: 60_000,
};

/** Rate limits on, per IP and per advertiser, but never reached by the benchmarks' load. */
export const BENCH_RATE_LIMITS: RateLimitSettings = { perIp: 1_000_000, perAdvertiser: 1_000_000 };

export interface BenchStack {
  infra: Infrastructure;
  mongo: MongoConnection;
  models: Models;
  client: Client;
  taskQueue: string;
  adminKey: string;
  api: Listening;
  baseUrl: string;
  /** 5xx and other errors the app logged: counted, not printed, so a failing run stays readable. */
  appErrors: { count: number; first: string[] };
  stop(): Promise<void>;
}

export interface BenchInfra {
  infra: Infrastructure;
  /** Temporary directory for the servers' logs (kept with POSTFLOW_KEEP_BENCH_LOGS=1). */
  runDir: string;
  /** Run in reverse order by stop(); the infrastructure's own stop is the first entry. */
  cleanups: Array<() => Promise<unknown>>;
  stop(): Promise<void>;
}

/** The embedded (or TEMPORAL_ADDRESS / MONGO_URL) servers and a run directory for their logs. */
export async function startInfra(name: string): Promise<BenchInfra> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), `postflow-bench-${name}-`));
  const infra = await provisionInfrastructure({
    mode: 'test',
    dataDir: runDir,
    env: process.env,
    namespace: 'default',
    sinkFor: (component) => ({ file: path.join(runDir, `${component}.log`) }),
    log,
  });
  const cleanups: Array<() => Promise<unknown>> = [async () => infra.stop()];
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    if (!process.env.POSTFLOW_KEEP_BENCH_LOGS) rmSync(runDir, { recursive: true, force: true });
    else log(`server logs kept in ${runDir}`);
  };
  return { infra, runDir, cleanups, stop };
}

/**
 * The real system in one process, as test/support/stack.ts builds it, but listening on a port:
 * the embedded (or TEMPORAL_ADDRESS / MONGO_URL) servers, a fresh database and task queue, and
 * optionally an in-process worker so workflows drain.
 */
export async function startBenchStack(opts: { name: string; worker: boolean; delivery?: DeliverySettings }): Promise<BenchStack> {
  const started = Date.now();
  const { infra, cleanups, stop } = await startInfra(opts.name);
  try {
    const name = `bench_${opts.name}_${randomBytes(4).toString('hex')}`;
    const taskQueue = `bench-${name}`;
    const connection = await Connection.connect({ address: infra.temporalAddress });
    cleanups.push(() => connection.close());
    await ensureSearchAttributes(connection, 'default'); // only does something for an external TEMPORAL_ADDRESS
    const client = new Client({ connection, namespace: 'default' });

    const mongo = await connectMongo(infra.mongoUrl, { dbName: name });
    cleanups.push(async () => {
      await mongo.dropDatabase().catch(() => undefined);
      await mongo.close();
    });
    const models = createModels(mongo);
    await ensureIndexes(models);

    if (opts.worker) await startWorker(infra.temporalAddress, taskQueue, models, opts.delivery ?? BENCH_DELIVERY, cleanups);

    const adminKey = randomBytes(24).toString('hex');
    const appErrors = { count: 0, first: [] as string[] };
    const app = createApp({
      temporal: client,
      mongo,
      models,
      taskQueue,
      adminApiKey: adminKey,
      // All load comes from 127.0.0.1 and one advertiser, far above the production defaults
      // (config/index.ts). The limiters still run on every request, so their cost is measured,
      // but at this height they never refuse one.
      rateLimits: BENCH_RATE_LIMITS,
      trustProxyHops: 1, // the load generator stands in for a load balancer (X-Forwarded-For)
      log: (line) => {
        appErrors.count += 1;
        if (appErrors.first.length < 5) appErrors.first.push(line.slice(0, 500));
      },
    });
    const api = await listen(app);
    cleanups.push(() => api.close());
    log(`stack ready in ${Date.now() - started} ms: api http://127.0.0.1:${api.port}`);
    for (const line of infra.summary) log(`  ${line}`);
    return {
      infra,
      mongo,
      models,
      client,
      taskQueue,
      adminKey,
      api,
      baseUrl: `http://127.0.0.1:${api.port}`,
      appErrors,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startWorker(
  address: string,
  taskQueue: string,
  models: Models,
  delivery: DeliverySettings,
  cleanups: Array<() => Promise<unknown>>,
): Promise<Workers> {
  // The SDK's INFO lines (worker state changes) would interleave with the progress lines.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quiet = (m: string) => log(`[bundle] ${m}`);
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: quiet,
      error: quiet,
    },
  });
  const nativeConnection = await NativeConnection.connect({ address });
  cleanups.push(() => nativeConnection.close());
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { models, now: () => new Date(), delivery },
    workflowBundle: bundle,
  });
  const running = workers.run();
  // A worker that dies mid-run would otherwise only show up as a drain that never finishes.
  running.catch((err: unknown) => log(`worker stopped with an error: ${String(err)}`));
  cleanups.push(async () => {
    workers.shutdown();
    await running;
  });
  return workers;
}
