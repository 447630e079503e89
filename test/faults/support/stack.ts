import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../scripts/infra/child';
import type { Models } from '../../../models';
import { instanceEnv } from '../../../system/instance-env';
import { openStore } from '../../../system/store';
import { startEntry, workerReady, type Proc } from '../../support/processes';
import { uniqueName } from '../../support/stack';
import { waitFor } from '../../support/wait-for';
import { startAffiliateReceiver, type AffiliateReceiver } from './affiliate';
import {
  clusterUnavailable,
  ownMongo,
  ownTemporal,
  ownTemporalCluster,
  type ExternalServer,
  type OwnedCluster,
  type OwnedServer,
} from './servers';

/** Which server a scenario kills: it must be one the scenario started itself. */
export type Victim = 'temporal' | 'mongo';

/** The Temporal a scenario runs on: the dev server, or POSTFLOW_TEMPORAL=cluster's four services on PostgreSQL. */
export type TemporalKind = 'dev' | 'cluster';

/**
 * Why a scenario cannot run here, or undefined. TEMPORAL_ADDRESS / MONGO_URL mean "use that
 * server, start none" (as for `npm start` and `npm test`); a scenario never kills a server it
 * did not start, so one that must kill that server is skipped rather than failed.
 */
export function skipReason(victim?: Victim, temporal: TemporalKind = 'dev'): string | undefined {
  if (temporal === 'cluster') {
    if (process.env.TEMPORAL_ADDRESS)
      return `TEMPORAL_ADDRESS is set (${process.env.TEMPORAL_ADDRESS}): this scenario runs a Temporal cluster of its own`;
    const why = clusterUnavailable();
    if (why) return `the Temporal cluster profile is not available here: ${why}`;
  }
  if (victim === 'temporal' && process.env.TEMPORAL_ADDRESS)
    return (
      `TEMPORAL_ADDRESS is set (${process.env.TEMPORAL_ADDRESS}): this scenario kills the Temporal server, ` +
      'and only kills one it started itself; unset TEMPORAL_ADDRESS to run it'
    );
  if (victim === 'mongo' && process.env.MONGO_URL)
    return 'MONGO_URL is set: this scenario stops MongoDB, and only stops one it started itself; unset MONGO_URL to run it';
  return undefined;
}

/** `describe`, or `describe.skip` with the reason in the title and on stderr. */
export function describeScenario(title: string, victim: Victim | undefined, body: () => void, temporal: TemporalKind = 'dev'): void {
  const reason = skipReason(victim, temporal);
  if (!reason) return describe(title, body);
  process.stderr.write(`[faults] skipped "${title}": ${reason}\n`);
  describe.skip(`${title} (skipped: ${reason})`, body);
}

export interface FaultStack {
  name: string;
  dir: string;
  apiUrl: string;
  adminKey: string;
  env: Record<string, string>;
  temporal: OwnedServer | ExternalServer;
  /** With `temporal: 'cluster'`: the same server, with a handle on each service and PostgreSQL. */
  cluster?: OwnedCluster;
  mongo: OwnedServer | ExternalServer;
  receiver: AffiliateReceiver;
  /** The first API process; `apis` holds all of them, `apiUrls` where each listens. */
  api: Proc;
  apis: Proc[];
  apiUrls: string[];
  /** The worker processes started so far; the last one is the live one. */
  workers: Proc[];
  /** A direct connection for the invariant checks (the processes have their own). */
  models: Models;
  /** SIGKILLs a worker (default: the last started) and waits for it to be gone. */
  killWorker(worker?: Proc): Promise<void>;
  /** SIGKILLs an API process and waits for it to be gone. */
  killApi(api: Proc): Promise<void>;
  /** Starts a worker process and resolves once it polls its task queues. */
  startWorker(): Promise<Proc>;
  /** Writes every process's output next to the servers' logs; returns the folder. */
  saveLogs(): string;
  stop(opts: { keepLogs: boolean }): Promise<void>;
}

export interface FaultStackOptions {
  prefix: string;
  victim?: Victim;
  /** Extra environment for the api and worker processes (delivery schedule, timeouts). */
  env?: Record<string, string>;
  /** API and worker processes to run side by side on the same servers (default 1 each). */
  apis?: number;
  workers?: number;
  /** Which Temporal the scenario starts (default dev); ignored with TEMPORAL_ADDRESS (the cluster scenarios skip then). */
  temporal?: TemporalKind;
}

const STOP_STEP_MS = 30_000;

async function boundedStop(stop: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`[faults] a clean-up step took over ${STOP_STEP_MS / 1000} s; going on without it\n`);
      resolve();
    }, STOP_STEP_MS);
  });
  await Promise.race([stop().catch(() => undefined), deadline]);
  clearTimeout(timer);
}

/** Waits for a process to be ready; if it exits or never gets there, the error carries its output. */
async function ready(proc: Proc, what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  let exitedEarly!: (err: Error) => void;
  const exited = new Promise<never>((_, reject) => (exitedEarly = reject));
  exited.catch(() => undefined); // only a failure while we wait
  void proc.exited.then((code) => exitedEarly(new Error(`${what}: it exited with ${code}`)));
  try {
    await Promise.race([waitFor(what, probe, 180_000), exited]);
  } catch (err) {
    throw new Error(`${(err as Error).message}; its output:\n${proc.output().slice(-3000)}`);
  }
}

/**
 * One scenario's system: its own servers (or the external ones it may use), an api and a
 * worker as real processes (what `npm start` runs), and a fake affiliate receiver.
 */
export async function startFaultStack(opts: FaultStackOptions): Promise<FaultStack> {
  const name = uniqueName(`faults_${opts.prefix}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), `postflow-${name}-`));
  const started: Array<() => Promise<void>> = [];
  try {
    const [temporal, mongo] = await Promise.all([
      process.env.TEMPORAL_ADDRESS
        ? { url: process.env.TEMPORAL_ADDRESS, how: 'external (TEMPORAL_ADDRESS)' }
        : opts.temporal === 'cluster'
          ? ownTemporalCluster(dir)
          : ownTemporal(dir),
      process.env.MONGO_URL ? { url: process.env.MONGO_URL, how: 'external (MONGO_URL)' } : ownMongo(dir),
    ]);
    for (const server of [temporal, mongo]) if ('stop' in server) started.push(() => server.stop());
    const receiver = await startAffiliateReceiver();
    started.push(() => receiver.close());

    const port = await freePort();
    const adminKey = `${name}-admin-key-0123456789`;
    const env = instanceEnv({
      database: name,
      taskQueue: `faults-${name}`,
      adminKey,
      mongoUrl: mongo.url,
      temporalAddress: temporal.url,
      port,
      settings: {
        NODE_ENV: 'test',
        DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8',
        LOG_LEVEL: 'warn',
        // The kept logs of a failed run show which driver monitor or socket got stuck (issue 10).
        LOG_MONGO_DRIVER_EVENTS: 'true',
        ...opts.env,
      },
    });
    const apiUrl = `http://127.0.0.1:${port}`;
    const processes: Proc[] = [];
    started.push(async () => {
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    });
    const workers: Proc[] = [];
    const startWorker = async () => {
      const worker = startEntry('worker/main.ts', env);
      processes.push(worker);
      workers.push(worker);
      await ready(worker, 'the worker to be ready (its /readyz)', () => workerReady(worker));
      return worker;
    };
    const apis: Proc[] = [];
    const apiUrls = [apiUrl];
    for (let i = 1; i < (opts.apis ?? 1); i++) apiUrls.push(`http://127.0.0.1:${await freePort()}`);
    const startApi = async (url: string) => {
      const api = startEntry('api/server.ts', { ...env, PORT: new URL(url).port });
      processes.push(api);
      apis.push(api);
      await ready(api, `the API on ${url} to be ready`, async () => (await fetch(`${url}/readyz`)).status === 200);
      return api;
    };
    // One at a time: the workers and APIs of a scenario start on a 2-core machine beside its servers.
    for (const url of apiUrls) await startApi(url);
    for (let i = 0; i < (opts.workers ?? 1); i++) await startWorker();
    const api = apis[0]!;

    // For the invariant checks: the processes have their own connections.
    const store = await openStore(env.MONGO_URL!);
    started.push(async () => {
      // Our own servers go with their folder; on an external MongoDB, the scenario's database.
      if (!('stop' in mongo)) await store.connection.dropDatabase();
      await store.close();
    });

    return {
      name,
      dir,
      apiUrl,
      adminKey,
      env,
      temporal,
      cluster: 'part' in temporal ? (temporal as OwnedCluster) : undefined,
      mongo,
      receiver,
      api,
      apis,
      apiUrls,
      workers,
      models: store.models,
      async killWorker(worker = workers[workers.length - 1]!) {
        worker.child.kill('SIGKILL');
        await worker.exited;
      },
      async killApi(victim) {
        victim.child.kill('SIGKILL');
        await victim.exited;
      },
      startWorker,
      saveLogs() {
        apis.forEach((a, i) => writeFileSync(path.join(dir, i === 0 ? 'api.log' : `api-${i + 1}.log`), a.output()));
        workers.forEach((w, i) => writeFileSync(path.join(dir, `worker-${i + 1}.log`), w.output()));
        return dir;
      },
      async stop({ keepLogs }) {
        // Each step bounded: one that hangs (a client waiting on a dead server) must not leave
        // the servers after it running, or jest never exits and CI waits out its 90 minutes.
        for (const stop of started.reverse()) await boundedStop(stop);
        if (!keepLogs) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}
