import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawnChild, waitForPort, type Child, type OutputSink } from './child';
import { which, MissingToolError } from './paths';

/**
 * A private PostgreSQL for the Temporal cluster profile: its own data folder, loopback only, no
 * Unix socket (so nothing is needed from the system's /var/run/postgresql), password auth.
 */
export interface PostgresOptions {
  port: number;
  /** PGDATA: initialised on first use, reused afterwards. */
  dataDir: string;
  /** Where the generated password is kept (mode 0600): outside PGDATA, which initdb wants empty. */
  passwordFile: string;
  /** The superuser initdb creates; Temporal connects as it. */
  user: string;
  sink: OutputSink;
  /** Own process group, so a terminal's Ctrl-C reaches only the parent, which stops us last. */
  detached?: boolean;
  log: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  user: string;
  password: string;
  /** True when this start ran initdb: the databases are yet to be made. */
  initialised: boolean;
  how: string;
  child: Child;
  stop(): Promise<void>;
}

/** initdb and postgres on PATH, else the newest Debian /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string | undefined {
  const onPath = which('initdb');
  if (onPath && which('postgres')) return path.dirname(onPath);
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const majors = readdirSync(debian)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(debian, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(debian, majors[0]!, 'bin') : undefined;
}

const runningAsRoot = () => process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root. As root (containers, CI) initdb and the server run as the
 * `postgres` user the Debian package creates, through setpriv, which execs: no process in
 * between, so our signals reach the postmaster itself.
 */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (!runningAsRoot()) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
}

function serverUserIds(): { uid: number; gid: number } {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new MissingToolError(
      'running as root, PostgreSQL must run as the unprivileged `postgres` user, and there is none (apt-get install postgresql creates it)',
    );
  }
}

/** A temporary folder the `postgres` user can reach (mkdtemp makes it 0700, root's alone). */
export function makeTempRoot(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (runningAsRoot()) chmodSync(dir, 0o711);
  return dir;
}

/**
 * Creates PGDATA owned by the user the server runs as. As root, the folder above it gets the
 * search bit for others (not read: its listing stays private) so the `postgres` user can reach
 * its own folder; a folder further up that stops it is reported, not changed.
 */
function preparePgData(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700); // postgres refuses a data folder others can read
  if (!runningAsRoot()) return;
  const { uid, gid } = serverUserIds();
  chownSync(dataDir, uid, gid);
  const parent = path.dirname(dataDir);
  const mode = statSync(parent).mode;
  if ((mode & 0o001) === 0) chmodSync(parent, (mode & 0o7777) | 0o001);
  try {
    execFileSync(...asServerUser('test', ['-w', dataDir]), { stdio: 'ignore' });
  } catch {
    throw new MissingToolError(
      `the postgres user cannot reach ${dataDir}: a folder above it is closed to other users; ` +
        'give its parents the search bit (chmod o+x) or choose a DATA_DIR under /tmp',
    );
  }
}

/** Runs a tool to completion; rejects with its last output lines. */
export async function runTool(what: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 15) tail.shift();
    });
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${tail.join('\n')}`);
}

/** initdb once (when PGDATA has no PG_VERSION yet), with a generated password kept beside it. */
async function initOnce(bin: string, opts: PostgresOptions): Promise<{ password: string; initialised: boolean }> {
  if (existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    if (!existsSync(opts.passwordFile)) {
      throw new Error(`PostgreSQL data in ${opts.dataDir} has no password file ${opts.passwordFile}; delete ${opts.dataDir} to start over`);
    }
    return { password: readFileSync(opts.passwordFile, 'utf8').trim(), initialised: false };
  }
  preparePgData(opts.dataDir);
  const password = randomBytes(18).toString('base64url');
  mkdirSync(path.dirname(opts.passwordFile), { recursive: true });
  writeFileSync(opts.passwordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file the server user can open: a private temporary one.
  const pwDir = makeTempRoot('postflow-pw-');
  const pwFile = path.join(pwDir, 'pw');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (runningAsRoot()) chownSync(pwFile, serverUserIds().uid, serverUserIds().gid);
  opts.log(`initialising PostgreSQL in ${opts.dataDir}`);
  try {
    const initdb = ['-D', opts.dataDir, '-U', opts.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale'];
    await runTool('initdb', ...asServerUser(path.join(bin, 'initdb'), initdb));
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
  return { password, initialised: true };
}

/** Initialises PGDATA if needed and runs the postmaster in the foreground as our child. */
export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new MissingToolError('POSTFLOW_TEMPORAL=cluster needs PostgreSQL (initdb, postgres): apt-get install postgresql');
  const { password, initialised } = await initOnce(bin, opts);
  const args = ['-D', opts.dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawnChild('postgres', ...asServerUser(path.join(bin, 'postgres'), args), opts.sink, { detached: opts.detached });
  await waitForPort(opts.port, { timeoutMs: 60_000, child, what: 'postgres' });
  return {
    port: opts.port,
    user: opts.user,
    password,
    initialised,
    how: `PostgreSQL (${bin}) on 127.0.0.1:${opts.port}, data in ${opts.dataDir}`,
    child,
    // SIGINT is PostgreSQL's fast shutdown (what `pg_ctl stop -m fast` sends): roll back open
    // transactions and checkpoint; SIGTERM would wait for every client to leave. stop() escalates to SIGKILL after its grace.
    stop: async () => {
      child.process.kill('SIGINT');
      await child.stop(30_000);
    },
  };
}
