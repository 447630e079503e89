import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import type Koa from 'koa';
import type { Connection as MongoConnection } from 'mongoose';
import { loadConfig, type Config } from '../../config';
import type { Models } from '../../models';
import { provisionInfrastructure, type Infrastructure } from '../../scripts/infra/provision';
import { instanceEnv } from '../../system/instance-env';
import { ensureSearchAttributes } from '../../temporal/ensure-search-attributes';
import { startSystem } from '../../system/start';
import { log } from './log';
import { withCommandMonitoring } from './mongo-commands';

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
 * What the benchmarks change from the production defaults (config/index.ts): loopback is allowed,
 * since the benchmark's affiliate receiver listens on 127.0.0.1, and the rate limits run on every
 * request (so their cost is measured) but far above the load, which comes from one IP and one
 * advertiser.
 */
export const BENCH_SETTINGS: Record<string, string> = {
  DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
  RATE_LIMIT_PER_IP: '1000000',
  RATE_LIMIT_PER_ADVERTISER: '1000000',
};

export interface BenchStack {
  infra: Infrastructure;
  config: Config;
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

/**
 * Where the embedded servers keep their data. `file` is what `npm start` runs (Temporal's SQLite
 * file, MongoDB's H2 file committed before each acknowledgement, EMBEDDED_MONGO_FSYNC as set),
 * the benchmarks' default; `memory` is what the tests run. TEMPORAL_ADDRESS / MONGO_URL override either.
 */
export type BenchStorage = 'file' | 'memory';

/** The `--storage` flag every benchmark of the whole system takes (bench/lib/args.ts). */
export const storageFlag = {
  type: 'string',
  default: 'file',
  help: "the embedded servers' storage: file (as npm start runs them) or memory (as the tests run them)",
} as const;

export function benchStorage(value: string): BenchStorage {
  if (value === 'file' || value === 'memory') return value;
  process.stderr.write(`--storage must be file or memory (got "${value}")\n`);
  process.exit(2);
}

export interface BenchInfra {
  infra: Infrastructure;
  storage: BenchStorage;
  /** Temporary directory for the servers' logs (kept with POSTFLOW_KEEP_BENCH_LOGS=1). */
  runDir: string;
  /** Run in reverse order by stop(); the infrastructure's own stop is the first entry. */
  cleanups: Array<() => Promise<unknown>>;
  stop(): Promise<void>;
}

/** The embedded (or TEMPORAL_ADDRESS / MONGO_URL) servers and a run directory for their logs (and files). */
export async function startInfra(name: string, storage: BenchStorage): Promise<BenchInfra> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), `postflow-bench-${name}-`));
  const infra = await provisionInfrastructure({
    mode: 'test',
    storage,
    mongoFsync: loadConfig(process.env).embedded.mongoFsync,
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
  return { infra, storage, runDir, cleanups, stop };
}

/**
 * A Temporal client on the run's server, for benchmarks whose system runs in processes of its own;
 * closed with the infrastructure. Registers postflow's search attributes on an external server
 * (the dev server is started with them).
 */
export async function benchClient(env: BenchInfra): Promise<Client> {
  const connection = await Connection.connect({ address: env.infra.temporalAddress });
  env.cleanups.push(() => connection.close());
  await ensureSearchAttributes(connection, 'default');
  return new Client({ connection, namespace: 'default' });
}

/**
 * The real system in one process, wired as test/support/stack.ts and the processes wire it
 * (system/start.ts), but listening on a port: the embedded (or TEMPORAL_ADDRESS / MONGO_URL)
 * servers, a fresh database and task queue, and optionally an in-process worker so workflows drain.
 */
export async function startBenchStack(opts: {
  name: string;
  worker: boolean;
  storage: BenchStorage;
  /** The driver's command monitoring on, for bench/lib/mongo-commands.ts (off: it costs a little per command). */
  monitorMongoCommands?: boolean;
}): Promise<BenchStack> {
  const started = Date.now();
  const { infra, cleanups, stop } = await startInfra(opts.name, opts.storage);
  try {
    const name = `bench_${opts.name}_${randomBytes(4).toString('hex')}`;
    const adminKey = randomBytes(24).toString('hex');
    const config = loadConfig(
      instanceEnv({
        database: name,
        taskQueue: `bench-${name}`,
        adminKey,
        mongoUrl: opts.monitorMongoCommands ? withCommandMonitoring(infra.mongoUrl) : infra.mongoUrl,
        temporalAddress: infra.temporalAddress,
        // The load generator stands in for a load balancer (X-Forwarded-For).
        settings: { ...BENCH_SETTINGS, TRUST_PROXY_HOPS: '1' },
      }),
    );
    const appErrors = { count: 0, first: [] as string[] };
    const system = await startSystem(config, {
      registerSearchAttributes: true, // only does something for an external TEMPORAL_ADDRESS
      workers: opts.worker ? { workflowBundle: await quietBundle() } : undefined,
      app: {
        log: (line: string) => {
          appErrors.count += 1;
          if (appErrors.first.length < 5) appErrors.first.push(line.slice(0, 500));
        },
      },
      dropDatabaseOnStop: true,
    });
    cleanups.push(() => system.stop());
    // A worker that dies mid-run would otherwise only show up as a drain that never finishes.
    system.workersStopped?.catch((err: unknown) => log(`worker stopped with an error: ${String(err)}`));
    const api = await listen(system.app);
    cleanups.push(() => api.close());
    log(`stack ready in ${Date.now() - started} ms: api http://127.0.0.1:${api.port}`);
    for (const line of infra.summary) log(`  ${line}`);
    return {
      infra,
      config,
      mongo: system.mongo,
      models: system.models,
      client: system.client,
      taskQueue: config.temporal.taskQueue,
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

/** The workflow bundle, with the SDK's and webpack's INFO lines kept out of the progress lines. */
async function quietBundle(): Promise<{ code: string }> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quiet = (m: string) => log(`[bundle] ${m}`);
  return bundleWorkflowCode({
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
}
