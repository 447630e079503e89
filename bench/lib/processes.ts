import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Connection as MongoConnection } from 'mongoose';
import type { Models } from '../../models';
import { freePort, spawnChild, type Child } from '../../scripts/infra/child';
import type { Infrastructure } from '../../scripts/infra/provision';
import { deliveryTaskQueue } from '../../temporal/task-queues';
import { ensureWorkflowBundle } from '../../scripts/workflow-bundle';
import { instanceEnv } from '../../system/instance-env';
import { openStore } from '../../system/store';
import { log } from './log';
import { BENCH_SETTINGS } from './stack';

const root = path.resolve(__dirname, '..', '..');

/** One server process of the system under test, started from its entry point as production starts it. */
export interface ServiceProcess {
  label: string;
  pid: number | undefined;
  logFile: string;
  /** SIGTERM (the entry points drain on it), SIGKILL after the grace period. */
  stop(): Promise<void>;
  /** What the process logged at warn or above, or printed outside its JSON log (a crash's stderr). */
  unexpectedOutput(): { count: number; first: string[] };
}

const QUIET_LEVELS = new Set(['trace', 'debug', 'info', 10, 20, 30]);

/** A JSON log line (observability/logger.ts) below warn, or a plain line matching `expected`. */
function isExpected(line: string, expected: RegExp): boolean {
  if (line.trim() === '') return true;
  try {
    const entry = JSON.parse(line) as { level?: string | number };
    return QUIET_LEVELS.has(entry.level as string);
  } catch {
    return expected.test(line);
  }
}

/**
 * Runs a TypeScript entry point in its own Node process with tsx's loader (`node --import tsx`,
 * one process, so its pid is the server's own), stdout and stderr to `logFile`. It gets our
 * environment plus `env`, and is killed if we die.
 */
export function startService(
  label: string,
  entry: string,
  env: Record<string, string>,
  logFile: string,
  expectedLines: RegExp,
): ServiceProcess {
  const child: Child = spawnChild(
    label,
    process.execPath,
    [...cpuProfileArgs(), '--import', 'tsx', path.resolve(root, entry)],
    { file: logFile },
    { cwd: root, env: { ...process.env, ...env } },
  );
  return {
    label,
    pid: child.process.pid,
    logFile,
    stop: () => child.stop(15_000),
    unexpectedOutput: () => {
      let lines: string[] = [];
      try {
        lines = readFileSync(logFile, 'utf8').split('\n');
      } catch {
        // never wrote anything
      }
      const odd = lines.filter((l) => !isExpected(l, expectedLines));
      return { count: odd.length, first: odd.slice(0, 3).map((l) => l.slice(0, 300)) };
    },
  };
}

/**
 * POSTFLOW_BENCH_CPU_PROFILE=<dir>: each server process writes a V8 CPU profile there when it stops
 * (Node refuses --cpu-prof in NODE_OPTIONS).
 */
function cpuProfileArgs(): string[] {
  const dir = process.env.POSTFLOW_BENCH_CPU_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** Resolves when `check` does, polling; rejects with the process's log when it exits or the deadline passes. */
export async function waitUntil(what: string, proc: ServiceProcess, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const exited = proc.pid === undefined || !isAlive(proc.pid);
    if (exited || Date.now() > deadline) {
      let tail = '';
      try {
        tail = readFileSync(proc.logFile, 'utf8').split('\n').slice(-15).join('\n');
      } catch {
        // no log yet
      }
      throw new Error(`${proc.label} ${exited ? 'exited' : `not ready within ${timeoutMs / 1000} s`} before ${what}; its output:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** At least one worker polls `taskQueue` for workflow tasks. */
export async function hasPollers(client: Client, taskQueue: string): Promise<boolean> {
  const answer = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
  });
  return (answer.pollers?.length ?? 0) > 0;
}

export interface PostflowProcesses {
  api: ServiceProcess;
  worker: ServiceProcess;
  baseUrl: string;
  port: number;
  adminKey: string;
  taskQueue: string;
  /** The bench's own connection to the run's database: setup (clicks) and the checks afterwards. */
  mongo: MongoConnection;
  models: Models;
  /** Stops both processes (API first, so nothing new starts), then drops the database. */
  stop(): Promise<void>;
}

// Plain-text lines that are not trouble: the SDK's default logger at INFO and below (the worker's
// workflow bundler prints its webpack summary that way), and the start/stop lines of older entry points.
const POSTFLOW_LINES = new RegExp(
  [
    String.raw`^(\S+ \[(INFO|DEBUG|TRACE)\] `,
    'api listening on ',
    String.raw`api: SIG\w+, draining`,
    'api stopped',
    'worker polling task queues ',
    'registered search attributes: ',
    'worker stopped)',
  ].join('|'),
);

interface InstanceSpec {
  infra: Infrastructure;
  name: string;
}

/**
 * The environment production runs with (NODE_ENV=production, the default LOG_LEVEL), configured
 * only through variables, for a fresh database and task queue on the shared servers. Delivery
 * settings are the production defaults except that loopback is allowed (the benchmark's receiver
 * listens on 127.0.0.1); the ingress rate limits run but are set far above the load
 * (BENCH_SETTINGS), since the load generator is one IP and one advertiser.
 */
async function productionEnv(opts: InstanceSpec, extra: Record<string, string> = {}) {
  const db = `bench_${opts.name}_${randomBytes(4).toString('hex')}`;
  const taskQueue = `bench-${db}`;
  const adminKey = randomBytes(24).toString('hex');
  const port = await freePort();
  const env = instanceEnv({
    database: db,
    taskQueue,
    adminKey,
    mongoUrl: opts.infra.mongoUrl,
    temporalAddress: opts.infra.temporalAddress,
    port,
    settings: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info', // the default: what production logs is part of the cost
      ...BENCH_SETTINGS,
      ...extra,
    },
  });
  return { db, taskQueue, adminKey, port, env, baseUrl: `http://127.0.0.1:${port}` };
}

export interface ApiProcess {
  api: ServiceProcess;
  baseUrl: string;
  port: number;
  adminKey: string;
  /** The bench's own connection to the run's database: the checks afterwards. */
  mongo: MongoConnection;
  models: Models;
  /** Stops the process, then drops the database. */
  stop(): Promise<void>;
}

/**
 * The API alone as `npm start` runs it (`api/server.ts` in its own process, production
 * environment): for benchmarks of what the API answers without a workflow behind it (GET /click).
 */
export async function startApiProcess(opts: InstanceSpec & { runDir: string }): Promise<ApiProcess> {
  const { db, adminKey, port, env, baseUrl } = await productionEnv(opts);
  const { connection: mongo, models } = await openStore(env.MONGO_URL!);
  let api: ServiceProcess | undefined;
  const stop = async () => {
    await api?.stop();
    await mongo.dropDatabase().catch(() => undefined);
    await mongo.close();
  };
  try {
    const t = Date.now();
    api = startService('postflow api', 'api/server.ts', env, path.join(opts.runDir, `${db}-api.log`), POSTFLOW_LINES);
    const started = api;
    await waitUntil('answering /readyz', started, async () => (await fetch(`${baseUrl}/readyz`)).status === 200);
    log(`postflow api (pid ${started.pid}) ready in ${Date.now() - t} ms: ${baseUrl}`);
    return { api: started, baseUrl, port, adminKey, mongo, models, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** postflow as production runs it: `api/server.ts` and `worker/main.ts` in two processes (see productionEnv). */
export async function startPostflowProcesses(opts: {
  infra: Infrastructure;
  runDir: string;
  name: string;
  client: Client;
  /** The worker's entry point; bench/worker-memory.ts swaps in one that bundles in-process, as the worker once did. */
  workerEntry?: string;
}): Promise<PostflowProcesses> {
  const workflowBundle = await prebuiltBundle();
  const { db, taskQueue, adminKey, port, env, baseUrl } = await productionEnv(opts, {
    // Served as in production, on a free port so runs (and other benchmarks) never race for 9464.
    WORKER_METRICS_ADDRESS: '127.0.0.1:0',
    WORKER_WORKFLOW_BUNDLE: workflowBundle,
  });
  const { connection: mongo, models } = await openStore(env.MONGO_URL!);
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop();
    await mongo.dropDatabase().catch(() => undefined); // the in-memory stand-in would otherwise keep every run's data
    await mongo.close();
  };
  try {
    const t = Date.now();
    // The worker first, so the first postback's workflow task finds a poller.
    const worker = startService(
      'postflow worker',
      opts.workerEntry ?? 'worker/main.ts',
      env,
      path.join(opts.runDir, `${db}-worker.log`),
      POSTFLOW_LINES,
    );
    started.push(worker);
    const api = startService('postflow api', 'api/server.ts', env, path.join(opts.runDir, `${db}-api.log`), POSTFLOW_LINES);
    started.push(api);
    await waitUntil(
      'polling',
      worker,
      async () => (await hasPollers(opts.client, taskQueue)) && hasPollers(opts.client, deliveryTaskQueue(taskQueue)),
    );
    await waitUntil('answering /readyz', api, async () => (await fetch(`${baseUrl}/readyz`)).status === 200);
    log(`postflow api (pid ${api.pid}) and worker (pid ${worker.pid}) ready in ${Date.now() - t} ms: ${baseUrl}, task queue ${taskQueue}`);
    return { api, worker, baseUrl, port, adminKey, taskQueue, mongo, models, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The bundle production runs (`npm run build:workflows`'s default path), built first if missing or stale. */
export async function prebuiltBundle(): Promise<string> {
  const codePath = path.join(root, 'dist', 'workflow-bundle.js');
  await ensureWorkflowBundle(codePath, { log: (line) => log(`workflow bundle: ${line}`), logger: quietBundler });
  return codePath;
}

const quietBundler = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => log(`bundler: ${message}`),
  error: (message: string) => log(`bundler: ${message}`),
};
