import path from 'node:path';
import { canConnect, freePort, type OutputSink } from './child';
import { startMongo } from './mongo';
import { startTemporalDevServer, type RunningTemporal } from './temporal';
import { startTemporalCluster, type ClusterComponent } from './temporal-cluster';

/** POSTFLOW_TEMPORAL: `temporal server start-dev` (one process, SQLite) or a four-service cluster on PostgreSQL. */
export const TEMPORAL_PROFILES = ['dev', 'cluster'] as const;
export type TemporalProfile = (typeof TEMPORAL_PROFILES)[number];

/** The children whose output goes to a sink: the cluster profile adds one per Temporal service and PostgreSQL. */
export type InfraComponent = 'temporal' | 'mongo' | ClusterComponent;

export interface ProvisionOptions {
  /** dev: fixed ports, servers outlive a crashed parent. test: free ports, children of this process. */
  mode: 'dev' | 'test';
  /**
   * Where the embedded servers keep their data: `file` under dataDir (Temporal's SQLite file, the
   * H2-backed MongoDB stand-in: what `npm start` runs) or `memory`. Default: file for dev, memory for test.
   */
  storage?: 'file' | 'memory';
  dataDir: string;
  /** TEMPORAL_ADDRESS / MONGO_URL here mean "use that server, start nothing". */
  env: NodeJS.ProcessEnv;
  namespace: string;
  /** EMBEDDED_MONGO_FSYNC: the embedded store fsyncs its file before acknowledging a write. */
  mongoFsync?: boolean;
  /** Which Temporal to start when TEMPORAL_ADDRESS is unset; default: env POSTFLOW_TEMPORAL, else dev. */
  temporal?: TemporalProfile;
  sinkFor(component: InfraComponent): OutputSink;
  log(line: string): void;
}

export interface Infrastructure {
  temporalAddress: string;
  temporalUiUrl?: string;
  /** Without a database name. */
  mongoUrl: string;
  /** One line per component saying where it comes from. */
  summary: string[];
  stop(): Promise<void>;
}

const DEV_PORTS = { temporal: 7233, temporalUi: 8233, mongo: 27017, postgres: 5432 };

/** The profile asked for, checked before anything starts: a typo must not silently start the other one. */
export function temporalProfile(opts: Pick<ProvisionOptions, 'temporal' | 'env'>): TemporalProfile {
  const value = opts.temporal ?? opts.env.POSTFLOW_TEMPORAL ?? 'dev';
  if ((TEMPORAL_PROFILES as readonly string[]).includes(value)) return value as TemporalProfile;
  throw new Error(`POSTFLOW_TEMPORAL must be one of ${TEMPORAL_PROFILES.join(', ')} (got "${value}")`);
}

/** Attaches to the servers the environment names and starts the others: MongoDB, then Temporal. */
export async function provisionInfrastructure(opts: ProvisionOptions): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  const summary: string[] = [];
  const onFile = (opts.storage ?? (opts.mode === 'dev' ? 'file' : 'memory')) === 'file';
  const profile = temporalProfile(opts);

  const mongo = (async () => {
    if (opts.env.MONGO_URL) {
      summary.push(`mongodb: ${redactUrl(opts.env.MONGO_URL)} (MONGO_URL)`);
      return { url: opts.env.MONGO_URL };
    }
    const port =
      opts.mode === 'dev' ? await devPort(DEV_PORTS.mongo, 'MongoDB', 'MONGO_URL=mongodb://localhost:27017/postflow') : await freePort();
    const server = await startMongo({
      port,
      dataDir: onFile ? path.join(opts.dataDir, 'mongo') : undefined,
      fsync: opts.mongoFsync,
      sink: opts.sinkFor('mongo'),
      detached: opts.mode === 'dev',
      log: opts.log,
    });
    stops.push(server.stop);
    summary.push(`mongodb: ${server.url} — ${server.how}`);
    return server;
  })();

  // Temporal starts once MongoDB listens: the dev server binds internal ports of its own choosing,
  // and one of them once took the free port picked for MongoDB before MongoDB bound it (MongoDB
  // then exited, and the port answered as if it were MongoDB). Bound first, MongoDB's port is safe.
  const temporal = (async () => {
    await mongo.catch(() => undefined); // its failure is reported below
    if (opts.env.TEMPORAL_ADDRESS) {
      summary.push(`temporal: ${opts.env.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS)`);
      return { address: opts.env.TEMPORAL_ADDRESS, uiUrl: undefined };
    }
    const port = opts.mode === 'dev' ? await devPort(DEV_PORTS.temporal, 'Temporal', 'TEMPORAL_ADDRESS=localhost:7233') : await freePort();
    const server = profile === 'cluster' ? await startCluster(opts, port, onFile) : await startDevServer(opts, port, onFile);
    stops.push(server.stop);
    summary.push(`temporal: ${server.address} — ${server.how}`);
    if (profile === 'cluster') {
      summary.push(
        'temporal UI: none — the cluster profile runs the server only (the UI is a service of its own); POSTFLOW_TEMPORAL=dev has one',
      );
    }
    return server;
  })();

  const stop = async () => {
    await Promise.allSettled(stops.map((fn) => fn()));
  };
  const [t, m] = await Promise.allSettled([temporal, mongo]);
  if (t.status === 'rejected' || m.status === 'rejected') {
    await stop(); // never leave half the infrastructure running
    throw t.status === 'rejected' ? t.reason : (m as PromiseRejectedResult).reason;
  }
  return { temporalAddress: t.value.address, temporalUiUrl: t.value.uiUrl, mongoUrl: m.value.url, summary, stop };
}

function startDevServer(opts: ProvisionOptions, port: number, onFile: boolean): Promise<RunningTemporal> {
  return startTemporalDevServer({
    port,
    uiPort: opts.mode === 'dev' ? DEV_PORTS.temporalUi : undefined,
    dbFile: onFile ? path.join(opts.dataDir, 'temporal.db') : undefined,
    namespace: opts.namespace,
    sink: opts.sinkFor('temporal'),
    detached: opts.mode === 'dev',
    log: opts.log,
  });
}

/** On file, PostgreSQL's data and the cluster's config live in dataDir (postgres/, temporal-cluster/); else in a temporary folder. */
async function startCluster(opts: ProvisionOptions, port: number, onFile: boolean): Promise<RunningTemporal> {
  let postgresPort = await freePort();
  if (opts.mode === 'dev') {
    // PostgreSQL's usual port when free; a PostgreSQL of the machine's own may hold it, and no client of ours needs it fixed.
    if (await canConnect('127.0.0.1', DEV_PORTS.postgres))
      opts.log(`port ${DEV_PORTS.postgres} is in use: PostgreSQL takes ${postgresPort}`);
    else postgresPort = DEV_PORTS.postgres;
  }
  return startTemporalCluster({
    port,
    internalPorts: opts.mode === 'dev' ? 'fixed' : 'free',
    postgresPort,
    dataDir: onFile ? opts.dataDir : undefined,
    namespace: opts.namespace,
    sinkFor: opts.sinkFor,
    detached: opts.mode === 'dev',
    log: opts.log,
  });
}

async function devPort(port: number, what: string, hint: string): Promise<number> {
  if (await canConnect('127.0.0.1', port)) {
    throw new Error(`port ${port} is already in use, so the embedded ${what} cannot start; to use the server listening there, set ${hint}`);
  }
  return port;
}

/** Hides the password of a connection string before it is printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
