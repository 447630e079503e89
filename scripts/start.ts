import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '../config';
import { bundleState } from '../worker/workflow-bundle';
import { ensureConsoleBuilt } from './build-ui';
import { spawnChild, type Child } from './infra/child';
import { MissingToolError } from './infra/paths';
import { localUrlHost, workerProcessAddresses } from './infra/process-addresses';
import { provisionInfrastructure, type Infrastructure } from './infra/provision';

/**
 * `npm start`: the embedded infrastructure (unless TEMPORAL_ADDRESS / MONGO_URL name servers),
 * then the worker and the API, as one process tree with prefixed logs. Ctrl-C stops the API and
 * worker first, then the servers, so in-flight work drains before its dependencies go away.
 */
const log = (line: string) => process.stdout.write(`[start]    ${line}\n`);

/** Development convenience: a generated admin key, kept in DATA_DIR so it survives restarts. */
function developmentAdminKey(dataDir: string): string {
  const file = path.join(dataDir, 'admin-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `pf_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function waitForReady(url: string, children: Child[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.process.exitCode !== null || c.process.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited during start-up (see its log lines above)`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/**
 * A newcomer runs `npm ci` then `npm start`: the worker's prebuilt bundle is made here when it is
 * missing or older than the workflow sources (their hash, kept beside it), in a process of its
 * own so webpack's memory leaves with it.
 */
async function prepareWorkflowBundle(codePath: string, node: (entry: string) => [string, string[]]): Promise<void> {
  const found = bundleState(codePath);
  if (found.state === 'fresh') return;
  log(`${found.reason}: building it (npm run build:workflows)`);
  const [command, args] = node('scripts/build-workflows.ts');
  const build = spawnChild('bundle', command, [...args, '--out', codePath], { prefix: '[bundle]  ' });
  const code = await new Promise<number | null>((resolve) => build.process.once('exit', resolve));
  if (code !== 0) throw new Error(`building the workflow bundle failed (exit ${code}; see the [bundle] lines above)`);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(); // validate before starting anything
  const dataDir = path.resolve(config.embedded.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const started = Date.now();
  let infra: Infrastructure;
  try {
    infra = await provisionInfrastructure({
      mode: 'dev',
      dataDir,
      env: process.env,
      namespace: config.temporal.namespace,
      mongoFsync: config.embedded.mongoFsync,
      sinkFor: (component) => ({ prefix: `[${component}]`.padEnd(10) }),
      log,
    });
  } catch (err) {
    console.error(`postflow: ${(err as Error).message}`);
    process.exit(1);
  }
  infra.summary.forEach((line) => log(line));

  const adminKey = config.api.adminApiKey ?? developmentAdminKey(dataDir);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    MONGO_URL: process.env.MONGO_URL ?? `${infra.mongoUrl}/postflow`,
    ADMIN_API_KEY: adminKey,
    // Local development posts to receivers on this machine; production allows no private network.
    DELIVERY_ALLOWED_NETWORKS: process.env.DELIVERY_ALLOWED_NETWORKS ?? '127.0.0.0/8,::1/128',
  };
  const node = (entry: string): [string, string[]] => [process.execPath, ['--import', 'tsx', path.join(__dirname, '..', entry)]];
  await prepareWorkflowBundle(path.resolve(config.worker.workflowBundle), node);
  // The console at /ui: built here when dist/ui is missing or older than ui/ (a few seconds).
  ensureConsoleBuilt((line) => log(line));
  const { apiProcesses, workerProcesses } = config.embedded;
  const workerAddresses = Array.from({ length: workerProcesses }, (_, i) => workerProcessAddresses(config.worker, i));
  const name = (role: string, i: number, of: number) => (of > 1 ? `${role}-${i + 1}` : role);
  const apps = [
    ...workerAddresses.map((addresses, i) => {
      const n = name('worker', i, workerProcesses);
      const workerEnv = { ...env, WORKER_METRICS_ADDRESS: addresses.metrics, WORKER_HEALTH_ADDRESS: addresses.health };
      return spawnChild(n, ...node('worker/main.ts'), { prefix: `[${n}]`.padEnd(10) }, { env: workerEnv, detached: true });
    }),
    ...Array.from({ length: apiProcesses }, (_, i) => {
      const n = name('api', i, apiProcesses);
      const apiEnv = { ...env, PORT: String(config.api.port + i) };
      return spawnChild(n, ...node('api/server.ts'), { prefix: `[${n}]`.padEnd(10) }, { env: apiEnv, detached: true });
    }),
  ];

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping: api and worker first, then the servers');
    await Promise.all(apps.map((c) => c.stop(30_000)));
    await infra.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const app of apps) {
    app.process.once('exit', (code) => {
      if (!stopping) {
        log(`${app.name} exited unexpectedly (code ${code}); stopping everything`);
        void stopAll(1);
      }
    });
  }

  const apiUrl = `http://localhost:${config.api.port}`;
  const apiUrls = Array.from({ length: apiProcesses }, (_, i) => `http://localhost:${config.api.port + i}`);
  const healthUrls = workerAddresses.flatMap((a) =>
    a.health === 'off' || a.health.endsWith(':0') ? [] : [`http://${localUrlHost(a.health)}/readyz`],
  );
  try {
    // Every API and every worker says it is ready over HTTP (the workers' /readyz: task queues polled).
    await Promise.all([...apiUrls.map((u) => `${u}/readyz`), ...healthUrls].map((url) => waitForReady(url, apps, 120_000)));
  } catch (err) {
    log((err as Error).message);
    return stopAll(1);
  }
  const temporalUiNote = process.env.TEMPORAL_ADDRESS
    ? '(external server: see its own UI)'
    : '(none: the cluster profile runs no UI; `temporal workflow list` or POSTFLOW_TEMPORAL=dev has one)';
  const lines = [
    `postflow is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `Console:      ${apiUrl}/ui   (sign in with the admin key below)`,
    `API:          ${apiUrls.join(', ')}   (walk-through: README.md, section "Walk-through")`,
    `Workers:      ${workerProcesses} process${workerProcesses > 1 ? 'es' : ''}` +
      (healthUrls.length > 0 ? `, readiness at ${healthUrls.join(', ')}` : ''),
    `Temporal UI:  ${infra.temporalUiUrl ?? temporalUiNote}`,
    `Temporal:     ${infra.temporalAddress}   namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`,
    'Admin key:    ' +
      (config.api.adminApiKey
        ? '(from ADMIN_API_KEY)'
        : `${adminKey}   (generated for development, kept in ${path.join(dataDir, 'admin-api-key')})`),
    'Ctrl-C stops everything.',
  ];
  lines.forEach((line) => log(line));
}

main().catch((err: unknown) => {
  console.error(`postflow: ${err instanceof MissingToolError ? err.message : ((err as Error)?.stack ?? String(err))}`);
  process.exit(1);
});
