import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../../temporal/ensure-search-attributes';
import { allSearchAttributeKeys } from '../../temporal/search-attributes';
import { canConnect, spawnChild, waitForPort, type Child, type OutputSink } from './child';
import { goInstall } from './go-build';
import { cacheDir, which, MissingToolError } from './paths';
import { makeTempRoot, runTool, startPostgres, type RunningPostgres } from './postgres';
import type { RunningTemporal } from './temporal';

/** The server the Temporal CLI v1.5.1 (the dev server) bundles, so both profiles run the same server. */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const clusterDir = path.join(cacheDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12, with temporal/versioned and visibility/versioned. */
  schemaDir: string;
}

function cachedBinaries(): ClusterBinaries {
  return {
    server: path.join(clusterDir, 'temporal-server'),
    sqlTool: path.join(clusterDir, 'temporal-sql-tool'),
    schemaDir: path.join(clusterDir, 'schema', 'postgresql', 'v12'),
  };
}

/** True when the server, the SQL tool and the schema are in the cache: nothing to build. */
export function clusterBinariesCached(): boolean {
  const bins = cachedBinaries();
  return existsSync(bins.server) && existsSync(bins.sqlTool) && existsSync(bins.schemaDir);
}

/** The server, the SQL tool and the PostgreSQL schema, built once with Go into the cache. */
export async function resolveClusterBinaries(log: (line: string) => void): Promise<ClusterBinaries> {
  const bins = cachedBinaries();
  if (clusterBinariesCached()) return bins;
  const go = which('go');
  if (!go) throw new MissingToolError(`POSTFLOW_TEMPORAL=cluster needs Go 1.25+ to build the Temporal server ${TEMPORAL_SERVER_VERSION}`);
  await goInstall({
    go,
    what: `the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool`,
    packages: ['cmd/server', 'cmd/tools/sql'].map((cmd) => `${TEMPORAL_SERVER_MODULE}/${cmd}@${TEMPORAL_SERVER_VERSION}`),
    target: clusterDir,
    expect: ['server', 'sql'],
    finish: (staging) => {
      renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
      renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
      copySchema(go, path.join(staging, 'schema', 'postgresql', 'v12'));
    },
    hint: 'use the default POSTFLOW_TEMPORAL=dev or set TEMPORAL_ADDRESS',
    log,
  });
  return bins;
}

/**
 * The schema files live in the module cache, which `go clean -modcache` empties: a copy beside
 * the binaries keeps a run independent of it.
 */
function copySchema(go: string, to: string): void {
  const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const from = path.join(modCache, `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(from)) throw new MissingToolError(`the Temporal server's PostgreSQL schema is not at ${from}`);
  cpSync(from, to, { recursive: true });
  makeWritable(to); // the module cache's files are read-only; a later rebuild must be able to delete the copy
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) makeWritable(full);
    else chmodSync(full, 0o644);
  }
}

// ---------------------------------------------------------------------------------------------
// Running the cluster

export const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];
/** Names for the children's log sinks: `[temporal-history]` lines, `temporal-history.log` files. */
export type ClusterComponent = `temporal-${ClusterService}` | 'postgres';

interface ServicePorts {
  grpc: number;
  membership: number;
  http?: number;
}

export interface ClusterOptions {
  /** The frontend's gRPC port: the address clients use. */
  port: number;
  /** fixed: the ports of the server's own development config, around 7233 (npm start); free: unused ports below 32768 (tests). */
  internalPorts: 'fixed' | 'free';
  postgresPort: number;
  /** Keeps PostgreSQL's data and the generated config across runs; undefined: a temporary folder removed on stop. */
  dataDir?: string;
  namespace: string;
  sinkFor(component: ClusterComponent): OutputSink;
  detached?: boolean;
  log: (line: string) => void;
}

const FIXED_PORTS: Record<ClusterService, ServicePorts> = {
  frontend: { grpc: 7233, membership: 6933, http: 7243 },
  history: { grpc: 7234, membership: 6934 },
  matching: { grpc: 7235, membership: 6935 },
  worker: { grpc: 7239, membership: 6939 },
};

/** As long as the dev server keeps history (its default), so conversion timelines read the same in both profiles. */
const RETENTION = '24h';
const START_DEADLINE_MS = 120_000;

async function servicePorts(opts: ClusterOptions): Promise<Record<ClusterService, ServicePorts>> {
  if (opts.internalPorts === 'fixed') {
    const busy = [];
    for (const service of CLUSTER_SERVICES) {
      const ports = FIXED_PORTS[service];
      for (const port of [ports.grpc, ports.membership, ports.http]) if (port && (await canConnect('127.0.0.1', port))) busy.push(port);
    }
    if (busy.length) throw new Error(`the Temporal cluster needs ports ${busy.join(', ')}, which are in use`);
    return { ...FIXED_PORTS, frontend: { ...FIXED_PORTS.frontend, grpc: opts.port } };
  }
  const taken = new Set([opts.port, opts.postgresPort]);
  const pick = async () => {
    const port = await freePortBelowEphemeral(taken);
    taken.add(port);
    return port;
  };
  const ports = {} as Record<ClusterService, ServicePorts>;
  for (const service of CLUSTER_SERVICES) {
    ports[service] = { grpc: service === 'frontend' ? opts.port : await pick(), membership: await pick() };
  }
  ports.frontend.http = await pick();
  return ports;
}

/**
 * A free port under 32768. The PostgreSQL schema keeps a service's membership port in a SMALLINT
 * (cluster_membership.rpc_port), so a port the OS hands out (32768–60999 on Linux) makes the
 * service die at start ("value out of range for type smallint"). Below that range, the OS never
 * gives the port to an outgoing connection either.
 */
async function freePortBelowEphemeral(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canBind(port))) return port;
  }
  throw new Error('no free port between 20000 and 32000 for the Temporal cluster');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The server's config, after its config/development-postgres12.yaml: one file for the four
 * services, each started with `--service <name>`. No metrics or pprof listeners (ports nobody
 * reads), no archival, warnings and errors only (four services at info drown the terminal).
 */
function serverConfig(pg: RunningPostgres, ports: Record<ClusterService, ServicePorts>, dynamicConfigFile: string): string {
  const store = (database: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `127.0.0.1:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const services = Object.fromEntries(
    CLUSTER_SERVICES.map((service) => {
      const p = ports[service];
      const rpc = { grpcPort: p.grpc, membershipPort: p.membership, bindOnLocalHost: true, ...(p.http ? { httpPort: p.http } : {}) };
      return [service, { rpc }];
    }),
  );
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed once the cluster has run: the server refuses a different number for the same database.
      numHistoryShards: 4,
      // Four services, each with these pools, stay well under PostgreSQL's default 100 connections.
      datastores: { 'postgres-default': store('temporal', 10), 'postgres-visibility': store('temporal_visibility', 4) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend.grpc}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  // JSON is YAML: no YAML library needed, and every string is quoted.
  const header = '# generated by postflow (scripts/infra/temporal-cluster.ts) on each start; edits are overwritten';
  return `${header}\n${JSON.stringify(config, null, 2)}\n`;
}

/** What the server's development-sql.yaml sets that postflow relies on: IDs up to 255 characters. */
const DYNAMIC_CONFIG = `# generated by postflow on each start\nlimit.maxIDLength:\n  - value: 255\n    constraints: {}\n`;

/**
 * Creates each database and loads its schema once (a marker file records it), then applies any
 * newer versioned schema every start: `update-schema` is a no-op when the schema is current and
 * upgrades it after the server version changes. A database without its marker was never fully
 * set up (the process died part way), so it is dropped and made again.
 */
async function ensureSchemas(bins: ClusterBinaries, pg: RunningPostgres, stateDir: string, log: (line: string) => void): Promise<void> {
  const env = {
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(pg.port),
    SQL_USER: pg.user,
    SQL_PASSWORD: pg.password, // in the environment, not on a command line others can read
  };
  for (const [database, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const marker = path.join(stateDir, `${database}.schema-created`);
    if (pg.initialised) rmSync(marker, { force: true });
    const sql = (...args: string[]) =>
      runTool(`temporal-sql-tool ${args[0]} (${database})`, bins.sqlTool, ['--db', database, ...args], env);
    if (!existsSync(marker)) {
      log(`creating the ${database} database and its schema`);
      await sql('drop-database', '--force').catch(() => undefined); // absent is fine
      await sql('create-database');
      await sql('setup-schema', '-v', '0.0');
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
    await sql('update-schema', '-d', path.join(bins.schemaDir, schema, 'versioned'));
  }
}

/** The last lines a service printed, for the error that says it died. */
function keepTail(child: Child, lines = 15): () => string {
  const tail: string[] = [];
  for (const stream of [child.process.stdout, child.process.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > lines) tail.shift();
    });
  }
  return () => tail.join('\n');
}

interface ServiceChild {
  service: string;
  child: Child;
  tail: () => string;
}

function deadService(children: ServiceChild[]): Error | undefined {
  const dead = children.find((c) => c.child.process.exitCode !== null || c.child.process.signalCode !== null);
  if (!dead) return undefined;
  const code = dead.child.process.exitCode ?? dead.child.process.signalCode;
  return new Error(`${dead.service} exited (code ${code}) while the Temporal cluster started; its last lines:\n${dead.tail() || '(none)'}`);
}

/** Polls `probe` until it resolves, failing at once when a service dies and at the deadline with the last error. */
async function until<T>(what: string, children: ServiceChild[], deadline: number, probe: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (;;) {
    const dead = deadService(children);
    if (dead) throw dead;
    try {
      return await probe();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the Temporal cluster did not become ready (${what}) within ${START_DEADLINE_MS / 1000} s: ${(lastError as Error)?.message}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const grpcCode = (err: unknown) => (err as { code?: number }).code;
const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;

/**
 * The namespace and postflow's search attributes, idempotently, then proof that each service
 * answers for it: describe (frontend and persistence), a query naming every search attribute
 * (visibility knows them), a task queue (matching) and a workflow lookup (history).
 */
async function prepareNamespace(address: string, namespace: string, children: ServiceChild[], deadline: number): Promise<void> {
  const connection = await until('frontend answering', children, deadline, () => Connection.connect({ address, connectTimeout: 2_000 }));
  try {
    const service = connection.workflowService;
    await until('namespace registered', children, deadline, async () => {
      try {
        await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
      } catch (err) {
        if (grpcCode(err) !== ALREADY_EXISTS) throw err;
      }
    });
    await until('namespace described', children, deadline, () => service.describeNamespace({ namespace }));
    await until('search attributes registered', children, deadline, () => ensureSearchAttributes(connection, namespace));
    const query = allSearchAttributeKeys.map((key) => `${key.name} = ''`).join(' AND ');
    await until('search attributes usable', children, deadline, () => service.countWorkflowExecutions({ namespace, query }));
    await until('matching answering', children, deadline, () =>
      service.describeTaskQueue({ namespace, taskQueue: { name: 'postflow-cluster-probe' } }),
    );
    await until('history answering', children, deadline, async () => {
      try {
        await service.describeWorkflowExecution({ namespace, execution: { workflowId: `postflow-cluster-probe-${Date.now()}` } });
      } catch (err) {
        if (grpcCode(err) !== NOT_FOUND) throw err; // NOT_FOUND came from history: it answers
      }
    });
  } finally {
    await connection.close();
  }
}

function startService(bins: ClusterBinaries, configDir: string, service: ClusterService, opts: ClusterOptions): ServiceChild {
  // --root + --config name the folder; --env names the file in it (cluster.yaml).
  const args = ['--root', configDir, '--config', '.', '--env', 'cluster', '--allow-no-auth', 'start', '--service', service];
  const child = spawnChild(`temporal-${service}`, bins.server, args, opts.sinkFor(`temporal-${service}`), { detached: opts.detached });
  return { service: `temporal-${service}`, child, tail: keepTail(child) };
}

/**
 * Handles on the cluster's parts, for the fault suite (test/faults/temporal-cluster.test.ts):
 * each one can be taken down and brought back with the same ports, config and data.
 */
export interface ClusterControl {
  /** SIGKILLs one service (a crash: nothing handed over) and waits until it is gone. */
  kill(service: ClusterService): Promise<void>;
  /** Starts a service that is down again, from the same config; resolves once its gRPC port listens. */
  start(service: ClusterService): Promise<void>;
  /**
   * Stops PostgreSQL. `immediate` (SIGQUIT) is PostgreSQL's own crash-like stop: no checkpoint,
   * WAL recovery at the next start; `fast` (SIGINT) is an operator's orderly restart.
   */
  stopPostgres(mode: 'immediate' | 'fast'): Promise<void>;
  /** Starts PostgreSQL again on the same port and data. */
  startPostgres(): Promise<void>;
}

export interface RunningCluster extends RunningTemporal {
  control: ClusterControl;
}

/**
 * PostgreSQL, the schemas, then frontend, history, matching and worker as four processes of one
 * config, then the namespace. The frontend starts alone first: started at the same moment, the
 * services once raced to insert the cluster metadata row (duplicate key); once the frontend
 * listens, that row exists.
 */
export async function startTemporalCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const started = Date.now();
  const bins = await resolveClusterBinaries(opts.log);
  const root = opts.dataDir ?? makeTempRoot('postflow-cluster-');
  const stateDir = path.join(root, 'temporal-cluster');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const services: ServiceChild[] = [];
  let pg: RunningPostgres | undefined;
  const stop = async () => {
    // Clients before what they call: the worker service (it polls the frontend), then history and
    // matching, then the frontend; stopped the other way round, each logs its lost connections.
    const named = (...names: string[]) => services.filter((s) => names.includes(s.service));
    for (const group of [named('temporal-worker'), named('temporal-history', 'temporal-matching'), named('temporal-frontend')]) {
      await Promise.all(group.map((s) => s.child.stop()));
    }
    await pg?.stop();
    if (!opts.dataDir) rmSync(root, { recursive: true, force: true });
  };
  const postgres = () =>
    startPostgres({
      port: opts.postgresPort,
      dataDir: path.join(root, 'postgres'),
      passwordFile: path.join(stateDir, 'postgres-password'),
      user: 'temporal',
      sink: opts.sinkFor('postgres'),
      detached: opts.detached,
      log: opts.log,
    });
  try {
    pg = await postgres();
    await ensureSchemas(bins, pg, stateDir, opts.log);
    const ports = await servicePorts(opts);
    const dynamicConfigFile = path.join(stateDir, 'dynamic-config.yaml');
    writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
    writeFileSync(path.join(stateDir, 'cluster.yaml'), serverConfig(pg, ports, dynamicConfigFile), { mode: 0o600 }); // holds the password
    const deadline = Date.now() + START_DEADLINE_MS;
    services.push(startService(bins, stateDir, 'frontend', opts));
    await until('frontend listening', services, deadline, () => waitForPort(opts.port, { timeoutMs: 1_000, what: 'frontend' }));
    for (const service of CLUSTER_SERVICES.slice(1)) services.push(startService(bins, stateDir, service, opts));
    const address = `127.0.0.1:${opts.port}`;
    await prepareNamespace(address, opts.namespace, services, deadline);
    opts.log(`Temporal cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const running = (service: ClusterService) => services.find((s) => s.service === `temporal-${service}`);
    const control: ClusterControl = {
      async kill(service) {
        const victim = running(service);
        if (!victim) throw new Error(`temporal-${service} is not running`);
        const exited = new Promise((resolve) => victim.child.process.once('exit', resolve));
        if (victim.child.process.exitCode === null && victim.child.process.signalCode === null) {
          victim.child.process.kill('SIGKILL');
          await exited;
        }
        services.splice(services.indexOf(victim), 1);
      },
      async start(service) {
        if (running(service)) throw new Error(`temporal-${service} is already running`);
        const child = startService(bins, stateDir, service, opts);
        services.push(child);
        await waitForPort(ports[service].grpc, { timeoutMs: START_DEADLINE_MS, child: child.child, what: `temporal-${service}` });
      },
      async stopPostgres(mode) {
        const current = pg;
        if (!current) throw new Error('PostgreSQL is not running');
        pg = undefined;
        if (mode === 'fast') return current.stop();
        current.child.process.kill('SIGQUIT');
        await current.child.stop(30_000);
      },
      async startPostgres() {
        if (pg) throw new Error('PostgreSQL is already running');
        pg = await postgres();
      },
    };
    return {
      control,
      address,
      uiUrl: undefined,
      how:
        `Temporal cluster (server ${TEMPORAL_SERVER_VERSION}: frontend, history, matching, worker as 4 processes; ${bins.server}) ` +
        `on ${pg.how}`,
      stop,
    };
  } catch (err) {
    await stop(); // never leave half a cluster running
    throw err;
  }
}
