import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { allSearchAttributeKeys } from '../../temporal/search-attributes';
import { spawnChild, waitForPort, type OutputSink } from './child';
import { cacheDir, which, MissingToolError } from './paths';

/** v1.5.1 is the newest tag `go install` accepts (later go.mod files carry replace directives); it bundles server 1.29.1. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const cachedCli = path.join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');

export interface DevServerOptions {
  port: number;
  /** undefined: run headless (tests). */
  uiPort?: number;
  /** undefined: keep everything in memory (tests). */
  dbFile?: string;
  namespace: string;
  sink: OutputSink;
  /** Own process group, so a terminal's Ctrl-C reaches only the parent, which stops us last. */
  detached?: boolean;
  log: (line: string) => void;
}

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  how: string;
  stop(): Promise<void>;
}

/** A `temporal` CLI on PATH, else one built earlier into the cache, else build it with Go (once). */
export async function resolveTemporalCli(log: (line: string) => void): Promise<string | undefined> {
  const onPath = which('temporal');
  if (onPath) return onPath;
  if (existsSync(cachedCli)) return cachedCli;
  const go = which('go');
  if (!go) return undefined;
  await buildTemporalCli(go, log);
  return cachedCli;
}

async function buildTemporalCli(go: string, log: (line: string) => void): Promise<void> {
  const target = path.dirname(cachedCli);
  const staging = `${target}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go, once, into ${target} (a few minutes on a cold cache)`);
  const started = Date.now();
  const child = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    // GOTOOLCHAIN=local: never try to download another Go toolchain; CGO off: a static binary.
    env: { ...process.env, GOBIN: staging, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
    cwd: staging,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let downloads = 0;
  let lastDownloadAt = Date.now();
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (line.startsWith('go: downloading')) {
        downloads += 1;
        lastDownloadAt = Date.now();
      }
      tail.push(line);
      if (tail.length > 20) tail.shift();
    });
  }
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const phase = Date.now() - lastDownloadAt > 10_000 ? 'compiling' : 'downloading modules';
    log(`  still building the Temporal CLI: ${seconds} s, ${downloads} modules downloaded, ${phase}`);
  }, 15_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(heartbeat);
  if (code !== 0 || !existsSync(path.join(staging, 'temporal'))) {
    rmSync(staging, { recursive: true, force: true });
    throw new MissingToolError(
      `building the Temporal CLI failed (go install exit ${code}); install the Temporal CLI or set TEMPORAL_ADDRESS. ` +
        `Last output:\n${tail.join('\n')}`,
    );
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target); // atomic: a half-built binary is never picked up
  log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
}

function devServerArgs(opts: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'error',
  ];
  args.push(...(opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)]));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const key of allSearchAttributeKeys) args.push('--search-attribute', `${key.name}=Keyword`);
  return args;
}

/** Starts `temporal server start-dev` (building the CLI if needed), or downloads one via @temporalio/testing. */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningTemporal> {
  const cli = await resolveTemporalCli(opts.log);
  if (cli) {
    const child = spawnChild('temporal', cli, devServerArgs(opts), opts.sink, { detached: opts.detached });
    await waitForPort(opts.port, { timeoutMs: 60_000, child, what: 'temporal server start-dev' });
    return {
      address: `127.0.0.1:${opts.port}`,
      uiUrl: opts.uiPort === undefined ? undefined : `http://localhost:${opts.uiPort}`,
      how: `temporal server start-dev (${cli})`,
      stop: () => child.stop(),
    };
  }
  return startDownloadedDevServer(opts);
}

/** Last resort for machines with internet but neither a CLI nor Go: the SDK's test package downloads one. */
async function startDownloadedDevServer(opts: DevServerOptions): Promise<RunningTemporal> {
  opts.log('no temporal CLI and no Go: asking @temporalio/testing to download the dev server (needs internet)');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: opts.port,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFile,
        namespace: opts.namespace,
        searchAttributes: allSearchAttributeKeys,
        executable: { type: 'cached-download', downloadDir: path.join(cacheDir, 'temporal-download') },
      },
    });
    return {
      address: env.address,
      uiUrl: opts.uiPort === undefined ? undefined : `http://localhost:${opts.uiPort}`,
      how: 'temporal dev server downloaded by @temporalio/testing',
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new MissingToolError(
      'no Temporal server: set TEMPORAL_ADDRESS, put the Temporal CLI on PATH, or install Go 1.22+ to build it ' +
        `(download failed: ${(err as Error).message})`,
    );
  }
}
