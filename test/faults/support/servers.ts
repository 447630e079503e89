import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../../scripts/infra/child';
import { mongoFlavour, startMongo, type RunningMongo } from '../../../scripts/infra/mongo';
import { which } from '../../../scripts/infra/paths';
import { postgresBinDir } from '../../../scripts/infra/postgres';
import { startTemporalDevServer, type RunningTemporal } from '../../../scripts/infra/temporal';
import {
  clusterBinariesCached,
  startTemporalCluster,
  type ClusterService,
  type RunningCluster,
} from '../../../scripts/infra/temporal-cluster';

/**
 * The servers a fault scenario may kill: started by the scenario itself (never the integration
 * run's shared ones), each with its state in a file under `dir`, so a restart on the same port
 * finds every workflow and document that was there before the fault.
 */
export interface OwnedServer {
  readonly url: string;
  /** How it was started (for the scenario's report). */
  readonly how: string;
  /** The crash: SIGKILL, nothing flushed or closed. */
  kill(): Promise<void>;
  /** An orderly stop (SIGTERM): what an operator or an orchestrator does. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same state. */
  restart(): Promise<void>;
}

export interface ExternalServer {
  readonly url: string;
  readonly how: string;
}

const log = (line: string) => process.stderr.write(`[faults] ${line}\n`);

/**
 * `temporal server start-dev` on a free port (started at once unless `startNow: false`; then `restart()` starts it)
 * with its database in `dir/temporal.db`.
 */
export async function ownTemporal(dir: string, opts: { startNow?: boolean } = {}): Promise<OwnedServer> {
  const port = await freePort();
  const start = () =>
    startTemporalDevServer({
      port,
      dbFile: path.join(dir, 'temporal.db'),
      namespace: 'default',
      sink: { file: path.join(dir, 'temporal.log') },
      log,
    });
  let running: RunningTemporal | undefined = opts.startNow === false ? undefined : await start();
  return {
    url: `127.0.0.1:${port}`,
    how: 'temporal server start-dev, database file',
    async kill() {
      // The dev server runs in the CLI's own process (no children), so its pid is the server.
      await killChild(['start-dev', '--port', String(port)], () => running!.stop());
      running = undefined;
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
    async restart() {
      running = await start();
    },
  };
}

/** The parts of a Temporal cluster a scenario can take down, one at a time. */
export type ClusterPart = ClusterService | 'postgres';

export interface OwnedCluster extends OwnedServer {
  /**
   * One part as a server of its own: `kill()` SIGKILLs a service, or stops PostgreSQL the way
   * it stops when it crashes (immediate shutdown: no checkpoint, WAL recovery at the next
   * start); `stop()` is the orderly stop; `restart()` brings it back with the same ports and data.
   */
  part(name: ClusterPart): OwnedServer;
}

/** Why the cluster scenarios cannot run here, or undefined: they need the server (cached, or Go to build it) and PostgreSQL. */
export function clusterUnavailable(): string | undefined {
  if (!clusterBinariesCached() && !which('go')) return 'no Temporal server built and no Go to build it';
  if (!postgresBinDir()) return 'no PostgreSQL binaries (apt-get install postgresql)';
  return undefined;
}

/**
 * A four-service Temporal cluster on PostgreSQL (POSTFLOW_TEMPORAL=cluster's) on free ports,
 * with PostgreSQL's data and the services' logs under `dir`.
 */
export async function ownTemporalCluster(dir: string): Promise<OwnedCluster> {
  const port = await freePort();
  const cluster: RunningCluster = await startTemporalCluster({
    port,
    internalPorts: 'free',
    postgresPort: await freePort(),
    dataDir: dir,
    namespace: 'default',
    sinkFor: (component) => ({ file: path.join(dir, `${component}.log`) }),
    log,
  });
  const part = (name: ClusterPart): OwnedServer =>
    name === 'postgres'
      ? {
          url: `postgres in ${dir}`,
          how: 'PostgreSQL',
          kill: () => cluster.control.stopPostgres('immediate'),
          stop: () => cluster.control.stopPostgres('fast'),
          restart: () => cluster.control.startPostgres(),
        }
      : {
          url: `temporal-${name}`,
          how: `the Temporal ${name} service`,
          kill: () => cluster.control.kill(name),
          stop: () => cluster.control.kill(name),
          restart: () => cluster.control.start(name),
        };
  return {
    url: cluster.address,
    how: cluster.how,
    part,
    kill: () => cluster.stop(),
    stop: () => cluster.stop(),
    restart: () => Promise.reject(new Error('restart one part of the cluster: part(name).restart()')),
  };
}

/**
 * MongoDB (mongod, or mongo-java-server with an H2 file) on a free port (started at once unless `startNow: false`)
 * with its data in `dir/mongo`.
 */
export async function ownMongo(dir: string, opts: { startNow?: boolean } = {}): Promise<OwnedServer> {
  const port = await freePort();
  const start = () => startMongo({ port, dataDir: path.join(dir, 'mongo'), sink: { file: path.join(dir, 'mongo.log') }, log });
  let running: RunningMongo | undefined = opts.startNow === false ? undefined : await start();
  return {
    url: `mongodb://127.0.0.1:${port}`,
    how: mongoFlavour(),
    async kill() {
      await killChild([String(port)], () => running!.stop());
      running = undefined;
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
    async restart() {
      running = await start();
    },
  };
}

/**
 * SIGKILLs this process's child whose command line holds every one of `args` (the infra
 * helpers keep the ChildProcess to themselves). Only our own children are looked at. Without
 * /proc (macOS) it falls back to `fallback`, an orderly stop: a milder fault, but still an outage.
 */
async function killChild(args: string[], fallback: () => Promise<void>): Promise<void> {
  if (!existsSync('/proc/self/stat')) return fallback();
  const pid = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .find((candidate) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
        const stat = readFileSync(`/proc/${candidate}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) return false;
        const argv = readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0');
        return args.every((arg) => argv.includes(arg));
      } catch {
        return false; // exited while we looked
      }
    });
  if (pid === undefined) throw new Error(`no child process of ${process.pid} runs with ${args.join(' ')}`);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${pid}`) && !isZombie(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} survived SIGKILL for 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
