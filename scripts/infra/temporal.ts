import { existsSync } from 'node:fs';
import path from 'node:path';
import { allSearchAttributeKeys } from '../../temporal/search-attributes';
import { spawnChild, waitForPort, type OutputSink } from './child';
import { goInstall } from './go-build';
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
  await goInstall({
    go,
    what: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    packages: [`${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
    target: path.dirname(cachedCli),
    expect: ['temporal'],
    hint: 'install the Temporal CLI or set TEMPORAL_ADDRESS',
    log,
  });
  return cachedCli;
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
